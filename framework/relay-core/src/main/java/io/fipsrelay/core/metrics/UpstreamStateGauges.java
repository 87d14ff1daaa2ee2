package io.fipsrelay.core.metrics;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Gauges for each intake address the upstream pool publishes through
 * {@link RelayMetrics#upstreamStates()}: {@code fips-relay.upstream.<server>/<address>.up} (1 or 0)
 * and {@code ...check-latency-seconds} (NaN before the first check). The set of addresses changes
 * with DNS, so {@link #refresh()} adds gauges for new addresses and removes those of vanished ones;
 * the gauges themselves read the latest published list, never the pool.
 */
public final class UpstreamStateGauges {

    public static final String PREFIX = "fips-relay.upstream.";

    private final RelayMetrics metrics;
    private final Set<String> registered = new HashSet<>();
    private volatile Map<String, UpstreamAddressState> latest = Map.of();

    public UpstreamStateGauges(RelayMetrics metrics) {
        this.metrics = metrics;
    }

    /** Reads the published states, brings the gauges in line and returns the states. */
    public synchronized List<UpstreamAddressState> refresh() {
        List<UpstreamAddressState> states = metrics.upstreamStates();
        Map<String, UpstreamAddressState> byKey = new LinkedHashMap<>();
        for (UpstreamAddressState s : states) {
            byKey.put(key(s), s);
        }
        latest = Map.copyOf(byKey);
        MetricRegistry registry = metrics.registry();
        for (String key : byKey.keySet()) {
            if (registered.add(key)) {
                registry.gauge(PREFIX + key + ".up", () -> (Gauge<Integer>) () -> {
                    UpstreamAddressState s = latest.get(key);
                    return s == null ? null : s.up() ? 1 : 0;
                });
                registry.gauge(PREFIX + key + ".check-latency-seconds", () -> (Gauge<Double>) () -> {
                    UpstreamAddressState s = latest.get(key);
                    return s == null || s.lastCheckMillis() < 0 ? Double.NaN : s.lastCheckMillis() / 1000.0;
                });
            }
        }
        registered.removeIf(key -> {
            if (byKey.containsKey(key)) {
                return false;
            }
            registry.remove(PREFIX + key + ".up");
            registry.remove(PREFIX + key + ".check-latency-seconds");
            return true;
        });
        return states;
    }

    /** "server/address": a slash appears in neither a host:port nor an ip:port, so the two stay apart. */
    static String key(UpstreamAddressState s) {
        return s.server() + "/" + s.address();
    }
}
