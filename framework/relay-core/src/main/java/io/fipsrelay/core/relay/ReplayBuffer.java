package io.fipsrelay.core.relay;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A copy of the request body sent so far, so that the request can be sent again on another
 * connection. Bounded per request and across all requests; past either bound the copy is dropped
 * and the request is no longer retried.
 */
final class ReplayBuffer {

    private final int limit;
    private final AtomicLong globalRemaining;
    private byte[] bytes = new byte[0];
    private int length;
    private boolean intact = true;

    ReplayBuffer(int limit, AtomicLong globalRemaining) {
        this.limit = limit;
        this.globalRemaining = globalRemaining;
    }

    /** Copies the bytes; returns whether the buffer still holds the whole body sent so far. */
    boolean append(ByteBuffer slice) {
        if (!intact) {
            return false;
        }
        int n = slice.remaining();
        if (length + n > limit || globalRemaining.addAndGet(-n) < 0) {
            if (length + n <= limit) {
                globalRemaining.addAndGet(n);
            }
            release();
            return false;
        }
        if (length + n > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.min(limit, Math.max(length + n, bytes.length * 2 + 1024)));
        }
        slice.duplicate().get(bytes, length, n);
        length += n;
        return true;
    }

    boolean intact() {
        return intact;
    }

    ByteBuffer contents() {
        return ByteBuffer.wrap(bytes, 0, length);
    }

    /** Gives the memory back; the request can no longer be replayed. */
    void release() {
        if (intact) {
            globalRemaining.addAndGet(length);
            intact = false;
            bytes = null;
            length = 0;
        }
    }

    /** For a request that cannot be replayed at all (body larger than the limit). */
    static ReplayBuffer none() {
        ReplayBuffer b = new ReplayBuffer(0, new AtomicLong());
        b.intact = false;
        return b;
    }
}
