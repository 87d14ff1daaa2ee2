package io.fipsrelay.server.status;

import java.util.List;
import java.util.Map;

/**
 * What the status side knows of the product plugins: which are loaded, from which jar, serving
 * which products; which jars were refused and why; and when plugins came and went. The program
 * fills it from its PF4J catalog; the status classes read it and never see PF4J.
 */
public interface PluginInventory {

    /**
     * One loaded plugin.
     *
     * @param jar the jar's file name
     * @param jarSha256 the SHA-256 of the jar file as it was loaded, lowercase hex
     * @param loadedBy {@code start} (in the folder when the relay started) or {@code hot-plug}
     */
    record Plugin(String id, String version, String jar, String jarSha256, long loadedAtMillis, String loadedBy,
                  List<String> products) {
    }

    /** A jar in the plugins folder that was not loaded, and why. */
    record Refused(String jar, String reason, long atMillis) {
    }

    /** The plugins loaded now, by id. */
    List<Plugin> plugins();

    /** The jars refused and still in the folder. */
    List<Refused> refused();

    /** What happened to plugins while the relay ran, oldest first (a bounded tail). */
    List<PluginEvent> events();

    /** Product id to the id of the plugin serving it now; an immutable snapshot, cheap enough per metric. */
    Map<String, String> productOwners();

    /**
     * True when every product comes from a plugin of this inventory, so a product no plugin owns
     * is one whose plugin was removed; false for a relay assembled without plugins (tests, tools).
     */
    boolean ownsEveryProduct();

    /** No plugins known: products carry no plugin. */
    PluginInventory NONE = new PluginInventory() {
        @Override
        public List<Plugin> plugins() {
            return List.of();
        }

        @Override
        public List<Refused> refused() {
            return List.of();
        }

        @Override
        public List<PluginEvent> events() {
            return List.of();
        }

        @Override
        public Map<String, String> productOwners() {
            return Map.of();
        }

        @Override
        public boolean ownsEveryProduct() {
            return false;
        }
    };
}
