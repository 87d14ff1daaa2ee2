package io.fipsrelay.server.status;

import io.fipsrelay.core.metrics.RelayMetrics;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Turns the products' cumulative counters into per-interval rates, one {@link ThroughputSample}
 * per run. Rates come from count differences over the measured elapsed time rather than from the
 * meters' moving averages, so the figures are exact for the interval and react within one sample.
 * The first run only records where the counters stand.
 */
public final class ThroughputSampler implements Runnable {

    private final RelayMetrics metrics;
    private final Supplier<? extends Collection<String>> productIds;
    private final ThroughputHistory history;
    private final LongSupplier nanoTime;
    private final LongSupplier wallMillis;
    private final Map<String, long[]> lastCounts = new HashMap<>();
    private long lastNanos;
    private boolean started;

    /**
     * @param productIds the products to sample besides those that already have instruments
     *                   (listeners not yet used still get a line in the history)
     */
    public ThroughputSampler(RelayMetrics metrics, Supplier<? extends Collection<String>> productIds,
                             ThroughputHistory history, LongSupplier nanoTime, LongSupplier wallMillis) {
        this.metrics = metrics;
        this.productIds = productIds;
        this.history = history;
        this.nanoTime = nanoTime;
        this.wallMillis = wallMillis;
    }

    public static ThroughputSampler systemClock(RelayMetrics metrics, Supplier<? extends Collection<String>> productIds,
                                                ThroughputHistory history) {
        return new ThroughputSampler(metrics, productIds, history, System::nanoTime, System::currentTimeMillis);
    }

    @Override
    public synchronized void run() {
        for (String id : productIds.get()) {
            metrics.product(id);
        }
        long now = nanoTime.getAsLong();
        double seconds = (now - lastNanos) / 1e9;
        Map<String, ProductRates> rates = new LinkedHashMap<>();
        java.util.Set<String> present = new java.util.TreeSet<>(metrics.productIds());
        // A retired product's counters are gone; if it comes back, it counts from zero again.
        lastCounts.keySet().retainAll(present);
        for (String id : present) {
            RelayMetrics.ProductMetrics p = metrics.product(id);
            long[] counts = {p.requests.getCount(), p.requestBytes.getCount(), p.responseBytes.getCount(), p.responses(5)};
            // A product first seen now had its instruments made within the last interval: count from zero.
            long[] before = lastCounts.getOrDefault(id, new long[counts.length]);
            if (anyBelow(counts, before)) {
                before = new long[counts.length]; // retired and back within one interval: counting from zero
            }
            lastCounts.put(id, counts);
            if (started && seconds > 0) {
                rates.put(id, new ProductRates((counts[0] - before[0]) / seconds, (counts[1] - before[1]) / seconds,
                        (counts[2] - before[2]) / seconds, (counts[3] - before[3]) / seconds));
            }
        }
        lastNanos = now;
        if (started) {
            history.add(new ThroughputSample(wallMillis.getAsLong(), Map.copyOf(rates)));
        }
        started = true;
    }

    private static boolean anyBelow(long[] counts, long[] before) {
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] < before[i]) {
                return true;
            }
        }
        return false;
    }
}
