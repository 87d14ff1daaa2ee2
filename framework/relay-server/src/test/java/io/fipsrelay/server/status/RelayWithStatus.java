package io.fipsrelay.server.status;

import com.codahale.metrics.MetricRegistry;
import io.fipsrelay.api.Product;
import io.fipsrelay.api.Route;
import io.fipsrelay.core.fips.FipsBootstrap;
import io.fipsrelay.core.fips.FipsReport;
import io.fipsrelay.core.metrics.RelayMetrics;
import io.fipsrelay.core.relay.RelayEngine;
import io.fipsrelay.core.settings.RelaySettings;
import io.fipsrelay.core.settings.SettingsLoader;
import io.fipsrelay.core.tls.FipsTlsContext;
import io.fipsrelay.testkit.CannedResponse;
import io.fipsrelay.testkit.FreePorts;
import io.fipsrelay.testkit.KeyType;
import io.fipsrelay.testkit.RecordingIntake;
import io.fipsrelay.testkit.ServerIdentity;
import io.fipsrelay.testkit.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A relay core with its status service, in this JVM, for status port tests: three products of the
 * agent's port map on a free port range, every *.ddog-gov.com name pointing at one real TLS intake
 * that answers 202 with a small JSON body (503 to every 25th logs request, so error rates move).
 */
public final class RelayWithStatus implements AutoCloseable {

    public static final List<Product> PRODUCTS = List.of(
            Product.of("metrics", 1, "metrics.agent")
                    .withRoute(Route.exact("/api/v1/validate", "api"))
                    .withRoute(Route.pathAndBelow("/support/flare", "flare")),
            Product.of("traces", 2, "trace.agent"),
            Product.of("logs", 5, "agent-http-intake.logs"));

    private static final String ANSWER = "{\"status\":\"accepted\",\"detail\":\"" + "x".repeat(1500) + "\"}";

    public final RecordingIntake intake;
    public final RelaySettings settings;
    public final FipsReport fips;
    public final RelayEngine engine;
    public final StatusService status;

    private RelayWithStatus(RecordingIntake intake, RelaySettings settings, FipsReport fips, RelayEngine engine,
                            StatusService status) {
        this.intake = intake;
        this.settings = settings;
        this.fips = fips;
        this.engine = engine;
        this.status = status;
    }

    /** Starts intake, relay and status service; {@code extraHocon} adds or overrides settings (JMX is off unless it says otherwise). */
    public static RelayWithStatus start(Path dir, String extraHocon) throws Exception {
        TestPki pki = TestPki.create("fips-relay status test CA");
        ServerIdentity id = pki.issue(KeyType.EC_P256, "*.ddog-gov.com", "*.agent.ddog-gov.com", "*.logs.ddog-gov.com");
        java.util.concurrent.atomic.AtomicLong logs = new java.util.concurrent.atomic.AtomicLong();
        RecordingIntake intake = RecordingIntake.builder(id).respond(request -> {
            String host = request.header("Host");
            if (host != null && host.startsWith("agent-http-intake.logs.") && logs.incrementAndGet() % 25 == 0) {
                return CannedResponse.json(503, "{\"errors\":[\"try again\"]}");
            }
            return CannedResponse.json(202, ANSWER);
        }).start();
        FipsReport fips = FipsBootstrap.install(FipsBootstrap.ProviderOrder.APPENDED);
        Files.createDirectories(dir);
        Path ca = pki.writeCaPem(dir.resolve("ca.pem"));
        int base = FreePorts.pickRange(6);
        String hocon = "fips-relay {\n"
                + "  listen.port-range-start = " + base + "\n"
                + "  tls.ca-file = \"" + ca.toAbsolutePath() + "\"\n"
                + "  upstream.port = " + intake.port() + "\n"
                + "  dns.hosts { \"*.ddog-gov.com\" = \"127.0.0.1\" }\n"
                + "  status.jmx = false\n"
                + "}\n" + extraHocon;
        SettingsLoader loader = SettingsLoader.withCoreDefaults().environment(Map.of())
                .addProducts(PRODUCTS, com.typesafe.config.ConfigFactory.empty());
        RelaySettings settings = loader.load(SettingsLoader.parseString(hocon));
        RelayEngine engine = new RelayEngine(settings, FipsTlsContext.create(settings.tls()), new RelayMetrics(new MetricRegistry()));
        try {
            engine.bindAll(settings.enabledProducts());
            StatusService status = StatusService.start(settings, fips, engine, settings::enabledProducts);
            return new RelayWithStatus(intake, settings, fips, engine, status);
        } catch (Exception e) {
            engine.close();
            intake.close();
            throw e;
        }
    }

    public int statusPort() {
        return status.address().orElseThrow().getPort();
    }

    public int port(String product) {
        return settings.product(product).orElseThrow().port();
    }

    public RelayMetrics metrics() {
        return engine.metrics();
    }

    @Override
    public void close() {
        status.close();
        engine.close();
        intake.close();
    }
}
