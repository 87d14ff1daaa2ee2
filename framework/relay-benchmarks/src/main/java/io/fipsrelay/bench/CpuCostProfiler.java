package io.fipsrelay.bench;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * Reports what an operation costs in CPU time, not wall time: on a shared 2-core machine the
 * benchmark JVM often gets a fraction of a core, so ops/s measure the neighbours as much as the
 * code. CPU time of the whole benchmark JVM (benchmark threads, GC, JIT, BC's disposal daemon)
 * over each iteration, divided by the operations of that iteration:
 * <ul>
 *   <li>{@code cpu.cores}: cores the JVM actually used during the iteration (1.0 = one full core);</li>
 *   <li>{@code cpu.ns/op}: process CPU nanoseconds per operation;</li>
 *   <li>{@code cpu.MB/s}: in throughput mode, when the benchmark counts a {@code bytes} secondary result, megabytes
 *   (10^6 bytes) processed per CPU-second: the "MB/s per core" figure.</li>
 *   <li>{@code cpu.relay.*}: the same for the relay's own threads only (MINA I/O processors, acceptor and
 *   connector, {@code fips-relay-*}), when the JVM runs a relay: the relay loop benchmark's clients and
 *   intake run in the same JVM and would otherwise be counted too; {@code cpu.relay.alloc} is what
 *   those threads allocate per operation.</li>
 * </ul>
 * Use: {@code -prof io.fipsrelay.bench.CpuCostProfiler}.
 */
public final class CpuCostProfiler implements InternalProfiler {

    private final OperatingSystemMXBean os =
            (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private long cpuStart;
    private long wallStart;
    private Map<Long, long[]> relayStart = Map.of();
    /** Relay threads' counters taken just before a benchmark stopped its relay (see {@link #relayStopping()}). */
    private static volatile Map<Long, long[]> lastBeforeStop = Map.of();

    @Override
    public String getDescription() {
        return "process CPU time per operation and per byte (fips-relay)";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        relayStart = relayThreadCpu();
        cpuStart = os.getProcessCpuTime();
        wallStart = System.nanoTime();
    }

    /** Whether a thread belongs to the relay engine (RelayEngine and MINA name them so). */
    static boolean isRelayThread(String name) {
        return name.contains("NioProcessor") || name.startsWith("NioSocketAcceptor")
                || name.startsWith("NioSocketConnector") || name.startsWith("fips-relay");
    }

    /**
     * To be called by a benchmark right before it stops its relay: JMH asks the profilers about the
     * last iteration after the trial's teardown, when the relay threads no longer exist.
     */
    static void relayStopping() {
        lastBeforeStop = relayThreadCpu();
    }

    /** CPU nanoseconds and allocated bytes so far of each live relay thread. */
    private static Map<Long, long[]> relayThreadCpu() {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Map<Long, long[]> out = new HashMap<>();
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && isRelayThread(info.getThreadName())) {
                long t = threads.getThreadCpuTime(info.getThreadId());
                long a = threads.getThreadAllocatedBytes(info.getThreadId());
                if (t >= 0) {
                    out.put(info.getThreadId(), new long[] {t, Math.max(a, 0)});
                }
            }
        }
        return out;
    }

    @Override
    public Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams,
                                                       IterationResult result) {
        long cpu = os.getProcessCpuTime() - cpuStart;
        long wall = System.nanoTime() - wallStart;
        long relay = 0;
        long relayAlloc = 0;
        Map<Long, long[]> relayEnd = new HashMap<>(relayThreadCpu());
        for (Long gone : relayStart.keySet()) {
            if (!relayEnd.containsKey(gone) && lastBeforeStop.containsKey(gone)) {
                relayEnd.put(gone, lastBeforeStop.get(gone));
            }
        }
        for (Map.Entry<Long, long[]> e : relayEnd.entrySet()) {
            long[] start = relayStart.getOrDefault(e.getKey(), new long[2]);
            relay += e.getValue()[0] - start[0];
            relayAlloc += e.getValue()[1] - start[1];
        }
        List<Result> out = new ArrayList<>();
        out.add(new ScalarResult("cpu.cores", (double) cpu / wall, "cores", AggregationPolicy.AVG));
        long ops = result.getMetadata().getAllOps();
        if (ops > 0) {
            add(out, "cpu", cpu, ops, benchmarkParams, result);
            if (!relayEnd.isEmpty()) {
                out.add(new ScalarResult("cpu.relay.cores", (double) relay / wall, "cores", AggregationPolicy.AVG));
                add(out, "cpu.relay", relay, ops, benchmarkParams, result);
                out.add(new ScalarResult("cpu.relay.alloc", (double) relayAlloc / ops, "B/op", AggregationPolicy.AVG));
            }
        }
        return out;
    }

    private static void add(List<Result> out, String prefix, long cpuNanos, long ops, BenchmarkParams params,
                            IterationResult result) {
        double nsPerOp = (double) cpuNanos / ops;
        out.add(new ScalarResult(prefix + ".ns/op", nsPerOp, "ns/op", AggregationPolicy.AVG));
        Result bytes = result.getSecondaryResults().get("bytes");
        double opsScore = result.getPrimaryResult().getScore();
        if (bytes != null && opsScore > 0 && params.getMode() == Mode.Throughput && nsPerOp > 0) {
            double bytesPerOp = bytes.getScore() / opsScore;
            out.add(new ScalarResult(prefix + ".MB/s", bytesPerOp / nsPerOp * 1e9 / 1e6, "MB/cpu-s", AggregationPolicy.AVG));
        }
    }
}
