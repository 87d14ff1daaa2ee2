package io.fipsrelay.server.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.codahale.metrics.MetricRegistry;
import io.fipsrelay.core.metrics.RelayMetrics;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Rates are count differences over the measured time between samples. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ThroughputSamplerTest {

    private final RelayMetrics metrics = new RelayMetrics(new MetricRegistry());
    private final ThroughputHistory history = new ThroughputHistory(10);
    private final AtomicLong nanos = new AtomicLong();
    private final ThroughputSampler sampler = new ThroughputSampler(metrics, () -> List.of("metrics", "logs"), history,
            nanos::get, () -> nanos.get() / 1_000_000);

    @Test
    void the_first_run_only_sets_the_baseline_and_later_runs_record_rates_per_product() {
        RelayMetrics.ProductMetrics m = metrics.product("metrics");
        m.requests.mark(100);
        sampler.run();
        assertThat(history.samples()).isEmpty();

        m.requests.mark(50);
        m.requestBytes.mark(5_000_000);
        m.responseBytes.mark(20_000);
        m.response(202);
        m.response(503);
        nanos.addAndGet(5_000_000_000L);
        sampler.run();

        ThroughputSample s = history.latest().orElseThrow();
        assertThat(s.epochMillis()).isEqualTo(5_000);
        ProductRates r = s.rates("metrics");
        assertThat(r.requestsPerSecond()).isCloseTo(10, within(1e-9));
        assertThat(r.bytesInPerSecond()).isCloseTo(1_000_000, within(1e-6));
        assertThat(r.bytesOutPerSecond()).isCloseTo(4_000, within(1e-9));
        assertThat(r.serverErrorsPerSecond()).isCloseTo(0.2, within(1e-9));
        assertThat(r.errorRate()).isCloseTo(0.02, within(1e-9));
        assertThat(s.rates("logs")).isEqualTo(new ProductRates(0, 0, 0, 0));
        assertThat(s.rates("logs").errorRate()).isNull();
    }

    @Test
    void a_product_first_seen_between_samples_counts_from_zero() {
        sampler.run();
        metrics.product("traces").requests.mark(30);
        nanos.addAndGet(3_000_000_000L);
        sampler.run();
        assertThat(history.latest().orElseThrow().rates("traces").requestsPerSecond()).isCloseTo(10, within(1e-9));
    }

    @Test
    void a_product_retired_and_back_within_one_interval_counts_from_zero_not_below() {
        metrics.product("beta").requests.mark(500);
        sampler.run();
        assertThat(metrics.retireIfIdle("beta")).isTrue();
        metrics.product("beta").requests.mark(20);
        nanos.addAndGet(2_000_000_000L);
        sampler.run();
        assertThat(history.latest().orElseThrow().rates("beta").requestsPerSecond()).isCloseTo(10, within(1e-9));
    }
}
