package io.fipsrelay.core.metrics;

import com.codahale.metrics.Counter;
import com.codahale.metrics.LockFreeExponentiallyDecayingReservoir;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The relay's Dropwizard metrics, named {@code fips-relay.<product>.<what>} (DESIGN.md). Per-product
 * handles are looked up once per connection, so the hot path only touches lock-free counters: meters
 * are LongAdders, and the latency timer uses the lock-free reservoir (the default one takes a
 * read-write lock on every update, which all connections of a product would share).
 */
public final class RelayMetrics {

    private final MetricRegistry registry;
    private final Map<String, ProductMetrics> products = new ConcurrentHashMap<>();
    private final AtomicLong maxBufferedPerExchange = new AtomicLong();
    private final Meter handshakes;
    private final Map<String, Meter> handshakesBySuite = new ConcurrentHashMap<>();
    private final Meter agentHandshakes;
    private final Map<String, Meter> agentHandshakesBySuite = new ConcurrentHashMap<>();
    private final Map<String, Meter> agentHandshakeFailures = new ConcurrentHashMap<>();
    private volatile java.util.function.Supplier<java.util.List<UpstreamAddressState>> upstreamStates = java.util.List::of;

    public RelayMetrics(MetricRegistry registry) {
        this.registry = registry;
        this.handshakes = registry.meter("fips-relay.tls.handshakes");
        this.agentHandshakes = registry.meter("fips-relay.agent-tls.handshakes");
        registry.gauge("fips-relay.relay.max-buffered-bytes-per-exchange", () -> maxBufferedPerExchange::get);
        registry.gauge("fips-relay.upstreams.up", () -> () -> upstreamStates().stream().filter(UpstreamAddressState::up).count());
        registry.gauge("fips-relay.upstreams.down", () -> () -> upstreamStates().stream().filter(s -> !s.up()).count());
    }

    public MetricRegistry registry() {
        return registry;
    }

    public ProductMetrics product(String id) {
        return products.computeIfAbsent(id, k -> new ProductMetrics(registry, "fips-relay." + k + "."));
    }

    /** A product's instruments if it has them, without making any: for readers, who must not bring back a retired product. */
    public java.util.Optional<ProductMetrics> existing(String id) {
        return java.util.Optional.ofNullable(products.get(id));
    }

    /** The products that have instruments so far (one per product that was ever bound or sampled). */
    public java.util.Set<String> productIds() {
        return java.util.Set.copyOf(products.keySet());
    }

    /**
     * Drops a product's instruments from the registry (and so from JMX, /metrics and the status
     * page) once it has no open agent connection: what a removed plugin leaves behind. Only for a
     * product that no longer listens (no accept can count a new connection in). A connection
     * counts itself in at accept and out at close, so with none open no exchange can still reach
     * for these handles; a product that comes back later starts from zero (a counter reset,
     * which Prometheus' rate() handles).
     *
     * @return true when the product is gone (retired now, or never had instruments)
     */
    public boolean retireIfIdle(String id) {
        ProductMetrics p = products.get(id);
        if (p == null) {
            return true;
        }
        if (p.activeConnections.getCount() != 0 || !products.remove(id, p)) {
            return false;
        }
        registry.removeMatching((name, metric) -> name.startsWith(p.prefix));
        return true;
    }

    /** Records a measured figure of bytes held for one exchange (both directions, all buffers). */
    public void observeBuffered(long bytes) {
        if (bytes > maxBufferedPerExchange.get()) { // a plain read on almost every call: no contended write per request
            maxBufferedPerExchange.accumulateAndGet(bytes, Math::max);
        }
    }

    public long maxBufferedPerExchange() {
        return maxBufferedPerExchange.get();
    }

    public void resetMaxBuffered() {
        maxBufferedPerExchange.set(0);
    }

    public void handshakeCompleted(String protocol, String suite) {
        handshakes.mark();
        handshakesBySuite.computeIfAbsent(protocol + "." + suite,
                k -> registry.meter("fips-relay.tls.handshakes." + k)).mark();
    }

    /** An agent's TLS handshake on a product listener ({@code listen.tls}) completed. */
    public void agentHandshakeCompleted(String protocol, String suite) {
        agentHandshakes.mark();
        agentHandshakesBySuite.computeIfAbsent(protocol + "." + suite,
                k -> registry.meter("fips-relay.agent-tls.handshakes." + k)).mark();
    }

    /** An agent's TLS handshake failed, by cause ({@code HandshakeFailureCause}, timeout, too-many-handshakes, ...). */
    public void agentHandshakeFailed(String cause) {
        agentHandshakeFailures.computeIfAbsent(cause, k -> registry.meter("fips-relay.agent-tls.failures." + k)).mark();
    }

    public long agentHandshakes() {
        return agentHandshakes.getCount();
    }

    /** Failed agent handshakes so far by cause (only causes that happened). */
    public Map<String, Long> agentHandshakeFailures() {
        Map<String, Long> counts = new java.util.TreeMap<>();
        agentHandshakeFailures.forEach((cause, meter) -> counts.put(cause, meter.getCount()));
        return counts;
    }

    /** Where the upstream pool publishes its address states (status pages read them). */
    public void upstreamStates(java.util.function.Supplier<java.util.List<UpstreamAddressState>> source) {
        this.upstreamStates = source;
    }

    public java.util.List<UpstreamAddressState> upstreamStates() {
        return upstreamStates.get();
    }

    public long handshakes() {
        return handshakes.getCount();
    }

    /** One product's instruments. */
    public static final class ProductMetrics {
        public final Meter requests;
        public final Meter requestBytes;
        public final Meter responseBytes;
        public final Timer upstreamLatency;
        public final Counter activeConnections;
        /** Requests sent through the egress proxy's CONNECT tunnels (its failures count as errors.proxy-*). */
        public final Meter proxiedRequests;
        private final Meter[] responses = new Meter[6];
        private final Map<String, Meter> errors = new ConcurrentHashMap<>();
        private final MetricRegistry registry;
        private final String prefix;

        ProductMetrics(MetricRegistry registry, String prefix) {
            this.registry = registry;
            this.prefix = prefix;
            requests = registry.meter(prefix + "requests");
            requestBytes = registry.meter(prefix + "request-bytes");
            responseBytes = registry.meter(prefix + "response-bytes");
            upstreamLatency = registry.timer(prefix + "upstream-latency",
                    () -> new Timer(LockFreeExponentiallyDecayingReservoir.builder().build()));
            activeConnections = registry.counter(prefix + "connections.active");
            proxiedRequests = registry.meter(prefix + "proxy.requests");
            for (int i = 2; i <= 5; i++) {
                responses[i] = registry.meter(prefix + "responses." + i + "xx");
            }
        }

        public void response(int status) {
            int klass = status / 100;
            if (klass >= 2 && klass <= 5) {
                responses[klass].mark();
            }
        }

        public void error(String cause) {
            errors.computeIfAbsent(cause, c -> registry.meter(prefix + "errors." + c)).mark();
        }

        /** Answers of one status class so far (2 for 2xx .. 5 for 5xx). */
        public long responses(int statusClass) {
            return responses[statusClass].getCount();
        }

        /** Errors so far by cause (only causes that happened). */
        public Map<String, Long> errorCounts() {
            Map<String, Long> counts = new java.util.TreeMap<>();
            errors.forEach((cause, meter) -> counts.put(cause, meter.getCount()));
            return counts;
        }
    }
}
