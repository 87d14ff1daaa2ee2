package io.fipsrelay.server.status;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The last N throughput samples, oldest overwritten first: a fixed array, so the history costs the
 * same memory after a week as after a minute. Written by the sampler, read by page renders.
 */
public final class ThroughputHistory {

    private final ThroughputSample[] ring;
    private int next;
    private int size;

    public ThroughputHistory(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        ring = new ThroughputSample[capacity];
    }

    public synchronized void add(ThroughputSample sample) {
        ring[next] = sample;
        next = (next + 1) % ring.length;
        size = Math.min(size + 1, ring.length);
    }

    /** The kept samples, oldest first. */
    public synchronized List<ThroughputSample> samples() {
        List<ThroughputSample> out = new ArrayList<>(size);
        int first = (next - size + ring.length) % ring.length;
        for (int i = 0; i < size; i++) {
            out.add(ring[(first + i) % ring.length]);
        }
        return out;
    }

    public synchronized Optional<ThroughputSample> latest() {
        return size == 0 ? Optional.empty() : Optional.of(ring[(next - 1 + ring.length) % ring.length]);
    }

    public int capacity() {
        return ring.length;
    }
}
