package io.fipsrelay.core.relay;

import io.fipsrelay.core.metrics.RelayMetrics;
import io.fipsrelay.core.tls.HandshakeFailureCause;
import io.fipsrelay.core.tls.TlsEngineDriver;
import java.nio.ByteBuffer;
import java.time.Duration;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.session.IoSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP inside TLS from the agent ({@code listen.tls}): a BCJSSE server engine driven on the
 * connection's worker by {@link TlsEngineDriver}. Records are decrypted as they arrive and the
 * plaintext is copied into a pooled buffer the {@link AgentConnection} owns (the driver's output
 * is a per-thread scratch buffer); what the connection writes is encrypted at once into pooled
 * record buffers. The handshake has its own deadline and counts against the cap on handshakes in
 * progress until it ends either way.
 */
final class TlsAgentSocket implements AgentSocket {

    private static final Logger LOG = LoggerFactory.getLogger(TlsAgentSocket.class);

    private final IoSession session;
    private final TlsEngineDriver driver;
    private final RelayWorker worker;
    private final AgentTls.Handshakes handshakes;
    private final ListenerMismatch mismatch;
    private final RelayMetrics metrics;
    private AgentConnection connection;
    private RelayWorker.Timeout deadline;
    private boolean handshaking = true;
    private boolean firstRead = true;
    private boolean done;

    /** {@code handshakes} has already counted this connection in. */
    TlsAgentSocket(IoSession session, SSLEngine engine, RelayWorker worker, AgentTls.Handshakes handshakes,
                   ListenerMismatch mismatch, RelayMetrics metrics) {
        this.session = session;
        this.driver = new TlsEngineDriver(engine, session);
        this.worker = worker;
        this.handshakes = handshakes;
        this.mismatch = mismatch;
        this.metrics = metrics;
    }

    /** Waits for the agent's ClientHello, at most {@code timeout}. */
    void start(AgentConnection connection, Duration timeout) {
        this.connection = connection;
        deadline = worker.schedule(timeout.toNanos(), () -> {
            if (handshaking && !done) {
                handshakeFailed("timeout", "no completed TLS handshake within " + timeout.toMillis() + " ms");
            }
        });
        try {
            driver.beginHandshake();
        } catch (SSLException e) {
            handshakeFailed(HandshakeFailureCause.of(e), e.getMessage());
        }
    }

    @Override
    public void received(IoBuffer net) {
        if (done) {
            net.free();
            return;
        }
        if (firstRead) {
            firstRead = false;
            if (!TlsRecords.startsWithHandshake(net.buf())) {
                net.free();
                plainHttpArrived();
                return;
            }
        }
        TlsEngineDriver.Received r;
        try {
            r = driver.receive(net);
        } catch (SSLException e) {
            if (handshaking) {
                handshakeFailed(HandshakeFailureCause.of(e), e.getMessage());
            } else {
                LOG.debug("agent TLS connection {} failed: {}", AgentSocket.describe(session.getRemoteAddress()), e.toString());
                failNow();
            }
            return;
        } finally {
            net.free();
        }
        if (r.handshakeFinished()) {
            handshakeSucceeded();
        }
        ByteBuffer plain = r.plaintext();
        if (plain != null && plain.hasRemaining()) {
            // The driver's plaintext lives in a per-thread scratch buffer: the connection keeps a pooled copy.
            IoBuffer copy = IoBuffer.allocate(plain.remaining());
            copy.put(plain);
            copy.flip();
            connection.received(copy);
        }
        if (r.closed() && !done) {
            // close_notify from the agent: as a FIN on a plain socket.
            closeOnFlush();
        }
    }

    /** Plain HTTP on a TLS port: answered as other HTTPS servers answer it (a 400 in plain text), then closed. */
    private void plainHttpArrived() {
        endHandshake();
        done = true;
        mismatch.plainOnTlsPort(connection.productId(), session);
        metrics.agentHandshakeFailed("plain-http");
        session.write(ErrorAnswer.of(400, connection.productId(), null,
                "plain HTTP sent to a TLS port: set fips.https: true in datadog.yaml (DD_FIPS_HTTPS=true)"));
        connection.closed();
        session.closeOnFlush();
    }

    private void handshakeSucceeded() {
        endHandshake();
        SSLSession s = driver.engine().getSession();
        metrics.agentHandshakeCompleted(s.getProtocol(), s.getCipherSuite());
        mismatch.tlsOnTlsPort(connection.productId());
    }

    private void handshakeFailed(String cause, String detail) {
        endHandshake();
        metrics.agentHandshakeFailed(cause);
        LOG.debug("{}: TLS handshake with the agent at {} failed ({}): {}", connection.productId(),
                AgentSocket.describe(session.getRemoteAddress()), cause, detail);
        // The engine's alert, if it has one to send, goes out before the socket closes.
        driver.closeOutbound();
        done = true;
        connection.closed();
        session.closeOnFlush();
    }

    private void endHandshake() {
        if (handshaking) {
            handshaking = false;
            handshakes.ended();
            if (deadline != null) {
                deadline.cancel();
            }
        }
    }

    private void failNow() {
        done = true;
        connection.closed();
        session.closeNow();
    }

    @Override
    public void writeCopy(ByteBuffer bytes) {
        write(bytes);
    }

    @Override
    public void write(ByteBuffer bytes) {
        if (done) {
            return;
        }
        try {
            driver.send(bytes); // encrypts at once into new record buffers: the caller may reuse bytes
        } catch (SSLException | IllegalStateException e) {
            LOG.debug("agent TLS connection {}: cannot send: {}", AgentSocket.describe(session.getRemoteAddress()), e.toString());
            failNow();
        }
    }

    @Override
    public void writeOwned(IoBuffer buffer) {
        write(buffer.buf());
        buffer.free();
    }

    @Override
    public long queuedBytes() {
        return session.getScheduledWriteBytes();
    }

    @Override
    public void suspendRead() {
        session.suspendRead();
    }

    @Override
    public void resumeRead() {
        session.resumeRead();
    }

    @Override
    public void closeOnFlush() {
        if (!done) {
            done = true;
            driver.closeOutbound();
        }
        session.closeOnFlush();
    }

    @Override
    public void closeNow() {
        done = true;
        session.closeNow();
    }

    @Override
    public void closed() {
        if (handshaking) {
            endHandshake();
            metrics.agentHandshakeFailed("closed-by-agent");
        }
        done = true;
    }

    @Override
    public IoSession session() {
        return session;
    }
}
