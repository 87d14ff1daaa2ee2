package io.fipsrelay.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.fipsrelay.core.fips.FipsBootstrap;
import io.fipsrelay.testkit.FreePorts;
import io.fipsrelay.testkit.PluginJarSigner;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * With {@code fips-relay.plugins.trusted-signers} set, only plugin jars signed by one of its
 * certificates and not altered since load: jars signed in the test with keys the test makes.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SignedPluginsTest {

    @TempDir
    static Path built;
    @TempDir
    Path folder;
    static PluginJarSigner publisher;
    static PluginJarSigner stranger;
    static Path unsigned;
    static Path signed;
    static Path trustedPem;

    @BeforeAll
    static void signerAndJars() throws IOException {
        publisher = PluginJarSigner.selfSigned("fips-relay test plugin publisher");
        stranger = PluginJarSigner.selfSigned("someone else");
        unsigned = TestPlugins.oneProduct(built.resolve("unsigned-alpha.jar"), "alpha", "alpha", 1, "alpha-intake");
        signed = publisher.sign(unsigned, built.resolve("alpha.jar"), "publisher");
        trustedPem = Files.writeString(built.resolve("trusted-signers.pem"), publisher.certificatePem());
    }

    @Test
    void a_jar_signed_by_a_trusted_signer_loads() throws IOException {
        assertThat(refusalOf(signed)).isNull();
        try (PluginCatalog catalog = catalogOf(signed)) {
            assertThat(catalog.refused()).isEmpty();
            assertThat(catalog.plugins()).extracting(PluginCatalog.LoadedPlugin::pluginId).containsExactly("alpha");
        }
    }

    @Test
    void a_jar_signed_by_a_certificate_a_trusted_signer_issued_loads() throws IOException {
        PluginJarSigner team = publisher.issue("plugin team");
        Path jar = team.sign(unsigned, folder.resolve("team.jar"), "team");
        assertThat(refusalOf(jar)).isNull();
    }

    @Test
    void an_unsigned_jar_is_refused_as_not_signed() throws IOException {
        assertThat(refusalOf(unsigned)).startsWith("not signed");
        try (PluginCatalog catalog = catalogOf(unsigned)) {
            assertThat(catalog.plugins()).isEmpty();
            assertThat(catalog.refused()).singleElement().extracting(PluginCatalog.RefusedPlugin::reason).asString()
                    .startsWith("signature check: not signed");
        }
    }

    @Test
    void a_jar_signed_by_someone_else_is_refused_naming_the_signer() throws IOException {
        Path jar = stranger.sign(unsigned, folder.resolve("stranger.jar"), "stranger");
        assertThat(refusalOf(jar)).isEqualTo("signed by \"CN=someone else\", which is not one of the trusted signers in "
                + trustedPem);
    }

    @Test
    void a_jar_whose_content_was_altered_after_signing_is_refused() throws IOException {
        Path jar = PluginJarSigner.tamper(signed, folder.resolve("tampered.jar"), "reference.conf",
                "fips-relay.products.alpha { enabled = true, port = 1, servers = [] }\n".getBytes(StandardCharsets.UTF_8));
        assertThat(refusalOf(jar)).startsWith("altered after signing").contains("reference.conf");
    }

    @Test
    void a_jar_with_an_entry_added_after_signing_is_refused() throws IOException {
        Path jar = PluginJarSigner.withExtraEntry(signed, folder.resolve("grown.jar"), "evil/Payload.class", new byte[] {1, 2, 3});
        assertThat(refusalOf(jar)).isEqualTo("entry evil/Payload.class is not covered by a trusted signature (added after signing?)");
    }

    @Test
    void a_jar_whose_signature_file_was_altered_is_refused() throws IOException {
        byte[] sf;
        try (java.util.jar.JarFile jar = new java.util.jar.JarFile(signed.toFile(), false)) {
            sf = jar.getInputStream(jar.getEntry("META-INF/PUBLISHER.SF")).readAllBytes();
        }
        String edited = new String(sf, StandardCharsets.UTF_8).replace("Created-By: fips-relay testkit", "Created-By: someone");
        Path jar = PluginJarSigner.tamper(signed, folder.resolve("resigned.jar"), "META-INF/PUBLISHER.SF",
                edited.getBytes(StandardCharsets.UTF_8));
        assertThat(refusalOf(jar)).startsWith("altered after signing");
    }

    @Test
    void a_jar_signed_with_the_jdk_jarsigner_and_a_pkcs12_store_loads_once_its_certificate_is_trusted() throws Exception {
        Path store = folder.resolve("signing.p12");
        run("keytool", "-genkeypair", "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", "test-store-pass",
                "-alias", "plugins", "-keyalg", "EC", "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA",
                "-dname", "CN=jarsigner publisher", "-validity", "2");
        Path pem = folder.resolve("jarsigner.pem");
        run("keytool", "-exportcert", "-rfc", "-keystore", store.toString(), "-storetype", "PKCS12",
                "-storepass", "test-store-pass", "-alias", "plugins", "-file", pem.toString());
        Path jar = Files.copy(unsigned, folder.resolve("jarsigned.jar"));
        run("jarsigner", "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", "test-store-pass",
                "-digestalg", "SHA-256", jar.toString(), "plugins");

        assertThat(PluginSigners.load(pem).refusal(jar)).isNull();
        assertThat(refusalOf(jar)).startsWith("signed by \"CN=jarsigner publisher\", which is not one of the trusted signers");
    }

    @Test
    void a_pem_file_without_certificates_is_refused_at_load() throws IOException {
        Path empty = Files.writeString(folder.resolve("empty.pem"), "nothing here\n");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PluginSigners.load(empty))
                .hasMessageContaining(empty.toString());
    }

    @Test
    void the_running_relay_refuses_unsigned_jars_at_start_and_tampered_jars_at_hot_plug_and_plugins_names_them() throws Exception {
        Path plugins = Files.createDirectories(folder.resolve("plugins"));
        Files.copy(signed, plugins.resolve("alpha.jar"));
        Path unsignedBeta = TestPlugins.oneProduct(folder.resolve("beta.jar"), "beta", "beta", 2, "beta-intake");
        Files.copy(unsignedBeta, plugins.resolve("beta.jar"));
        int base = FreePorts.pickRange(4);
        Path conf = Files.writeString(folder.resolve("fips-relay.conf"), """
                fips-relay {
                  listen.port-range-start = %d
                  plugins.scan-interval = 100ms
                  plugins.trusted-signers = "%s"
                }
                """.formatted(base, trustedPem));
        try (LogCapture log = new LogCapture();
             RelayServer server = RelayServer.start(RelayServer.Options.of(Optional.of(conf), plugins)
                     .withProviderOrder(FipsBootstrap.ProviderOrder.APPENDED).withEnvironment(Map.of()))) {
            assertThat(server.catalog().plugins()).extracting(PluginCatalog.LoadedPlugin::pluginId).containsExactly("alpha");
            assertThat(Await.accepting(base + 1)).isTrue();
            assertThat(Await.accepting(base + 2)).isFalse();
            assertThat(log.lines()).anyMatch(l -> l.startsWith("ERROR plugin jar " + plugins.resolve("beta.jar")
                    + " refused: signature check: not signed"));

            Path gamma = publisher.sign(TestPlugins.oneProduct(folder.resolve("gamma-unsigned.jar"), "gamma", "gamma", 3,
                    "gamma-intake"), folder.resolve("gamma-signed.jar"), "publisher");
            Path tampered = PluginJarSigner.tamper(gamma, folder.resolve("gamma.jar.tmp"), "reference.conf",
                    "fips-relay.products.gamma { enabled = true, port = null, servers = [\"10.9.9.9\"] }\n"
                            .getBytes(StandardCharsets.UTF_8));
            Files.move(tampered, plugins.resolve("gamma.jar"));
            Await.until(Duration.ofSeconds(5), "the tampered jar refused", () -> log.lines().stream()
                    .anyMatch(l -> l.contains(plugins.resolve("gamma.jar") + " refused: signature check: altered after signing")));
            assertThat(Await.accepting(base + 3)).isFalse();
        }

        StringWriter out = new StringWriter();
        int exit = FipsRelayCommand.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(new StringWriter(), true))
                .execute("plugins", "--config", conf.toString(), "--plugins-dir", plugins.toString());
        assertThat(exit).isEqualTo(1);
        assertThat(out.toString()).containsPattern("(?m)^alpha +alpha +" + (base + 1) + " +enabled ")
                .contains("refused " + plugins.resolve("beta.jar") + ": signature check: not signed")
                .contains("refused " + plugins.resolve("gamma.jar") + ": signature check: altered after signing");
    }

    private static String refusalOf(Path jar) throws IOException {
        return PluginSigners.load(trustedPem).refusal(jar);
    }

    private PluginCatalog catalogOf(Path jar) throws IOException {
        Path copy = Files.copy(jar, Files.createDirectories(folder.resolve("catalog")).resolve(jar.getFileName()));
        return PluginCatalog.load(copy.getParent(), List.of(copy), Optional.of(PluginSigners.load(trustedPem)));
    }

    /** Runs a tool of the JDK running the tests (keytool, jarsigner), whatever is on the PATH. */
    private static void run(String... command) throws Exception {
        command[0] = Path.of(System.getProperty("java.home"), "bin", command[0]).toString();
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + ": " + output).isZero();
    }
}
