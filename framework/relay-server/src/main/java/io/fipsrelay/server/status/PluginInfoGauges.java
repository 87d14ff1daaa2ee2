package io.fipsrelay.server.status;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import java.util.HashMap;
import java.util.Map;

/**
 * Text gauges naming each loaded plugin's version and jar digest,
 * {@code fips-relay.plugins.<plugin>.version} and {@code ...jar-sha256}: JMX shows them as they are,
 * /metrics as {@code fips_relay_plugin_info{plugin,version,jar_sha256} 1}. Plugins come and go with
 * hot plug, so {@link #refresh()} adds the gauges of new plugins and removes those of removed ones.
 */
public final class PluginInfoGauges {

    public static final String PREFIX = "fips-relay.plugins.";

    private final MetricRegistry registry;
    private final PluginInventory plugins;
    /** Plugin id to the jar digest its gauges were made for (a replaced jar gets new gauges). */
    private final Map<String, String> registered = new HashMap<>();

    public PluginInfoGauges(MetricRegistry registry, PluginInventory plugins) {
        this.registry = registry;
        this.plugins = plugins;
    }

    public synchronized void refresh() {
        Map<String, PluginInventory.Plugin> now = new HashMap<>();
        plugins.plugins().forEach(p -> now.put(p.id(), p));
        registered.entrySet().removeIf(e -> {
            PluginInventory.Plugin p = now.get(e.getKey());
            if (p != null && p.jarSha256().equals(e.getValue())) {
                return false;
            }
            registry.remove(PREFIX + e.getKey() + ".version");
            registry.remove(PREFIX + e.getKey() + ".jar-sha256");
            return true;
        });
        for (PluginInventory.Plugin p : now.values()) {
            if (!registered.containsKey(p.id())) {
                registry.register(PREFIX + p.id() + ".version", (Gauge<String>) p::version);
                registry.register(PREFIX + p.id() + ".jar-sha256", (Gauge<String>) p::jarSha256);
                registered.put(p.id(), p.jarSha256());
            }
        }
    }
}
