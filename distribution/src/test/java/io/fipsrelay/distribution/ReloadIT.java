package io.fipsrelay.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import io.fipsrelay.testkit.KeyType;
import io.fipsrelay.testkit.RawHttpClient;
import io.fipsrelay.testkit.RawResponse;
import io.fipsrelay.testkit.RecordingIntake;
import io.fipsrelay.testkit.TestPki;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** SIGHUP / fips-relay reload: a valid change applies, an upload in flight survives, an invalid change is refused. */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ReloadIT {

    @TempDir
    Path dir;

    @Test
    void reload_applies_a_valid_change_without_cutting_an_upload_and_refuses_an_invalid_one() throws Exception {
        TestPki pki = TestPki.create("reload test CA");
        Path ca = pki.writeCaPem(dir.resolve("ca.pem"));
        int size = 3 * 1000 * 1000;
        try (RecordingIntake intake = RecordingIntake.builder(pki.issue(KeyType.EC_P256, "*.agent.ddog-gov.com"))
                .readBytesPerSecond(1_000_000).start();
             ConfiguredRelay relay = ConfiguredRelay.start(dir, ca, intake.port(), "", 1)) {
            int port = relay.portRangeStart + 1;
            Path conf = dir.resolve("fips-relay.conf");
            Path pid = dir.resolve("relay.pid");
            Files.writeString(pid, relay.process.pid() + "\n");
            assertThat(put(port).status()).isEqualTo(202);

            // An upload is in flight (the intake reads 1 MB/s) ...
            RawHttpClient upload = RawHttpClient.connect(port);
            OutputStream out = upload.socket().getOutputStream();
            out.write(("POST /api/v2/series HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + size + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] body = new byte[size];
            new Random(9).nextBytes(body);
            Thread writer = new Thread(() -> {
                try {
                    out.write(body);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            writer.start();
            Thread.sleep(500);

            // ... when the operator forbids PUT and reloads.
            Files.writeString(conf, Files.readString(conf) + "fips-relay.limits.allowed-methods = [\"GET\", \"HEAD\", \"POST\"]\n");
            assertThat(reload(pid)).isZero();
            awaitLog(relay, "configuration applied");
            assertThat(put(port).status()).isEqualTo(405);

            RawResponse uploaded = upload.readResponse();
            assertThat(uploaded.status()).isEqualTo(202);
            writer.join(10_000);
            upload.close();
            assertThat(intake.requests()).anySatisfy(r -> assertThat(r.bodyLength()).isEqualTo(size));

            // An invalid file is refused; the relay keeps its configuration.
            Files.writeString(conf, Files.readString(conf) + "fips-relay.upstream.port = \"not a port\"\n");
            assertThat(reload(pid)).isZero();
            awaitLog(relay, "reload refused, the running configuration stays");
            assertThat(relay.output()).contains("fips-relay.upstream.port");
            assertThat(put(port).status()).isEqualTo(405);
            assertThat(RawHttpClient.exchange(port,
                    "POST /api/v2/series HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\n\r\n{}").status()).isEqualTo(202);
        }
    }

    private static RawResponse put(int port) throws Exception {
        return RawHttpClient.exchange(port, "PUT /api/v2/series HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\n\r\n{}");
    }

    private static int reload(Path pidFile) throws Exception {
        Process p = new ProcessBuilder(List.of(ConfiguredRelay.dist().resolve("bin/fips-relay").toString(), "reload",
                "--pid-file", pidFile.toString())).redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return p.exitValue();
    }

    private static void awaitLog(ConfiguredRelay relay, String line) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            if (relay.output().contains(line)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no '" + line + "' in the relay's log:\n" + relay.output());
    }
}
