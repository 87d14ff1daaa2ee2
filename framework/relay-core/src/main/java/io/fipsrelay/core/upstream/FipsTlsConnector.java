package io.fipsrelay.core.upstream;

import io.fipsrelay.core.metrics.RelayMetrics;
import io.fipsrelay.core.settings.HostAndPort;
import io.fipsrelay.core.settings.ProxyEndpoint;
import io.fipsrelay.core.settings.ProxySettings;
import io.fipsrelay.core.tls.FipsTlsContext;
import io.fipsrelay.core.tls.TlsEngineDriver;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.future.ConnectFuture;
import org.apache.mina.core.service.IoHandlerAdapter;
import org.apache.mina.core.service.IoProcessor;
import org.apache.mina.core.session.AttributeKey;
import org.apache.mina.core.session.IdleStatus;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.transport.socket.nio.NioSession;
import org.apache.mina.transport.socket.nio.NioSocketConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's single way out: one MINA connector and one BCJSSE context for every product. A
 * connection is handed out only once its FIPS TLS handshake has completed within the deadline.
 */
public final class FipsTlsConnector implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FipsTlsConnector.class);
    private static final AttributeKey CONNECTION = new AttributeKey(FipsTlsConnector.class, "connection");
    private static final AttributeKey TUNNEL = new AttributeKey(FipsTlsConnector.class, "tunnel");

    private final NioSocketConnector connector;
    private final FipsTlsContext tls;
    private final ScheduledExecutorService timer;
    private final Duration handshakeTimeout;
    private final RelayMetrics metrics;
    private final int lowWaterMark;
    private final ProxySettings proxies;
    private final Duration connectTimeout;

    public FipsTlsConnector(FipsTlsContext tls, IoProcessor<NioSession> processors, ScheduledExecutorService timer,
                            Duration connectTimeout, Duration handshakeTimeout, Duration idleTimeout,
                            int lowWaterMark, RelayMetrics metrics, ProxySettings proxies) {
        this.proxies = proxies;
        this.connectTimeout = connectTimeout;
        this.tls = tls;
        this.timer = timer;
        this.handshakeTimeout = handshakeTimeout;
        this.metrics = metrics;
        this.lowWaterMark = lowWaterMark;
        this.connector = new NioSocketConnector(processors);
        connector.setConnectTimeoutMillis(connectTimeout.toMillis());
        connector.getSessionConfig().setTcpNoDelay(true);
        connector.getSessionConfig().setReadBufferSize(64 * 1024);
        connector.getSessionConfig().setMaxReadBufferSize(128 * 1024);
        connector.getSessionConfig().setIdleTime(IdleStatus.BOTH_IDLE, (int) Math.max(1, idleTimeout.toSeconds()));
        connector.setHandler(new Handler());
    }

    /**
     * Connects to one address of a server and completes the handshake; fails with an {@link UpstreamFailure}.
     * For a server behind the egress proxy ({@code upstream.proxy}) {@code address} is the proxy's:
     * a CONNECT tunnel to the server is opened first, and the handshake runs inside it.
     */
    public CompletableFuture<UpstreamConnection> connect(HostAndPort server, InetSocketAddress address) {
        CompletableFuture<UpstreamConnection> result = new CompletableFuture<>();
        ProxyEndpoint proxy = proxies.forHost(server.host()).orElse(null);
        String where = server.host() + (proxy == null ? "" : " via proxy " + proxy)
                + " (" + address.getAddress().getHostAddress() + ":" + address.getPort() + ")";
        ConnectFuture cf = connector.connect(address, (IoSession session, ConnectFuture f) -> {
            TlsEngineDriver driver = new TlsEngineDriver(tls.newClientEngine(server.host(), server.port()), session);
            UpstreamConnection c = new UpstreamConnection(session, driver, server, address, proxy);
            session.setAttribute(CONNECTION, c);
            if (proxy != null) {
                session.setAttribute(TUNNEL, new ProxyConnectStage(new ProxyTunnel(proxy, server, address), session,
                        new TunnelOutcome(c)));
            }
            c.ready.whenComplete((ok, err) -> {
                if (err == null) {
                    result.complete(ok);
                } else {
                    result.completeExceptionally(err);
                }
            });
        });
        cf.addListener(f -> {
            ConnectFuture done = (ConnectFuture) f;
            if (!done.isConnected()) {
                Throwable e = done.getException();
                String reason = e instanceof ConnectException ? "connection refused"
                        : e == null ? "connect canceled" : UpstreamFailure.describe(e);
                if (e instanceof org.apache.mina.core.RuntimeIoException && e.getCause() instanceof ConnectException) {
                    reason = "connection refused";
                }
                if (reason.toLowerCase(java.util.Locale.ROOT).contains("timed out") || reason.contains("timeout")) {
                    reason = "connect timed out";
                }
                if (proxy != null) {
                    result.completeExceptionally(new ProxyTunnel(proxy, server, address)
                            .connectFailed(reason.equals("connection refused"), reason));
                    return;
                }
                result.completeExceptionally(new UpstreamFailure(502, "connect", reason + " " + where, address));
            }
        });
        ScheduledFuture<?> deadline = timer.schedule(() -> {
            if (!result.isDone()) {
                String cause = "TLS handshake with " + where + " did not complete within " + handshakeTimeout.toMillis() + " ms";
                result.completeExceptionally(new UpstreamFailure(502, "tls", cause, address));
                if (cf.isConnected()) {
                    UpstreamConnection c = (UpstreamConnection) cf.getSession().getAttribute(CONNECTION);
                    if (c != null) {
                        c.close(cause);
                    }
                }
            }
        }, handshakeTimeout.toMillis() + connector.getConnectTimeoutMillis() * (proxy == null ? 1 : 2), TimeUnit.MILLISECONDS);
        result.whenComplete((ok, err) -> deadline.cancel(false));
        return result;
    }

    @Override
    public void close() {
        connector.dispose(false);
    }

    /** Handles every upstream session: TLS records in, plaintext to the attached exchange. */
    private final class Handler extends IoHandlerAdapter {

        @Override
        public void sessionOpened(IoSession session) throws Exception {
            UpstreamConnection c = connection(session);
            ProxyConnectStage tunnel = tunnel(session);
            if (tunnel != null) {
                tunnel.start(timer, connectTimeout); // TLS begins once the proxy answered 2xx
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
            ProxyConnectStage tunnel = tunnel(session);
            if (tunnel != null && !tunnel.isOpen()) {
                tunnel.received((IoBuffer) message);
                return;
            }
            TlsEngineDriver.Received r;
            try {
                r = c.tls().receive((IoBuffer) message);
            } catch (Exception e) {
                String cause = c.ready.isDone() ? "TLS failure from " + c.describe() + ": " + UpstreamFailure.describe(e)
                        : "TLS handshake with " + c.describe() + " failed: " + tlsReason(e);
                c.failed(cause);
                fail(c, "tls", cause);
                return;
            }
            if (r.handshakeFinished()) {
                metrics.handshakeCompleted(c.protocol(), c.cipherSuite());
                LOG.debug("TLS {} {} with {}", c.protocol(), c.cipherSuite(), c.describe());
                c.ready.complete(c);
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
            UpstreamConnection c = connection(session);
            if (message instanceof IoBuffer written) {
                c.tls().written(written);
            }
            UpstreamListener l = c.listener();
            if (l != null && session.getScheduledWriteBytes() < lowWaterMark) {
                l.upstreamDrained();
            }
        }

        @Override
        public void sessionIdle(IoSession session, IdleStatus status) {
            UpstreamConnection c = connection(session);
            if (c != null && c.listener() == null) {
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
            if (!c.ready.isDone()) {
                c.ready.completeExceptionally(new UpstreamFailure(502, "tls",
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
            c.ready.completeExceptionally(new UpstreamFailure(502, kind, cause, c.address()));
            c.session().closeNow();
        }

        private UpstreamConnection connection(IoSession session) {
            return (UpstreamConnection) session.getAttribute(CONNECTION);
        }

        private ProxyConnectStage tunnel(IoSession session) {
            return (ProxyConnectStage) session.getAttribute(TUNNEL);
        }
    }

    /** The CONNECT step's end: TLS with the intake inside the tunnel, or the proxy's failure for the agent. */
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
                String cause = "TLS handshake with " + c.describe() + " failed: " + UpstreamFailure.describe(e);
                c.noteCause(cause);
                c.ready.completeExceptionally(new UpstreamFailure(502, "tls", cause, c.address()));
                c.session().closeNow();
            }
        }

        @Override
        public void tunnelFailed(UpstreamFailure failure) {
            c.noteCause(failure.getMessage());
            c.ready.completeExceptionally(failure);
        }
    }

    /** Handshake failures in the words an operator searches for. */
    static String tlsReason(Throwable e) {
        String all = UpstreamFailure.describe(e);
        String lower = all.toLowerCase(java.util.Locale.ROOT);
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
