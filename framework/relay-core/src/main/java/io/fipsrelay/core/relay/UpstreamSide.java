package io.fipsrelay.core.relay;

import io.fipsrelay.core.metrics.RelayMetrics;
import io.fipsrelay.core.settings.RelaySettings;
import io.fipsrelay.core.tls.FipsTlsContext;
import io.fipsrelay.core.upstream.FipsTlsConnector;
import io.fipsrelay.core.upstream.HealthChecker;
import io.fipsrelay.core.upstream.HostResolver;
import io.fipsrelay.core.upstream.UpstreamPool;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.mina.core.service.IoProcessor;
import org.apache.mina.transport.socket.nio.NioSession;

/**
 * Everything that talks to intakes for one configuration: the FIPS TLS connector, DNS, the pool
 * and its health checks. A reload builds a new one; the old one finishes what it carries.
 */
final class UpstreamSide {

    final FipsTlsConnector connector;
    final UpstreamPool pool;
    final HealthChecker health;

    private UpstreamSide(FipsTlsConnector connector, UpstreamPool pool, HealthChecker health) {
        this.connector = connector;
        this.pool = pool;
        this.health = health;
    }

    static UpstreamSide start(RelaySettings settings, FipsTlsContext tls, IoProcessor<NioSession> processors,
                              ScheduledExecutorService timer, ExecutorService lookups, RelayMetrics metrics) {
        RelaySettings.Upstream up = settings.upstream();
        FipsTlsConnector connector = new FipsTlsConnector(tls, processors, timer, up.connectTimeout(),
                settings.tls().handshakeTimeout(), up.idleTimeout(), settings.relay().lowWaterMark(), metrics, settings.proxy());
        HostResolver resolver = new HostResolver(settings.dns().hosts(), settings.dns().refresh(),
                settings.dns().maxAddresses(), settings.dns().preferIpv4(), lookups);
        UpstreamPool pool = new UpstreamPool(connector, resolver, up, settings.proxy());
        HealthChecker health = new HealthChecker(pool, connector, resolver, settings, timer, lookups);
        pool.watch(settings.allServers());
        if (settings.proxy().enabled()) {
            org.slf4j.LoggerFactory.getLogger(UpstreamSide.class).info("intakes are reached through the egress proxy {}",
                    settings.proxy()); // the proxy's only string form: credentials redacted
        }
        return new UpstreamSide(connector, pool, health);
    }

    /** Stops checks and pooling now; the connector goes once exchanges in flight had time to end. */
    void retire(ScheduledExecutorService timer, long graceMillis) {
        health.close();
        pool.close();
        timer.schedule(connector::close, graceMillis, TimeUnit.MILLISECONDS);
    }

    void close() {
        health.close();
        pool.close();
        connector.close();
    }
}
