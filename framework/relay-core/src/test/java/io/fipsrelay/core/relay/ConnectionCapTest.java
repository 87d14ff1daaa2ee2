package io.fipsrelay.core.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.fipsrelay.testkit.RawHttpClient;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** limits.max-connections-per-listener: connections beyond it are closed at once, until some end. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConnectionCapTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String REQUEST = "GET /api/v1/validate HTTP/1.1\r\nHost: localhost\r\n\r\n";

    @RegisterExtension
    static final RelayBehindIntake relay = RelayBehindIntake.started(b -> b, "fips-relay.limits.max-connections-per-listener = 3");

    @Test
    void the_connection_beyond_the_cap_is_closed_and_a_freed_place_is_served_again() throws Exception {
        List<RawHttpClient> open = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                RawHttpClient c = RawHttpClient.connect(relay.port());
                open.add(c);
                c.send(REQUEST);
                assertThat(c.readResponse().status()).as("connection %d within the cap", i + 1).isEqualTo(202);
            }
            long capRefusalsBefore = capRefusals();
            try (RawHttpClient beyond = RawHttpClient.connect(relay.port())) {
                assertThat(beyond.isClosedByPeer(WAIT)).as("the fourth connection is closed at once").isTrue();
            }
            assertThat(capRefusals()).isEqualTo(capRefusalsBefore + 1);

            // The three still work.
            for (RawHttpClient c : open) {
                c.send(REQUEST);
                assertThat(c.readResponse().status()).isEqualTo(202);
            }

            open.remove(0).close();
            assertThat(servedOnANewConnectionWithin(WAIT)).as("a place freed by a close is given to a new connection").isTrue();
        } finally {
            for (RawHttpClient c : open) {
                c.close();
            }
        }
    }

    /** The relay learns of the close asynchronously: try until a new connection is served. */
    private static boolean servedOnANewConnectionWithin(Duration wait) throws Exception {
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (RawHttpClient.exchange(relay.port(), REQUEST).status() == 202) {
                    return true;
                }
            } catch (IOException refusedStill) {
                Thread.sleep(50);
            }
        }
        return false;
    }

    private static long capRefusals() {
        return relay.relay().metrics.registry().getMeters().entrySet().stream()
                .filter(e -> e.getKey().endsWith("metrics.errors.connection-cap"))
                .mapToLong(e -> e.getValue().getCount()).sum();
    }
}
