package io.fipsrelay.server.status;

import io.fipsrelay.core.metrics.UpstreamAddressState;
import java.util.List;
import java.util.Map;

/**
 * Everything the dashboard shows, as served on /status.json. Byte figures are bytes, times are
 * epoch milliseconds or the unit their name says.
 */
public record StatusDocument(Relay relay, Health health, Fips fips, List<Product> products, List<Plugin> plugins,
                             List<PluginInventory.Refused> refusedPlugins, List<PluginEvent> pluginEvents,
                             List<UpstreamAddressState> upstreams, Tls tls, Jvm jvm, History history,
                             Certificates certificates) {

    /**
     * When the certificates the relay depends on expire (not a health matter: /healthz ignores it).
     *
     * @param trustBundle the CA bundle the intakes are verified against
     * @param intakes each intake address's leaf certificate as last seen, soonest expiry first
     * @param anchorsUsed the bundle's anchors that handshakes chained to, soonest expiry first
     */
    public record Certificates(String trustBundle, List<IntakeCertificate> intakes, List<Anchor> anchorsUsed) {
        public static final Certificates NONE = new Certificates("", List.of(), List.of());

        public static Certificates of(io.fipsrelay.core.tls.CertificateExpiry expiry) {
            return new Certificates(expiry.bundle(),
                    expiry.intakes().stream().map(c -> new IntakeCertificate(c.server(), c.address(), c.subject(),
                            c.notAfter().toString(), c.notAfter().toEpochMilli(), c.daysLeft())).toList(),
                    expiry.anchorsUsed().stream().map(a -> new Anchor(a.subject(), a.notAfter().toString(),
                            a.notAfter().toEpochMilli(), a.daysLeft())).toList());
        }
    }

    /** An intake address's leaf certificate: notAfter as ISO-8601 and epoch milliseconds. */
    public record IntakeCertificate(String server, String address, String subject, String notAfter, long notAfterMillis,
                                    long daysLeft) {
    }

    public record Anchor(String subject, String notAfter, long notAfterMillis, long daysLeft) {
    }

    public record Relay(String version, String site, String listenAddress, int statusPort, long startedAtMillis,
                        long generatedAtMillis, long uptimeSeconds, double sampleIntervalSeconds) {
    }

    public record Health(boolean healthy, List<String> reasons) {
    }

    public record Fips(String moduleVersion, String jsseVersion, String cmvpCertificate, boolean ready,
                       boolean approvedOnly, String selfTest, String nativeVariant, String nativeFeatures,
                       long startupMillis, List<String> protocols, List<String> cipherSuites) {
    }

    /**
     * One product: its listener, its rates over the last sample interval, totals since start,
     * upstream latency (recent-weighted percentiles) and the intake addresses it sends to.
     *
     * @param plugin the id of the plugin serving it; null when it comes from no plugin
     */
    public record Product(String id, String plugin, Integer port, boolean listening, List<String> servers, Now now, Totals totals,
                          Latency latency, long activeConnections, List<UpstreamAddressState> upstreams) {
    }

    /**
     * One loaded plugin, what identifies its jar, and its products' figures together: rates summed
     * over the last interval, totals summed since start, latency percentiles over all its products'
     * requests (see {@link MergedLatency}).
     *
     * @param loadedBy {@code start} or {@code hot-plug}
     */
    public record Plugin(String id, String version, String jar, String jarSha256, long loadedAtMillis, String loadedBy,
                         List<String> products, Now now, Totals totals, Latency latency, long activeConnections) {
    }

    /** @param errorRate share of requests answered 5xx in the interval; null without requests */
    public record Now(double requestsPerSecond, double bytesInPerSecond, double bytesOutPerSecond, Double errorRate) {
    }

    public record Totals(long requests, long bytesIn, long bytesOut, Map<String, Long> responses, Map<String, Long> errors) {
    }

    public record Latency(long count, double p50Millis, double p99Millis) {
    }

    /** @param handshakes completed upstream TLS handshakes by "protocol suite" */
    public record Tls(long total, Map<String, Long> handshakes) {
    }

    public record Jvm(String runtime, long heapUsedBytes, long heapMaxBytes, int threads) {
    }

    /**
     * The kept samples: one time axis and, per product, one value per time; per loaded plugin, the
     * sum of its products' series.
     */
    public record History(long[] times, Map<String, Series> products, Map<String, Series> plugins) {
    }

    public record Series(double[] requestsPerSecond, double[] bytesInPerSecond, double[] bytesOutPerSecond) {
    }
}
