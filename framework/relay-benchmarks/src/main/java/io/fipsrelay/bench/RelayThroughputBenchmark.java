package io.fipsrelay.bench;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.NoopMetricRegistry;
import io.fipsrelay.api.Product;
import io.fipsrelay.core.fips.FipsBootstrap;
import io.fipsrelay.core.metrics.RelayMetrics;
import io.fipsrelay.core.relay.RelayEngine;
import io.fipsrelay.core.settings.RelaySettings;
import io.fipsrelay.core.settings.SettingsLoader;
import io.fipsrelay.core.tls.FipsTlsContext;
import io.fipsrelay.testkit.FreePorts;
import io.fipsrelay.testkit.KeyType;
import io.fipsrelay.testkit.RawHttpClient;
import io.fipsrelay.testkit.RawResponse;
import io.fipsrelay.testkit.RecordingIntake;
import io.fipsrelay.testkit.ServerIdentity;
import io.fipsrelay.testkit.TestPki;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * Metrics on versus off end to end: agent POSTs over keep-alive connections through a real relay
 * (MINA, FIPS TLS to the intake) to the test intake, all on this machine, once with the relay's
 * Dropwizard registry and once with the no-op registry. Small bodies make the per-request work,
 * where counting happens, as large a share of the total as it gets.
 *
 * <p>Besides requests per second, each measured iteration prints the process CPU time per request
 * (relay, intake and agents together): on a machine shared with other work, throughput swings with
 * the neighbours' load while CPU per request barely does, so that is the figure to compare.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 10)
@Measurement(iterations = 5, time = 10)
@Fork(value = 1, jvmArgsAppend = {"-Dorg.bouncycastle.fips.approved_only=true", "-Xmx1g"})
@State(Scope.Benchmark)
public class RelayThroughputBenchmark {

    private static final Product METRICS = Product.of("metrics", 1, "metrics.agent");

    @Param({"dropwizard", "noop"})
    public String metrics;

    @Param({"4096"})
    public int bodyBytes;

    private RecordingIntake intake;
    private RelayEngine engine;
    private int port;
    private Path dir;
    private final AtomicLong requests = new AtomicLong();
    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    private long cpuAtStart;
    private long requestsAtStart;

    @Setup(Level.Trial)
    public void start() throws Exception {
        dir = Files.createTempDirectory("fips-relay-bench-");
        TestPki pki = TestPki.create("fips-relay bench CA");
        ServerIdentity id = pki.issue(KeyType.EC_P256, "*.ddog-gov.com", "*.agent.ddog-gov.com");
        intake = RecordingIntake.builder(id).start();
        FipsBootstrap.install(FipsBootstrap.ProviderOrder.APPENDED);
        Path ca = pki.writeCaPem(dir.resolve("ca.pem"));
        int base = FreePorts.pickRange(2);
        RelaySettings settings = SettingsLoader.withCoreDefaults().environment(Map.of())
                .addProducts(List.of(METRICS), com.typesafe.config.ConfigFactory.empty())
                .load(SettingsLoader.parseString("fips-relay {\n"
                        + "  listen.port-range-start = " + base + "\n"
                        + "  tls.ca-file = \"" + ca + "\"\n"
                        + "  upstream.port = " + intake.port() + "\n"
                        + "  dns.hosts { \"*.ddog-gov.com\" = \"127.0.0.1\" }\n"
                        + "}\n"));
        MetricRegistry registry = metrics.equals("noop") ? new NoopMetricRegistry() : new MetricRegistry();
        engine = new RelayEngine(settings, FipsTlsContext.create(settings.tls()), new RelayMetrics(registry));
        engine.bindAll(settings.enabledProducts());
        port = settings.product("metrics").orElseThrow().port();
    }

    /** The intake keeps what it records: forget it between iterations so the heap stays flat. */
    @Setup(Level.Iteration)
    public void forgetRecorded() {
        intake.reset();
        cpuAtStart = os.getProcessCpuTime();
        requestsAtStart = requests.get();
    }

    @TearDown(Level.Iteration)
    public void reportCpu(IterationParams iteration) {
        long n = requests.get() - requestsAtStart;
        if (iteration.getType() == IterationType.MEASUREMENT && n > 0) {
            System.out.printf("cpu-per-request metrics=%s %.1f us%n", metrics, (os.getProcessCpuTime() - cpuAtStart) / 1e3 / n);
        }
    }

    @TearDown(Level.Trial)
    public void stop() throws IOException {
        engine.close();
        intake.close();
        Files.deleteIfExists(dir.resolve("ca.pem"));
        Files.deleteIfExists(dir);
    }

    @State(Scope.Thread)
    public static class Agent {
        RawHttpClient client;
        byte[] body;

        @Setup(Level.Trial)
        public void connect(RelayThroughputBenchmark relay) throws IOException {
            client = RawHttpClient.connect(relay.port);
            body = new byte[relay.bodyBytes];
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            client.close();
        }
    }

    @Benchmark
    @Threads(2)
    public int post(Agent agent) throws IOException {
        agent.client.post("/api/v2/series", Map.of("DD-API-KEY", "0123456789abcdef"), agent.body);
        RawResponse response = agent.client.readResponse();
        requests.incrementAndGet();
        if (response.status() != 202) {
            throw new IllegalStateException("relay answered " + response.status() + ": " + response.bodyText());
        }
        return response.status();
    }
}
