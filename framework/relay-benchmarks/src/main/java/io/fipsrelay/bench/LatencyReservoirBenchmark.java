package io.fipsrelay.bench;

import com.codahale.metrics.ExponentiallyDecayingReservoir;
import com.codahale.metrics.LockFreeExponentiallyDecayingReservoir;
import com.codahale.metrics.Timer;
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
 * Why the latency timer uses the lock-free reservoir: Dropwizard's default one takes a read-write
 * lock per update, shared by every connection of the product.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = "-Xmx512m")
@State(Scope.Benchmark)
public class LatencyReservoirBenchmark {

    @Param({"lock-free", "default-locking"})
    public String reservoir;

    private Timer timer;

    @Setup
    public void setUp() {
        timer = new Timer(reservoir.equals("lock-free")
                ? LockFreeExponentiallyDecayingReservoir.builder().build() : new ExponentiallyDecayingReservoir());
    }

    @Benchmark
    @Threads(2)
    public void updateTwoThreads(MetricsHotPathBenchmark.Latency latency) {
        timer.update(latency.nanos(), TimeUnit.NANOSECONDS);
    }
}
