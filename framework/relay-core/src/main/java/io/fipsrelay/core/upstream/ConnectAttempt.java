package io.fipsrelay.core.upstream;

import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One connection attempt's single answer. The connect failure (connector thread), the handshake
 * deadline (timer thread) and the handshake itself (the connection's worker) may race to end it;
 * the first wins and the answer is delivered on the worker the connection was opened for.
 */
final class ConnectAttempt {

    private final ConnectCallback callback;
    private final Executor deliverOn;
    private final AtomicBoolean done = new AtomicBoolean();
    volatile ScheduledFuture<?> deadline;

    ConnectAttempt(ConnectCallback callback, Executor deliverOn) {
        this.callback = callback;
        this.deliverOn = deliverOn;
    }

    boolean isDone() {
        return done.get();
    }

    void succeed(UpstreamConnection c) {
        if (finish()) {
            deliverOn.execute(() -> callback.connected(c));
        }
    }

    void fail(UpstreamFailure f) {
        if (finish()) {
            deliverOn.execute(() -> callback.connectFailed(f));
        }
    }

    private boolean finish() {
        if (!done.compareAndSet(false, true)) {
            return false;
        }
        ScheduledFuture<?> d = deadline;
        if (d != null) {
            d.cancel(false);
        }
        return true;
    }
}
