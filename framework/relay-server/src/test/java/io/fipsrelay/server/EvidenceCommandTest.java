package io.fipsrelay.server;

import java.util.concurrent.TimeUnit;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fipsrelay.core.fips.FipsBootstrap;
import io.fipsrelay.testkit.FreePorts;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import org.bouncycastle.jcajce.provider.BouncyCastleFipsProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fips-relay evidence} and the status port's /evidence.json: the facts an assessor attaches
 * to the SSP, checked against the files themselves (hashes computed here with the JDK's own SHA-256).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EvidenceCommandTest {

    @TempDir
    static Path plugins;
    @TempDir
    Path dir;
    static Path pluginJar;

    @BeforeAll
    static void onePlugin() {
        pluginJar = TestPlugins.oneProduct(plugins.resolve("alpha.jar"), "alpha", "alpha", 1, "alpha-intake");
    }

    @Test
    void offline_the_report_names_the_module_its_certificate_both_versions_and_the_hashes_of_what_is_loaded() throws Exception {
        int base = FreePorts.pickRange(2);
        Path conf = Files.writeString(dir.resolve("fips-relay.conf"), "fips-relay.listen.port-range-start = " + base + "\n");

        Result r = run("evidence", "--config", conf.toString(), "--plugins-dir", plugins.toString());

        assertThat(r.exit).as(r.err).isZero();
        Path bcFips = jarOf(BouncyCastleFipsProvider.class);
        assertThat(r.out)
                .containsPattern("module +Bouncy Castle FIPS Java API \\(BC-FJA\\)")
                .containsPattern("standard +FIPS 140-3 level 1")
                .containsPattern("CMVP certificate +#4943")
                .containsPattern("version loaded +2\\.1\\.3")
                .containsPattern("version in policy +2\\.1\\.2 \\(the loaded jar is a patched release of it\\)")
                .containsPattern("jar +" + java.util.regex.Pattern.quote(bcFips.toString()))
                .containsPattern("jar SHA-256 +" + sha256(bcFips))
                .containsPattern("approved-only mode +yes")
                .containsPattern("self-tests +READY")
                .contains("companion            bctls-fips " + versionInFileName(jarOf(org.bouncycastle.jsse.provider.BouncyCastleJsseProvider.class)) + " ")
                .contains("companion            bcpkix-fips " + versionInFileName(jarOf(org.bouncycastle.cert.X509CertificateHolder.class)) + " ")
                .contains("companion            bcutil-fips " + versionInFileName(jarOf(org.bouncycastle.asn1.cmc.BodyPartID.class)) + " ")
                .containsPattern("JVM +.*" + java.util.regex.Pattern.quote(System.getProperty("java.version")))
                .containsPattern("protocols +TLSv1\\.3, TLSv1\\.2")
                .containsPattern("named groups +secp256r1, secp384r1")
                .containsPattern("alpha +" + java.util.regex.Pattern.quote(pluginJar.toString()) + "  sha256 " + sha256(pluginJar))
                .containsPattern("file +" + java.util.regex.Pattern.quote(conf.toAbsolutePath().toString()))
                .containsPattern("SHA-256 +" + sha256(conf))
                .contains("no running relay answered at http://127.0.0.1:" + base + "/evidence.json")
                .contains("(no figures: no running relay was read)");
    }

    @Test
    void the_json_form_carries_the_same_facts() throws Exception {
        int base = FreePorts.pickRange(2);
        Path conf = Files.writeString(dir.resolve("fips-relay.conf"), "fips-relay.listen.port-range-start = " + base + "\n");

        Result r = run("evidence", "--json", "--config", conf.toString(), "--plugins-dir", plugins.toString());

        assertThat(r.exit).as(r.err).isZero();
        JsonNode doc = new ObjectMapper().readTree(r.out);
        assertThat(doc.at("/module/cmvpCertificate").asText()).isEqualTo("#4943");
        assertThat(doc.at("/module/version").asText()).isEqualTo("2.1.3");
        assertThat(doc.at("/module/policyModuleVersion").asText()).isEqualTo("2.1.2");
        assertThat(doc.at("/module/jarSha256").asText()).isEqualTo(sha256(jarOf(BouncyCastleFipsProvider.class)));
        assertThat(doc.at("/module/approvedOnly").asBoolean()).isTrue();
        assertThat(doc.at("/platform/kernel").asText()).isNotBlank();
        assertThat(doc.at("/tls/cipherSuites").size()).isEqualTo(6);
        assertThat(doc.at("/plugins/0/sha256").asText()).isEqualTo(sha256(pluginJar));
        assertThat(doc.at("/configuration/sha256").asText()).isEqualTo(sha256(conf));
        assertThat(doc.at("/live/negotiated").isNull()).isTrue();
    }

    @Test
    void with_a_running_relay_the_status_port_serves_the_report_and_the_command_reads_its_live_part() throws Exception {
        int base = FreePorts.pickRange(3);
        Path conf = Files.writeString(dir.resolve("fips-relay.conf"), """
                fips-relay.listen.port-range-start = %d
                fips-relay.plugins.hot-plug = false
                """.formatted(base));
        try (RelayServer server = RelayServer.start(RelayServer.Options.of(Optional.of(conf), plugins)
                .withProviderOrder(FipsBootstrap.ProviderOrder.APPENDED).withEnvironment(Map.of()))) {
            JsonNode served;
            try (InputStream in = URI.create("http://127.0.0.1:" + base + "/evidence.json").toURL().openStream()) {
                served = new ObjectMapper().readTree(in);
            }
            assertThat(served.at("/producedBy").asText()).isEqualTo("running relay (status port)");
            assertThat(served.at("/module/cmvpCertificate").asText()).isEqualTo("#4943");
            assertThat(served.at("/live/source").asText()).isEqualTo("this relay, since it started");
            assertThat(served.at("/live/negotiated").isArray()).isTrue();
            assertThat(served.at("/plugins/0/id").asText()).isEqualTo("alpha");

            Result r = run("evidence", "--config", conf.toString(), "--plugins-dir", plugins.toString());
            assertThat(r.exit).as(r.err).isZero();
            assertThat(r.out).contains("Negotiated since start (running relay read at http://127.0.0.1:" + base + "/evidence.json)")
                    .contains("(no TLS session yet)");
        }
    }

    static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256", "SUN").digest(Files.readAllBytes(file)));
    }

    /** "2.1.24" from ".../bctls-fips-2.1.24.jar": the version Maven put on the class path, read independently of the report. */
    private static String versionInFileName(Path jar) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("-(\\d+(\\.\\d+)+)\\.jar$").matcher(jar.getFileName().toString());
        assertThat(m.find()).as(jar.toString()).isTrue();
        return m.group(1);
    }

    private static Path jarOf(Class<?> type) throws Exception {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = FipsRelayCommand.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true)).execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    private record Result(int exit, String out, String err) {
    }
}
