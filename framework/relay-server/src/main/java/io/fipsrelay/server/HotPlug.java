package io.fipsrelay.server;

import io.fipsrelay.api.Product;
import io.fipsrelay.core.relay.BindFailure;
import io.fipsrelay.core.relay.RelayEngine;
import io.fipsrelay.core.settings.RelaySettings;
import io.fipsrelay.core.settings.SettingsException;
import io.fipsrelay.server.status.PluginEvent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the plugins folder's changes to the running relay: a new jar is loaded, checked against
 * the loaded plugins and the running configuration, and its products start listening; a removed
 * jar's products stop listening (their connections drain) and the plugin unloads. Any failure
 * refuses that jar alone, with a log line naming it and the reason; other products are not touched.
 */
final class HotPlug implements PluginFolderScanner.Changes {

    private static final Logger LOG = LoggerFactory.getLogger(HotPlug.class);

    private final PluginCatalog catalog;
    /** The operator's configuration as last read (a reload replaces it). */
    private final java.util.function.Supplier<OperatorSettings> operatorSettings;
    private final RelayEngine engine;

    HotPlug(PluginCatalog catalog, java.util.function.Supplier<OperatorSettings> operatorSettings, RelayEngine engine) {
        this.catalog = catalog;
        this.operatorSettings = operatorSettings;
        this.engine = engine;
    }

    @Override
    public void added(Path jar) {
        long start = System.nanoTime();
        PluginCatalog.LoadedPlugin plugin = catalog.loadJar(jar);
        if (plugin == null) {
            return; // refused and logged by the catalog
        }
        RelaySettings settings;
        try {
            settings = operatorSettings.get().forPluginsWhileRunning(catalog.plugins());
        } catch (SettingsException e) {
            catalog.refuse(plugin, "its products do not fit the running configuration: " + String.join("; ", e.problems()));
            return;
        }
        List<String> listening = new ArrayList<>();
        List<String> disabled = new ArrayList<>();
        for (Product product : plugin.products()) {
            RelaySettings.ProductSettings p = settings.product(product.id()).orElseThrow();
            if (!p.enabled()) {
                disabled.add(p.id());
                continue;
            }
            try {
                engine.bind(p);
                listening.add(p.id() + " on " + p.port());
            } catch (BindFailure e) {
                plugin.products().forEach(bound -> engine.unbind(bound.id()));
                catalog.refuse(plugin, e.getMessage());
                return;
            }
        }
        catalog.events().add(PluginEvent.hotPlugged(System.currentTimeMillis(), plugin.pluginId(),
                jar.getFileName().toString(), plugin.products().stream().map(Product::id).toList()));
        LOG.info("plugin {} hot-plugged from {} in {} ms: listening {}{}", plugin.pluginId(), jar.getFileName(),
                (System.nanoTime() - start) / 1_000_000, listening,
                disabled.isEmpty() ? "" : ", disabled by configuration " + disabled);
    }

    @Override
    public void removed(Path jar) {
        Optional<PluginCatalog.LoadedPlugin> found = catalog.pluginAt(jar);
        if (found.isEmpty()) {
            catalog.forget(jar); // a refused jar: nothing runs from it
            return;
        }
        PluginCatalog.LoadedPlugin plugin = found.get();
        plugin.products().forEach(product -> engine.unbind(product.id()));
        catalog.unload(plugin.pluginId());
        catalog.events().add(PluginEvent.removed(System.currentTimeMillis(), plugin.pluginId(),
                jar.getFileName().toString(), plugin.products().stream().map(Product::id).toList()));
        LOG.info("plugin {} removed with {}: stopped {}", plugin.pluginId(), jar.getFileName(),
                plugin.products().stream().map(Product::id).toList());
    }
}
