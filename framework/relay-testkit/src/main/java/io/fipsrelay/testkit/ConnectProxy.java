package io.fipsrelay.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A CONNECT proxy on 127.0.0.1 in plain Java, for the proxy faults a real proxy will not produce on
 * demand ({@link Behaviour}), and as the loopback-only upstream of {@link TinyproxyServer}.
 *
 * <p>Every tunnel goes to 127.0.0.1 on the port the CONNECT names, whatever the host name: the
 * intake names of the tests (metrics.agent.ddog-gov.com, ...) are never resolved, so no test
 * traffic or DNS query leaves the machine. What each CONNECT asked for is recorded
 * ({@link #connects()}). Threads: one acceptor, two per tunnel (one per direction).
 */
public final class ConnectProxy implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectProxy.class);
    private static final int MAX_HEAD = 16 * 1024;

    /** What the proxy does with a CONNECT. Immutable; switch with {@link #behave(Behaviour)}. */
    public static final class Behaviour {
        final int status;
        final String reason;
        final boolean silent;
        final long closeAfterUpstreamBytes;
        final boolean once;

        private Behaviour(int status, String reason, boolean silent, long closeAfterUpstreamBytes, boolean once) {
            this.status = status;
            this.reason = reason;
            this.silent = silent;
            this.closeAfterUpstreamBytes = closeAfterUpstreamBytes;
            this.once = once;
        }

        /** Normal service: "200 Connection established", then bytes both ways until either side closes. */
        public static Behaviour tunnel() {
            return new Behaviour(200, "Connection established", false, -1, false);
        }

        /** Answers the CONNECT with this status (407 with Proxy-Authenticate) and a small body, then closes. */
        public static Behaviour answer(int status, String reason) {
            if (status >= 200 && status < 300) {
                throw new IllegalArgumentException("use tunnel() for a 2xx");
            }
            return new Behaviour(status, reason, false, -1, false);
        }

        /** Reads the CONNECT and never answers; the connection stays open until the client leaves. */
        public static Behaviour neverAnswer() {
            return new Behaviour(0, null, true, -1, false);
        }

        /**
         * Opens the tunnel, then closes both sides once this many bytes went from the client to
         * the intake (after the TLS handshake and request head: in the middle of a large body).
         */
        public static Behaviour closeTunnelAfter(long clientBytes) {
            return new Behaviour(200, "Connection established", false, clientBytes, false);
        }

        /** This behaviour for the next CONNECT only, {@link #tunnel()} after it. */
        public Behaviour once() {
            return new Behaviour(status, reason, silent, closeAfterUpstreamBytes, true);
        }

        @Override
        public String toString() {
            return silent ? "never answer" : closeAfterUpstreamBytes >= 0 ? "close tunnel after " + closeAfterUpstreamBytes
                    + " bytes" : status + " " + reason + (once ? " (once)" : "");
        }
    }

    /** One CONNECT as received: its request line, its target and its header lines. */
    public record RecordedConnect(String requestLine, String target, List<String> headerLines) {
        /** The value of the first header of this name (case-insensitive), or null. */
        public String header(String name) {
            String prefix = name.toLowerCase(Locale.ROOT) + ":";
            for (String line : headerLines) {
                if (line.toLowerCase(Locale.ROOT).startsWith(prefix)) {
                    return line.substring(prefix.length()).trim();
                }
            }
            return null;
        }
    }

    private final ServerSocket server;
    private final Thread acceptor;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final List<RecordedConnect> connects = new CopyOnWriteArrayList<>();
    private final AtomicInteger tunnels = new AtomicInteger();
    private final AtomicLong tunnelledClientBytes = new AtomicLong();
    private volatile Behaviour behaviour = Behaviour.tunnel();
    private volatile String requiredAuthorization;
    private volatile boolean closed;

    private ConnectProxy(ServerSocket server) {
        this.server = server;
        this.acceptor = new Thread(this::acceptLoop, "connect-proxy-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A proxy on a free port of 127.0.0.1, tunnelling (no credentials needed). */
    public static ConnectProxy start() {
        try {
            ServerSocket s = new ServerSocket();
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
            return new ConnectProxy(s);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on 127.0.0.1", e);
        }
    }

    /** From now on a CONNECT without {@code Proxy-Authorization: Basic user:password} gets a 407. */
    public ConnectProxy requireCredentials(String user, String password) {
        requiredAuthorization = "Basic " + Base64.getEncoder().encodeToString(
                (user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return this;
    }

    public ConnectProxy behave(Behaviour b) {
        this.behaviour = b;
        return this;
    }

    public int port() {
        return server.getLocalPort();
    }

    /** "http://127.0.0.1:port". */
    public String url() {
        return "http://127.0.0.1:" + port();
    }

    public List<RecordedConnect> connects() {
        return List.copyOf(connects);
    }

    /** Tunnels opened (2xx answered) so far. */
    public int tunnels() {
        return tunnels.get();
    }

    /** Bytes carried from clients to intakes through all tunnels so far. */
    public long tunnelledClientBytes() {
        return tunnelledClientBytes.get();
    }

    /** Waits up to {@code timeout} for at least {@code n} CONNECTs to have arrived. */
    public List<RecordedConnect> awaitConnects(int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (connects.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        return connects();
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        open.forEach(ConnectProxy::closeQuietly);
        try {
            acceptor.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                open.add(client);
                Thread t = new Thread(() -> serve(client), "connect-proxy-client-" + client.getPort());
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("connect proxy accept failed: {}", e.toString());
                }
                return;
            }
        }
    }

    private void serve(Socket client) {
        Socket intake = null;
        try {
            InputStream in = client.getInputStream();
            OutputStream out = client.getOutputStream();
            String head = readHead(in);
            if (head == null) {
                return;
            }
            List<String> lines = List.of(head.split("\r\n"));
            String requestLine = lines.get(0);
            String[] parts = requestLine.split(" ");
            if (parts.length != 3 || !parts[0].equals("CONNECT")) {
                respond(out, 405, "Method Not Allowed", null);
                return;
            }
            RecordedConnect rec = new RecordedConnect(requestLine, parts[1], List.copyOf(lines.subList(1, lines.size())));
            connects.add(rec);
            Behaviour b = behaviour;
            if (b.once) {
                behaviour = Behaviour.tunnel();
            }
            String required = requiredAuthorization;
            if (required != null && !required.equals(rec.header("Proxy-Authorization"))) {
                respond(out, 407, "Proxy Authentication Required", "Proxy-Authenticate: Basic realm=\"testkit\"");
                return;
            }
            if (b.silent) {
                while (in.read() >= 0) {
                    // hold the connection, answer nothing
                }
                return;
            }
            if (b.status != 200) {
                respond(out, b.status, b.reason, b.status == 407 ? "Proxy-Authenticate: Basic realm=\"testkit\"" : null);
                return;
            }
            int port = Integer.parseInt(parts[1].substring(parts[1].lastIndexOf(':') + 1));
            intake = new Socket();
            open.add(intake);
            try {
                intake.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
            } catch (IOException e) {
                respond(out, 502, "Bad Gateway", null);
                return;
            }
            out.write(("HTTP/1.1 200 " + b.reason + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            tunnels.incrementAndGet();
            Socket toIntake = intake;
            Thread back = new Thread(() -> pump(toIntake, client, -1, false), "connect-proxy-back-" + client.getPort());
            back.setDaemon(true);
            back.start();
            pump(client, intake, b.closeAfterUpstreamBytes, true);
        } catch (IOException e) {
            LOG.debug("connect proxy client gone: {}", e.toString());
        } finally {
            closeQuietly(client);
            open.remove(client);
            if (intake != null) {
                closeQuietly(intake);
                open.remove(intake);
            }
        }
    }

    /**
     * Copies from one socket to the other until either ends, then closes both (a tunnel carries one
     * TLS session; half-closes are not needed). {@code clientSide}: count the bytes, and stop at
     * {@code limit} when it is not negative.
     */
    private void pump(Socket from, Socket to, long limit, boolean clientSide) {
        byte[] buf = new byte[16 * 1024];
        long carried = 0;
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            while (limit < 0 || carried < limit) {
                int n = in.read(buf, 0, limit < 0 ? buf.length : (int) Math.min(buf.length, limit - carried));
                if (n < 0) {
                    break;
                }
                out.write(buf, 0, n);
                out.flush();
                carried += n;
                if (clientSide) {
                    tunnelledClientBytes.addAndGet(n);
                }
            }
        } catch (IOException e) {
            // either side gone
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int state = 0;
        while (true) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.write(b);
            if (head.size() > MAX_HEAD) {
                return null;
            }
            state = (b == '\r' && (state == 0 || state == 2)) ? state + 1 : (b == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
            if (state == 4) {
                String text = head.toString(StandardCharsets.ISO_8859_1);
                return text.substring(0, text.length() - 4);
            }
        }
    }

    private static void respond(OutputStream out, int status, String reason, String extraHeader) throws IOException {
        String body = status + " " + reason + " (testkit ConnectProxy)\n";
        out.write(("HTTP/1.1 " + status + " " + reason + "\r\n"
                + (extraHeader == null ? "" : extraHeader + "\r\n")
                + "Content-Type: text/plain\r\nContent-Length: " + body.length() + "\r\nConnection: close\r\n\r\n" + body)
                .getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }
}
