package io.fipsrelay.core.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.fipsrelay.testkit.RawHttpClient;
import io.fipsrelay.testkit.RawResponse;
import io.fipsrelay.testkit.RecordedRequest;
import io.fipsrelay.testkit.RecordingIntake;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A slow intake slows the agent down instead of filling the relay's memory. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BackpressureTest {

    /** What one exchange may hold: both directions' high-water marks plus a read buffer and TLS records each. */
    static final long BOUND = 2 * 256 * 1024 + 2 * 128 * 1024 + 64 * 1024;

    @RegisterExtension
    static final RelayBehindIntake relays = RelayBehindIntake.perTest().certificateFor("*.agent.ddog-gov.com");

    @Test
    void a_50MiB_upload_to_a_slow_reader_arrives_intact_with_bounded_buffering() throws Exception {
        int size = 50 * 1024 * 1024;
        RelayUnderTest.WithIntake pair = relays.start(b -> b.readBytesPerSecond(40L * 1024 * 1024), "");
        RecordingIntake intake = pair.intake();
        RelayUnderTest relay = pair.relay();
        try (RawHttpClient client = RawHttpClient.connect(relay.port())) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
                try {
                    OutputStream out = client.socket().getOutputStream();
                    out.write(("POST /api/v2/logs HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                            + "Content-Length: " + size + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    Random random = new Random(7);
                    byte[] chunk = new byte[64 * 1024];
                    for (int sent = 0; sent < size; sent += chunk.length) {
                        random.nextBytes(chunk);
                        sha.update(chunk);
                        out.write(chunk);
                    }
                    out.flush();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            RawResponse response = client.readResponse();
            // Bounded: a relay that stops reading must fail the test, not hang it.
            sending.get(60, TimeUnit.SECONDS);
            assertThat(response.status()).isEqualTo(202);
            RecordedRequest r = intake.awaitRequests(1, Duration.ofSeconds(30)).get(0);
            assertThat(r.bodyLength()).isEqualTo(size);
            assertThat(r.bodySha256()).isEqualTo(HexFormat.of().formatHex(sha.digest()));
            long buffered = relay.metrics.maxBufferedPerExchange();
            System.out.printf("max bytes buffered for the exchange: %d (bound %d)%n", buffered, BOUND);
            assertThat(buffered).isPositive().isLessThan(BOUND);
        }
    }
}
