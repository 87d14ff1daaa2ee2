package io.fipsrelay.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import io.fipsrelay.core.fips.FipsBootstrap;
import io.fipsrelay.testkit.TestPki;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What an operator sees from {@code fips-relay check-config} and from a start without FIPS. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CheckConfigCommandTest {

    @TempDir
    Path dir;

    record Outcome(int exit, String out, String err) {
    }

    Outcome run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int exit = FipsRelayCommand.execute(args);
            return new Outcome(exit, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    Path plugins() throws Exception {
        return Files.createDirectories(dir.resolve("plugins"));
    }

    @BeforeAll
    static void fips() throws Exception {
        // This JVM also hosts SunJSSE test intakes in other tests: providers go after the JDK's.
        FipsBootstrap.install(FipsBootstrap.ProviderOrder.APPENDED);
    }

    Path conf(String hocon) throws Exception {
        Path ca = TestPki.create("check-config test CA").writeCaPem(dir.resolve("ca.pem"));
        return Files.writeString(dir.resolve("fips-relay.conf"), "fips-relay.tls.ca-file = \"" + ca + "\"\n" + hocon);
    }

    @Test
    void a_valid_configuration_exits_0() throws Exception {
        Outcome o = run("check-config", "--config", conf("fips-relay.site = \"ddog-gov.com\"").toString(),
                "--plugins-dir", plugins().toString());
        assertThat(o.exit()).as(o.err()).isZero();
        assertThat(o.out()).contains("configuration OK");
    }

    @Test
    void an_invalid_configuration_exits_non_zero_naming_every_key() throws Exception {
        Outcome o = run("check-config", "--config", conf("fips-relay { upstream.port = 0, listen.adress = \"x\" }").toString(),
                "--plugins-dir", plugins().toString());
        assertThat(o.exit()).isEqualTo(RelayServer.StartupFailure.CONFIG);
        assertThat(o.err()).contains("fips-relay.upstream.port: 0 is not in 1..65535")
                .contains("fips-relay.listen.adress: unknown key (did you mean fips-relay.listen.address?)");
    }

    @Test
    void values_out_of_range_and_a_misspelt_empty_block_are_refused_together() throws Exception {
        Outcome o = run("check-config", "--config", conf("fips-relay { upstream.max-idle-per-host = -5,"
                + " limits.max-connections-per-listener = 0, limits.max-header-fields = -1, plugins.scan-interval = 0s,"
                + " produtcs { } }").toString(), "--plugins-dir", plugins().toString());
        assertThat(o.exit()).isEqualTo(RelayServer.StartupFailure.CONFIG);
        assertThat(o.out()).doesNotContain("configuration OK");
        assertThat(o.err()).contains("fips-relay.upstream.max-idle-per-host: -5 is not in 0..4096")
                .contains("fips-relay.limits.max-connections-per-listener: 0 is not in 1..100000")
                .contains("fips-relay.limits.max-header-fields: -1 is not in 1..10000")
                .contains("fips-relay.plugins.scan-interval: 0s is not in 10ms..1m")
                .contains("fips-relay.produtcs: unknown key (did you mean fips-relay.products?)");
    }

    @Test
    void a_ca_bundle_without_certificates_is_refused() throws Exception {
        Path bogus = Files.writeString(dir.resolve("bogus.pem"), "not a certificate\n");
        Outcome o = run("check-config", "--config", conf("fips-relay.tls.ca-file = \"" + bogus + "\"").toString(),
                "--plugins-dir", plugins().toString());
        assertThat(o.exit()).isEqualTo(RelayServer.StartupFailure.CONFIG);
        assertThat(o.err()).contains("fips-relay.tls.ca-file: " + bogus);
    }

    @Test
    void a_syntax_error_is_reported_with_its_line() throws Exception {
        Outcome o = run("check-config", "--config", conf("fips-relay { site = ").toString(),
                "--plugins-dir", plugins().toString());
        assertThat(o.exit()).isEqualTo(RelayServer.StartupFailure.CONFIG);
        assertThat(o.err()).contains("fips-relay.conf: 2");
    }

    @Test
    void a_missing_config_file_is_refused() throws Exception {
        Outcome o = run("check-config", "--config", dir.resolve("nope.conf").toString(), "--plugins-dir", plugins().toString());
        assertThat(o.exit()).isEqualTo(RelayServer.StartupFailure.CONFIG);
        assertThat(o.err()).contains("cannot read").contains("nope.conf");
    }

    @Test
    void the_relay_refuses_to_start_without_approved_only_mode() throws Exception {
        // A fresh JVM without -Dorg.bouncycastle.fips.approved_only=true, as if started without the launcher.
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), FipsRelayCommand.class.getName(), "run",
                "--config", conf("").toString(), "--plugins-dir", plugins().toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(output).isEqualTo(RelayServer.StartupFailure.FIPS);
        assertThat(output).contains("FIPS module not ready, refusing to start: approved-only mode is off");
    }
}
