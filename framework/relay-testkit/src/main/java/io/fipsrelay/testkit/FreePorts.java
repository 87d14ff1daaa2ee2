package io.fipsrelay.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** Free TCP ports on 127.0.0.1 for servers that must be told their port up front. */
public final class FreePorts {

    private static final int RANGE_LOW = 20000;
    /**
     * Below the kernel's ephemeral range: a port there can be any client socket's local port at
     * any moment, and a listener's bind to it then fails with "Address already in use" (seen on a
     * busy shared machine: a hot-plugged product's port taken by an unrelated outgoing connection).
     */
    private static final int RANGE_HIGH = Math.min(60000, ephemeralLow());
    private static final int RANGE_ATTEMPTS = 200;

    private FreePorts() {
    }

    /** An ephemeral port the OS handed out and that was free a moment ago (racy by nature, good enough for tests). */
    public static int pick() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on 127.0.0.1", e);
        }
    }

    /**
     * A start port such that {@code count} consecutive ports from it were all free at once.
     * Random bases rather than the ephemeral range so parallel test JVMs rarely collide.
     */
    public static int pickRange(int count) {
        if (count < 1 || count > RANGE_HIGH - RANGE_LOW) {
            throw new IllegalArgumentException("count out of range: " + count);
        }
        for (int attempt = 0; attempt < RANGE_ATTEMPTS; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(RANGE_LOW, RANGE_HIGH - count + 1);
            if (allFree(base, count)) {
                return base;
            }
        }
        throw new IllegalStateException("no " + count + " consecutive free ports found on 127.0.0.1 after "
                + RANGE_ATTEMPTS + " attempts");
    }

    /** The first port of the OS's ephemeral range (Linux: /proc; elsewhere the IANA range start). */
    static int ephemeralLow() {
        try {
            // Not Files.readString: /proc files report size 0 and it returns only the first byte ("3").
            String range;
            try (java.io.InputStream in = java.nio.file.Files.newInputStream(java.nio.file.Path.of("/proc/sys/net/ipv4/ip_local_port_range"))) {
                range = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).trim();
            }
            int low = Integer.parseInt(range.split("\\s+")[0]);
            return low > RANGE_LOW + 1000 ? low : 49152;
        } catch (IOException | RuntimeException e) {
            return 49152;
        }
    }

    private static boolean allFree(int base, int count) {
        // Hold every port of the candidate range at the same time so the check covers the whole range.
        List<ServerSocket> held = new ArrayList<>(count);
        try {
            for (int port = base; port < base + count; port++) {
                ServerSocket socket = new ServerSocket();
                held.add(socket);
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            }
            return true;
        } catch (IOException e) {
            return false;
        } finally {
            for (ServerSocket socket : held) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // nothing to do for a probe socket
                }
            }
        }
    }
}
