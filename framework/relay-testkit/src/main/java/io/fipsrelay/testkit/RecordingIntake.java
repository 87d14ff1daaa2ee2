package io.fipsrelay.testkit;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real HTTPS/1.1 server on 127.0.0.1 standing in for a remote intake: it records every complete
 * request and answers with a canned response.
 *
 * <p>Runs on the JDK's SunJSSE, i.e. independently of the FIPS stack under test, with blocking
 * sockets and one daemon thread per connection (keep-alive supported). A connection idle for
 * 30 s is closed.
 *
 * <p>It can be switched into a {@link Fault} mode (refuse, reset, stall, slow reader, 5xx, TLS failure,
 * flap) at build time or while running, and counts deliveries per {@link RecordedRequest#REQUEST_ID_HEADER}
 * and answers per status for "delivered exactly once" checks.
 */
public final class RecordingIntake implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RecordingIntake.class);
    static final int READ_TIMEOUT_MILLIS = 30_000;
    static final long DEFAULT_KEEP_LIMIT = 8L * 1024 * 1024;
    private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);

    private final IntakeListener listener;
    private final SSLContext sslContext;
    private final String[] protocols;
    private final String[] cipherSuites;
    private final IdleConnections idleConnections = new IdleConnections();
    private final FaultSwitch faults;
    private final Fault initialFault;
    private final DeliveryLedger ledger = new DeliveryLedger();
    private final AtomicInteger resets = new AtomicInteger();
    private final AtomicInteger stalled = new AtomicInteger();
    private final Responder responder;
    private final long readBytesPerSecond;
    private final boolean answer100Continue;
    private final long keepLimit;
    private final ExecutorService connections;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final List<RecordedRequest> recorded = new ArrayList<>();
    private final AtomicLong connectionIds = new AtomicLong();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger handshakes = new AtomicInteger();
    private final AtomicInteger failedHandshakes = new AtomicInteger();
    private final AtomicInteger incomplete = new AtomicInteger();
    private volatile boolean closed;

    private RecordingIntake(Builder builder) throws IOException {
        this.responder = builder.responder;
        this.readBytesPerSecond = builder.readBytesPerSecond;
        this.answer100Continue = builder.answer100Continue;
        this.keepLimit = builder.keepLargeBodies ? Long.MAX_VALUE : DEFAULT_KEEP_LIMIT;
        // TLS is layered over accepted plain sockets so that TLS_FAILURE and RESET_MID_REQUEST can act on TCP.
        this.sslContext = builder.identity.sslContext(builder.protocols);
        this.protocols = builder.protocols;
        this.cipherSuites = builder.cipherSuites;
        this.listener = IntakeListener.bindFreePort(this::accepted);
        this.faults = new FaultSwitch(listener, idleConnections);
        this.initialFault = builder.fault;
        int port = listener.port();
        AtomicInteger threadNumber = new AtomicInteger();
        this.connections = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "intake-" + port + "-conn-" + threadNumber.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    public static Builder builder(ServerIdentity identity) {
        return new Builder(identity);
    }

    public int port() {
        return listener.port();
    }

    /**
     * Switches to {@code fault} at once ({@link Fault#NONE}: normal service). Thread-safe; exchanges in
     * progress finish under the fault that was set when their request head arrived.
     */
    public void fault(Fault fault) {
        faults.set(fault);
    }

    /** The fault currently set. */
    public Fault fault() {
        return faults.current();
    }

    /** True while the port accepts TCP connections (false under REFUSE and in the down half of FLAP). */
    public boolean isUp() {
        return faults.isUp();
    }

    /** A snapshot of the requests recorded so far, in arrival order. */
    public List<RecordedRequest> requests() {
        synchronized (recorded) {
            return List.copyOf(recorded);
        }
    }

    /** Waits until at least {@code n} requests were recorded; fails with what did arrive otherwise. */
    public List<RecordedRequest> awaitRequests(int n, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (recorded) {
            while (recorded.size() < n) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("expected " + n + " request(s) at the intake within " + timeout
                            + " but got " + recorded.size() + ": " + recorded + " (connections " + accepted.get()
                            + ", handshakes " + handshakes.get() + ", failed handshakes " + failedHandshakes.get()
                            + ", incomplete requests " + incomplete.get() + ", fault " + faults.current() + ")");
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(recorded, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted while awaiting requests", e);
                }
            }
            return List.copyOf(recorded);
        }
    }

    /** TCP connections accepted. */
    public int acceptedConnections() {
        return accepted.get();
    }

    /** TLS connections whose handshake completed. */
    public int handshakes() {
        return handshakes.get();
    }

    /** Connections whose handshake failed (incl. peers that connected and left without a ClientHello). */
    public int failedHandshakes() {
        return failedHandshakes.get();
    }

    /** Requests that started but whose head or body did not fully arrive; they are not recorded. */
    public int incompleteRequests() {
        return incomplete.get();
    }

    /** Requests cut off by {@link Fault#RESET_MID_REQUEST} (also counted in {@link #incompleteRequests()}). */
    public int resetRequests() {
        return resets.get();
    }

    /** Requests recorded and then left unanswered by {@link Fault#STALL}. */
    public int stalledRequests() {
        return stalled.get();
    }

    /**
     * How many times each {@link RecordedRequest#REQUEST_ID_HEADER} value was delivered (recorded with
     * its whole body), sorted by id; requests without the header are left out. More than 1 means a duplicate.
     */
    public Map<String, Integer> deliveriesById() {
        return ledger.deliveriesById();
    }

    /**
     * For each delivered request id, the statuses the intake answered it with, in order; an empty list
     * means it was delivered but never answered (stalled, dropped, or the client left first).
     */
    public Map<String, List<Integer>> answersById() {
        return ledger.answersById();
    }

    /** How many recorded requests were answered with each status (counted as the response goes out). */
    public Map<Integer, Integer> answeredByStatus() {
        return ledger.answeredByStatus();
    }

    /** Forgets recorded requests and zeroes the counters; connection ids keep counting up; the fault stays. */
    public void reset() {
        synchronized (recorded) {
            recorded.clear();
        }
        accepted.set(0);
        handshakes.set(0);
        failedHandshakes.set(0);
        incomplete.set(0);
        resets.set(0);
        stalled.set(0);
        ledger.clear();
    }

    /** Stops accepting and closes every open connection. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        faults.close();
        listener.close();
        for (Socket socket : open) {
            closeQuietly(socket);
        }
        connections.shutdownNow();
        try {
            connections.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.debug("intake on port {} closed", port());
    }

    private RecordingIntake start() {
        faults.set(initialFault);
        LOG.debug("recording intake on 127.0.0.1:{} (protocols {}, fault {})", port(),
                protocols.length == 0 ? "default" : List.of(protocols), initialFault);
        return this;
    }

    /** Called on the listener's accept thread for each TCP connection. */
    private void accepted(Socket tcp) {
        if (closed) {
            closeQuietly(tcp);
            return;
        }
        accepted.incrementAndGet();
        long id = connectionIds.incrementAndGet();
        open.add(tcp);
        try {
            connections.execute(() -> serve(tcp, id));
        } catch (RuntimeException e) {
            // Executor already shut down: we are closing.
            open.remove(tcp);
            closeQuietly(tcp);
        }
    }

    private void serve(Socket tcp, long connectionId) {
        Socket socket = tcp;
        IdleConnections.Entry idle = null;
        try {
            if (faults.current().mode() == Fault.Mode.TLS_FAILURE) {
                failedHandshakes.incrementAndGet();
                LOG.debug("intake connection {}: aborting the TLS handshake (fault TLS_FAILURE)", connectionId);
                TlsFailure.abort(tcp);
                return;
            }
            SSLSocket tls = tlsOver(tcp);
            // Close the TLS socket from now on (close_notify), like the old server-socket intake did.
            open.add(tls);
            open.remove(tcp);
            socket = tls;
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            try {
                tls.startHandshake();
            } catch (IOException e) {
                failedHandshakes.incrementAndGet();
                LOG.debug("intake connection {}: handshake failed: {}", connectionId, e.toString());
                return;
            }
            handshakes.incrementAndGet();
            SSLSession session = tls.getSession();
            idle = idleConnections.register(tls);
            Connection connection = new Connection(connectionId, tcp, idle, sniOf(session), session.getProtocol(),
                    session.getCipherSuite());
            LOG.debug("intake connection {}: {} {} sni={}", connectionId, connection.tlsProtocol,
                    connection.cipherSuite, connection.sni);
            InputStream in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
            while (!closed && serveOne(connection, in, out)) {
                // keep-alive: next request on the same connection
            }
        } catch (IOException e) {
            if (!closed) {
                LOG.debug("intake connection {} ended: {}", connectionId, e.toString());
            }
        } finally {
            if (idle != null) {
                idle.close();
            }
            open.remove(socket);
            closeQuietly(socket);
        }
    }

    /** A server-mode TLS socket over an accepted TCP connection, with the builder's protocols and suites. */
    private SSLSocket tlsOver(Socket tcp) throws IOException {
        SSLSocket tls = (SSLSocket) sslContext.getSocketFactory().createSocket(tcp, null, true);
        if (protocols.length > 0) {
            tls.setEnabledProtocols(protocols);
        }
        if (cipherSuites != null) {
            tls.setEnabledCipherSuites(cipherSuites);
        }
        return tls;
    }

    /** Serves one request; true if the connection stays open for another. */
    private boolean serveOne(Connection connection, InputStream in, OutputStream out) throws IOException {
        String requestLine;
        try {
            if (!connection.idle.awaitRequest(in, faults::allowsKeepAlive)) {
                return false; // peer left, or the intake went down while the connection was idle
            }
            do {
                requestLine = HttpWire.readLine(in);
            } while (requestLine != null && requestLine.isEmpty()); // stray CRLFs between requests are allowed
        } catch (SocketTimeoutException e) {
            return false; // idle keep-alive connection
        }
        if (requestLine == null) {
            return false; // peer closed between requests
        }
        String[] parts = requestLine.split(" ", 3);
        if (parts.length != 3 || !parts[2].startsWith("HTTP/")) {
            LOG.warn("intake connection {}: malformed request line {}", connection.id, requestLine);
            writeResponse(out, CannedResponse.of(400).withHeader("Connection", "close"), false);
            return false;
        }
        String method = parts[0];
        Fault fault = faults.current(); // one fault decides the whole exchange
        List<HttpHeader> headers;
        boolean chunked;
        List<HttpHeader> trailers = List.of();
        BodySink body = new BodySink(keepLimit);
        try {
            headers = HttpWire.readHeaders(in);
            chunked = HttpWire.isChunked(headers);
            long contentLength = chunked ? -1 : HttpWire.contentLength(headers);
            boolean hasBody = chunked || contentLength > 0;
            if (hasBody && answer100Continue && HttpWire.hasToken(headers, "Expect", "100-continue")) {
                out.write(CONTINUE);
                out.flush();
            }
            if (fault.mode() == Fault.Mode.RESET_MID_REQUEST) {
                long read = MidRequestReset.readPart(in, chunked, contentLength);
                resets.incrementAndGet();
                incomplete.incrementAndGet();
                LOG.debug("intake connection {}: resetting {} after {} body bytes (fault RESET_MID_REQUEST)",
                        connection.id, requestLine, read);
                MidRequestReset.reset(connection.tcp);
                return false;
            }
            long rate = fault.mode() == Fault.Mode.SLOW_READER ? fault.bytesPerSecond() : readBytesPerSecond;
            InputStream bodyIn = rate > 0 ? new ThrottledInputStream(in, rate) : in;
            if (chunked) {
                trailers = HttpWire.readChunked(bodyIn, body);
            } else if (contentLength > 0) {
                HttpWire.copyExactly(bodyIn, contentLength, body);
            }
        } catch (IOException e) {
            incomplete.incrementAndGet();
            LOG.debug("intake connection {}: incomplete request {}: {}", connection.id, requestLine, e.toString());
            return false;
        }
        RecordedRequest request = new RecordedRequest(method, parts[1], parts[2], headers, trailers, body.bytes(),
                body.length(), body.sha256Hex(), chunked, connection.sni, connection.tlsProtocol,
                connection.cipherSuite, connection.id);
        if (fault.mode() == Fault.Mode.STALL) {
            stalled.incrementAndGet(); // before record(), so awaitRequests() callers see the count too
            record(request);
            LOG.debug("intake connection {}: stalling after {} (fault STALL)", connection.id, request);
            Stall.hold(in, () -> closed);
            return false;
        }
        record(request);

        CannedResponse response;
        if (fault.mode() == Fault.Mode.ANSWER_5XX) {
            response = Fault.SERVICE_UNAVAILABLE;
        } else {
            try {
                response = Objects.requireNonNull(responder.respond(request), "responder returned null");
            } catch (RuntimeException e) {
                LOG.warn("intake responder failed for {}", request, e);
                response = CannedResponse.of(500).withHeader("Content-Type", "text/plain").withBody(e.toString());
            }
        }
        if (response.dropsConnection()) {
            return false;
        }
        if (response.isRaw()) {
            out.write(response.rawUnsafe());
            out.flush();
            return !HttpWire.hasToken(headers, "Connection", "close");
        }
        boolean close = HttpWire.hasToken(headers, "Connection", "close")
                || HttpWire.hasToken(response.headers(), "Connection", "close")
                || ("HTTP/1.0".equals(parts[2]) && !HttpWire.hasToken(headers, "Connection", "keep-alive"))
                || !faults.allowsKeepAlive();
        if (close && !HttpWire.hasToken(response.headers(), "Connection", "close")) {
            response = response.withHeader("Connection", "close");
        }
        // Counted before writing, so a client that has its response always finds it counted.
        ledger.answered(request, response.status());
        writeResponse(out, response, "HEAD".equals(method));
        return !close;
    }

    private void record(RecordedRequest request) {
        LOG.debug("intake recorded {}", request);
        synchronized (recorded) {
            recorded.add(request);
            ledger.delivered(request);
            recorded.notifyAll();
        }
    }

    private static void writeResponse(OutputStream out, CannedResponse response, boolean head) throws IOException {
        int status = response.status();
        boolean bodyAllowed = status >= 200 && status != 204 && status != 304;
        boolean chunked = HttpWire.isChunked(response.headers());
        byte[] body = response.bodyUnsafe();
        StringBuilder text = new StringBuilder(256);
        text.append("HTTP/1.1 ").append(status).append(' ').append(response.reason()).append("\r\n");
        for (HttpHeader header : response.headers()) {
            text.append(header.name()).append(": ").append(header.value()).append("\r\n");
        }
        if (bodyAllowed && !chunked && response.header("Content-Length") == null) {
            text.append("Content-Length: ").append(body.length).append("\r\n");
        }
        text.append("\r\n");
        out.write(text.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (bodyAllowed && !head) {
            if (chunked) {
                ByteArrayOutputStream chunks = new ByteArrayOutputStream(body.length + 32);
                if (body.length > 0) {
                    chunks.writeBytes((Integer.toHexString(body.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    chunks.writeBytes(body);
                    chunks.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
                }
                chunks.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                chunks.writeTo(out);
            } else {
                out.write(body);
            }
        }
        out.flush();
    }

    private static String sniOf(SSLSession session) {
        if (session instanceof ExtendedSSLSession) {
            for (SNIServerName name : ((ExtendedSSLSession) session).getRequestedServerNames()) {
                if (name instanceof SNIHostName) {
                    return ((SNIHostName) name).getAsciiName();
                }
            }
        }
        return null;
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException | RuntimeException e) {
            // closing anyway
        }
    }

    /** Per-connection facts copied into each request. */
    private static final class Connection {
        final long id;
        final Socket tcp;
        final IdleConnections.Entry idle;
        final String sni;
        final String tlsProtocol;
        final String cipherSuite;

        Connection(long id, Socket tcp, IdleConnections.Entry idle, String sni, String tlsProtocol,
                String cipherSuite) {
            this.id = id;
            this.tcp = tcp;
            this.idle = idle;
            this.sni = sni;
            this.tlsProtocol = tlsProtocol;
            this.cipherSuite = cipherSuite;
        }
    }

    /** Configures and starts a {@link RecordingIntake}. */
    public static final class Builder {
        private final ServerIdentity identity;
        private String[] protocols = new String[0];
        private String[] cipherSuites;
        private Responder responder = request -> CannedResponse.accepted();
        private long readBytesPerSecond;
        private boolean answer100Continue = true;
        private boolean keepLargeBodies;
        private Fault fault = Fault.NONE;

        private Builder(ServerIdentity identity) {
            this.identity = Objects.requireNonNull(identity, "identity");
        }

        /** Enabled TLS protocols, e.g. "TLSv1.2"; JDK defaults if not called. */
        public Builder protocols(String... protocols) {
            this.protocols = protocols.clone();
            return this;
        }

        /** Enabled cipher suites (JSSE names); JDK defaults if not called. */
        public Builder cipherSuites(String... cipherSuites) {
            this.cipherSuites = cipherSuites.clone();
            return this;
        }

        /** How to answer; default 202 Accepted with a JSON "{}" body. */
        public Builder respond(Responder responder) {
            this.responder = Objects.requireNonNull(responder, "responder");
            return this;
        }

        /** Reads request bodies no faster than this (0 = unthrottled), to play a slow intake. */
        public Builder readBytesPerSecond(long bytesPerSecond) {
            if (bytesPerSecond < 0) {
                throw new IllegalArgumentException("bytesPerSecond must be >= 0: " + bytesPerSecond);
            }
            this.readBytesPerSecond = bytesPerSecond;
            return this;
        }

        /** Whether "Expect: 100-continue" gets an interim 100 before the body is read (default true). */
        public Builder answer100Continue(boolean answer) {
            this.answer100Continue = answer;
            return this;
        }

        /** Keep bodies over 8 MiB in memory too (default: only their length and SHA-256). */
        public Builder keepLargeBodies(boolean keep) {
            this.keepLargeBodies = keep;
            return this;
        }

        /** Starts in this fault mode (default {@link Fault#NONE}); {@link RecordingIntake#fault(Fault)} switches later. */
        public Builder fault(Fault fault) {
            this.fault = Objects.requireNonNull(fault, "fault");
            return this;
        }

        public RecordingIntake start() {
            TestFips.requireJdkProvidersFirst();
            try {
                return new RecordingIntake(this).start();
            } catch (IOException e) {
                throw new IllegalStateException("cannot start recording intake", e);
            }
        }
    }
}
