package io.fipsrelay.core.settings;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Refuses every path of the operator's file that the reference configuration does not have, a
 * block as much as a leaf: a misspelt empty block ({@code produtcs { }}) is as wrong as a misspelt
 * key, and both get a "did you mean". Product blocks are checked against the loaded products.
 */
final class KnownKeys {

    static final Set<String> PRODUCT_KEYS = Set.of("enabled", "port", "servers");

    private final Config reference;
    private final Set<String> productIds;
    private final List<String> referencePaths = new ArrayList<>();

    KnownKeys(Config reference, Set<String> productIds) {
        this.reference = reference;
        this.productIds = new TreeSet<>(productIds);
        collectPaths(reference.root(), List.of());
    }

    void check(Config operator, List<String> problems) {
        walk(operator.root(), List.of(), problems);
    }

    private void walk(ConfigObject object, List<String> parent, List<String> problems) {
        for (Map.Entry<String, ConfigValue> e : object.entrySet()) {
            List<String> parts = new ArrayList<>(parent);
            parts.add(e.getKey());
            String path = ConfigUtil.joinPath(parts);
            ConfigValue value = e.getValue();
            // Not valueType(): the file is not resolved yet, and an unresolved substitution
            // (url = "http://relay:"${?PROXY_PASSWORD}"@proxy:3128") throws ConfigException.NotResolved there.
            boolean isObject = value instanceof ConfigObject;
            if (!parts.get(0).equals(SettingsLoader.ROOT)) {
                problems.add(path + ": unknown key (every setting lives under " + SettingsLoader.ROOT + " { })");
                continue;
            }
            String problem = parts.size() >= 3 && parts.get(1).equals("dns") && parts.get(2).equals("hosts")
                    ? dnsHostProblem(parts, isObject)
                    : parts.size() >= 3 && parts.get(1).equals("products") ? productProblem(parts, isObject)
                    : reference.hasPathOrNull(path) ? null : "unknown key" + suggestion(path);
            if (problem != null) {
                problems.add(path + ": " + problem);
            } else if (isObject) {
                walk((ConfigObject) value, parts, problems);
            }
        }
    }

    /** dns.hosts holds "name" = "address" pairs; an unquoted dotted name turns into nested blocks. */
    private static String dnsHostProblem(List<String> parts, boolean isObject) {
        return parts.size() == 4 && !isObject ? null
                : parts.size() == 3 ? null
                : "dns.hosts entries are \"name\" = \"address\" (quote names that contain dots)";
    }

    private String productProblem(List<String> parts, boolean isObject) {
        String id = parts.get(2);
        if (!productIds.contains(id)) {
            return "unknown product " + id + " (known: " + productIds + ")";
        }
        if (parts.size() == 3) {
            return isObject ? null : "expected products.<id>.<setting>";
        }
        return parts.size() == 4 && PRODUCT_KEYS.contains(parts.get(3))
                ? null : "unknown key (a product has " + new TreeSet<>(PRODUCT_KEYS) + ")";
    }

    private String suggestion(String path) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : referencePaths) {
            int d = distance(path, candidate);
            if (d < bestDistance) {
                bestDistance = d;
                best = candidate;
            }
        }
        return best != null && bestDistance <= 3 ? " (did you mean " + best + "?)" : "";
    }

    /** Every path of the reference, blocks included, so a misspelt block finds its name. */
    private void collectPaths(ConfigObject object, List<String> parent) {
        for (Map.Entry<String, ConfigValue> e : object.entrySet()) {
            List<String> parts = new ArrayList<>(parent);
            parts.add(e.getKey());
            referencePaths.add(ConfigUtil.joinPath(parts));
            if (e.getValue().valueType() == ConfigValueType.OBJECT) {
                collectPaths((ConfigObject) e.getValue(), parts);
            }
        }
    }

    /** Levenshtein distance; a dozen lines do not justify a dependency. */
    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
