package io.fipsrelay.core.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.fipsrelay.testkit.Fault;
import io.fipsrelay.testkit.RawHttpClient;
import io.fipsrelay.testkit.RawResponse;
import io.fipsrelay.testkit.RecordingIntake;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every intake fault, several agents at once: each request is delivered exactly once and answered
 * 2xx, or answered 502/503/504 with the JSON body; none is lost, none doubled; the relay serves on.
 *
 * <p>The one window where a request is both delivered and answered 5xx: the intake had the whole
 * request and then failed to answer in time (STALL: 504) or answered 5xx itself (ANSWER_5XX).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FaultMatrixTest {

    static final int CLIENTS = 4;
    static final int REQUESTS_PER_CLIENT = 6;
    static final Map<String, String> TABLE = new ConcurrentHashMap<>();

    @RegisterExtension
    static final RelayBehindIntake relays = RelayBehindIntake.perTest().certificateFor("*.agent.ddog-gov.com");

    @AfterAll
    static void printTable() {
        System.out.println("| fault | requests | delivered once (2xx) | 5xx | lost | duplicated |");
        System.out.println("|---|--:|--:|--:|--:|--:|");
        TABLE.keySet().stream().sorted().forEach(k -> System.out.println(TABLE.get(k)));
    }

    static Stream<Arguments> faults() {
        return Stream.of(
                Arguments.of(Fault.NONE, Set.of()),
                Arguments.of(Fault.REFUSE, Set.of()),
                Arguments.of(Fault.RESET_MID_REQUEST, Set.of()),
                Arguments.of(Fault.STALL, Set.of(504)),
                Arguments.of(Fault.slowReader(256 * 1024), Set.of()),
                Arguments.of(Fault.ANSWER_5XX, Set.of(503)),
                Arguments.of(Fault.TLS_FAILURE, Set.of()),
                Arguments.of(Fault.flap(Duration.ofMillis(400)), Set.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("faults")
    void nothing_is_lost_or_doubled(Fault fault, Set<Integer> deliveredAndFailedAllowedWith) throws Exception {
        RelayUnderTest.WithIntake pair = relays.start(b -> b.fault(fault), "fips-relay.upstream { health { interval = 200ms, fall = 2, rise = 1 } }\n"
                // Only a stalled intake should meet the response timeout; elsewhere a loaded CI machine must not.
                + (fault.mode() == Fault.Mode.STALL ? "fips-relay.upstream.response-timeout = 500ms" : ""));
        RecordingIntake intake = pair.intake();
        RelayUnderTest relay = pair.relay();
        Map<String, Integer> answers = new ConcurrentHashMap<>();
        Map<String, String> lost = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        List<Future<?>> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            int client = c;
            // Flapping is only interesting when the requests span several up and down phases.
            long pauseMillis = fault.mode() == Fault.Mode.FLAP ? 150 : 0;
            clients.add(pool.submit(() -> runClient(relay.port(), client, pauseMillis, answers, lost)));
        }
        for (Future<?> f : clients) {
            f.get();
        }
        pool.shutdown();

        intake.fault(Fault.NONE);
        Map<String, Integer> deliveries = intake.deliveriesById();
        int total = CLIENTS * REQUESTS_PER_CLIENT;
        long ok = answers.values().stream().filter(s -> s / 100 == 2).count();
        long failed = answers.values().stream().filter(s -> s >= 500).count();
        long duplicated = deliveries.values().stream().filter(n -> n > 1).count();
        TABLE.put(fault.toString(), "| " + fault + " | " + total + " | " + ok + " | " + failed + " | " + lost.size()
                + " | " + duplicated + " |");

        assertThat(lost).as("requests with no answer").isEmpty();
        assertThat(answers).hasSize(total);
        assertThat(answers.values()).allSatisfy(s -> assertThat(s).isIn(200, 202, 502, 503, 504));
        assertThat(duplicated).as("requests delivered more than once: %s", deliveries).isZero();
        answers.forEach((id, status) -> {
            int delivered = deliveries.getOrDefault(id, 0);
            if (status / 100 == 2) {
                assertThat(delivered).as("2xx request %s delivered", id).isEqualTo(1);
            } else if (delivered > 0) {
                assertThat(deliveredAndFailedAllowedWith).as("request %s delivered yet answered %d", id, status)
                        .contains(status);
            }
        });
        if (fault.mode() == Fault.Mode.NONE || fault.mode() == Fault.Mode.SLOW_READER) {
            assertThat(ok).isEqualTo(total);
        }
        awaitServing(relay.port());
    }

    private static void runClient(int port, int client, long pauseMillis, Map<String, Integer> answers,
                                  Map<String, String> lost) {
        RawHttpClient conn = null;
        byte[] body = ("{\"series\":\"" + "x".repeat(16 * 1024) + "\"}").getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < REQUESTS_PER_CLIENT; i++) {
            String id = client + "-" + i;
            try {
                Thread.sleep(pauseMillis);
                if (conn == null) {
                    conn = RawHttpClient.connect(port);
                }
                conn.post("/api/v2/series", Map.of("X-Test-Request-Id", id, "Content-Type", "application/json"), body);
                RawResponse r = conn.readResponse();
                answers.put(id, r.status());
                if (r.status() >= 500 && r.header("Content-Type") != null && r.bodyText().contains("\"product\"")) {
                    assertThat(r.bodyText()).contains("\"product\":\"metrics\"").contains("\"upstream\":")
                            .contains("\"cause\":");
                }
                if ("close".equalsIgnoreCase(r.header("Connection"))) {
                    conn.close();
                    conn = null;
                }
            } catch (IOException e) {
                lost.put(id, e.toString());
                conn = null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (conn != null) {
            try {
                conn.close();
            } catch (IOException ignored) {
                // done anyway
            }
        }
    }

    private static void awaitServing(int port) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        int last = 0;
        while (System.nanoTime() < deadline) {
            last = RawHttpClient.exchange(port, "POST /api/v2/series HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\n\r\n{}").status();
            if (last == 202) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("relay not serving again after the fault cleared; last status " + last);
    }
}
