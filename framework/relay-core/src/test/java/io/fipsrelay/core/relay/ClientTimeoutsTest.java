package io.fipsrelay.core.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.fipsrelay.testkit.RawHttpClient;
import io.fipsrelay.testkit.RawResponse;
import io.fipsrelay.testkit.RecordedRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * limits.header-timeout (408 and close; trickling bytes do not extend it) and
 * limits.client-idle-timeout (a connection with no request in progress is closed), shortened to
 * 1 s and 2 s so the tests run in seconds; the 10 s and 60 s defaults are the same code.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClientTimeoutsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String HEAD = "POST /api/v2/series HTTP/1.1\r\nHost: localhost\r\nDD-API-KEY: 0123456789\r\n"
            + "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n";

    @RegisterExtension
    static final RelayBehindIntake relay = RelayBehindIntake.started(b -> b, "fips-relay.limits { header-timeout = 1s, client-idle-timeout = 2s }");

    @BeforeEach
    void clear() {
        relay.intake().reset();
    }

    @Test
    void a_head_trickling_in_gets_408_at_the_header_timeout_however_steady_the_trickle() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        try (RawHttpClient client = RawHttpClient.connect(relay.port())) {
            String endless = "POST /api/v2/series HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + "a".repeat(500);
            long start = System.nanoTime();
            Thread trickle = new Thread(() -> {
                try {
                    for (byte b : endless.getBytes(StandardCharsets.US_ASCII)) {
                        if (stop.get()) {
                            return;
                        }
                        client.send(new byte[] {b});
                        Thread.sleep(50);
                    }
                } catch (IOException | InterruptedException e) {
                    // the relay closed the connection: the point of the test
                }
            }, "slowloris");
            trickle.start();

            RawResponse answer = client.readResponse();
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            stop.set(true);
            trickle.join();

            assertThat(answer.status()).isEqualTo(408);
            assertThat(answer.header("Connection")).isEqualTo("close");
            // At the timeout, not when the trickle ends (25 s): the bytes did not extend it.
            assertThat(took).isBetween(Duration.ofMillis(900), Duration.ofSeconds(4));
            assertThat(client.isClosedByPeer(WAIT)).isTrue();
        }
        assertServesAndNothingElseArrived();
    }

    @Test
    void one_byte_then_silence_gets_408_at_the_header_timeout_not_the_idle_close() throws Exception {
        try (RawHttpClient client = RawHttpClient.connect(relay.port())) {
            client.send("P");
            // An idle close would end the connection without an answer; the 408 is the header clock.
            RawResponse answer = client.readResponse();
            assertThat(answer.status()).isEqualTo(408);
        }
        assertServesAndNothingElseArrived();
    }

    @Test
    void a_head_that_arrives_in_pieces_within_the_timeout_is_served() throws Exception {
        try (RawHttpClient client = RawHttpClient.connect(relay.port())) {
            sendInPieces(client, HEAD + "{}", 4, Duration.ofMillis(600));
            assertThat(client.readResponse().status()).isEqualTo(202);
        }
        assertThat(relay.intake().awaitRequests(1, WAIT)).hasSize(1);
    }

    @Test
    void each_request_on_a_keep_alive_connection_gets_its_own_header_clock() throws Exception {
        try (RawHttpClient client = RawHttpClient.connect(relay.port())) {
            for (int i = 0; i < 3; i++) {
                sendInPieces(client, HEAD + "{}", 4, Duration.ofMillis(700));
                assertThat(client.readResponse().status()).isEqualTo(202);
            }
        }
        assertThat(relay.intake().awaitRequests(3, WAIT)).hasSize(3);
    }

    @Test
    void the_header_clock_stops_with_the_head_so_a_slow_body_is_not_cut() throws Exception {
        String head = "POST /api/v2/series HTTP/1.1\r\nHost: localhost\r\nContent-Length: 6\r\n\r\n";
        try (RawHttpClient client = RawHttpClient.connect(relay.port())) {
            client.send(head);
            sendInPieces(client, "{\"a\":}", 6, Duration.ofMillis(1500));
            assertThat(client.readResponse().status()).isEqualTo(202);
        }
        assertThat(relay.intake().awaitRequests(1, WAIT).get(0).bodyText()).isEqualTo("{\"a\":}");
    }

    @Test
    void a_connection_that_never_sends_a_byte_is_closed_after_the_idle_timeout_without_an_answer() throws Exception {
        try (RawHttpClient client = RawHttpClient.connect(relay.port())) {
            assertThat(client.isClosedByPeer(Duration.ofMillis(1500))).as("still open before the idle timeout").isFalse();
            assertThat(client.isClosedByPeer(Duration.ofSeconds(4))).as("closed after it").isTrue();
        }
    }

    @Test
    void a_keep_alive_connection_idle_after_its_exchange_is_closed_after_the_idle_timeout() throws Exception {
        try (RawHttpClient client = RawHttpClient.connect(relay.port())) {
            long sent = System.nanoTime();
            client.send(HEAD + "{}");
            assertThat(client.readResponse().status()).isEqualTo(202);
            // The idle clock runs from the last byte read, i.e. from the request.
            Duration leftBeforeTimeout = Duration.ofMillis(1500).minusNanos(System.nanoTime() - sent);
            if (!leftBeforeTimeout.isNegative()) {
                assertThat(client.isClosedByPeer(leftBeforeTimeout)).as("still open before the idle timeout").isFalse();
            }
            assertThat(client.isClosedByPeer(Duration.ofSeconds(4))).as("closed after it").isTrue();
        }
    }

    private static void sendInPieces(RawHttpClient client, String text, int pieces, Duration over) throws Exception {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        int step = (bytes.length + pieces - 1) / pieces;
        for (int from = 0; from < bytes.length; from += step) {
            if (from > 0) {
                Thread.sleep(over.toMillis() / (pieces - 1));
            }
            client.send(java.util.Arrays.copyOfRange(bytes, from, Math.min(bytes.length, from + step)));
        }
    }

    private static void assertServesAndNothingElseArrived() throws Exception {
        RawResponse ok = RawHttpClient.exchange(relay.port(), HEAD + "{}");
        assertThat(ok.status()).isEqualTo(202);
        assertThat(relay.intake().awaitRequests(1, WAIT)).extracting(RecordedRequest::target).containsExactly("/api/v2/series");
        assertThat(relay.intake().incompleteRequests()).isZero();
    }
}
