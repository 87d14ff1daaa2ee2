package io.fipsrelay.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The per-address gauges follow what the upstream pool publishes, added and removed as addresses come and go. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class UpstreamStateGaugesTest {

    private final MetricRegistry registry = new MetricRegistry();
    private final RelayMetrics metrics = new RelayMetrics(registry);
    private final List<UpstreamAddressState> published = new ArrayList<>();
    private final UpstreamStateGauges gauges = new UpstreamStateGauges(metrics);

    UpstreamStateGaugesTest() {
        metrics.upstreamStates(() -> List.copyOf(published));
    }

    @Test
    void each_published_address_gets_an_up_gauge_and_a_check_latency_gauge() {
        published.add(new UpstreamAddressState("metrics.agent.ddog-gov.com:443", "10.1.2.3:443", true, 42, null));
        published.add(new UpstreamAddressState("metrics.agent.ddog-gov.com:443", "10.1.2.4:443", false, -1, "connect refused"));

        assertThat(gauges.refresh()).hasSize(2);

        assertThat(registry.getGauges().get("fips-relay.upstream.metrics.agent.ddog-gov.com:443/10.1.2.3:443.up").getValue()).isEqualTo(1);
        assertThat(registry.getGauges().get("fips-relay.upstream.metrics.agent.ddog-gov.com:443/10.1.2.4:443.up").getValue()).isEqualTo(0);
        assertThat(registry.getGauges().get("fips-relay.upstream.metrics.agent.ddog-gov.com:443/10.1.2.3:443.check-latency-seconds").getValue())
                .isEqualTo(0.042);
        assertThat((Double) registry.getGauges().get("fips-relay.upstream.metrics.agent.ddog-gov.com:443/10.1.2.4:443.check-latency-seconds").getValue())
                .isNaN();
    }

    @Test
    void a_state_change_shows_without_re_registering_and_a_vanished_address_loses_its_gauges() {
        published.add(new UpstreamAddressState("api.ddog-gov.com:443", "10.0.0.1:443", true, 5, null));
        gauges.refresh();
        published.set(0, new UpstreamAddressState("api.ddog-gov.com:443", "10.0.0.1:443", false, 7, "timeout"));
        gauges.refresh();
        assertThat(registry.getGauges().get("fips-relay.upstream.api.ddog-gov.com:443/10.0.0.1:443.up").getValue()).isEqualTo(0);

        published.clear();
        gauges.refresh();
        assertThat(registry.getNames()).noneMatch(n -> n.startsWith(UpstreamStateGauges.PREFIX));
    }
}
