package io.fipsrelay.server.status;

import com.codahale.metrics.jmx.JmxReporter;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fipsrelay.core.fips.FipsReport;
import io.fipsrelay.core.metrics.FipsGauges;
import io.fipsrelay.core.metrics.JvmGauges;
import io.fipsrelay.core.metrics.RelayMetrics;
import io.fipsrelay.core.metrics.UpstreamStateGauges;
import io.fipsrelay.core.relay.BindFailure;
import io.fipsrelay.core.relay.RelayEngine;
import io.fipsrelay.core.settings.RelaySettings;
import io.fipsrelay.core.upstream.UpstreamFailure;
import io.fipsrelay.server.status.prometheus.PrometheusExposition;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything an operator watches the relay through, started after the listeners: the FIPS and JVM
 * gauges, the throughput sampler and its history, the JMX reporter ({@code status.jmx}) and the
 * status port ({@code status.enabled}) with its dashboard, /status.json, /metrics and /healthz.
 */
public final class StatusService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StatusService.class);
    private static final String ASSETS = "io/fipsrelay/server/status/";
    /** The page may load only what the relay serves: the dashboard reaches nothing on the internet, even by mistake. */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private final ScheduledExecutorService sampling;
    private final JmxReporter jmx;
    private final StatusServer server;
    private final ThroughputHistory history;

    private StatusService(ScheduledExecutorService sampling, JmxReporter jmx, StatusServer server, ThroughputHistory history) {
        this.sampling = sampling;
        this.jmx = jmx;
        this.server = server;
        this.history = history;
    }

    /**
     * @param expected the products that should have a listener now (health and the dashboard's cards)
     * @throws BindFailure when the status port cannot be bound; nothing is left running then
     */
    public static StatusService start(RelaySettings settings, FipsReport fips, RelayEngine engine,
                                      Supplier<List<RelaySettings.ProductSettings>> expected) throws BindFailure {
        return start(settings, fips, engine, expected, PluginInventory.NONE);
    }

    /**
     * @param expected the products that should have a listener now (health and the dashboard's cards)
     * @param plugins the loaded plugins, which product each serves, refused jars and plugin events
     * @throws BindFailure when the status port cannot be bound; nothing is left running then
     */
    public static StatusService start(RelaySettings settings, FipsReport fips, RelayEngine engine,
                                      Supplier<List<RelaySettings.ProductSettings>> expected,
                                      PluginInventory plugins) throws BindFailure {
        return start(settings, fips, engine, expected, plugins, java.util.Map.of(), () -> StatusDocument.Certificates.NONE);
    }

    /**
     * As above, with more pages served besides the standard ones (e.g. /evidence.json) and the
     * certificate expiry listing of /status.json.
     */
    public static StatusService start(RelaySettings settings, FipsReport fips, RelayEngine engine,
                                      Supplier<List<RelaySettings.ProductSettings>> expected,
                                      PluginInventory plugins, java.util.Map<String, StatusEndpoint> morePages,
                                      Supplier<StatusDocument.Certificates> certificates) throws BindFailure {
        RelayMetrics metrics = engine.metrics();
        FipsGauges.register(metrics.registry(), fips);
        JvmGauges.register(metrics.registry());
        UpstreamStateGauges upstreams = new UpstreamStateGauges(metrics);
        PluginInfoGauges pluginGauges = new PluginInfoGauges(metrics.registry(), plugins);
        pluginGauges.refresh();
        RemovedProducts removed = new RemovedProducts(metrics, plugins, engine::boundAddresses);
        ThroughputHistory history = new ThroughputHistory(settings.status().historySamples());
        ThroughputSampler sampler = ThroughputSampler.systemClock(metrics,
                () -> expected.get().stream().map(RelaySettings.ProductSettings::id).toList(), history);
        sampler.run();
        ScheduledExecutorService sampling = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fips-relay-status-sampler");
            t.setDaemon(true);
            return t;
        });
        long every = settings.status().sampleInterval().toMillis();
        sampling.scheduleAtFixedRate(() -> {
            try {
                upstreams.refresh();
                pluginGauges.refresh();
                removed.run();
                sampler.run();
            } catch (RuntimeException e) {
                // A failed sample leaves a gap in the chart; the next one must still run.
                LOG.warn("throughput sample failed", e);
            }
        }, every, every, TimeUnit.MILLISECONDS);

        JmxReporter jmx = null;
        if (settings.status().jmx()) {
            jmx = JmxReporter.forRegistry(metrics.registry()).inDomain("fips-relay")
                    .createsObjectNamesWith(new PluginObjectNames(plugins::productOwners))
                    .convertRatesTo(TimeUnit.SECONDS).convertDurationsTo(TimeUnit.MILLISECONDS).build();
            jmx.start();
        }

        StatusServer server = null;
        if (settings.statusEnabled()) {
            StatusRouter router = router(settings, fips, engine, expected, upstreams, history, plugins, pluginGauges,
                    certificates);
            morePages.forEach(router::route);
            server = new StatusServer(router);
            String address = settings.listen().address();
            int port = settings.listen().statusPort();
            try {
                InetSocketAddress bound = server.bind(address, port);
                LOG.info("status port listening on http://{}:{}/ (dashboard, /status.json, /metrics, /healthz{})",
                        bound.getHostString(), bound.getPort(), morePages.isEmpty() ? "" : ", " + String.join(", ", morePages.keySet()));
            } catch (IOException | RuntimeException e) {
                new StatusService(sampling, jmx, server, history).close();
                throw new BindFailure("cannot bind " + address + ":" + port + " for the status port: "
                        + UpstreamFailure.describe(e) + " (free it, or set fips-relay.status.enabled = false)", e);
            }
        }
        return new StatusService(sampling, jmx, server, history);
    }

    private static StatusRouter router(RelaySettings settings, FipsReport fips, RelayEngine engine,
                                       Supplier<List<RelaySettings.ProductSettings>> expected,
                                       UpstreamStateGauges upstreams, ThroughputHistory history,
                                       PluginInventory plugins, PluginInfoGauges pluginGauges,
                                       Supplier<StatusDocument.Certificates> certificates) {
        ObjectMapper json = new ObjectMapper();
        RelayHealth health = new RelayHealth(expected, engine::boundAddresses);
        RelayStatusSource source = new RelayStatusSource(settings, fips, engine.metrics(), expected,
                engine::boundAddresses, history, upstreams, health, plugins).certificates(certificates);
        StaticAsset page = StaticAsset.classpath(ASSETS + "dashboard.html", "text/html; charset=utf-8");
        return new StatusRouter()
                .route("/", () -> page.respond().withHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY))
                .route("/status.json", new StatusJsonEndpoint(source, json))
                .route("/metrics", new PrometheusEndpoint(
                        new PrometheusExposition(engine.metrics().registry(), plugins::productOwners), upstreams, pluginGauges))
                .route("/healthz", new HealthEndpoint(health, json))
                .route("/assets/dashboard.css", StaticAsset.classpath(ASSETS + "dashboard.css", "text/css; charset=utf-8"))
                .route("/assets/dashboard.js", StaticAsset.classpath(ASSETS + "dashboard.js", "text/javascript; charset=utf-8"))
                .route("/assets/favicon.svg", StaticAsset.classpath(ASSETS + "favicon.svg", "image/svg+xml"))
                .route("/assets/chart.umd.min.js", StaticAsset.webjar("chart.js", "dist/chart.umd.min.js", "text/javascript; charset=utf-8"));
    }

    /** Where the status port listens; empty when it is disabled. */
    public Optional<InetSocketAddress> address() {
        return Optional.ofNullable(server).map(StatusServer::boundAddress);
    }

    public ThroughputHistory history() {
        return history;
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
        if (jmx != null) {
            jmx.stop();
        }
        sampling.shutdownNow();
    }
}
