package io.fipsrelay.core.relay;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The request body sent so far, kept so that the request can be sent again on another connection.
 * Bounded per request and by the worker's {@link ReplayBudget}; past either bound it is dropped and
 * the request is no longer retried.
 *
 * <p>It keeps views of the agent's reads instead of copies, and holds those reads (see
 * {@link AgentRead}) so that their pooled buffers are not reused until the request can no longer
 * be sent again: no memcpy of bulk bodies on the hot path. Small slices are copied instead. Accounting counts the bytes viewed; the buffers they
 * sit in (one 64 KiB read per slice at most) may hold a little more.
 */
final class ReplayBuffer {

    /** Slices up to this size are copied rather than held in their read. */
    static final int COPY_BELOW = 8 * 1024;

    private final int limit;
    private final ReplayBudget budget;
    private final List<ByteBuffer> slices = new ArrayList<>(4);
    private final List<AgentRead> held = new ArrayList<>(4);
    private long length;
    private boolean intact = true;

    ReplayBuffer(int limit, ReplayBudget budget) {
        this.limit = limit;
        this.budget = budget;
    }

    /** Keeps the bytes; returns whether the buffer still holds the whole body sent so far. */
    boolean append(AgentRead read, ByteBuffer slice) {
        if (!intact) {
            return false;
        }
        int n = slice.remaining();
        if (length + n > limit || !budget.take(n)) {
            release();
            return false;
        }
        if (n <= COPY_BELOW) {
            // A small body is copied: holding its whole 64 KiB read until the answer would keep far
            // more memory in flight than the body (50 agents sending 2 KiB would hold 3 MB).
            ByteBuffer copy = ByteBuffer.allocate(n);
            copy.put(slice.duplicate()).flip();
            slices.add(copy);
        } else {
            if (held.isEmpty() || held.get(held.size() - 1) != read) {
                read.retain();
                held.add(read);
            }
            slices.add(slice.duplicate()); // its own view: the caller goes on to consume the slice it passed
        }
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
            budget.giveBack(length);
            intact = false;
            slices.clear();
            held.forEach(AgentRead::release);
            held.clear();
            length = 0;
        }
    }

    /** For a request that cannot be replayed at all (body larger than the limit). */
    static ReplayBuffer none() {
        ReplayBuffer b = new ReplayBuffer(0, new ReplayBudget(0));
        b.intact = false;
        return b;
    }
}
