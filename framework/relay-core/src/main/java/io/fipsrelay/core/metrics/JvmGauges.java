package io.fipsrelay.core.metrics;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.jvm.BufferPoolMetricSet;
import com.codahale.metrics.jvm.CachedThreadStatesGaugeSet;
import com.codahale.metrics.jvm.ClassLoadingGaugeSet;
import com.codahale.metrics.jvm.FileDescriptorRatioGauge;
import com.codahale.metrics.jvm.GarbageCollectorMetricSet;
import com.codahale.metrics.jvm.JvmAttributeGaugeSet;
import com.codahale.metrics.jvm.MemoryUsageGaugeSet;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;

/** JVM basics from metrics-jvm under {@code jvm.}: memory, GC, threads, classes, buffers, file descriptors. */
public final class JvmGauges {

    public static final String HEAP_USED = "jvm.memory.heap.used";
    public static final String HEAP_MAX = "jvm.memory.heap.max";
    public static final String THREADS = "jvm.threads.count";
    public static final String UPTIME = "jvm.attributes.uptime";

    private JvmGauges() {
    }

    /** Registers the sets once per registry (again is a no-op). */
    public static synchronized void register(MetricRegistry registry) {
        if (registry.getGauges().containsKey(HEAP_USED)) {
            return;
        }
        registry.registerAll("jvm.memory", new MemoryUsageGaugeSet());
        registry.registerAll("jvm.gc", new GarbageCollectorMetricSet());
        // A thread-state scan walks every thread: cached, so frequent scrapes stay cheap.
        registry.registerAll("jvm.threads", new CachedThreadStatesGaugeSet(10, TimeUnit.SECONDS));
        registry.registerAll("jvm.classes", new ClassLoadingGaugeSet());
        registry.registerAll("jvm.buffers", new BufferPoolMetricSet(ManagementFactory.getPlatformMBeanServer()));
        registry.registerAll("jvm.attributes", new JvmAttributeGaugeSet());
        registry.register("jvm.fd.usage", new FileDescriptorRatioGauge());
    }
}
