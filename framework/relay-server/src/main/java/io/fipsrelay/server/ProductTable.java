package io.fipsrelay.server;

import io.fipsrelay.api.Product;
import io.fipsrelay.api.Route;
import io.fipsrelay.core.settings.HostAndPort;
import io.fipsrelay.core.settings.RelaySettings;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/** What {@code fips-relay plugins} prints: one line per product with its plugin, port and intake servers. */
final class ProductTable {

    private static final List<String> HEADINGS = List.of("PRODUCT", "PLUGIN", "PORT", "STATE", "UPSTREAM");

    private ProductTable() {
    }

    static List<String> lines(PluginCatalog catalog, RelaySettings settings) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(HEADINGS);
        List<Row> products = new ArrayList<>();
        for (PluginCatalog.LoadedPlugin plugin : catalog.plugins()) {
            for (Product product : plugin.products()) {
                products.add(new Row(plugin.pluginId(), settings.product(product.id()).orElseThrow()));
            }
        }
        products.sort(Comparator.comparingInt(r -> r.product().port()));
        for (Row r : products) {
            rows.add(List.of(r.product().id(), r.pluginId(), Integer.toString(r.product().port()),
                    r.product().enabled() ? "enabled" : "disabled", upstream(r.product(), settings)));
        }
        List<String> lines = aligned(rows);
        lines.add("");
        lines.add(products.size() + " products from " + catalog.plugins().size() + " plugins in " + catalog.dir()
                + " (site " + settings.site() + ", listening on " + settings.listen().address() + ")");
        if (settings.proxy().enabled()) {
            // The proxy's only string form: credentials redacted.
            lines.add("intakes reached through the egress proxy " + settings.proxy().endpoint() + " (from "
                    + settings.proxy().origin() + ")" + (settings.proxy().noProxy().isEmpty() ? ""
                    : "; directly: " + settings.proxy().noProxy()));
        }
        for (PluginCatalog.RefusedPlugin r : catalog.refused()) {
            lines.add("refused " + r.jar() + ": " + r.reason());
        }
        return lines;
    }

    /** The product's servers, then each route's: "a:443, /path -> b:443". */
    private static String upstream(RelaySettings.ProductSettings p, RelaySettings settings) {
        List<String> parts = new ArrayList<>();
        parts.add(join(settings.serversFor(p, "/")));
        for (Route route : p.product().routes()) {
            parts.add(route.path() + (route.andBelow() ? "[/...]" : "") + " -> " + join(settings.serversFor(p, route.path())));
        }
        return String.join(", ", parts);
    }

    private static String join(List<HostAndPort> servers) {
        return servers.stream().map(HostAndPort::toString).collect(Collectors.joining(" "));
    }

    private static List<String> aligned(List<List<String>> rows) {
        int[] width = new int[HEADINGS.size()];
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                width[i] = Math.max(width[i], row.get(i).length());
            }
        }
        List<String> lines = new ArrayList<>();
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                String cell = row.get(i);
                line.append(cell);
                if (i < row.size() - 1) {
                    line.append(" ".repeat(width[i] - cell.length() + 2));
                }
            }
            lines.add(line.toString());
        }
        return lines;
    }

    private record Row(String pluginId, RelaySettings.ProductSettings product) {
    }
}
