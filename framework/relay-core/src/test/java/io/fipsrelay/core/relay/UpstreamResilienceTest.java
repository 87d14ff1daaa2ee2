package io.fipsrelay.core.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.fipsrelay.core.metrics.UpstreamAddressState;
import io.fipsrelay.testkit.CannedResponse;
import io.fipsrelay.testkit.FreePorts;
import io.fipsrelay.testkit.RawHttpClient;
import io.fipsrelay.testkit.RawResponse;
import io.fipsrelay.testkit.RecordedRequest;
import io.fipsrelay.testkit.RecordingIntake;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Intake trouble gets the agent a clear 5xx or is routed around; nothing is lost or doubled. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class UpstreamResilienceTest {

    /** The test certificate covers *.agent.ddog-gov.com only: api. and flare. fail verification. */
    @RegisterExtension
    static final RelayBehindIntake relays = RelayBehindIntake.perTest().certificateFor("*.agent.ddog-gov.com");

    static String post(int i) {
        return "POST /api/v2/series HTTP/1.1\r\nHost: localhost\r\nX-Test-Request-Id: " + i
                + "\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";
    }

    @Test
    void with_two_servers_and_one_down_every_request_is_delivered_once() throws Exception {
        int deadPort = FreePorts.pick();
        RelayUnderTest.WithIntake pair = relays.start(b -> b, in -> "fips-relay.products.metrics.servers = ["
                + "\"down.agent.ddog-gov.com:" + deadPort + "\", \"metrics.agent.ddog-gov.com:" + in.port() + "\"]");
        RecordingIntake intake = pair.intake();
        RelayUnderTest relay = pair.relay();
        try (RawHttpClient client = RawHttpClient.connect(relay.port())) {
            for (int i = 0; i < 200; i++) {
                client.send(post(i));
                RawResponse r = client.readResponse();
                assertThat(r.status()).as("request %d: %s", i, r.bodyText()).isEqualTo(202);
            }
            List<RecordedRequest> delivered = intake.awaitRequests(200, Duration.ofSeconds(10));
            Map<String, Integer> counts = new HashMap<>();
            delivered.forEach(r -> counts.merge(r.header("X-Test-Request-Id"), 1, Integer::sum));
            assertThat(counts).hasSize(200).allSatisfy((id, n) -> assertThat(n).as("deliveries of %s", id).isEqualTo(1));
            UpstreamAddressState down = relay.metrics.upstreamStates().stream()
                    .filter(s -> s.server().startsWith("down.")).findFirst().orElseThrow();
            // Tried, failed, and from then on avoided: the balancer prefers the address that works.
            assertThat(down.lastError()).contains("connection refused");
        }
    }

    @Test
    void an_intake_that_refuses_connections_gets_the_agent_a_502_then_503_naming_the_address() throws Exception {
        int deadPort = FreePorts.pick();
        RelayUnderTest relay = relays.relayTo(deadPort, "fips-relay.upstream.health.fall = 2");
        RawResponse first = RawHttpClient.exchange(relay.port(), post(1));
        assertThat(first.status()).isEqualTo(502);
        assertThat(first.bodyText()).contains("\"product\":\"metrics\"")
                .contains("connection refused metrics.agent.ddog-gov.com (127.0.0.1:" + deadPort + ")");
        RawHttpClient.exchange(relay.port(), post(2));
        RawResponse later = RawHttpClient.exchange(relay.port(), post(3));
        assertThat(later.status()).isEqualTo(503);
        assertThat(later.bodyText()).contains("no healthy address").contains("DOWN");
    }

    @Test
    void a_name_that_does_not_resolve_gets_a_503_and_does_not_stop_the_relay_from_starting() throws Exception {
        RelayUnderTest relay = relays.relayTo(443, "fips-relay.products.metrics.servers = [\"intake.does-not-exist.invalid:443\"]");
        RawResponse r = RawHttpClient.exchange(relay.port(), post(1));
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.bodyText()).contains("cannot resolve intake.does-not-exist.invalid");
    }

    @Test
    void an_intake_that_does_not_answer_in_time_gets_the_agent_a_504() throws Exception {
        RelayUnderTest relay = relays.start(b -> b.respond(req -> {
            sleep(1500);
            return CannedResponse.accepted();
        }), "fips-relay.upstream.response-timeout = 300ms").relay();
        RawResponse r = RawHttpClient.exchange(relay.port(), post(1));
        assertThat(r.status()).isEqualTo(504);
        assertThat(r.bodyText()).contains("\"error\":\"gateway timeout\"").contains("no answer from metrics.agent.ddog-gov.com")
                .contains("within 300 ms");
    }

    @Test
    void a_5MB_body_at_1MB_per_second_gets_through_with_the_default_timeouts() throws Exception {
        int size = 5 * 1000 * 1000;
        RelayUnderTest.WithIntake pair = relays.start(b -> b, "");
        RecordingIntake intake = pair.intake();
        try (RawHttpClient client = RawHttpClient.connect(pair.relay().port())) {
            OutputStream out = client.socket().getOutputStream();
            out.write(("POST /api/v2/logs HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + size + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = new byte[100_000];
            new Random(3).nextBytes(chunk);
            long start = System.nanoTime();
            for (int sent = 0; sent < size; sent += chunk.length) {
                out.write(chunk);
                out.flush();
                long due = start + (long) ((sent + chunk.length) / 1_000_000.0 * 1e9);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            }
            assertThat(client.readResponse().status()).isEqualTo(202);
            assertThat(intake.awaitRequests(1, Duration.ofSeconds(10)).get(0).bodyLength()).isEqualTo(size);
        }
    }

    @Test
    void an_intake_down_at_start_is_used_as_soon_as_it_comes_up_without_restart() throws Exception {
        RelayUnderTest.WithIntake pair = relays.start(b -> b.fault(io.fipsrelay.testkit.Fault.REFUSE),
                "fips-relay.upstream.health { interval = 200ms, fall = 2, rise = 2 }");
        RecordingIntake intake = pair.intake();
        RelayUnderTest relay = pair.relay();
        assertThat(RawHttpClient.exchange(relay.port(), post(1)).status()).isIn(502, 503);
        assertThat(RawHttpClient.exchange(relay.port(), post(2)).status()).isIn(502, 503);
        intake.fault(io.fipsrelay.testkit.Fault.NONE);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        int status = 0;
        while (status != 202 && System.nanoTime() < deadline) {
            Thread.sleep(100);
            status = RawHttpClient.exchange(relay.port(), post(3)).status();
        }
        assertThat(status).isEqualTo(202);
        // (api. and flare. stay DOWN: the test certificate covers *.agent.ddog-gov.com only, and checks verify it.)
        assertThat(relay.metrics.upstreamStates()).filteredOn(s -> s.server().startsWith("metrics.agent."))
                .singleElement().satisfies(s -> assertThat(s.up()).isTrue());
    }

    @Test
    void a_pooled_connection_that_dies_before_answering_is_retried_for_an_idempotent_request() throws Exception {
        RelayUnderTest.WithIntake pair = relays.start(b -> b.respond(dropsSecondRequestOfEachConnection()), "");
        RecordingIntake intake = pair.intake();
        try (RawHttpClient client = RawHttpClient.connect(pair.relay().port())) {
            client.send("GET /api/v1/metadata HTTP/1.1\r\nHost: localhost\r\nX-Test-Request-Id: a\r\n\r\n");
            assertThat(client.readResponse().status()).isEqualTo(202);
            client.send("GET /api/v1/metadata HTTP/1.1\r\nHost: localhost\r\nX-Test-Request-Id: b\r\n\r\n");
            RawResponse second = client.readResponse();
            assertThat(second.status()).as(second.bodyText()).isEqualTo(202);
            assertThat(intake.handshakes()).isEqualTo(2);
        }
    }

    @Test
    void a_post_the_intake_fully_received_before_dying_is_not_sent_twice() throws Exception {
        RelayUnderTest.WithIntake pair = relays.start(b -> b.respond(dropsSecondRequestOfEachConnection()), "");
        RecordingIntake intake = pair.intake();
        try (RawHttpClient client = RawHttpClient.connect(pair.relay().port())) {
            client.send(post(1));
            assertThat(client.readResponse().status()).isEqualTo(202);
            client.send(post(2));
            RawResponse second = client.readResponse();
            assertThat(second.status()).isEqualTo(502);
            assertThat(second.bodyText()).contains("closed the TLS connection");
            assertThat(intake.deliveriesById()).containsEntry("2", 1);
        }
    }

    @Test
    void the_operator_can_choose_to_resend_a_post_the_dead_connection_took_whole() throws Exception {
        RelayUnderTest.WithIntake pair = relays.start(b -> b.respond(dropsSecondRequestOfEachConnection()),
                "fips-relay.upstream.resend-unanswered-posts = true");
        RecordingIntake intake = pair.intake();
        try (RawHttpClient client = RawHttpClient.connect(pair.relay().port())) {
            client.send(post(1));
            assertThat(client.readResponse().status()).isEqualTo(202);
            client.send(post(2));
            assertThat(client.readResponse().status()).isEqualTo(202);
            // The price of the option: the intake received that request twice.
            assertThat(intake.deliveriesById()).containsEntry("2", 2);
        }
    }

    /** An intake that takes the second request of every connection whole and closes without answering. */
    static io.fipsrelay.testkit.Responder dropsSecondRequestOfEachConnection() {
        java.util.Map<Long, Integer> perConnection = new java.util.concurrent.ConcurrentHashMap<>();
        return req -> perConnection.merge(req.connectionId(), 1, Integer::sum) == 2
                ? CannedResponse.dropConnection() : CannedResponse.accepted();
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
