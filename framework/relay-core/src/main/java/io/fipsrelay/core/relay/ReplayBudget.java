package io.fipsrelay.core.relay;

/**
 * One worker's share of {@code upstream.replay-buffer-total}: bytes that replay buffers on that
 * worker may still hold. Used by one thread only.
 */
final class ReplayBudget {

    private long remaining;

    ReplayBudget(long bytes) {
        this.remaining = bytes;
    }

    boolean take(long n) {
        if (n > remaining) {
            return false;
        }
        remaining -= n;
        return true;
    }

    void giveBack(long n) {
        remaining += n;
    }

    static ReplayBudget[] split(long total, int workers) {
        ReplayBudget[] budgets = new ReplayBudget[workers];
        for (int i = 0; i < workers; i++) {
            budgets[i] = new ReplayBudget(total / workers);
        }
        return budgets;
    }
}
