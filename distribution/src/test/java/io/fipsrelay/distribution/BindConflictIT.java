package io.fipsrelay.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import io.fipsrelay.testkit.FreePorts;
import io.fipsrelay.testkit.TestPki;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A port the relay needs is taken: it says which and for what, releases everything and exits non-zero. */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class BindConflictIT {

    @TempDir
    Path dir;

    @Test
    void a_taken_product_port_stops_the_start_with_the_port_and_product_named() throws Exception {
        int base = FreePorts.pickRange(16);
        Path ca = TestPki.create("bind test CA").writeCaPem(dir.resolve("ca.pem"));
        Path conf = Files.writeString(dir.resolve("fips-relay.conf"), "fips-relay {\n  listen.port-range-start = " + base
                + "\n  tls.ca-file = \"" + ca + "\"\n}\n");
        // The logs port (offset 5): metrics (offset 1) binds first and must be released again.
        try (ServerSocket squatter = new ServerSocket(base + 5, 50, InetAddress.getLoopbackAddress())) {
            Process p = new ProcessBuilder(List.of(ConfiguredRelay.dist().resolve("bin/fips-relay").toString(), "run",
                    "--config", conf.toString())).redirectErrorStream(true).start();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.exitValue()).as(out).isNotZero();
            assertThat(out).contains("cannot bind 127.0.0.1:" + (base + 5) + " for product logs: ")
                    .containsIgnoringCase("address already in use");
        }
        // Nothing was left bound: every port of the range can be taken again.
        for (int port = base; port < base + 16; port++) {
            try (ServerSocket again = new ServerSocket(port, 50, InetAddress.getLoopbackAddress())) {
                assertThat(again.isBound()).isTrue();
            }
        }
    }
}
