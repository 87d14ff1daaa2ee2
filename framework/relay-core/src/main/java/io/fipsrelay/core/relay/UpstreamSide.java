package io.fipsrelay.core.relay;

import io.fipsrelay.core.metrics.RelayMetrics;
import io.fipsrelay.core.settings.RelaySettings;
import io.fipsrelay.core.tls.FipsTlsContext;
import io.fipsrelay.core.upstream.FipsTlsConnector;
import io.fipsrelay.core.upstream.HealthChecker;
import io.fipsrelay.core.upstream.HostResolver;
import io.fipsrelay.core.upstream.UpstreamDirectory;
import io.fipsrelay.core.upstream.WorkerUpstreamPool;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/**
 * Everything that talks to intakes for one configuration: the FIPS TLS connector, DNS and address
 * health (shared by all workers), health checks, and one connection pool per worker. A reload
 * builds a new one; the old one finishes what it carries.
 */
final class UpstreamSide {

    final FipsTlsConnector connector;
    final UpstreamDirectory directory;
    final HealthChecker health;
    private final RelayWorkers workers;
    private final WorkerUpstreamPool[] pools;

    private UpstreamSide(FipsTlsConnector connector, UpstreamDirectory directory, HealthChecker health,
                         RelayWorkers workers, WorkerUpstreamPool[] pools) {
        this.connector = connector;
        this.directory = directory;
        this.health = health;
        this.workers = workers;
        this.pools = pools;
    }

    static UpstreamSide start(RelaySettings settings, FipsTlsContext tls, RelayWorkers workers,
                              ScheduledExecutorService timer, ExecutorService lookups, RelayMetrics metrics) {
        RelaySettings.Upstream up = settings.upstream();
        FipsTlsConnector connector = new FipsTlsConnector(tls, workers, timer, up.connectTimeout(),
                settings.tls().handshakeTimeout(), up.idleTimeout(), settings.relay().lowWaterMark(), metrics, settings.proxy());
        HostResolver resolver = new HostResolver(settings.dns().hosts(), settings.dns().refresh(),
                settings.dns().maxAddresses(), settings.dns().preferIpv4(), lookups);
        UpstreamDirectory directory = new UpstreamDirectory(resolver, up.health(), settings.proxy());
        WorkerUpstreamPool[] pools = new WorkerUpstreamPool[workers.size()];
        for (int i = 0; i < pools.length; i++) {
            pools[i] = new WorkerUpstreamPool(workers.get(i), directory, connector, up);
        }
        HealthChecker health = new HealthChecker(directory, connector, settings, timer, lookups);
        directory.watch(settings.allServers());
        if (settings.proxy().enabled()) {
            LoggerFactory.getLogger(UpstreamSide.class).info("intakes are reached through the egress proxy {}",
                    settings.proxy()); // its only string form: credentials redacted
        }
        return new UpstreamSide(connector, directory, health, workers, pools);
    }

    /** The connection pool of the worker calling. */
    WorkerUpstreamPool pool(RelayWorker worker) {
        return pools[worker.index()];
    }

    /** Stops checks and pooling now; the connector goes once exchanges in flight had time to end. */
    void retire(ScheduledExecutorService timer, long graceMillis) {
        health.close();
        closePools();
        timer.schedule(connector::close, graceMillis, TimeUnit.MILLISECONDS);
    }

    void close() {
        health.close();
        closePools();
        connector.close();
    }

    private void closePools() {
        for (int i = 0; i < pools.length; i++) {
            workers.get(i).execute(pools[i]::close);
        }
    }
}
