package io.fipsrelay.server.status;

import com.codahale.metrics.Snapshot;
import com.codahale.metrics.Timer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Latency percentiles over several products' timers, for a plugin serving more than one product.
 *
 * <p>Dropwizard has no merge of reservoirs, and its snapshots expose their samples but not the
 * samples' decay weights. Each product's reservoir holds up to about a thousand recent samples
 * whatever its traffic, so taking the samples as they are would let a quiet product weigh as much
 * as a busy one. Each product's samples are therefore weighted by its request rate over five
 * minutes (the reservoir's own horizon) shared among its samples; before the rates have their first
 * tick (five seconds after start) the request counts stand in for them. One product alone is
 * reported from its own snapshot, so a one-product plugin shows exactly its product's figures.
 */
final class MergedLatency {

    private MergedLatency() {
    }

    static StatusDocument.Latency of(List<Timer> timers) {
        if (timers.size() == 1) {
            Timer t = timers.get(0);
            Snapshot s = t.getSnapshot();
            return new StatusDocument.Latency(t.getCount(), s.getMedian() / 1e6, s.get99thPercentile() / 1e6);
        }
        long count = timers.stream().mapToLong(Timer::getCount).sum();
        boolean ratesTicked = timers.stream().anyMatch(t -> t.getFiveMinuteRate() > 0);
        List<double[]> samples = new ArrayList<>();
        for (Timer t : timers) {
            long[] values = t.getSnapshot().getValues();
            double share = ratesTicked ? t.getFiveMinuteRate() : t.getCount();
            for (long v : values) {
                samples.add(new double[] {v, share / values.length});
            }
        }
        return new StatusDocument.Latency(count, quantile(samples, 0.5) / 1e6, quantile(samples, 0.99) / 1e6);
    }

    /** The smallest sample value at which the samples' cumulative weight reaches q of the total; 0 without samples. */
    static double quantile(List<double[]> valueAndWeight, double q) {
        double total = valueAndWeight.stream().mapToDouble(s -> s[1]).sum();
        if (valueAndWeight.isEmpty() || total <= 0) {
            return 0;
        }
        List<double[]> sorted = new ArrayList<>(valueAndWeight);
        sorted.sort(Comparator.comparingDouble(s -> s[0]));
        double reached = 0;
        for (double[] s : sorted) {
            reached += s[1];
            if (reached >= q * total) {
                return s[0];
            }
        }
        return sorted.get(sorted.size() - 1)[0];
    }
}
