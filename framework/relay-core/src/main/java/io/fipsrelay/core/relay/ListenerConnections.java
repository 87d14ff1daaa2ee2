package io.fipsrelay.core.relay;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Open agent connections per product listener, held under {@code limits.max-connections-per-listener}
 * so that one runaway or hostile local client cannot exhaust the relay's file descriptors and
 * memory for every product.
 */
final class ListenerConnections {

    private static final Logger LOG = LoggerFactory.getLogger(ListenerConnections.class);

    private final int max;
    private final Map<String, AtomicInteger> open = new ConcurrentHashMap<>();
    private final Map<String, AtomicBoolean> refusing = new ConcurrentHashMap<>();

    ListenerConnections(int maxPerListener) {
        this.max = maxPerListener;
    }

    /** Counts a new connection in, or answers false when the listener is full. */
    boolean tryOpen(String productId) {
        AtomicInteger n = open.computeIfAbsent(productId, k -> new AtomicInteger());
        while (true) {
            int current = n.get();
            if (current >= max) {
                // Logged once per episode, not once per connection: a flood must not flood the log.
                if (refusing.computeIfAbsent(productId, k -> new AtomicBoolean()).compareAndSet(false, true)) {
                    LOG.warn("{}: {} agent connections open, the limit (limits.max-connections-per-listener); "
                            + "new ones are closed until some end", productId, max);
                }
                return false;
            }
            if (n.compareAndSet(current, current + 1)) {
                return true;
            }
        }
    }

    void closed(String productId) {
        AtomicInteger n = open.get(productId);
        if (n != null && n.decrementAndGet() < max) {
            AtomicBoolean r = refusing.get(productId);
            if (r != null && r.compareAndSet(true, false)) {
                LOG.info("{}: below {} agent connections again, accepting", productId, max);
            }
        }
    }
}
