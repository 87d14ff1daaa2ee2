package io.fipsrelay.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fipsrelay.core.fips.FipsBootstrap;
import io.fipsrelay.testkit.FreePorts;
import io.fipsrelay.testkit.RawHttpClient;
import io.fipsrelay.testkit.RawResponse;
import io.fipsrelay.testkit.TestPki;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The program starts its status port with the listeners and releases it on close. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RelayServerStatusTest {

    @TempDir
    Path dir;

    @Test
    void the_started_relay_serves_its_status_port_until_closed() throws Exception {
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        Path ca = TestPki.create("relay server test CA").writeCaPem(dir.resolve("ca.pem"));
        int base = FreePorts.pickRange(16);
        Path conf = Files.writeString(dir.resolve("fips-relay.conf"), "fips-relay {\n"
                + "  listen.port-range-start = " + base + "\n"
                + "  tls.ca-file = \"" + ca + "\"\n"
                + "  status.jmx = false\n"
                + "}\n");
        RelayServer.Options options = RelayServer.Options.of(Optional.of(conf), plugins)
                .withProviderOrder(FipsBootstrap.ProviderOrder.APPENDED).withEnvironment(Map.of());

        RelayServer server = RelayServer.start(options);
        try {
            assertThat(server.status().address()).map(a -> a.getPort()).contains(base);
            RawResponse health = RawHttpClient.exchange(base, "GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
            assertThat(health.status()).isEqualTo(200);
        } finally {
            server.close();
        }
        assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), base).close()).isInstanceOf(ConnectException.class);
    }
}
