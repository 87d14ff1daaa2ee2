package io.fipsrelay.core.relay;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import org.apache.mina.core.buffer.AbstractIoBuffer;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.buffer.IoBufferAllocator;

/**
 * MINA's buffer allocator for the relay: heap buffers in power-of-two classes, kept per thread
 * for reuse. Each I/O thread of the relay allocates its socket reads and TLS records here and gives
 * them back on the same thread (MINA frees a buffer once it is written; the relay frees a read once
 * consumed), so a steady stream of requests allocates no new buffer at all.
 *
 * <p>Written by hand instead of MINA's {@code CachedBufferAllocator}: that one also pools buffers
 * made by {@code IoBuffer.wrap} (whose arrays their creator may still hold), allocates a wrapper on
 * every free, and counts its queues in O(n). Here only buffers this allocator made are pooled, a
 * freed buffer refuses further use, and derived views (slices, duplicates) are never pooled.
 */
public final class PooledBufferAllocator implements IoBufferAllocator {

    /** Smallest and largest pooled class: 1 KiB .. 128 KiB; larger requests are plain allocations. */
    private static final int MIN_SHIFT = 10;
    private static final int MAX_SHIFT = 17;

    /** One thread's kept buffers. */
    private static final class ThreadPool {
        @SuppressWarnings("unchecked")
        final ArrayDeque<ByteBuffer>[] byClass = new ArrayDeque[MAX_SHIFT - MIN_SHIFT + 1];
        long bytes;

        ThreadPool() {
            for (int i = 0; i < byClass.length; i++) {
                byClass[i] = new ArrayDeque<>();
            }
        }
    }

    private final int maxPerClass;
    private final long maxBytesPerThread;
    private final ThreadLocal<ThreadPool> pools = ThreadLocal.withInitial(ThreadPool::new);

    /**
     * @param maxPerClass buffers kept per size class per thread
     * @param maxBytesPerThread bytes kept per thread in all; what is freed beyond goes to the garbage collector
     */
    public PooledBufferAllocator(int maxPerClass, long maxBytesPerThread) {
        this.maxPerClass = maxPerClass;
        this.maxBytesPerThread = maxBytesPerThread;
    }

    /**
     * Installs it as MINA's allocator for the whole JVM (once; later calls keep the first). At most
     * 16 buffers per class and 2 MiB per thread are kept: a worker's steady state needs a few reads
     * and a few record buffers at a time, and the pool is heap the JVM must hold.
     */
    public static synchronized void install() {
        if (!(IoBuffer.getAllocator() instanceof PooledBufferAllocator)) {
            IoBuffer.setAllocator(new PooledBufferAllocator(64, 4 * 1024 * 1024));
        }
    }

    @Override
    public IoBuffer allocate(int capacity, boolean direct) {
        if (direct) {
            return wrap(ByteBuffer.allocateDirect(capacity));
        }
        int cls = sizeClass(capacity);
        if (cls < 0) {
            return wrap(ByteBuffer.allocate(capacity));
        }
        ThreadPool pool = pools.get();
        ByteBuffer b = pool.byClass[cls].pollFirst();
        if (b == null) {
            b = ByteBuffer.allocate(1 << (cls + MIN_SHIFT));
        } else {
            pool.bytes -= b.capacity();
            b.clear();
        }
        b.limit(capacity);
        return new Pooled(b, true);
    }

    @Override
    public ByteBuffer allocateNioBuffer(int capacity, boolean direct) {
        return direct ? ByteBuffer.allocateDirect(capacity) : ByteBuffer.allocate(capacity);
    }

    @Override
    public IoBuffer wrap(ByteBuffer nioBuffer) {
        return new Pooled(nioBuffer, false);
    }

    @Override
    public void dispose() {
        // Thread-local pools go with their threads.
    }

    /** The class index for a capacity, or -1 when it is not pooled. */
    private static int sizeClass(int capacity) {
        if (capacity > 1 << MAX_SHIFT) {
            return -1;
        }
        int shift = Math.max(MIN_SHIFT, 32 - Integer.numberOfLeadingZeros(Math.max(1, capacity) - 1));
        return shift - MIN_SHIFT;
    }

    private void giveBack(ByteBuffer b) {
        int cls = sizeClass(b.capacity());
        if (cls >= 0 && b.capacity() == 1 << (cls + MIN_SHIFT)) {
            ThreadPool pool = pools.get();
            ArrayDeque<ByteBuffer> kept = pool.byClass[cls];
            if (kept.size() < maxPerClass && pool.bytes + b.capacity() <= maxBytesPerThread) {
                kept.addFirst(b);
                pool.bytes += b.capacity();
            }
        }
    }

    private final class Pooled extends AbstractIoBuffer {
        private ByteBuffer buf;
        /** Only buffers this allocator made go back to a pool; wrapped arrays belong to their creator. */
        private final boolean owned;

        Pooled(ByteBuffer buf, boolean owned) {
            super(PooledBufferAllocator.this, buf.capacity());
            this.buf = buf;
            this.owned = owned;
            buf.order(ByteOrder.BIG_ENDIAN);
        }

        private Pooled(Pooled parent, ByteBuffer buf) {
            super(parent);
            this.buf = buf;
            this.owned = false;
        }

        @Override
        public ByteBuffer buf() {
            ByteBuffer b = buf;
            if (b == null) {
                throw new IllegalStateException("buffer used after it was freed");
            }
            return b;
        }

        @Override
        protected void buf(ByteBuffer replacement) {
            // Auto-expansion replaced the array: the old one may be reused.
            ByteBuffer old = buf;
            buf = replacement;
            if (owned && old != null) {
                giveBack(old);
            }
        }

        @Override
        protected IoBuffer duplicate0() {
            return new Pooled(this, buf().duplicate());
        }

        @Override
        protected IoBuffer slice0() {
            return new Pooled(this, buf().slice());
        }

        @Override
        protected IoBuffer asReadOnlyBuffer0() {
            return new Pooled(this, buf().asReadOnlyBuffer());
        }

        @Override
        public byte[] array() {
            return buf().array();
        }

        @Override
        public int arrayOffset() {
            return buf().arrayOffset();
        }

        @Override
        public boolean hasArray() {
            return buf().hasArray();
        }

        @Override
        public void free() {
            ByteBuffer b = buf;
            if (b == null) {
                return;
            }
            if (owned && !isDerived()) {
                buf = null;
                giveBack(b);
            }
        }
    }
}
