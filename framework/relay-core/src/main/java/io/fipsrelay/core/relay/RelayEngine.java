package io.fipsrelay.core.relay;

import io.fipsrelay.core.http.RequestPolicy;
import io.fipsrelay.core.metrics.RelayMetrics;
import io.fipsrelay.core.settings.RelaySettings;
import io.fipsrelay.core.tls.FipsTlsContext;
import io.fipsrelay.core.upstream.FipsTlsConnector;
import io.fipsrelay.core.upstream.HostResolver;
import io.fipsrelay.core.upstream.UpstreamFailure;
import io.fipsrelay.core.upstream.UpstreamPool;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.service.IoHandlerAdapter;
import org.apache.mina.core.service.SimpleIoProcessorPool;
import org.apache.mina.core.session.AttributeKey;
import org.apache.mina.core.session.IdleStatus;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.transport.socket.nio.NioSession;
import org.apache.mina.transport.socket.nio.NioSocketAcceptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running relay core: one MINA acceptor with a listener per product port, one FIPS TLS
 * connector and upstream pool, sharing one set of I/O threads.
 */
public final class RelayEngine implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RelayEngine.class);
    private static final AttributeKey CLIENT = new AttributeKey(RelayEngine.class, "client");

    private final RelaySettings settings;
    private final RelayMetrics metrics;
    private final SimpleIoProcessorPool<NioSession> processors;
    private final ScheduledExecutorService timer;
    private final ExecutorService resolverThreads;
    private final FipsTlsConnector connector;
    private final UpstreamPool pool;
    private final NioSocketAcceptor acceptor;
    private final RelayContext ctx;
    private final ListenerConnections listenerConnections;
    private final Map<Integer, RelaySettings.ProductSettings> byPort = new ConcurrentHashMap<>();
    private final Map<String, InetSocketAddress> bound = new ConcurrentHashMap<>();

    public RelayEngine(RelaySettings settings, FipsTlsContext tls, RelayMetrics metrics) {
        this.settings = settings;
        this.metrics = metrics;
        this.processors = new SimpleIoProcessorPool<>(WakingNioProcessor.class, Runtime.getRuntime().availableProcessors());
        this.timer = Executors.newSingleThreadScheduledExecutor(daemon("fips-relay-timer"));
        this.resolverThreads = Executors.newFixedThreadPool(2, daemon("fips-relay-dns"));
        RelaySettings.Upstream up = settings.upstream();
        this.connector = new FipsTlsConnector(tls, processors, timer, up.connectTimeout(), settings.tls().handshakeTimeout(),
                up.idleTimeout(), settings.relay().lowWaterMark(), metrics);
        HostResolver resolver = new HostResolver(settings.dns().hosts(), settings.dns().refresh(), resolverThreads);
        this.pool = new UpstreamPool(connector, resolver, up.maxIdlePerHost(), up.idleTimeout());
        RelaySettings.Limits limits = settings.limits();
        RequestPolicy policy = new RequestPolicy(limits.maxRequestLine(), limits.maxHeaderSection(),
                limits.maxHeaderFields(), limits.maxBody(), limits.allowedMethods());
        this.ctx = new RelayContext(settings, policy, pool, metrics, timer);
        this.listenerConnections = new ListenerConnections(limits.maxConnectionsPerListener());

        this.acceptor = new NioSocketAcceptor(processors);
        acceptor.setReuseAddress(true);
        // Removing a listener must not cut the exchanges it already has: they drain on their own.
        acceptor.setCloseOnDeactivation(false);
        acceptor.setBacklog(256);
        acceptor.getSessionConfig().setTcpNoDelay(true);
        acceptor.getSessionConfig().setReadBufferSize(64 * 1024);
        acceptor.getSessionConfig().setMaxReadBufferSize(128 * 1024);
        acceptor.getSessionConfig().setIdleTime(IdleStatus.READER_IDLE,
                (int) Math.max(1, limits.clientIdleTimeout().toSeconds()));
        acceptor.setHandler(new ClientHandler());
    }

    /** Binds every enabled product, or none: on a failure what was bound is released. */
    public void bindAll(List<RelaySettings.ProductSettings> products) throws BindFailure {
        List<String> done = new ArrayList<>();
        try {
            for (RelaySettings.ProductSettings p : products) {
                bind(p);
                done.add(p.id());
            }
        } catch (BindFailure e) {
            done.forEach(this::unbind);
            throw e;
        }
    }

    /** Opens one product's listener. */
    public void bind(RelaySettings.ProductSettings p) throws BindFailure {
        InetSocketAddress address = new InetSocketAddress(settings.listen().address(), p.port());
        byPort.put(p.port(), p);
        try {
            acceptor.bind(address);
        } catch (IOException | RuntimeException e) {
            byPort.remove(p.port());
            throw new BindFailure("cannot bind " + settings.listen().address() + ":" + p.port() + " for product " + p.id()
                    + ": " + UpstreamFailure.describe(e), e);
        }
        bound.put(p.id(), address);
        LOG.info("{} listening on {}:{} -> {}", p.id(), settings.listen().address(), p.port(),
                settings.serversFor(p, "/"));
    }

    /** Stops accepting for one product; its open connections finish their exchanges. */
    public void unbind(String productId) {
        InetSocketAddress address = bound.remove(productId);
        if (address != null) {
            acceptor.unbind(address);
            LOG.info("{} stopped listening on {}", productId, address);
        }
    }

    public Map<String, InetSocketAddress> boundAddresses() {
        return Map.copyOf(bound);
    }

    public RelayMetrics metrics() {
        return metrics;
    }

    public UpstreamPool pool() {
        return pool;
    }

    @Override
    public void close() {
        for (String id : List.copyOf(bound.keySet())) {
            unbind(id);
        }
        acceptor.dispose(false);
        pool.close();
        connector.close();
        processors.dispose();
        timer.shutdownNow();
        resolverThreads.shutdownNow();
    }

    private final class ClientHandler extends IoHandlerAdapter {
        @Override
        public void sessionCreated(IoSession session) {
            int port = ((InetSocketAddress) session.getLocalAddress()).getPort();
            RelaySettings.ProductSettings p = byPort.get(port);
            if (p == null) {
                session.closeNow();
                return;
            }
            if (!listenerConnections.tryOpen(p.id())) {
                metrics.product(p.id()).error("connection-cap");
                session.closeNow();
                return;
            }
            session.setAttribute(CLIENT, new ClientConnection(session, p, ctx));
            metrics.product(p.id()).activeConnections.inc();
        }

        @Override
        public void messageReceived(IoSession session, Object message) {
            ClientConnection c = client(session);
            if (c != null) {
                c.clientData((IoBuffer) message);
            }
        }

        @Override
        public void messageSent(IoSession session, Object message) {
            ClientConnection c = client(session);
            if (c != null) {
                c.clientDrained();
            }
        }

        @Override
        public void sessionIdle(IoSession session, IdleStatus status) {
            ClientConnection c = client(session);
            if (c != null && c.betweenRequests()) {
                session.closeNow();
            }
        }

        @Override
        public void exceptionCaught(IoSession session, Throwable cause) {
            LOG.debug("client connection {} failed: {}", session.getRemoteAddress(), cause.toString());
            session.closeNow();
        }

        @Override
        public void sessionClosed(IoSession session) {
            ClientConnection c = client(session);
            if (c != null) {
                c.clientClosed();
                metrics.product(c.productId()).activeConnections.dec();
                listenerConnections.closed(c.productId());
            }
        }

        private ClientConnection client(IoSession session) {
            return (ClientConnection) session.getAttribute(CLIENT);
        }
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
