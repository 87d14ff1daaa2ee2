package io.fipsrelay.core.relay;

import io.fipsrelay.core.http.RequestPolicy;
import io.fipsrelay.core.metrics.RelayMetrics;
import io.fipsrelay.core.settings.RelaySettings;
import io.fipsrelay.core.tls.FipsServerTlsContext;
import io.fipsrelay.core.tls.FipsTlsContext;
import io.fipsrelay.core.upstream.FipsTlsConnector;
import io.fipsrelay.core.upstream.UpstreamFailure;
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
import java.util.Set;
import java.time.Duration;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.service.IoHandlerAdapter;
import org.apache.mina.core.session.AttributeKey;
import org.apache.mina.core.session.IdleStatus;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.transport.socket.nio.NioSocketAcceptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running relay core: one MINA acceptor with a listener per product port and one FIPS TLS
 * connector, sharing one set of I/O threads ({@link RelayWorkers}). An agent connection is placed
 * on a worker when accepted, and every upstream connection serving it is opened on that worker.
 */
public final class RelayEngine implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RelayEngine.class);
    private static final AttributeKey CLIENT = new AttributeKey(RelayEngine.class, "client");

    private volatile RelaySettings settings;
    private final RelayMetrics metrics;
    private final io.fipsrelay.core.audit.AuditTrail audit;
    private final RelayWorkers workers;
    private final ScheduledExecutorService timer;
    private final ExecutorService resolverThreads;
    private volatile UpstreamSide upstream;
    private final Set<AgentConnection> clients = ConcurrentHashMap.newKeySet();
    private final NioSocketAcceptor acceptor;
    /** What new exchanges use; a reload swaps it, exchanges in flight keep theirs. */
    private volatile RelayContext ctx;
    private final ListenerConnections listenerConnections;
    private final Map<Integer, RelaySettings.ProductSettings> byPort = new ConcurrentHashMap<>();
    private final Map<String, InetSocketAddress> bound = new ConcurrentHashMap<>();
    /** Makes "is the product still bound" and "attach the new connection" one step against unbind's drain. */
    private final Object binding = new Object();
    /** TLS towards agents as configured now; connections keep what they were accepted with. */
    private volatile AgentTls agentTls;
    private final AgentTls.Handshakes handshakes;
    private final ListenerMismatch mismatch;

    public RelayEngine(RelaySettings settings, FipsTlsContext tls, RelayMetrics metrics) {
        this(settings, tls, metrics, io.fipsrelay.core.audit.AuditTrail.NONE);
    }

    /** As above, reporting every upstream session and exchange to {@code audit} (issue 13). */
    public RelayEngine(RelaySettings settings, FipsTlsContext tls, RelayMetrics metrics, io.fipsrelay.core.audit.AuditTrail audit) {
        this(settings, tls, serverTls(settings), metrics, audit);
    }

    /**
     * As above with the agent-side TLS context already built from {@code listen.tls} (null: plain
     * listeners), as the server does to refuse bad files at start with their key path.
     */
    public RelayEngine(RelaySettings settings, FipsTlsContext tls, FipsServerTlsContext agentTls, RelayMetrics metrics,
                       io.fipsrelay.core.audit.AuditTrail audit) {
        this.agentTls = agentTls(settings, agentTls);
        this.handshakes = new AgentTls.Handshakes(metrics);
        this.mismatch = new ListenerMismatch(metrics);
        this.audit = audit;
        this.settings = settings;
        this.metrics = metrics;
        // Reads and TLS records come from per-thread pools and go back to them (see PooledBufferAllocator).
        PooledBufferAllocator.install();
        this.workers = new RelayWorkers(settings.relay().ioThreadCount());
        this.timer = Executors.newSingleThreadScheduledExecutor(daemon("fips-relay-timer"));
        // DNS lookups and health probes block: they get their own small pool, never an I/O thread.
        this.resolverThreads = Executors.newFixedThreadPool(2, daemon("fips-relay-lookup"));
        this.upstream = UpstreamSide.start(settings, tls, workers, timer, resolverThreads, metrics, audit);
        metrics.upstreamStates(() -> upstream.directory.states());
        this.ctx = context(settings, upstream);
        RelaySettings.Limits limits = settings.limits();
        this.listenerConnections = new ListenerConnections(limits.maxConnectionsPerListener());

        this.acceptor = new NioSocketAcceptor(workers);
        acceptor.setReuseAddress(true);
        // Removing a listener must not cut the exchanges it already has: they drain on their own.
        acceptor.setCloseOnDeactivation(false);
        acceptor.setBacklog(256);
        // MINA's service-wide byte counters take one lock shared by every I/O thread on each read and
        // write (IoServiceStatistics): the relay counts in its own metrics instead.
        acceptor.getStatistics().getConfig().setStatisticsCalcEnabled(false);
        acceptor.getSessionConfig().setTcpNoDelay(true);
        acceptor.getSessionConfig().setReadBufferSize(FipsTlsConnector.READ_BUFFER);
        acceptor.getSessionConfig().setMinReadBufferSize(FipsTlsConnector.READ_BUFFER);
        acceptor.getSessionConfig().setMaxReadBufferSize(FipsTlsConnector.READ_BUFFER);
        acceptor.getSessionConfig().setIdleTime(IdleStatus.READER_IDLE,
                (int) Math.max(1, limits.clientIdleTimeout().toSeconds()));
        acceptor.setHandler(new AgentHandler());
    }

    private RelayContext context(RelaySettings s, UpstreamSide side) {
        RelaySettings.Limits limits = s.limits();
        RequestPolicy policy = new RequestPolicy(limits.maxRequestLine(), limits.maxHeaderSection(),
                limits.maxHeaderFields(), limits.maxBody(), limits.allowedMethods());
        return new RelayContext(s, policy, side, metrics, ReplayBudget.split(s.upstream().replayBufferTotal(), workers.size()),
                audit);
    }

    /**
     * Applies a new, already validated configuration: new exchanges use it at once; exchanges in
     * flight finish on what they started with; listeners whose product kept its address and port
     * stay bound (their connections are untouched), others are closed or opened. Returns the
     * products whose listener could not be opened (they stay off).
     */
    public synchronized List<String> apply(RelaySettings next, FipsTlsContext tls) {
        return apply(next, tls, serverTls(next));
    }

    /**
     * As above with the agent-side TLS context built from the new {@code listen.tls} (a reload
     * re-reads certificate and key): new connections get it, open ones keep their session.
     */
    public synchronized List<String> apply(RelaySettings next, FipsTlsContext tls, FipsServerTlsContext nextAgentTls) {
        agentTls = agentTls(next, nextAgentTls);
        RelaySettings previous = settings;
        UpstreamSide old = upstream;
        upstream = UpstreamSide.start(next, tls, workers, timer, resolverThreads, metrics, audit);
        settings = next;
        ctx = context(next, upstream);
        old.retire(timer, next.shutdown().drainTimeout().toMillis());
        for (Map.Entry<String, InetSocketAddress> e : Map.copyOf(bound).entrySet()) {
            RelaySettings.ProductSettings p = next.products().get(e.getKey());
            if (p == null || !p.enabled() || p.port() != e.getValue().getPort()
                    || !next.listen().address().equals(previous.listen().address())) {
                unbind(e.getKey());
            }
        }
        List<String> failed = new ArrayList<>();
        for (RelaySettings.ProductSettings p : next.enabledProducts()) {
            byPort.put(p.port(), p);
            if (!bound.containsKey(p.id())) {
                try {
                    bind(p);
                } catch (BindFailure e) {
                    LOG.error(e.getMessage());
                    failed.add(p.id());
                }
            }
        }
        LOG.info("configuration applied: {} products listening", bound.size());
        return failed;
    }

    /**
     * The agent-side TLS context {@code listen.tls} asks for, or null when it is off. Throws with the
     * key path when a file is refused (for callers that did not check it first).
     */
    public static FipsServerTlsContext serverTls(RelaySettings settings) {
        RelaySettings.AgentTls agent = settings.listen().tls();
        if (!agent.enabled()) {
            return null;
        }
        try {
            return FipsServerTlsContext.create(agent, settings.tls());
        } catch (java.security.GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private static AgentTls agentTls(RelaySettings settings, FipsServerTlsContext context) {
        return context == null || !settings.listen().tls().enabled() ? AgentTls.OFF
                : new AgentTls(context, settings.listen().tls());
    }

    /** Agent TLS handshakes in progress now. */
    public int agentHandshakesInProgress() {
        return handshakes.inProgress();
    }

    /** The context new exchanges start with. */
    RelayContext currentContext() {
        return ctx;
    }

    public RelaySettings settings() {
        return settings;
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
        // Registered before the socket opens: a connection accepted at once must find its product.
        bound.put(p.id(), address);
        try {
            acceptor.bind(address);
        } catch (IOException | RuntimeException e) {
            bound.remove(p.id());
            byPort.remove(p.port());
            throw new BindFailure("cannot bind " + settings.listen().address() + ":" + p.port() + " for product " + p.id()
                    + ": " + UpstreamFailure.describe(e), e);
        }
        LOG.info("{} listening on {}:{} -> {}", p.id(), settings.listen().address(), p.port(),
                settings.serversFor(p, "/"));
    }

    /**
     * Stops accepting for one product; its open connections finish the exchange in progress and
     * then close (idle ones at once). Other products' connections are not touched.
     */
    public void unbind(String productId) {
        InetSocketAddress address = bound.get(productId);
        if (address == null) {
            return;
        }
        acceptor.unbind(address);
        int draining = 0;
        synchronized (binding) {
            bound.remove(productId);
            for (IoSession session : acceptor.getManagedSessions().values()) {
                AgentConnection c = client(session);
                if (c != null && localPort(session) == address.getPort() && c.productId().equals(productId)) {
                    c.worker.execute(c::drain);
                    draining++;
                }
            }
        }
        LOG.info("{} stopped listening on {} ({} open connection(s) finish their exchange, then close)",
                productId, address, draining);
    }

    /** Products that should be listening: enabled in the settings in force, or bound since (hot plug). */
    public List<RelaySettings.ProductSettings> expectedProducts() {
        Map<String, RelaySettings.ProductSettings> all = new java.util.TreeMap<>();
        settings.enabledProducts().forEach(p -> all.put(p.id(), p));
        byPort.values().stream().filter(p -> bound.containsKey(p.id())).forEach(p -> all.put(p.id(), p));
        return all.values().stream().sorted(java.util.Comparator.comparingInt(RelaySettings.ProductSettings::port)).toList();
    }

    public Map<String, InetSocketAddress> boundAddresses() {
        return Map.copyOf(bound);
    }

    public RelayMetrics metrics() {
        return metrics;
    }

    /**
     * Graceful stop: no new connections, connections between requests closed, exchanges in flight
     * given up to {@code timeout} to finish. Returns whether everything finished in time.
     */
    public boolean drain(Duration timeout) throws InterruptedException {
        for (String id : List.copyOf(bound.keySet())) {
            unbind(id);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (clients.isEmpty()) {
                LOG.info("drained: every exchange finished");
                return true;
            }
            if (System.nanoTime() - deadline > 0) {
                LOG.warn("drain timeout: {} exchanges still in flight are cut", clients.size());
                return false;
            }
            Thread.sleep(50);
        }
    }

    /** Exchanges in flight or connections open, for drain and status. */
    public int openClientConnections() {
        return clients.size();
    }

    @Override
    public void close() {
        for (String id : List.copyOf(bound.keySet())) {
            unbind(id);
        }
        acceptor.dispose(false);
        upstream.close();
        workers.dispose();
        timer.shutdownNow();
        resolverThreads.shutdownNow();
    }

    /** Every agent session's events, on the session's worker. */
    private final class AgentHandler extends IoHandlerAdapter {
        @Override
        public void sessionCreated(IoSession session) {
            int port = localPort(session);
            synchronized (binding) {
                RelaySettings.ProductSettings p = byPort.get(port);
                InetSocketAddress address = p == null ? null : bound.get(p.id());
                if (address == null || address.getPort() != port) {
                    // Accepted in the instant before its listener was unbound: unbind has drained already.
                    session.closeNow();
                    return;
                }
                if (!listenerConnections.tryOpen(p.id())) {
                    metrics.product(p.id()).error("connection-cap");
                    session.closeNow();
                    return;
                }
                AgentTls tls = agentTls;
                if (tls.enabled() && !handshakes.tryBegin(tls.settings().maxHandshakes())) {
                    listenerConnections.closed(p.id());
                    session.closeNow();
                    return;
                }
                RelayWorker worker = RelayWorkers.of(session);
                AgentConnection c;
                if (tls.enabled()) {
                    TlsAgentSocket socket = new TlsAgentSocket(session, tls.context().newServerEngine(), worker, handshakes,
                            mismatch, metrics);
                    c = new AgentConnection(socket, worker, p, RelayEngine.this::currentContext);
                    socket.start(c, tls.settings().handshakeTimeout());
                } else {
                    PlainAgentSocket socket = new PlainAgentSocket(session, mismatch);
                    c = new AgentConnection(socket, worker, p, RelayEngine.this::currentContext);
                    socket.attach(c);
                }
                session.setAttribute(CLIENT, c);
                clients.add(c);
                metrics.product(p.id()).activeConnections.inc();
            }
        }

        @Override
        public void messageReceived(IoSession session, Object message) {
            AgentConnection c = client(session);
            if (c != null) {
                c.socket.received((IoBuffer) message);
            } else {
                ((IoBuffer) message).free();
            }
        }

        @Override
        public void messageSent(IoSession session, Object message) {
            if (message instanceof IoBuffer written) {
                RelayWorkers.of(session).freeWhenWritten(written);
            }
            AgentConnection c = client(session);
            if (c != null) {
                c.drained();
            }
        }

        @Override
        public void sessionIdle(IoSession session, IdleStatus status) {
            AgentConnection c = client(session);
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
            AgentConnection c = client(session);
            if (c != null) {
                c.socket.closed();
                c.closed();
                clients.remove(c);
                metrics.product(c.productId()).activeConnections.dec();
                listenerConnections.closed(c.productId());
            }
        }
    }

    private static AgentConnection client(IoSession session) {
        return (AgentConnection) session.getAttribute(CLIENT);
    }

    private static int localPort(IoSession session) {
        return ((InetSocketAddress) session.getLocalAddress()).getPort();
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
