package io.fipsrelay.core.relay;

import com.codahale.metrics.MetricRegistry;
import io.fipsrelay.api.Product;
import io.fipsrelay.api.Route;
import io.fipsrelay.core.audit.AuditTrail;
import io.fipsrelay.core.fips.FipsBootstrap;
import io.fipsrelay.core.metrics.RelayMetrics;
import io.fipsrelay.core.settings.RelaySettings;
import io.fipsrelay.core.settings.SettingsLoader;
import io.fipsrelay.core.tls.FipsTlsContext;
import io.fipsrelay.testkit.FreePorts;
import io.fipsrelay.testkit.RecordingIntake;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A relay core started in this JVM for a test: the metrics-shaped product on a free port range,
 * every *.ddog-gov.com name pointing at 127.0.0.1, trust limited to the test CA.
 */
public final class RelayUnderTest implements AutoCloseable {

    /** The same declaration as the metrics plugin: routes to api. and flare. included. */
    public static final Product METRICS = Product.of("metrics", 1, "metrics.agent")
            .withRoute(Route.exact("/api/v1/validate", "api"))
            .withRoute(Route.pathAndBelow("/support/flare", "flare"));

    public final RelaySettings settings;
    public final RelayEngine engine;
    public final RelayMetrics metrics;
    private final String hocon;

    private RelayUnderTest(RelaySettings settings, RelayEngine engine, RelayMetrics metrics, String hocon) {
        this.hocon = hocon;
        this.settings = settings;
        this.engine = engine;
        this.metrics = metrics;
    }

    /** Starts with the given CA bundle and intake port; {@code extraHocon} adds or overrides settings. */
    public static RelayUnderTest start(Path caFile, int intakePort, String extraHocon) throws Exception {
        return start(caFile, intakePort, extraHocon, new AuditTrail() { });
    }

    /** The same, with the audit trail the relay writes its session and exchange records to. */
    public static RelayUnderTest start(Path caFile, int intakePort, String extraHocon, AuditTrail audit) throws Exception {
        FipsBootstrap.install(FipsBootstrap.ProviderOrder.APPENDED);
        int base = FreePorts.pickRange(4);
        String hocon = "fips-relay {\n"
                + "  listen.port-range-start = " + base + "\n"
                + "  tls.ca-file = \"" + caFile.toAbsolutePath() + "\"\n"
                + "  upstream.port = " + intakePort + "\n"
                + "  dns.hosts { \"*.ddog-gov.com\" = \"127.0.0.1\" }\n"
                + "}\n" + extraHocon;
        RelaySettings settings = SettingsLoader.withCoreDefaults().environment(Map.of())
                .addProducts(List.of(METRICS), com.typesafe.config.ConfigFactory.empty())
                .load(SettingsLoader.parseString(hocon));
        RelayMetrics metrics = new RelayMetrics(new MetricRegistry());
        RelayEngine engine = new RelayEngine(settings, FipsTlsContext.create(settings.tls()), metrics, audit);
        engine.bindAll(settings.enabledProducts());
        return new RelayUnderTest(settings, engine, metrics, hocon);
    }

    /** A relay in front of a recording TLS intake (see {@link RelayBehindIntake}). */
    public record WithIntake(RecordingIntake intake, RelayUnderTest relay) implements AutoCloseable {
        @Override
        public void close() {
            relay.close();
            intake.close();
        }
    }

    /** The whole configuration it was started with (a test reloads it after changing files it names). */
    public String hocon() {
        return hocon;
    }

    public int port() {
        return settings.product("metrics").orElseThrow().port();
    }

    @Override
    public void close() {
        engine.close();
    }
}
