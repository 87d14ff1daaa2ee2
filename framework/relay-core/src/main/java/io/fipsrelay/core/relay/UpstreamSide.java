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
    /** Null when tls.revocation.mode is off. */
    private final io.fipsrelay.core.tls.RevocationChecker revocation;
    final UpstreamDirectory directory;
    final HealthChecker health;
    private final RelayWorkers workers;
    private final WorkerUpstreamPool[] pools;

    private UpstreamSide(FipsTlsConnector connector, io.fipsrelay.core.tls.RevocationChecker revocation,
                         UpstreamDirectory directory, HealthChecker health, RelayWorkers workers, WorkerUpstreamPool[] pools) {
        this.connector = connector;
        this.revocation = revocation;
        this.directory = directory;
        this.health = health;
        this.workers = workers;
        this.pools = pools;
    }

    static UpstreamSide start(RelaySettings settings, FipsTlsContext tls, RelayWorkers workers,
                              ScheduledExecutorService timer, ExecutorService lookups, RelayMetrics metrics) {
        return start(settings, tls, workers, timer, lookups, metrics, io.fipsrelay.core.audit.AuditTrail.NONE);
    }

    static UpstreamSide start(RelaySettings settings, FipsTlsContext tls, RelayWorkers workers,
                              ScheduledExecutorService timer, ExecutorService lookups, RelayMetrics metrics,
                              io.fipsrelay.core.audit.AuditTrail audit) {
        RelaySettings.Upstream up = settings.upstream();
        io.fipsrelay.core.tls.RevocationChecker revocation = revocationChecker(settings, metrics);
        FipsTlsConnector connector = new FipsTlsConnector(tls, workers, timer, up.connectTimeout(),
                settings.tls().handshakeTimeout(), up.idleTimeout(), settings.relay().lowWaterMark(), metrics,
                revocation, audit, settings.proxy());
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
        return new UpstreamSide(connector, revocation, directory, health, workers, pools);
    }

    /** The revocation checker of tls.revocation (null when off), trusting the anchors of tls.ca-file. */
    private static io.fipsrelay.core.tls.RevocationChecker revocationChecker(RelaySettings settings, RelayMetrics metrics) {
        if (settings.revocation().mode() == RelaySettings.Revocation.Mode.OFF) {
            return null;
        }
        java.util.List<java.security.cert.X509Certificate> anchors;
        try {
            anchors = io.fipsrelay.core.tls.CertificateExpiry.readBundle(settings.tls().caFile());
        } catch (java.io.IOException e) {
            // FipsTlsContext read the same file a moment ago; without anchors only chains sent whole are checked.
            anchors = java.util.List.of();
        }
        return new io.fipsrelay.core.tls.RevocationChecker(settings.revocation(), anchors, metrics.registry(),
                java.time.Clock.systemUTC());
    }

    /** The connection pool of the worker calling. */
    WorkerUpstreamPool pool(RelayWorker worker) {
        return pools[worker.index()];
    }

    /** Stops checks and pooling now; the connector goes once exchanges in flight had time to end. */
    void retire(ScheduledExecutorService timer, long graceMillis) {
        health.close();
        closePools();
        timer.schedule(() -> {
            connector.close();
            if (revocation != null) {
                revocation.close();
            }
        }, graceMillis, TimeUnit.MILLISECONDS);
    }

    void close() {
        health.close();
        closePools();
        connector.close();
        if (revocation != null) {
            revocation.close();
        }
    }

    private void closePools() {
        for (int i = 0; i < pools.length; i++) {
            workers.get(i).execute(pools[i]::close);
        }
    }
}
