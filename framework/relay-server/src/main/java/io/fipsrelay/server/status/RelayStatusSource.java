package io.fipsrelay.server.status;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Snapshot;
import io.fipsrelay.core.fips.FipsReadiness;
import io.fipsrelay.core.fips.FipsReport;
import io.fipsrelay.core.metrics.JvmGauges;
import io.fipsrelay.core.metrics.RelayMetrics;
import io.fipsrelay.core.metrics.UpstreamAddressState;
import io.fipsrelay.core.metrics.UpstreamStateGauges;
import io.fipsrelay.core.settings.HostAndPort;
import io.fipsrelay.core.settings.RelaySettings;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/** Reads the relay's live state into one {@link StatusDocument}. */
public final class RelayStatusSource {

    private static final String HANDSHAKES_PREFIX = "fips-relay.tls.handshakes.";

    private final RelaySettings settings;
    private final FipsReport fips;
    private final RelayMetrics metrics;
    private final Supplier<List<RelaySettings.ProductSettings>> expected;
    private final Supplier<Map<String, InetSocketAddress>> bound;
    private final ThroughputHistory history;
    private final UpstreamStateGauges upstreams;
    private final RelayHealth health;
    private final PluginInventory plugins;
    private final PluginSummaries pluginSummaries;
    private final long startedAtMillis = System.currentTimeMillis();
    private Supplier<StatusDocument.Certificates> certificates = () -> StatusDocument.Certificates.NONE;

    public RelayStatusSource(RelaySettings settings, FipsReport fips, RelayMetrics metrics,
                             Supplier<List<RelaySettings.ProductSettings>> expected,
                             Supplier<Map<String, InetSocketAddress>> bound, ThroughputHistory history,
                             UpstreamStateGauges upstreams, RelayHealth health, PluginInventory plugins) {
        this.settings = settings;
        this.fips = fips;
        this.metrics = metrics;
        this.expected = expected;
        this.bound = bound;
        this.history = history;
        this.upstreams = upstreams;
        this.health = health;
        this.plugins = plugins;
        this.pluginSummaries = new PluginSummaries(metrics);
    }

    /** Where the certificate expiry listing comes from. */
    public RelayStatusSource certificates(Supplier<StatusDocument.Certificates> source) {
        this.certificates = source;
        return this;
    }

    public StatusDocument current() {
        long now = System.currentTimeMillis();
        List<UpstreamAddressState> states = upstreams.refresh();
        RelayHealth.Verdict verdict = health.check();
        List<ThroughputSample> samples = history.samples();
        ThroughputSample latest = samples.isEmpty() ? null : samples.get(samples.size() - 1);

        Map<String, RelaySettings.ProductSettings> configured = new LinkedHashMap<>();
        expected.get().forEach(p -> configured.put(p.id(), p));
        Set<String> ids = new LinkedHashSet<>(configured.keySet());
        new java.util.TreeSet<>(metrics.productIds()).forEach(ids::add);
        Map<String, InetSocketAddress> listening = bound.get();
        List<PluginInventory.Plugin> loaded = plugins.plugins();
        Map<String, String> owners = plugins.productOwners();

        List<StatusDocument.Product> products = new ArrayList<>();
        for (String id : ids) {
            RelaySettings.ProductSettings p = configured.get(id);
            // A product that should listen gets instruments; any other is read only if it still has them
            // (the sampler may retire a removed plugin's product meanwhile).
            RelayMetrics.ProductMetrics m = p != null ? metrics.product(id) : metrics.existing(id).orElse(null);
            if (m == null) {
                continue;
            }
            List<String> servers = p == null ? List.of() : servers(p);
            ProductRates rates = latest == null ? ProductRates.IDLE : latest.rates(id);
            products.add(product(id, m, owners.get(id), p, listening.containsKey(id), servers, rates,
                    states.stream().filter(s -> servers.contains(s.server())).toList()));
        }

        return new StatusDocument(
                new StatusDocument.Relay(version(), settings.site(), settings.listen().address(),
                        settings.listen().statusPort(), startedAtMillis, now, (now - startedAtMillis) / 1000,
                        settings.status().sampleInterval().toMillis() / 1000.0),
                new StatusDocument.Health(verdict.healthy(), verdict.reasons()),
                new StatusDocument.Fips(fips.moduleVersion(), fips.jsseVersion(), FipsReport.CMVP_CERTIFICATE,
                        FipsReadiness.ready(), fips.approvedOnly(), fips.selfTestStatus(), fips.nativeVariant(),
                        fips.nativeFeatures(), fips.startupMillis(), settings.tls().protocols(), settings.tls().cipherSuites()),
                products, pluginSummaries.summaries(loaded, products, latest), plugins.refused(), plugins.events(),
                states, tls(), jvm(), history(samples, ids, loaded), certificates.get());
    }

