package io.fipsrelay.core.relay;

import java.util.ArrayDeque;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.transport.socket.nio.NioProcessor;
import org.apache.mina.transport.socket.nio.NioSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One I/O thread of the relay (Envoy's worker): a MINA {@link NioProcessor} that also runs tasks
 * handed to it and timers of its own, between two selects. An agent connection and every upstream
 * connection serving it live on the same worker, so an exchange is driven by one thread from start
 * to end: no lock, no future, no wake-up of another thread on the per-request path.
 *
 * <p>Other threads (DNS, health checks, the connector, a reload, drain) reach a worker only through
 * {@link #execute}. Timers ({@link #schedule}) may be set and cancelled on the worker's own thread
 * only; they cost a heap insertion, nothing shared.
 */
public final class RelayWorker extends NioProcessor {

    private static final Logger LOG = LoggerFactory.getLogger(RelayWorker.class);

    /** A timer of this worker; cancel it on the worker's thread. */
    public static final class Timeout implements Comparable<Timeout> {
        private final long deadlineNanos;
        private final Runnable action;
        private boolean cancelled;

        private Timeout(long deadlineNanos, Runnable action) {
            this.deadlineNanos = deadlineNanos;
            this.action = action;
        }

        public void cancel() {
            cancelled = true;
        }

        @Override
        public int compareTo(Timeout o) {
            return Long.compare(deadlineNanos, o.deadlineNanos);
        }
    }

    private final int index;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final PriorityQueue<Timeout> timers = new PriorityQueue<>();
    /** Buffers MINA has written, given back to the pool once the processor loop is done with them. */
    private final ArrayDeque<IoBuffer> written = new ArrayDeque<>();
    private volatile Thread thread;

    public RelayWorker(Executor executor, int index) {
        super(executor);
        this.index = index;
    }

    public int index() {
        return index;
    }

    /** Whether the caller runs on this worker's thread. */
    public boolean inWorkerThread() {
        return Thread.currentThread() == thread;
    }

    /** Runs a task on this worker's thread (at once when called from it). */
    public void execute(Runnable task) {
        if (inWorkerThread()) {
            task.run();
            return;
        }
        tasks.add(task);
        wakeup();
    }

    /** Runs {@code action} on this worker after {@code delayNanos}, unless cancelled first. Worker thread only. */
    public Timeout schedule(long delayNanos, Runnable action) {
        Timeout t = new Timeout(System.nanoTime() + delayNanos, action);
        timers.add(t);
        return t;
    }

    /**
     * Gives a written buffer back to the pool at the next turn of the loop. MINA frees what it
     * writes itself, except the buffer that ends a flush at its fairness quota (96 KiB), which it
     * simply drops: under a bulk upload that was most TLS record buffers, allocated anew each time.
     * Freeing twice is harmless (the second free finds the buffer already released). Worker thread only.
     */
    public void freeWhenWritten(IoBuffer buffer) {
        written.add(buffer);
    }

    @Override
    protected int select(long timeout) throws Exception {
        thread = Thread.currentThread();
        runTasks();
        long wait = timeout;
        Timeout next = nextTimer();
        if (next != null) {
            long untilNext = (next.deadlineNanos - System.nanoTime() + 999_999) / 1_000_000;
            wait = Math.max(1, Math.min(wait, untilNext));
        }
        int selected = tasks.isEmpty() ? super.select(wait) : selectNow();
        if (selected == 0 && (next != null || !tasks.isEmpty())) {
            // An early return for our own timers or tasks: not the epoll spin MINA guards against.
            wakeupCalled.set(true);
        }
        runTasks();
        return selected;
    }

    private int selectNow() throws Exception {
        selectorLock.readLock().lock();
        try {
            return selector.selectNow();
        } finally {
            selectorLock.readLock().unlock();
        }
    }

    /** Selection keys changed from another thread must be applied by the owning selector (see MINA's updateTrafficMask). */
    @Override
    public void updateTrafficControl(NioSession session) {
        super.updateTrafficControl(session);
        if (!inWorkerThread()) {
            updateTrafficMask(session);
        }
    }

    private Timeout nextTimer() {
        Timeout t;
        while ((t = timers.peek()) != null && t.cancelled) {
            timers.poll();
        }
        return t;
    }

    private void runTasks() {
        IoBuffer b;
        while ((b = written.poll()) != null) {
            b.free();
        }
        long now = System.nanoTime();
        Timeout t;
        while ((t = nextTimer()) != null && t.deadlineNanos - now <= 0) {
            timers.poll();
            run(t.action);
        }
        Runnable task;
        while ((task = tasks.poll()) != null) {
            run(task);
        }
    }

    private static void run(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException | Error e) {
            // One exchange's bug must not stop the thread every other exchange on it depends on.
            LOG.error("relay worker task failed", e);
        }
    }
}
