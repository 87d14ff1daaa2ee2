package io.fipsrelay.core.relay;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The request body sent so far, kept so that the request can be sent again on another connection.
 * Bounded per request and across all requests; past either bound it is dropped and the request
 * is no longer retried.
 *
 * <p>It keeps read-only views of the buffers the body arrived in instead of copies: MINA hands
 * every read a fresh buffer and nothing writes to it afterwards, so a view is as good as a copy
 * and costs no memcpy on the hot path. Accounting counts the bytes viewed; the arrays they sit in
 * (one read buffer, at most 128 KiB, per slice) may hold a little more.
 */
final class ReplayBuffer {

    private final int limit;
    private final AtomicLong globalRemaining;
    private final List<ByteBuffer> slices = new ArrayList<>();
    private long length;
    private boolean intact = true;

    ReplayBuffer(int limit, AtomicLong globalRemaining) {
        this.limit = limit;
        this.globalRemaining = globalRemaining;
    }

    /** Keeps the bytes; returns whether the buffer still holds the whole body sent so far. */
    boolean append(ByteBuffer slice) {
        if (!intact) {
            return false;
        }
        int n = slice.remaining();
        if (length + n > limit) {
            release();
            return false;
        }
        if (globalRemaining.addAndGet(-n) < 0) {
            globalRemaining.addAndGet(n);
            release();
            return false;
        }
        slices.add(slice.asReadOnlyBuffer());
        length += n;
        return true;
    }

    boolean intact() {
        return intact;
    }

    boolean isEmpty() {
        return length == 0;
    }

    /** Fresh views of what was sent, in order, to send again. */
    List<ByteBuffer> contents() {
        List<ByteBuffer> views = new ArrayList<>(slices.size());
        slices.forEach(s -> views.add(s.duplicate()));
        return views;
    }

    /** Gives the memory back; the request can no longer be replayed. */
    void release() {
        if (intact) {
            globalRemaining.addAndGet(length);
            intact = false;
            slices.clear();
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
