package io.fipsrelay.server.status;

import io.fipsrelay.core.metrics.RelayMetrics;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Retires the instruments of products whose plugin was removed, once their last agent connection
 * has closed, so a removed plugin's products leave the dashboard, /status.json, /metrics and JMX
 * (see {@link RelayMetrics#retireIfIdle}). Only where every product comes from a plugin: a product
 * no loaded plugin owns and that no longer listens is then certainly a removed one.
 */
final class RemovedProducts implements Runnable {

    private final RelayMetrics metrics;
    private final PluginInventory plugins;
    private final Supplier<Map<String, InetSocketAddress>> bound;

    RemovedProducts(RelayMetrics metrics, PluginInventory plugins, Supplier<Map<String, InetSocketAddress>> bound) {
        this.metrics = metrics;
        this.plugins = plugins;
        this.bound = bound;
    }

    @Override
    public void run() {
        if (!plugins.ownsEveryProduct()) {
            return;
        }
        Map<String, String> owners = plugins.productOwners();
        Map<String, InetSocketAddress> listening = bound.get();
        for (String id : metrics.productIds()) {
            if (!owners.containsKey(id) && !listening.containsKey(id)) {
                metrics.retireIfIdle(id);
            }
        }
    }
}
