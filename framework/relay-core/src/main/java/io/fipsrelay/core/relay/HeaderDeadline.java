package io.fipsrelay.core.relay;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The {@code limits.header-timeout} clock of one client connection. It starts with the first byte
 * of a request head and stops when the head is complete; bytes trickling in do not restart it,
 * which is what defeats a slowloris sender. Used under the client connection's lock.
 */
final class HeaderDeadline {

    private final ScheduledExecutorService timer;
    private final long limitNanos;
    private ScheduledFuture<?> expiry;
    private long deadlineNanos;

    HeaderDeadline(ScheduledExecutorService timer, Duration limit) {
        this.timer = timer;
        this.limitNanos = limit.toNanos();
    }

    /** Starts the clock unless it is already running. */
    void startIfStopped(Runnable onExpiry) {
        if (expiry == null) {
            deadlineNanos = System.nanoTime() + limitNanos;
            expiry = timer.schedule(onExpiry, limitNanos, TimeUnit.NANOSECONDS);
        }
    }

    void stop() {
        if (expiry != null) {
            expiry.cancel(false);
            expiry = null;
        }
    }

    /**
     * Whether the clock runs and has run out. The expiry task re-checks this under the lock: it may
     * have been queued just before the head completed and the clock restarted for the next one.
     */
    boolean expired() {
        return expiry != null && System.nanoTime() - deadlineNanos >= 0;
    }

    long limitMillis() {
        return TimeUnit.NANOSECONDS.toMillis(limitNanos);
    }
}
