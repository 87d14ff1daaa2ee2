package io.fipsrelay.server.status;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.Timer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A plugin's latency percentiles over all its products' requests. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MergedLatencyTest {

    private static Timer timer(long millis, int requests) {
        Timer t = new Timer();
        for (int i = 0; i < requests; i++) {
            t.update(millis, TimeUnit.MILLISECONDS);
        }
        return t;
    }

    @Test
    void a_busy_product_weighs_by_its_requests_not_by_the_samples_its_reservoir_keeps() {
        // Both reservoirs keep at most 1028 samples; the busy product had twenty times the requests.
        Timer busy = timer(10, 20_000);
        Timer quiet = timer(400, 1_000);
        StatusDocument.Latency merged = MergedLatency.of(List.of(busy, quiet));
        assertThat(merged.count()).isEqualTo(21_000);
        assertThat(merged.p50Millis()).isEqualTo(10.0);
        // 1/21 of the requests took 400 ms: the 99th percentile is among them.
        assertThat(merged.p99Millis()).isEqualTo(400.0);
    }

    @Test
    void one_product_alone_gives_exactly_its_own_figures() {
        Timer t = timer(7, 50);
        t.update(90, TimeUnit.MILLISECONDS);
        StatusDocument.Latency own = MergedLatency.of(List.of(t));
        assertThat(own.count()).isEqualTo(51);
        assertThat(own.p50Millis()).isEqualTo(t.getSnapshot().getMedian() / 1e6);
        assertThat(own.p99Millis()).isEqualTo(t.getSnapshot().get99thPercentile() / 1e6);
    }

    @Test
    void the_quantile_is_the_first_value_at_which_the_weight_reaches_its_share() {
        List<double[]> samples = new ArrayList<>();
        samples.add(new double[] {30, 1});
        samples.add(new double[] {10, 1});
        samples.add(new double[] {20, 2});
        assertThat(MergedLatency.quantile(samples, 0.25)).isEqualTo(10);
        assertThat(MergedLatency.quantile(samples, 0.5)).isEqualTo(20);
        assertThat(MergedLatency.quantile(samples, 0.99)).isEqualTo(30);
        assertThat(MergedLatency.quantile(List.of(), 0.5)).isZero();
    }
}
