package io.fipsrelay.server.status;

import com.codahale.metrics.Timer;
import io.fipsrelay.core.metrics.RelayMetrics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A loaded plugin's figures as the sum of its products': rates, totals, connections, latency over
 * all its products' requests, and its history series. Products of the plugin that have no
 * instruments (disabled by the operator, never bound) count as idle.
 */
final class PluginSummaries {

    private final RelayMetrics metrics;

    PluginSummaries(RelayMetrics metrics) {
        this.metrics = metrics;
    }

    List<StatusDocument.Plugin> summaries(List<PluginInventory.Plugin> plugins, List<StatusDocument.Product> products,
                                          ThroughputSample latest) {
        Map<String, StatusDocument.Product> byId = new LinkedHashMap<>();
        products.forEach(p -> byId.put(p.id(), p));
        List<StatusDocument.Plugin> out = new ArrayList<>();
        for (PluginInventory.Plugin plugin : plugins) {
            ProductRates rates = ProductRates.IDLE;
            long requests = 0, bytesIn = 0, bytesOut = 0, connections = 0;
            Map<String, Long> responses = new LinkedHashMap<>();
            Map<String, Long> errors = new java.util.TreeMap<>();
            List<Timer> timers = new ArrayList<>();
            for (String id : plugin.products()) {
                StatusDocument.Product p = byId.get(id);
                RelayMetrics.ProductMetrics m = metrics.existing(id).orElse(null);
                if (p == null || m == null) {
                    continue;
                }
                rates = rates.plus(latest == null ? ProductRates.IDLE : latest.rates(id));
                requests += p.totals().requests();
                bytesIn += p.totals().bytesIn();
                bytesOut += p.totals().bytesOut();
                p.totals().responses().forEach((klass, n) -> responses.merge(klass, n, Long::sum));
                p.totals().errors().forEach((cause, n) -> errors.merge(cause, n, Long::sum));
                connections += p.activeConnections();
                timers.add(m.upstreamLatency);
            }
            out.add(new StatusDocument.Plugin(plugin.id(), plugin.version(), plugin.jar(), plugin.jarSha256(),
                    plugin.loadedAtMillis(), plugin.loadedBy(), plugin.products(),
                    new StatusDocument.Now(rates.requestsPerSecond(), rates.bytesInPerSecond(), rates.bytesOutPerSecond(),
                            rates.errorRate()),
                    new StatusDocument.Totals(requests, bytesIn, bytesOut, responses, errors),
                    timers.isEmpty() ? new StatusDocument.Latency(0, 0, 0) : MergedLatency.of(timers), connections));
        }
        return out;
    }

    /** Per plugin, its products' series added point by point. */
    static Map<String, StatusDocument.Series> history(List<PluginInventory.Plugin> plugins, int points,
                                                      Map<String, StatusDocument.Series> products) {
        Map<String, StatusDocument.Series> out = new LinkedHashMap<>();
        for (PluginInventory.Plugin plugin : plugins) {
            StatusDocument.Series sum = new StatusDocument.Series(new double[points], new double[points], new double[points]);
            for (String id : plugin.products()) {
                StatusDocument.Series s = products.get(id);
                if (s == null) {
                    continue;
                }
                for (int i = 0; i < points; i++) {
                    sum.requestsPerSecond()[i] += s.requestsPerSecond()[i];
                    sum.bytesInPerSecond()[i] += s.bytesInPerSecond()[i];
                    sum.bytesOutPerSecond()[i] += s.bytesOutPerSecond()[i];
                }
            }
            out.put(plugin.id(), sum);
        }
        return out;
    }
}
