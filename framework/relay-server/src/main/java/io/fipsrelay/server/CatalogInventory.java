package io.fipsrelay.server;

import io.fipsrelay.api.Product;
import io.fipsrelay.server.status.PluginEvent;
import io.fipsrelay.server.status.PluginInventory;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The plugin catalog as the status side sees it: plain records, no PF4J types. */
final class CatalogInventory implements PluginInventory {

    private final PluginCatalog catalog;

    CatalogInventory(PluginCatalog catalog) {
        this.catalog = catalog;
    }

    @Override
    public List<Plugin> plugins() {
        return catalog.plugins().stream().map(p -> new Plugin(p.pluginId(), p.version(), p.jar().getFileName().toString(),
                p.jarSha256(), p.loadedAtMillis(), p.loadedBy(), p.products().stream().map(Product::id).toList())).toList();
    }

    @Override
    public List<Refused> refused() {
        return catalog.refused().stream()
                .map(r -> new Refused(r.jar().getFileName().toString(), r.reason(), r.atMillis())).toList();
    }

    @Override
    public List<PluginEvent> events() {
        return catalog.events().list();
    }

    @Override
    public Map<String, String> productOwners() {
        Map<String, String> owners = new HashMap<>();
        for (PluginCatalog.LoadedPlugin p : catalog.plugins()) {
            p.products().forEach(product -> owners.put(product.id(), p.pluginId()));
        }
        return Map.copyOf(owners);
    }

    @Override
    public boolean ownsEveryProduct() {
        return true;
    }
}
