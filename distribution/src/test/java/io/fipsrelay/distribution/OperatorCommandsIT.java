package io.fipsrelay.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import io.fipsrelay.testkit.KeyType;
import io.fipsrelay.testkit.RecordingIntake;
import io.fipsrelay.testkit.TestPki;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** bin/fips-relay self-test and diagnose, as an operator runs them. */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class OperatorCommandsIT {

    @TempDir
    static Path dir;
    static TestPki pki;
    static Path ca;

    @BeforeAll
    static void pki() throws Exception {
        pki = TestPki.create("operator commands test CA");
        ca = pki.writeCaPem(dir.resolve("ca.pem"));
    }

    record Run(int exit, String out) {
    }

    static Run run(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ConfiguredRelay.dist().resolve("bin/fips-relay").toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    static Path conf(int intakePort) throws Exception {
        return Files.writeString(dir.resolve("conf-" + intakePort + ".conf"), "fips-relay {\n"
                + "  tls.ca-file = \"" + ca + "\"\n"
                + "  upstream.port = " + intakePort + "\n"
                + "  dns.hosts { \"*.ddog-gov.com\" = \"127.0.0.1\" }\n"
                + "}\n");
    }

    @Test
    void self_test_reports_the_module_and_exits_0() throws Exception {
        Run r = run("self-test");
        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out()).contains("bc-fips            2.1.3 (CMVP certificate #4943, FIPS 140-3)")
                .contains("bctls-fips         2.1.24")
                .contains("approved-only      yes")
                .contains("self-tests         passed (READY)")
                .contains("native variant")
                .contains("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384")
                .contains("RESULT: FIPS-READY");
    }

    @Test
    void diagnose_passes_when_every_intake_answers_over_fips_tls() throws Exception {
        try (RecordingIntake intake = RecordingIntake.builder(pki.issue(KeyType.EC_P256, "*.ddog-gov.com", "*.agent.ddog-gov.com"))
                .start()) {
            Run r = run("diagnose", "--product", "metrics", "--config", conf(intake.port()).toString());
            assertThat(r.exit()).as(r.out()).isZero();
            assertThat(r.out()).contains("metrics.agent.ddog-gov.com:" + intake.port())
                    .contains("api.ddog-gov.com:" + intake.port())
                    .contains("flare.ddog-gov.com:" + intake.port())
                    .contains("PASS   TLS")
                    .contains("TLS_")
                    .contains("RESULT: PASS");
        }
    }

    @Test
    void diagnose_fails_naming_the_reason_when_the_certificate_is_for_another_host() throws Exception {
        try (RecordingIntake intake = RecordingIntake.builder(pki.issue(KeyType.EC_P256, "intake.example.com")).start()) {
            Run r = run("diagnose", "--product", "metrics", "--config", conf(intake.port()).toString());
            assertThat(r.exit()).as(r.out()).isEqualTo(1);
            assertThat(r.out()).contains("FAIL   TLS").contains("certificate does not match host")
                    .contains("RESULT: FAIL");
        }
    }

    @Test
    void diagnose_fails_when_nothing_listens() throws Exception {
        Run r = run("diagnose", "--product", "metrics", "--config", conf(io.fipsrelay.testkit.FreePorts.pick()).toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("FAIL   TCP  connection refused");
    }
}
