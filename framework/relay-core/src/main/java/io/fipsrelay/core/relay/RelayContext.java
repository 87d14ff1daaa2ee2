package io.fipsrelay.core.relay;

import io.fipsrelay.core.http.RequestPolicy;
import io.fipsrelay.core.metrics.RelayMetrics;
import io.fipsrelay.core.settings.RelaySettings;
import io.fipsrelay.core.upstream.UpstreamPool;
import java.util.concurrent.ScheduledExecutorService;

/** What every client connection shares. */
record RelayContext(RelaySettings settings, RequestPolicy policy, UpstreamPool pool, RelayMetrics metrics,
                    ScheduledExecutorService timer, java.util.concurrent.atomic.AtomicLong replayBudget) {
}