    private StatusDocument.Product product(String id, RelayMetrics.ProductMetrics m, String plugin,
                                           RelaySettings.ProductSettings p, boolean listening,
                                           List<String> servers, ProductRates rates, List<UpstreamAddressState> states) {
        Map<String, Long> responses = new LinkedHashMap<>();
        for (int klass = 2; klass <= 5; klass++) {
            responses.put(klass + "xx", m.responses(klass));
        }
        Snapshot latency = m.upstreamLatency.getSnapshot();
        return new StatusDocument.Product(id, plugin, p == null ? null : p.port(), listening, servers,
                new StatusDocument.Now(rates.requestsPerSecond(), rates.bytesInPerSecond(), rates.bytesOutPerSecond(),
                        rates.errorRate()),
                new StatusDocument.Totals(m.requests.getCount(), m.requestBytes.getCount(), m.responseBytes.getCount(),
                        responses, m.errorCounts()),
                new StatusDocument.Latency(m.upstreamLatency.getCount(), latency.getMedian() / 1e6,
                        latency.get99thPercentile() / 1e6),
                m.activeConnections.getCount(), states);
    }

    /** Every intake server the product can send to: its own host (or the operator's servers) and its routes' hosts. */
    private List<String> servers(RelaySettings.ProductSettings p) {
        List<String> out = new ArrayList<>();
        for (String prefix : p.product().allHostPrefixes()) {
            if (prefix.equals(p.product().hostPrefix()) && !p.servers().isEmpty()) {
                p.servers().forEach(s -> out.add(s.toString()));
            } else {
                out.add(new HostAndPort(settings.hostFor(prefix), settings.upstream().port()).toString());
            }
        }
        return out;
    }

    private StatusDocument.Tls tls() {
        Map<String, Long> bySuite = new TreeMap<>();
        long total = 0;
        for (Map.Entry<String, Meter> e : metrics.registry().getMeters((name, m) -> name.startsWith(HANDSHAKES_PREFIX)).entrySet()) {
            String protocolAndSuite = e.getKey().substring(HANDSHAKES_PREFIX.length());
            int dot = protocolAndSuite.lastIndexOf('.');
            bySuite.put(protocolAndSuite.substring(0, dot) + " " + protocolAndSuite.substring(dot + 1), e.getValue().getCount());
            total += e.getValue().getCount();
        }
        return new StatusDocument.Tls(total, bySuite);
    }

    private StatusDocument.Jvm jvm() {
        MetricRegistry registry = metrics.registry();
        return new StatusDocument.Jvm(System.getProperty("java.vm.name") + " " + Runtime.version(),
                number(registry, JvmGauges.HEAP_USED), number(registry, JvmGauges.HEAP_MAX),
                (int) number(registry, JvmGauges.THREADS));
    }

    private static long number(MetricRegistry registry, String name) {
        Gauge<?> g = registry.getGauges().get(name);
        return g != null && g.getValue() instanceof Number n ? n.longValue() : -1;
    }

    private static StatusDocument.History history(List<ThroughputSample> samples, Set<String> ids,
                                                  List<PluginInventory.Plugin> loaded) {
        long[] times = new long[samples.size()];
        Map<String, StatusDocument.Series> series = new LinkedHashMap<>();
        for (String id : ids) {
            series.put(id, new StatusDocument.Series(new double[times.length], new double[times.length], new double[times.length]));
        }
        for (int i = 0; i < times.length; i++) {
            ThroughputSample s = samples.get(i);
            times[i] = s.epochMillis();
            for (Map.Entry<String, StatusDocument.Series> e : series.entrySet()) {
                ProductRates r = s.rates(e.getKey());
                e.getValue().requestsPerSecond()[i] = r.requestsPerSecond();
                e.getValue().bytesInPerSecond()[i] = r.bytesInPerSecond();
                e.getValue().bytesOutPerSecond()[i] = r.bytesOutPerSecond();
            }
        }
        return new StatusDocument.History(times, series, PluginSummaries.history(loaded, times.length, series));
    }

    private static String version() {
        String v = RelayStatusSource.class.getPackage().getImplementationVersion();
        return v == null ? "development build" : v;
    }
}
