package io.fipsrelay.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import io.fipsrelay.core.fips.FipsBootstrap;
import io.fipsrelay.core.fips.FipsReport;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FipsAndJvmGaugesTest {

    private final MetricRegistry registry = new MetricRegistry();

    @Test
    void the_fips_gauges_report_the_running_module() throws Exception {
        FipsReport report = FipsBootstrap.install(FipsBootstrap.ProviderOrder.APPENDED);
        FipsGauges.register(registry, report);
        FipsGauges.register(registry, report);

        assertThat(value("fips-relay.fips.ready")).isEqualTo(true);
        assertThat(value("fips-relay.fips.approved-only")).isEqualTo(true);
        assertThat(value("fips-relay.fips.module-version")).isEqualTo(report.moduleVersion()).asString().startsWith("2.1.");
        assertThat(value("fips-relay.fips.cmvp-certificate")).isEqualTo("#4943");
        assertThat(value("fips-relay.fips.native-variant")).isEqualTo(report.nativeVariant());
        assertThat(value("fips-relay.fips.native")).isEqualTo(!"java".equals(report.nativeVariant()));
    }

    @Test
    void the_jvm_basics_are_registered_once() {
        JvmGauges.register(registry);
        JvmGauges.register(registry);
        assertThat((Long) value(JvmGauges.HEAP_USED)).isPositive();
        assertThat((Integer) value(JvmGauges.THREADS)).isPositive();
        assertThat(registry.getNames()).anyMatch(n -> n.startsWith("jvm.gc."));
    }

    private Object value(String name) {
        return registry.getGauges().get(name).getValue();
    }
}
