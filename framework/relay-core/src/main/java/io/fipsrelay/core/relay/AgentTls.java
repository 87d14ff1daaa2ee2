package io.fipsrelay.core.relay;

import io.fipsrelay.core.metrics.RelayMetrics;
import io.fipsrelay.core.settings.RelaySettings;
import io.fipsrelay.core.tls.FipsServerTlsContext;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * TLS towards the agents as configured now: the server context new connections get (a reload
 * swaps it; accepted connections keep their engine), the handshake deadline and the cap on
 * handshakes in progress. The count is touched twice per connection, never per request.
 */
final class AgentTls {

    /** Listeners speak plain HTTP. */
    static final AgentTls OFF = new AgentTls(null, RelaySettings.AgentTls.OFF);

    private final FipsServerTlsContext context;
    private final RelaySettings.AgentTls settings;

    AgentTls(FipsServerTlsContext context, RelaySettings.AgentTls settings) {
        this.context = context;
        this.settings = settings;
    }

    boolean enabled() {
        return context != null;
    }

    FipsServerTlsContext context() {
        return context;
    }

    RelaySettings.AgentTls settings() {
        return settings;
    }

    /** Handshakes in progress on every listener, held under {@code listen.tls.max-handshakes}. */
    static final class Handshakes {
        private final AtomicInteger inProgress = new AtomicInteger();
        private final RelayMetrics metrics;

        Handshakes(RelayMetrics metrics) {
            this.metrics = metrics;
        }

        boolean tryBegin(int max) {
            while (true) {
                int n = inProgress.get();
                if (n >= max) {
                    metrics.agentHandshakeFailed("too-many-handshakes");
                    return false;
                }
                if (inProgress.compareAndSet(n, n + 1)) {
                    return true;
                }
            }
        }

        void ended() {
            inProgress.decrementAndGet();
        }

        int inProgress() {
            return inProgress.get();
        }
    }
}
