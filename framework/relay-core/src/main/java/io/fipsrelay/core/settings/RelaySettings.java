package io.fipsrelay.core.settings;

import io.fipsrelay.api.Product;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The whole validated configuration of a relay: nothing but {@link SettingsLoader} reads HOCON.
 * One record per block of reference.conf, named after it; ranges and relations are in {@link Bounds}
 * and the loader. {@code proxy} is the {@code upstream.proxy} block (kept out of {@link Upstream} so
 * that the egress proxy stays one self-contained record, read by {@link ProxySettingsReader}).
 */
public record RelaySettings(
        String site,
        Listen listen,
        Tls tls,
        Upstream upstream,
        Dns dns,
        Relay relay,
        Limits limits,
        Map<String, ProductSettings> products,
        Shutdown shutdown,
        Status status,
        Revocation revocation,
        ProxySettings proxy) {


    /** Whether the status port (port-range-start + 0) is served. */
    public boolean statusEnabled() {
        return status.enabled();
    }

    public record Listen(String address, int portRangeStart, AgentTls tls) {
        public int statusPort() {
            return portRangeStart;
        }
    }

    /**
     * {@code listen.tls}: TLS towards the agents on the product listeners.
     *
     * @param clientCaFile null: no client certificate is asked for; else agents need one issued by these CAs
     */
    public record AgentTls(boolean enabled, Path certFile, Path keyFile, Path clientCaFile, Duration handshakeTimeout,
                           int maxHandshakes) {
        public static final AgentTls OFF = new AgentTls(false, null, null, null, Duration.ofSeconds(10), 256);

        public boolean mutual() {
            return enabled && clientCaFile != null;
        }
    }

    /** {@code tls.revocation}: checking of the intakes' certificates after the handshake. */
    public record Revocation(Mode mode, boolean ocspStapling, boolean fetch, Duration timeout, Duration cache) {
        public enum Mode {
            OFF, SOFT_FAIL, HARD_FAIL;

            /** The setting's spelling ("soft-fail"). */
            public String setting() {
                return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
            }
        }

        public static final Revocation OFF = new Revocation(Mode.OFF, false, false, Duration.ofSeconds(5), Duration.ZERO);

        /** The configuration in an operator's words (reports, logs). */
        public String describe() {
            if (mode == Mode.OFF) {
                return "off";
            }
            return mode.setting() + " (" + (ocspStapling ? "stapled OCSP" : "no stapled OCSP")
                    + (fetch ? ", fetched OCSP/CRL" : ", no fetching") + ", timeout " + timeout.toMillis() + " ms, cache "
                    + cache.toSeconds() + " s)";
        }
    }

    public record Tls(List<String> protocols, List<String> cipherSuites, List<String> namedGroups,
                      String caFileSetting, Path caFile, Duration handshakeTimeout) {
    }

    public record Upstream(int port, Duration connectTimeout, Duration responseTimeout, Duration idleTimeout,
                           int maxIdlePerHost, int retries, boolean resendUnansweredPosts, int replayBuffer,
                           long replayBufferTotal, Health health) {
    }

    /** Active and passive health checking of intake addresses (HAProxy's inter/fall/rise). */
    public record Health(Duration interval, int fall, int rise, int tlsEvery) {
    }

    public record Dns(Map<String, String> hosts, Duration refresh, int maxAddresses, boolean preferIpv4) {
    }

    /**
     * The status port and the observability around it.
     *
     * @param sampleInterval how often product throughput is sampled into the history
     * @param history how far back the kept throughput history reaches
     */
    public record Status(boolean enabled, boolean jmx, Duration sampleInterval, Duration history) {
        /** Points of history kept per product. */
        public int historySamples() {
            return (int) Math.max(1, history.toMillis() / sampleInterval.toMillis());
        }
    }

    /**
     * The {@code relay} block: flow control of one relayed exchange, and the I/O threads that carry them.
     *
     * @param ioThreads I/O threads as configured; 0 means one per available processor
     */
    public record Relay(int highWaterMark, int lowWaterMark, int ioThreads) {
        /** The I/O threads to run. */
        public int ioThreadCount() {
            return ioThreads > 0 ? ioThreads : Runtime.getRuntime().availableProcessors();
        }
    }

    /** The {@code shutdown} block: how SIGTERM ends the relay. */
    public record Shutdown(Duration drainTimeout) {
    }

    /** What an agent request may be (docs/http-policy.md). */
    public record Limits(int maxRequestLine, int maxHeaderSection, int maxHeaderFields, long maxBody,
                         Set<String> allowedMethods, Duration headerTimeout, Duration clientIdleTimeout,
                         int maxConnectionsPerListener) {
    }

    /**
     * One product as configured.
     *
     * @param servers the operator's explicit servers for the product's main host, empty for the default
     */
    public record ProductSettings(Product product, boolean enabled, int port, List<HostAndPort> servers) {
        public String id() {
            return product.id();
        }
    }

    /** Products that get a listener, in port order. */
    public List<ProductSettings> enabledProducts() {
        return products.values().stream().filter(ProductSettings::enabled)
                .sorted(java.util.Comparator.comparingInt(ProductSettings::port)).toList();
    }

    public Optional<ProductSettings> product(String id) {
        return Optional.ofNullable(products.get(id));
    }

    /** The intake host name for a product host prefix on this site. */
    public String hostFor(String hostPrefix) {
        return hostPrefix + "." + site;
    }

    /** Every intake server any enabled product may send to (health checks watch these). */
    public java.util.Set<HostAndPort> allServers() {
        java.util.Set<HostAndPort> all = new java.util.LinkedHashSet<>();
        for (ProductSettings p : enabledProducts()) {
            all.addAll(p.servers().isEmpty() ? List.of(new HostAndPort(hostFor(p.product().hostPrefix()), upstream.port()))
                    : p.servers());
            for (String prefix : p.product().allHostPrefixes()) {
                if (!prefix.equals(p.product().hostPrefix())) {
                    all.add(new HostAndPort(hostFor(prefix), upstream.port()));
                }
            }
        }
        return all;
    }

    /** The intake servers a request of this product to this path goes to. */
    public List<HostAndPort> serversFor(ProductSettings product, String path) {
        String prefix = product.product().hostPrefixFor(path);
        if (prefix.equals(product.product().hostPrefix()) && !product.servers().isEmpty()) {
            return product.servers();
        }
        return List.of(new HostAndPort(hostFor(prefix), upstream.port()));
    }
}
