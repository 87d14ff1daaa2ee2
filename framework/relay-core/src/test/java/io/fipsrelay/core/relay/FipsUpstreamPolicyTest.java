package io.fipsrelay.core.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.fipsrelay.testkit.KeyType;
import io.fipsrelay.testkit.OpenSslServer;
import io.fipsrelay.testkit.RawHttpClient;
import io.fipsrelay.testkit.RawResponse;
import io.fipsrelay.testkit.RecordedRequest;
import io.fipsrelay.testkit.RecordingIntake;
import io.fipsrelay.testkit.ServerIdentity;
import io.fipsrelay.testkit.TestPki;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay speaks only FIPS-approved TLS to intakes, verifies them, and fails closed: an intake
 * that cannot meet the profile gets no byte of the request, the agent gets a 502 saying why.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FipsUpstreamPolicyTest {

    @TempDir
    static Path dir;
    static TestPki pki;
    static Path caFile;

    @BeforeAll
    static void pki() throws Exception {
        pki = TestPki.create("fips-relay test CA");
        caFile = pki.writeCaPem(dir.resolve("ca.pem"));
    }

    static ServerIdentity ec() {
        return pki.issue(KeyType.EC_P256, "*.agent.ddog-gov.com");
    }

    static Stream<Arguments> refusedIntakes() {
        return Stream.of(
                Arguments.of("only ChaCha20-Poly1305", (IntakeFactory) () -> RecordingIntake.builder(ec())
                        .cipherSuites("TLS_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256").start(),
                        "no FIPS-approved TLS parameters in common"),
                Arguments.of("only CBC-SHA1 suites", (IntakeFactory) () -> RecordingIntake.builder(ec()).protocols("TLSv1.2")
                        .cipherSuites("TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA").start(),
                        "no FIPS-approved TLS parameters in common"),
                Arguments.of("a certificate for another host", (IntakeFactory) () -> RecordingIntake.builder(
                        pki.issue(KeyType.EC_P256, "intake.example.com")).start(), "certificate does not match host"),
                Arguments.of("a certificate from an untrusted CA", (IntakeFactory) () -> RecordingIntake.builder(
                        TestPki.create("some other CA").issue(KeyType.EC_P256, "*.agent.ddog-gov.com")).start(),
                        "certificate not trusted"));
    }

    @ParameterizedTest(name = "an intake offering {0} gets nothing and the agent a 502")
    @MethodSource("refusedIntakes")
    void refused_intake(String what, IntakeFactory factory, String cause) throws Exception {
        try (RecordingIntake intake = factory.start();
             RelayUnderTest relay = RelayUnderTest.start(caFile, intake.port(), "")) {
            RawResponse r = post(relay);
            assertBadGateway(r, cause);
            Thread.sleep(200);
            assertThat(intake.requests()).isEmpty();
            assertThat(intake.incompleteRequests()).isZero();
        }
    }

    static Stream<Arguments> refusedOpenSslIntakes() {
        return Stream.of(
                Arguments.of("only TLS 1.1", List.of("-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0")),
                Arguments.of("only the X25519 group", List.of("-groups", "X25519")));
    }

    @ParameterizedTest(name = "an intake offering {0} gets nothing and the agent a 502")
    @MethodSource("refusedOpenSslIntakes")
    void refused_openssl_intake(String what, List<String> args) throws Exception {
        try (OpenSslServer intake = OpenSslServer.start(ec(), args);
             RelayUnderTest relay = RelayUnderTest.start(caFile, intake.port(), "")) {
            RawResponse r = post(relay);
            assertBadGateway(r, "TLS handshake");
            assertThat(intake.awaitApplicationData(Duration.ofMillis(300))).isFalse();
            assertThat(intake.receivedApplicationData()).as("openssl output: %s", intake.output()).isFalse();
        }
    }

    static Stream<Arguments> acceptedIntakes() {
        return Stream.of(
                Arguments.of("ECDSA over TLS 1.3", KeyType.EC_P256, new String[] {"TLSv1.3"}, "TLSv1.3"),
                Arguments.of("ECDSA over TLS 1.2 GCM", KeyType.EC_P256, new String[] {"TLSv1.2"}, "TLSv1.2"),
                Arguments.of("RSA over TLS 1.2 GCM", KeyType.RSA_2048, new String[] {"TLSv1.2"}, "TLSv1.2"));
    }

    @ParameterizedTest(name = "positive control: {0}")
    @MethodSource("acceptedIntakes")
    void accepted_intake(String what, KeyType keyType, String[] protocols, String expectedProtocol) throws Exception {
        try (RecordingIntake intake = RecordingIntake.builder(pki.issue(keyType, "*.agent.ddog-gov.com"))
                .protocols(protocols).start();
             RelayUnderTest relay = RelayUnderTest.start(caFile, intake.port(), "")) {
            assertThat(post(relay).status()).isEqualTo(202);
            RecordedRequest rec = intake.awaitRequests(1, Duration.ofSeconds(10)).get(0);
            assertThat(rec.tlsProtocol()).isEqualTo(expectedProtocol);
            assertThat(rec.cipherSuite()).contains("_GCM_");
            if (keyType == KeyType.RSA_2048) {
                assertThat(rec.cipherSuite()).startsWith("TLS_ECDHE_RSA_WITH_AES_");
            }
        }
    }

    private static RawResponse post(RelayUnderTest relay) throws Exception {
        return RawHttpClient.exchange(relay.port(),
                "POST /api/v2/series HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
    }

    private static void assertBadGateway(RawResponse r, String cause) {
        assertThat(r.status()).isEqualTo(502);
        assertThat(r.header("Content-Type")).isEqualTo("application/json");
        assertThat(r.header("Connection")).isEqualTo("close");
        assertThat(r.bodyText())
                .contains("\"error\":\"bad gateway\"")
                .contains("\"product\":\"metrics\"")
                .contains("\"upstream\":\"metrics.agent.ddog-gov.com:")
                .contains(cause);
    }

    @FunctionalInterface
    interface IntakeFactory {
        RecordingIntake start() throws Exception;
    }
}
