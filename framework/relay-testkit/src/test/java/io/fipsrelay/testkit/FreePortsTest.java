package io.fipsrelay.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FreePortsTest {

    @Test
    void a_picked_port_can_be_bound_on_loopback() throws Exception {
        int port = FreePorts.pick();

        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            assertThat(socket.getLocalPort()).isEqualTo(port);
        }
    }

    @Test
    void the_ephemeral_range_is_read_from_the_kernel_where_it_says() throws Exception {
        java.nio.file.Path proc = java.nio.file.Path.of("/proc/sys/net/ipv4/ip_local_port_range");
        if (java.nio.file.Files.isReadable(proc)) {
            String first;
            try (java.io.InputStream in = java.nio.file.Files.newInputStream(proc)) {
                first = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).trim().split("\\s+")[0];
            }
            assertThat(FreePorts.ephemeralLow()).isEqualTo(Integer.parseInt(first));
        } else {
            assertThat(FreePorts.ephemeralLow()).isEqualTo(49152);
        }
    }

    @Test
    void a_picked_range_is_consecutive_free_ports_from_20000_up_to_the_ephemeral_range() throws Exception {
        int base = FreePorts.pickRange(5);

        assertThat(base).isBetween(20000, Math.min(60000, FreePorts.ephemeralLow()) - 5);
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int port = base; port < base + 5; port++) {
                ServerSocket socket = new ServerSocket();
                sockets.add(socket);
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            }
        } finally {
            for (ServerSocket socket : sockets) {
                socket.close();
            }
        }
        assertThat(sockets).hasSize(5);
    }
}
