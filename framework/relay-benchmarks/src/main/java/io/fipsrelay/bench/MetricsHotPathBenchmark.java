package io.fipsrelay.bench;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.NoopMetricRegistry;
import io.fipsrelay.core.metrics.RelayMetrics;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What counting costs per relayed exchange: the calls ClientConnection makes for one request with
 * a 256 KiB body read in four 64 KiB chunks and a small answer, on the real registry and on
 * Dropwizard's no-op registry (metrics off). Two threads on one product's instruments show what
 * connections sharing them pay for it.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = "-Xmx512m")
@State(Scope.Benchmark)
public class MetricsHotPathBenchmark {

    @Param({"dropwizard", "noop"})
    public String registry;

    private RelayMetrics.ProductMetrics product;

    @Setup
    public void setUp() {
        MetricRegistry r = registry.equals("noop") ? new NoopMetricRegistry() : new MetricRegistry();
        product = new RelayMetrics(r).product("metrics");
    }

    @State(Scope.Thread)
    public static class Latency {
        long next;

        /** A latency that moves a little, as real ones do (1.0 .. 2.0 ms). */
        long nanos() {
            next = (next + 7919) % 1_000_000;
            return 1_000_000 + next;
        }
    }

    @Benchmark
    @Threads(1)
    public void exchangeOneThread(Latency latency) {
        recordExchange(product, latency.nanos());
    }

    @Benchmark
    @Threads(2)
    public void exchangeTwoThreads(Latency latency) {
        recordExchange(product, latency.nanos());
    }

    /** The metric calls of one exchange, in ClientConnection's order. */
    static void recordExchange(RelayMetrics.ProductMetrics p, long latencyNanos) {
        p.requests.mark();
        for (int chunk = 0; chunk < 4; chunk++) {
            p.requestBytes.mark(64 * 1024);
        }
        p.upstreamLatency.update(latencyNanos, TimeUnit.NANOSECONDS);
        p.response(202);
        p.responseBytes.mark(1_500);
    }
}
