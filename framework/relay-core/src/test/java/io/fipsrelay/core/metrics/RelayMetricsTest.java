package io.fipsrelay.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RelayMetricsTest {

    private final MetricRegistry registry = new MetricRegistry();
    private final RelayMetrics metrics = new RelayMetrics(registry);

    @Test
    void errors_are_counted_per_cause_under_the_product() {
        RelayMetrics.ProductMetrics p = metrics.product("logs");
        p.error("timeout");
        p.error("timeout");
        p.error("tls");
        assertThat(p.errorCounts()).isEqualTo(Map.of("timeout", 2L, "tls", 1L));
        assertThat(registry.meter("fips-relay.logs.errors.timeout").getCount()).isEqualTo(2);
    }

    @Test
    void responses_are_counted_per_status_class() {
        RelayMetrics.ProductMetrics p = metrics.product("metrics");
        p.response(202);
        p.response(204);
        p.response(503);
        p.response(101);
        assertThat(p.responses(2)).isEqualTo(2);
        assertThat(p.responses(5)).isEqualTo(1);
        assertThat(registry.meter("fips-relay.metrics.responses.2xx").getCount()).isEqualTo(2);
    }

    @Test
    void the_latency_timer_takes_no_lock_shared_by_connections() {
        RelayMetrics.ProductMetrics p = metrics.product("traces");
        p.upstreamLatency.update(3, TimeUnit.MILLISECONDS);
        assertThat(registry.timer("fips-relay.traces.upstream-latency").getSnapshot().getMax())
                .isEqualTo(TimeUnit.MILLISECONDS.toNanos(3));
        // The default ExponentiallyDecayingReservoir takes a ReentrantReadWriteLock on each update.
        assertThat(reservoirOf(p.upstreamLatency)).isEqualTo("LockFreeExponentiallyDecayingReservoir");
    }

    @Test
    void handshakes_are_counted_in_total_and_per_protocol_and_suite() {
        metrics.handshakeCompleted("TLSv1.3", "TLS_AES_128_GCM_SHA256");
        metrics.handshakeCompleted("TLSv1.3", "TLS_AES_128_GCM_SHA256");
        metrics.handshakeCompleted("TLSv1.2", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
        assertThat(metrics.handshakes()).isEqualTo(3);
        assertThat(registry.meter("fips-relay.tls.handshakes.TLSv1.3.TLS_AES_128_GCM_SHA256").getCount()).isEqualTo(2);
    }

    @Test
    void product_ids_list_every_product_with_instruments() {
        metrics.product("metrics");
        metrics.product("logs");
        assertThat(metrics.productIds()).containsExactlyInAnyOrder("metrics", "logs");
    }

    private static String reservoirOf(com.codahale.metrics.Timer timer) {
        try {
            java.lang.reflect.Field f = com.codahale.metrics.Timer.class.getDeclaredField("histogram");
            f.setAccessible(true);
            Object histogram = f.get(timer);
            java.lang.reflect.Field r = com.codahale.metrics.Histogram.class.getDeclaredField("reservoir");
            r.setAccessible(true);
            return r.get(histogram).getClass().getSimpleName();
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void a_retired_product_leaves_the_registry_only_once_its_last_connection_closed() {
        RelayMetrics.ProductMetrics ndm = metrics.product("ndm");
        metrics.product("ndm-flow").requests.mark();
        ndm.requests.mark();
        ndm.error("timeout");
        ndm.activeConnections.inc();

        assertThat(metrics.retireIfIdle("ndm")).as("one connection still open").isFalse();
        assertThat(registry.getMeters()).containsKey("fips-relay.ndm.requests");

        ndm.activeConnections.dec();
        assertThat(metrics.retireIfIdle("ndm")).isTrue();
        assertThat(registry.getNames()).noneMatch(n -> n.startsWith("fips-relay.ndm."))
                .contains("fips-relay.ndm-flow.requests");
        assertThat(metrics.productIds()).containsExactly("ndm-flow");
        assertThat(metrics.product("ndm").requests.getCount()).as("a product back later starts from zero").isZero();
    }
}
