package io.fipsrelay.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import io.fipsrelay.testkit.FreePorts;
import io.fipsrelay.testkit.RawHttpClient;
import io.fipsrelay.testkit.RawResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code run --demo} works on a machine without internet: the agent's first request gets 202. */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class DemoModeIT {

    @TempDir
    Path dir;

    @Test
    void demo_mode_answers_the_agents_requests_from_a_local_fips_tls_intake() throws Exception {
        int base = FreePorts.pickRange(16);
        Path conf = Files.writeString(dir.resolve("fips-relay.conf"), "fips-relay.listen.port-range-start = " + base + "\n");
        Process p = new ProcessBuilder(List.of(ConfiguredRelay.dist().resolve("bin/fips-relay").toString(), "run", "--demo",
                "--config", conf.toString())).redirectErrorStream(true).redirectOutput(dir.resolve("relay.log").toFile()).start();
        try {
            awaitPort(base + 1, p);
            RawResponse series = RawHttpClient.exchange(base + 1,
                    "POST /api/v2/series HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
            assertThat(series.status()).isEqualTo(202);
            assertThat(series.bodyText()).isEqualTo("{}");
            RawResponse flare = RawHttpClient.exchange(base + 1, "HEAD /support/flare HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assertThat(flare.status()).isIn(200, 307, 308);
            String log = Files.readString(dir.resolve("relay.log"));
            assertThat(log).contains("DEMO MODE").contains("demo intake: POST /api/v2/series")
                    .contains("for metrics.agent.ddog-gov.com").doesNotContain("weak password");
        } finally {
            p.destroy();
            p.waitFor();
        }
    }

    private void awaitPort(int port, Process p) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
        while (System.nanoTime() < deadline) {
            assertThat(p.isAlive()).as(Files.readString(dir.resolve("relay.log"))).isTrue();
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                return;
            } catch (java.io.IOException e) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("port " + port + " not open:\n" + Files.readString(dir.resolve("relay.log")));
    }
}
