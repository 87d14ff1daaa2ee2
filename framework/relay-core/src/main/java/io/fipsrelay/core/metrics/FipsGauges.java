package io.fipsrelay.core.metrics;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import io.fipsrelay.core.fips.FipsReadiness;
import io.fipsrelay.core.fips.FipsReport;
import org.bouncycastle.crypto.CryptoServicesRegistrar;

/**
 * The FIPS module's state as gauges under {@code fips-relay.fips.}: readiness and approved-only
 * mode read live, and the facts an auditor asks for (module versions, CMVP certificate, native
 * variant) as text gauges, which JMX shows as they are and the Prometheus exposition turns into an
 * info metric.
 */
public final class FipsGauges {

    public static final String PREFIX = "fips-relay.fips.";

    private FipsGauges() {
    }

    /** Registers the gauges once per registry (again is a no-op). */
    public static void register(MetricRegistry registry, FipsReport report) {
        gauge(registry, "ready", FipsReadiness::ready);
        gauge(registry, "approved-only", CryptoServicesRegistrar::isInApprovedOnlyMode);
        boolean nativeCode = !"java".equals(report.nativeVariant());
        gauge(registry, "native", () -> nativeCode);
        double startupSeconds = report.startupMillis() / 1000.0;
        gauge(registry, "startup-seconds", () -> startupSeconds);
        gauge(registry, "module-version", report::moduleVersion);
        gauge(registry, "jsse-version", report::jsseVersion);
        gauge(registry, "native-variant", report::nativeVariant);
        gauge(registry, "cmvp-certificate", () -> FipsReport.CMVP_CERTIFICATE);
    }

    private static <T> void gauge(MetricRegistry registry, String name, Gauge<T> gauge) {
        registry.gauge(PREFIX + name, () -> gauge);
    }
}
