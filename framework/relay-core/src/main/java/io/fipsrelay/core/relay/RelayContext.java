package io.fipsrelay.core.relay;

import io.fipsrelay.core.http.RequestPolicy;
import io.fipsrelay.core.metrics.RelayMetrics;
import io.fipsrelay.core.settings.RelaySettings;
import io.fipsrelay.core.upstream.WorkerUpstreamPool;

/**
 * What every exchange of one configuration shares. A reload makes a new one; an exchange keeps
 * the one it started with.
 */
record RelayContext(RelaySettings settings, RequestPolicy policy, UpstreamSide upstream, RelayMetrics metrics,
                    ReplayBudget[] replayBudgets, io.fipsrelay.core.audit.AuditTrail audit) {

    WorkerUpstreamPool pool(RelayWorker worker) {
        return upstream.pool(worker);
    }

    /** The worker's share of {@code upstream.replay-buffer-total}: no counter shared between threads. */
    ReplayBudget replayBudget(RelayWorker worker) {
        return replayBudgets[worker.index()];
    }
}
