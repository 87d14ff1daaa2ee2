package io.fipsrelay.server.status.prometheus;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricFilter;
import com.codahale.metrics.MetricRegistry;
import io.prometheus.metrics.instrumentation.dropwizard.DropwizardExports;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's Dropwizard registry as Prometheus snapshots. The Prometheus Dropwizard bridge does
 * the conversion (meters to counters, timers to summaries in seconds, gauges); this class then
 * gathers the bridge's per-metric snapshots into labelled families ({@link PrometheusNames}), and
 * turns text-valued gauges, which the bridge skips, into info metrics: {@code fips-relay.fips.module-version}
 * and its siblings become one {@code fips_relay_fips_info{module_version="2.1.3",...} 1}, and each
 * plugin's {@code fips-relay.plugins.<id>.version} and {@code .jar-sha256} one
 * {@code fips_relay_plugin_info{plugin="<id>",version=...,jar_sha256=...} 1}.
 */
public final class PrometheusExposition {

    private static final Logger LOG = LoggerFactory.getLogger(PrometheusExposition.class);
    /** The all-suites handshake total: Prometheus sums the per-suite series, and one family must not mix both. */
    private static final String HANDSHAKES_TOTAL = "fips-relay.tls.handshakes";
    /** The same for the agents' handshakes on the product listeners. */
    private static final String AGENT_HANDSHAKES_TOTAL = "fips-relay.agent-tls.handshakes";

    private final MetricRegistry registry;
    /** Holds only the bridge: the registry is how the bridge's builder hands out a collector that skips a failing metric. */
    private final PrometheusRegistry bridge = new PrometheusRegistry();
    private final PrometheusNames names = new PrometheusNames();
    private final Supplier<Map<String, String>> owners;

    /** @param owners product id to the id of the plugin serving it now (the plugin label) */
    public PrometheusExposition(MetricRegistry registry, Supplier<Map<String, String>> owners) {
        this.registry = registry;
        this.owners = owners;
        MetricFilter numeric = (name, metric) -> !name.equals(HANDSHAKES_TOTAL) && !name.equals(AGENT_HANDSHAKES_TOTAL)
                && !(metric instanceof Gauge<?> g && g.getValue() instanceof CharSequence);
        DropwizardExports.builder().dropwizardRegistry(registry).metricFilter(numeric)
                .customLabelMapper(names)
                .invalidMetricHandler((name, e) -> {
                    // One gauge that throws must not cost the operator the whole scrape.
                    LOG.debug("metric {} left out of /metrics: {}", name, e.toString());
                    return true;
                })
                .register(bridge);
    }

    public synchronized MetricSnapshots collect() {
        names.owners(owners.get());
        Map<String, List<MetricSnapshot>> byFamily = new TreeMap<>();
        Map<String, PrometheusFamily> families = new TreeMap<>();
        for (MetricSnapshot s : bridge.scrape()) {
            PrometheusFamily f = PrometheusNames.family(s.getMetadata().getName());
            families.putIfAbsent(f.name(), f);
            byFamily.computeIfAbsent(f.name(), k -> new ArrayList<>()).add(s);
        }
        List<MetricSnapshot> out = new ArrayList<>();
        byFamily.forEach((name, parts) -> {
            MetricSnapshot merged = merge(families.get(name), parts);
            if (merged != null) {
                out.add(merged);
            }
        });
        out.addAll(infoFamilies(families.keySet()));
        return new MetricSnapshots(out);
    }

    /** One snapshot holding every data point of the family; null (and a warning) if its parts disagree on the type. */
    private static MetricSnapshot merge(PrometheusFamily family, List<MetricSnapshot> parts) {
        MetricMetadata metadata = new MetricMetadata(family.name(), family.help());
        Class<?> type = parts.get(0).getClass();
        if (parts.stream().anyMatch(p -> p.getClass() != type)) {
            LOG.warn("Prometheus family {} left out: its Dropwizard metrics are of different types", family.name());
            return null;
        }
        if (parts.get(0) instanceof CounterSnapshot && family.gauge()) {
            List<GaugeSnapshot.GaugeDataPointSnapshot> points = new ArrayList<>();
            parts.forEach(p -> ((CounterSnapshot) p).getDataPoints().forEach(d ->
                    points.add(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(d.getValue()).labels(d.getLabels()).build())));
            return new GaugeSnapshot(metadata, points);
        }
        if (parts.get(0) instanceof CounterSnapshot) {
            List<CounterSnapshot.CounterDataPointSnapshot> points = new ArrayList<>();
            parts.forEach(p -> points.addAll(((CounterSnapshot) p).getDataPoints()));
            return new CounterSnapshot(metadata, points);
        }
        if (parts.get(0) instanceof GaugeSnapshot) {
            List<GaugeSnapshot.GaugeDataPointSnapshot> points = new ArrayList<>();
            parts.forEach(p -> points.addAll(((GaugeSnapshot) p).getDataPoints()));
            return new GaugeSnapshot(metadata, points);
        }
        if (parts.get(0) instanceof SummarySnapshot) {
            List<SummarySnapshot.SummaryDataPointSnapshot> points = new ArrayList<>();
            parts.forEach(p -> points.addAll(((SummarySnapshot) p).getDataPoints()));
            return new SummarySnapshot(metadata, points);
        }
        LOG.warn("Prometheus family {} left out: unexpected snapshot type {}", family.name(), type.getSimpleName());
        return null;
    }

    /**
     * Text gauges grouped by their parent name: each group is one info series with one label per
     * gauge, and groups of one family ({@link PrometheusNames#infoFamily}) are one info metric.
     */
    private List<MetricSnapshot> infoFamilies(java.util.Set<String> taken) {
        Map<String, Labels> groups = new TreeMap<>();
        registry.getGauges().forEach((name, gauge) -> {
            Object value = gauge.getValue();
            int dot = name.lastIndexOf('.');
            if (value instanceof CharSequence text && dot > 0) {
                groups.merge(name.substring(0, dot),
                        Labels.of(PrometheusNames.sanitize(name.substring(dot + 1)), text.toString()), Labels::merge);
            }
        });
        Map<String, List<InfoSnapshot.InfoDataPointSnapshot>> points = new TreeMap<>();
        Map<String, String> helps = new TreeMap<>();
        groups.forEach((parent, labels) -> {
            PrometheusFamily family = PrometheusNames.infoFamily(parent);
            helps.putIfAbsent(family.name(), PrometheusNames.help(family.name(),
                    "The text gauges under Dropwizard's " + parent + ", as labels."));
            points.computeIfAbsent(family.name(), k -> new ArrayList<>())
                    .add(new InfoSnapshot.InfoDataPointSnapshot(family.labels().merge(labels)));
        });
        List<MetricSnapshot> out = new ArrayList<>();
        points.forEach((family, data) -> {
            if (taken.contains(family)) {
                LOG.warn("info metric {}_info left out: a numeric family has the same name", family);
                return;
            }
            out.add(new InfoSnapshot(new MetricMetadata(family, helps.get(family)), data));
        });
        return out;
    }
}
