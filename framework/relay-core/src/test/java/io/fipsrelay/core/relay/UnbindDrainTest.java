package io.fipsrelay.core.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fipsrelay.testkit.CannedResponse;
import io.fipsrelay.testkit.KeyType;
import io.fipsrelay.testkit.RawHttpClient;
import io.fipsrelay.testkit.RawResponse;
import io.fipsrelay.testkit.RecordingIntake;
import io.fipsrelay.testkit.TestPki;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Unbinding a product (a removed plugin) stops its listener and drains its connections, and only its. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UnbindDrainTest {

    @TempDir
    static Path dir;
    static TestPki pki;
    static RecordingIntake intake;
    /** Released by the test to let the intake answer a request to /slow. */
    static volatile CountDownLatch slowAnswer = new CountDownLatch(0);
    static volatile CountDownLatch slowArrived = new CountDownLatch(1);
    RelayUnderTest relay;

    @BeforeAll
    static void startIntake() {
        pki = TestPki.create("fips-relay drain test CA");
        intake = RecordingIntake.builder(pki.issue(KeyType.EC_P256, "*.ddog-gov.com", "*.agent.ddog-gov.com"))
                .respond(request -> {
                    if (request.path().equals("/slow")) {
                        slowArrived.countDown();
                        try {
                            slowAnswer.await(10, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    return CannedResponse.accepted();
                }).start();
    }

    @AfterAll
    static void stopIntake() {
        if (intake != null) {
            intake.close();
        }
    }

    @AfterEach
    void stopRelay() {
        if (relay != null) {
            relay.close();
        }
    }

    @Test
    void an_idle_keep_alive_connection_is_closed_and_the_port_refuses_new_ones() throws Exception {
        relay = RelayUnderTest.start(pki.writeCaPem(dir.resolve("ca.pem")), intake.port(), "");
        try (RawHttpClient client = RawHttpClient.connect(relay.port())) {
            client.post("/api/v2/series", Map.of(), "{}".getBytes(StandardCharsets.UTF_8));
            assertThat(client.readResponse().status()).isEqualTo(202);

            relay.engine.unbind("metrics");

            assertThat(client.isClosedByPeer(Duration.ofSeconds(5))).isTrue();
        }
        assertThatThrownBy(() -> RawHttpClient.connect(relay.port())).isInstanceOf(ConnectException.class);
        assertThat(relay.engine.boundAddresses()).doesNotContainKey("metrics");
    }

    @Test
    void an_exchange_in_flight_finishes_with_connection_close_and_then_the_connection_closes() throws Exception {
        relay = RelayUnderTest.start(pki.writeCaPem(dir.resolve("ca.pem")), intake.port(), "");
        slowArrived = new CountDownLatch(1);
        slowAnswer = new CountDownLatch(1);
        try (RawHttpClient client = RawHttpClient.connect(relay.port())) {
            client.post("/slow", Map.of(), "{\"big\":\"batch\"}".getBytes(StandardCharsets.UTF_8));
            assertThat(slowArrived.await(10, TimeUnit.SECONDS)).as("request reached the intake").isTrue();

            relay.engine.unbind("metrics");
            slowAnswer.countDown();

            RawResponse response = client.readResponse();
            assertThat(response.status()).isEqualTo(202);
            assertThat(response.bodyText()).isEqualTo("{}");
            assertThat(response.header("Connection")).isEqualToIgnoringCase("close");
            assertThat(client.isClosedByPeer(Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    void a_product_bound_again_after_unbind_serves_new_connections() throws Exception {
        relay = RelayUnderTest.start(pki.writeCaPem(dir.resolve("ca.pem")), intake.port(), "");
        relay.engine.unbind("metrics");
        relay.engine.bind(relay.settings.product("metrics").orElseThrow());

        RawResponse response = RawHttpClient.exchange(relay.port(),
                "POST /api/v2/series HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\n\r\n{}");
        assertThat(response.status()).isEqualTo(202);
    }
}
