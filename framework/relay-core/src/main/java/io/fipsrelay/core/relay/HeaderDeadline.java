package io.fipsrelay.core.relay;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The {@code limits.header-timeout} clock of one agent connection, on its worker's timers. It
 * starts with the first byte of a request head and stops when the head is complete; bytes trickling
 * in do not restart it, which is what defeats a slowloris sender.
 */
final class HeaderDeadline {

    private final RelayWorker worker;
    private final long limitNanos;
    private RelayWorker.Timeout expiry;

    HeaderDeadline(RelayWorker worker, Duration limit) {
        this.worker = worker;
        this.limitNanos = limit.toNanos();
    }

    /** Starts the clock unless it is already running. */
    void startIfStopped(Runnable onExpiry) {
        if (expiry == null) {
            expiry = worker.schedule(limitNanos, () -> {
                expiry = null;
                onExpiry.run();
            });
        }
    }

    void stop() {
        if (expiry != null) {
            expiry.cancel();
            expiry = null;
        }
    }

    long limitMillis() {
        return TimeUnit.NANOSECONDS.toMillis(limitNanos);
    }
}
