package io.fipsrelay.core.upstream;

import io.fipsrelay.core.audit.AuditTrail;
import io.fipsrelay.core.metrics.RelayMetrics;
import io.fipsrelay.core.relay.RelayWorker;
import io.fipsrelay.core.relay.RelayWorkers;
import io.fipsrelay.core.settings.HostAndPort;
import io.fipsrelay.core.settings.ProxyEndpoint;
import io.fipsrelay.core.settings.ProxySettings;
import io.fipsrelay.core.tls.FipsTlsContext;
import io.fipsrelay.core.tls.RevocationChecker;
import io.fipsrelay.core.tls.TlsEngineDriver;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.mina.core.RuntimeIoException;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.future.ConnectFuture;
import org.apache.mina.core.service.IoHandlerAdapter;
import org.apache.mina.core.session.AttributeKey;
import org.apache.mina.core.session.IdleStatus;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.transport.socket.nio.NioSocketConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's single way out: one MINA connector and one BCJSSE context for every product. A
 * connection opened for an exchange lives on that exchange's worker (the pair shares one I/O
 * thread) and is handed out only once its FIPS TLS handshake has completed within the deadline.
 */
public final class FipsTlsConnector implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FipsTlsConnector.class);
    private static final AttributeKey CONNECTION = new AttributeKey(FipsTlsConnector.class, "connection");
    /** The CONNECT step of a connection through the egress proxy, until the tunnel is open. */
    private static final AttributeKey TUNNEL = new AttributeKey(FipsTlsConnector.class, "tunnel");
    /** Socket reads of one size, so that MINA's reads come from one pooled size class. */
    public static final int READ_BUFFER = 64 * 1024;

    private final NioSocketConnector connector;
    private final FipsTlsContext tls;
    private final ScheduledExecutorService timer;
    private final Duration handshakeTimeout;
    private final RelayMetrics metrics;
    private final int lowWaterMark;
    /** Revocation check and audit records around each session (issue 13); see {@link SessionChecks}. */
    private final SessionChecks checks;
    private final ProxySettings proxies;
    private final Duration connectTimeout;

    public FipsTlsConnector(FipsTlsContext tls, RelayWorkers workers, ScheduledExecutorService timer,
                            Duration connectTimeout, Duration handshakeTimeout, Duration idleTimeout,
                            int lowWaterMark, RelayMetrics metrics) {
        this(tls, workers, timer, connectTimeout, handshakeTimeout, idleTimeout, lowWaterMark, metrics, null, AuditTrail.NONE,
                ProxySettings.direct());
    }

    /**
     * As above, with a revocation check after each handshake (null: none), audit records of each
     * session, and the egress proxy ({@code upstream.proxy}) with the hosts reached directly.
     */
    public FipsTlsConnector(FipsTlsContext tls, RelayWorkers workers, ScheduledExecutorService timer,
                            Duration connectTimeout, Duration handshakeTimeout, Duration idleTimeout,
                            int lowWaterMark, RelayMetrics metrics, RevocationChecker revocation, AuditTrail audit,
                            ProxySettings proxies) {
        this.checks = new SessionChecks(revocation, audit);
        this.proxies = proxies;
        this.connectTimeout = connectTimeout;
        this.tls = tls;
        this.timer = timer;
        this.handshakeTimeout = handshakeTimeout;
        this.metrics = metrics;
        this.lowWaterMark = lowWaterMark;
        this.connector = new NioSocketConnector(workers);
        connector.setConnectTimeoutMillis(connectTimeout.toMillis());
        // No service-wide byte counters: they take one lock shared by every I/O thread per read and write.
        connector.getStatistics().getConfig().setStatisticsCalcEnabled(false);
        connector.getSessionConfig().setTcpNoDelay(true);
        connector.getSessionConfig().setReadBufferSize(READ_BUFFER);
        connector.getSessionConfig().setMinReadBufferSize(READ_BUFFER);
        connector.getSessionConfig().setMaxReadBufferSize(READ_BUFFER);
        connector.getSessionConfig().setIdleTime(IdleStatus.BOTH_IDLE, (int) Math.max(1, idleTimeout.toSeconds()));
        connector.setHandler(new Handler());
    }

    /**
     * Connects to one address of a server and completes the handshake. The callback runs on
     * {@code worker}, where the connection lives; with a null worker (health checks) the
     * connection goes to any worker and the callback runs on whichever thread ends the attempt.
     *
     * <p>A server behind the egress proxy is reached through a CONNECT tunnel: {@code address} is
     * then the proxy's, {@link ProxyConnectStage} opens the tunnel, and the handshake with the
     * server (SNI and host name checks against its name, as directly) runs inside it.
     */
    public void connect(HostAndPort server, InetSocketAddress address, RelayWorker worker, ConnectCallback callback) {
        connect(server, address, worker, null, callback);
    }

    /** As above, for an exchange of {@code product} (named in the session's audit records; null: a health check). */
    public void connect(HostAndPort server, InetSocketAddress address, RelayWorker worker, String product,
                        ConnectCallback callback) {
        Executor deliverOn = worker != null ? worker::execute : Runnable::run;
        ConnectAttempt attempt = new ConnectAttempt(checks.auditFailures(product, server, address, callback), deliverOn);
        ProxyEndpoint proxy = proxies.forHost(server.host()).orElse(null);
        String where = UpstreamConnection.describe(server, address, proxy);
        ConnectFuture cf = connector.connect(address, (IoSession session, ConnectFuture f) -> {
            if (worker != null) {
                session.setAttribute(RelayWorkers.WORKER, worker);
            }
            SessionChecks.started(session, product);
            TlsEngineDriver driver = new TlsEngineDriver(tls.newClientEngine(server.host(), server.port()), session);
            UpstreamConnection c = new UpstreamConnection(session, driver, server, address, attempt, proxy);
            session.setAttribute(CONNECTION, c);
            if (proxy != null) {
                session.setAttribute(TUNNEL, new ProxyConnectStage(new ProxyTunnel(proxy, server, address), session,
                        new TunnelOutcome(c)));
            }
        });
        cf.addListener(f -> {
            ConnectFuture done = (ConnectFuture) f;
            if (!done.isConnected()) {
                String reason = connectReason(done.getException());
                attempt.fail(proxy != null
                        ? new ProxyTunnel(proxy, server, address).connectFailed(reason.equals("connection refused"), reason)
                        : new UpstreamFailure(502, "connect", reason + " " + where, address));
            }
        });
        attempt.deadline = timer.schedule(() -> {
            String cause = "TLS handshake with " + where + " did not complete within " + handshakeTimeout.toMillis() + " ms";
            attempt.fail(new UpstreamFailure(502, "tls", cause, address));
            if (cf.isConnected()) {
                IoSession session = cf.getSession();
                // The connection belongs to its worker: close it there.
                Runnable close = () -> {
                    UpstreamConnection c = (UpstreamConnection) session.getAttribute(CONNECTION);
                    if (c != null) {
                        c.close(cause);
                    }
                };
                RelayWorker w = RelayWorkers.of(session);
                if (w != null) {
                    w.execute(close);
                } else {
                    close.run();
                }
            }
        }, handshakeTimeout.toMillis() + connector.getConnectTimeoutMillis() * (proxy == null ? 1 : 2), TimeUnit.MILLISECONDS);
    }

    /** The same as a future, for callers off the data path (health checks). */
    public CompletableFuture<UpstreamConnection> connect(HostAndPort server, InetSocketAddress address) {
        CompletableFuture<UpstreamConnection> result = new CompletableFuture<>();
        connect(server, address, null, new ConnectCallback() {
            @Override
            public void connected(UpstreamConnection connection) {
                result.complete(connection);
            }

            @Override
            public void connectFailed(UpstreamFailure failure) {
                result.completeExceptionally(failure);
            }
        });
        return result;
    }

    private static String connectReason(Throwable e) {
        if (e instanceof ConnectException || e instanceof RuntimeIoException && e.getCause() instanceof ConnectException) {
            return "connection refused";
        }
        String reason = e == null ? "connect canceled" : UpstreamFailure.describe(e);
        if (reason.toLowerCase(Locale.ROOT).contains("timed out") || reason.contains("timeout")) {
            return "connect timed out";
        }
        return reason;
    }

    @Override
    public void close() {
        connector.dispose(false);
    }

    /** Handles every upstream session, on the session's worker: TLS records in, plaintext to the attached exchange. */
    private final class Handler extends IoHandlerAdapter {

        @Override
        public void sessionOpened(IoSession session) {
            UpstreamConnection c = connection(session);
            ProxyConnectStage tunnel = tunnel(session);
            if (tunnel != null) {
                // TLS begins once the proxy answered 2xx; it has upstream.connect-timeout to do so (else 504).
                tunnel.start();
                timer.schedule(() -> onWorker(session, () -> tunnel.answerDeadlinePassed(connectTimeout)),
                        connectTimeout.toMillis(), TimeUnit.MILLISECONDS);
                return;
            }
            try {
                c.tls().beginHandshake();
            } catch (Exception e) {
                fail(c, "tls", "TLS handshake with " + c.describe() + " failed: " + UpstreamFailure.describe(e));
            }
        }

        @Override
        public void messageReceived(IoSession session, Object message) {
            UpstreamConnection c = connection(session);
            IoBuffer net = (IoBuffer) message;
            ProxyConnectStage tunnel = tunnel(session);
            if (tunnel != null && !tunnel.isOpen()) {
                try {
                    tunnel.received(net);
                } finally {
                    net.free();
                }
                return;
            }
            TlsEngineDriver.Received r;
            try {
                r = c.tls().receive(net);
            } catch (Exception e) {
                String cause = c.handshaking() ? "TLS handshake with " + c.describe() + " failed: " + tlsReason(e)
                        : "TLS failure from " + c.describe() + ": " + UpstreamFailure.describe(e);
                c.failed(cause);
                fail(c, "tls", cause);
                return;
            } finally {
                net.free();
            }
            if (r.handshakeFinished()) {
                metrics.handshakeCompleted(c.protocol(), c.cipherSuite());
                LOG.debug("TLS {} {} with {}", c.protocol(), c.cipherSuite(), c.describe());
                ConnectAttempt attempt = c.takeAttempt();
                if (attempt != null) {
                    if (attempt.isDone()) {
                        c.close("handshake completed after its deadline"); // the exchange has moved on
                    } else {
                        // Revocation (off the I/O thread) and the audit's open record, then the attempt succeeds.
                        checks.afterHandshake(c, attempt);
                    }
                }
            }
            if (r.plaintext() != null) {
                UpstreamListener l = c.listener();
                if (l != null) {
                    l.upstreamData(r.plaintext());
                } else {
                    c.close("unexpected bytes from " + c.describe() + " on an idle connection");
                }
            }
            if (r.closed()) {
                c.noteCause(c.describe() + " closed the TLS connection");
                session.closeNow();
            }
        }

        @Override
        public void messageSent(IoSession session, Object message) {
            RelayWorker worker = RelayWorkers.of(session);
            if (message instanceof IoBuffer written && worker != null) {
                worker.freeWhenWritten(written);
            }
            UpstreamConnection c = connection(session);
            UpstreamListener l = c.listener();
            if (l != null && session.getScheduledWriteBytes() < lowWaterMark) {
                l.upstreamDrained();
            }
        }

        @Override
        public void sessionIdle(IoSession session, IdleStatus status) {
            UpstreamConnection c = connection(session);
            if (c != null && c.listener() == null && !c.handshaking()) {
                c.close("idle");
            }
        }

        @Override
        public void exceptionCaught(IoSession session, Throwable cause) {
            UpstreamConnection c = connection(session);
            if (c != null) {
                c.failed("connection to " + c.describe() + " failed: " + UpstreamFailure.describe(cause));
            }
            session.closeNow();
        }

        @Override
        public void sessionClosed(IoSession session) {
            UpstreamConnection c = connection(session);
            if (c == null) {
                return;
            }
            ProxyConnectStage tunnel = tunnel(session);
            if (tunnel != null && !tunnel.isOpen()) {
                tunnel.closed();
            }
            String cause = c.closeCause() != null ? c.closeCause() : c.describe() + " closed the connection";
            c.noteCause(cause);
            checks.closed(c, cause);
            ConnectAttempt attempt = c.takeAttempt();
            if (attempt == null) {
                attempt = SessionChecks.pendingCheck(session); // closed while its revocation check ran
            }
            if (attempt != null) {
                attempt.fail(new UpstreamFailure(502, "tls",
                        cause.startsWith("TLS") ? cause : "TLS handshake with " + c.describe() + " failed: connection closed by the server",
                        c.address()));
            }
            UpstreamListener l = c.listener();
            if (l != null) {
                l.upstreamClosed(cause);
            }
        }

        private void fail(UpstreamConnection c, String kind, String cause) {
            c.noteCause(cause);
            ConnectAttempt attempt = c.takeAttempt();
            if (attempt != null) {
                attempt.fail(new UpstreamFailure(502, kind, cause, c.address()));
            }
            c.session().closeNow();
        }

        private UpstreamConnection connection(IoSession session) {
            return (UpstreamConnection) session.getAttribute(CONNECTION);
        }

        private ProxyConnectStage tunnel(IoSession session) {
            return (ProxyConnectStage) session.getAttribute(TUNNEL);
        }
    }

    /** Runs on the session's worker when it has one (every call on a connection is made there). */
    private static void onWorker(IoSession session, Runnable task) {
        RelayWorker w = RelayWorkers.of(session);
        if (w != null) {
            w.execute(task);
        } else {
            task.run();
        }
    }

    /** The CONNECT step's end: TLS with the intake inside the tunnel, or the proxy's failure for the exchange. */
    private static final class TunnelOutcome implements ProxyConnectStage.Outcome {
        private final UpstreamConnection c;

        TunnelOutcome(UpstreamConnection c) {
            this.c = c;
        }

        @Override
        public void tunnelEstablished() {
            try {
                c.tls().beginHandshake();
            } catch (Exception e) {
                tunnelFailed(new UpstreamFailure(502, "tls", "TLS handshake with " + c.describe() + " failed: "
                        + UpstreamFailure.describe(e), c.address()));
                c.session().closeNow();
            }
        }

        @Override
        public void tunnelFailed(UpstreamFailure failure) {
            c.noteCause(failure.getMessage());
            ConnectAttempt attempt = c.takeAttempt();
            if (attempt != null) {
                attempt.fail(failure);
            }
        }
    }

    /** Handshake failures in the words an operator searches for. */
    static String tlsReason(Throwable e) {
        String all = UpstreamFailure.describe(e);
        String lower = all.toLowerCase(Locale.ROOT);
        if (lower.contains("subject alternative name") || lower.contains("hostname") || lower.contains("host name")
                || lower.contains("endpoint identification") || lower.contains("does not match")) {
            return "certificate does not match host (" + all + ")";
        }
        if (lower.contains("certification path") || lower.contains("trust anchor") || lower.contains("unable to find valid")
                || lower.contains("certpath") || lower.contains("certificate_unknown") || lower.contains("bad_certificate")) {
            return "certificate not trusted (" + all + ")";
        }
        if (lower.contains("handshake_failure") || lower.contains("no cipher") || lower.contains("protocol_version")
                || lower.contains("insufficient_security")) {
            return "no FIPS-approved TLS parameters in common (" + all + ")";
        }
        return all;
    }
}
