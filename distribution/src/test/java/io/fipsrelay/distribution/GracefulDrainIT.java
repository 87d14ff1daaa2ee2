package io.fipsrelay.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import io.fipsrelay.testkit.KeyType;
import io.fipsrelay.testkit.RawHttpClient;
import io.fipsrelay.testkit.RawResponse;
import io.fipsrelay.testkit.RecordingIntake;
import io.fipsrelay.testkit.TestPki;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** SIGTERM lets the upload in flight finish, refuses new connections and exits 0. */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class GracefulDrainIT {

    @TempDir
    Path dir;

    private static boolean refusesWithin(int port, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            try {
                new Socket("127.0.0.1", port).close();
            } catch (ConnectException refused) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(50);
        }
    }

    @Test
    void an_upload_in_flight_when_sigterm_arrives_completes_and_new_connections_are_refused() throws Exception {
        TestPki pki = TestPki.create("drain test CA");
        int size = 5 * 1000 * 1000;
        try (RecordingIntake intake = RecordingIntake.builder(pki.issue(KeyType.EC_P256, "*.agent.ddog-gov.com"))
                .readBytesPerSecond(1_500_000).start();
             ConfiguredRelay relay = ConfiguredRelay.start(dir, pki.writeCaPem(dir.resolve("ca.pem")), intake.port(), "", 1);
             RawHttpClient client = RawHttpClient.connect(relay.portRangeStart + 1)) {
            OutputStream out = client.socket().getOutputStream();
            out.write(("POST /api/v2/series HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + size + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] body = new byte[size];
            new Random(5).nextBytes(body);
            Thread writer = new Thread(() -> {
                try {
                    out.write(body);
                    out.flush();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            writer.start();
            Thread.sleep(1000);
            relay.terminate();
            // The listener closes as soon as the JVM has handled the signal: within a moment on a quiet
            // machine, longer on a loaded CI runner; the upload (about 3 s more) is still in flight then.
            assertThat(refusesWithin(relay.portRangeStart + 1, Duration.ofMillis(2500)))
                    .as("new connections refused after SIGTERM").isTrue();
            RawResponse response = client.readResponse();
            assertThat(response.status()).as(relay.output()).isEqualTo(202);
            writer.join(10_000);
            assertThat(intake.awaitRequests(1, Duration.ofSeconds(5)).get(0).bodyLength()).isEqualTo(size);
            assertThat(relay.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(relay.process.exitValue()).as(relay.output()).isZero();
            assertThat(relay.output()).contains("draining").contains("drained: every exchange finished");
        }
    }
}
