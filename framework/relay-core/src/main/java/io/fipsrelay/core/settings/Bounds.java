package io.fipsrelay.core.settings;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The one table of allowed ranges: the loader reads every numeric, size and duration key through
 * it, {@code docs/operations.md} lists it, and a test walks every reference.conf for a key it lacks.
 */
public final class Bounds {

    /** Every bounded key of the core's reference.conf and of the plugins' product blocks. */
    public static final Bounds CORE = new Bounds(List.of(
            Bound.count("listen.port-range-start", 1, 65535 - 64),
            Bound.duration("listen.tls.handshake-timeout", "100ms", "2m"),
            Bound.count("listen.tls.max-handshakes", 1, 100_000),
            Bound.duration("tls.handshake-timeout", "100ms", "2m"),
            Bound.duration("tls.revocation.timeout", "100ms", "1m"),
            Bound.duration("tls.revocation.cache", "0s", "7d"),
            Bound.count("upstream.port", 1, 65535),
            Bound.duration("upstream.connect-timeout", "100ms", "2m"),
            Bound.duration("upstream.response-timeout", "100ms", "1h"),
            Bound.duration("upstream.idle-timeout", "1s", "1h"),
            Bound.count("upstream.max-idle-per-host", 0, 4096),
            Bound.count("upstream.retries", 0, 10),
            Bound.size("upstream.replay-buffer", "0B", "256MiB"),
            Bound.size("upstream.replay-buffer-total", "0B", "16GiB"),
            Bound.duration("upstream.health.interval", "100ms", "1h"),
            Bound.count("upstream.health.fall", 1, 100),
            Bound.count("upstream.health.rise", 1, 100),
            Bound.count("upstream.health.tls-every", 1, 1000),
            Bound.duration("dns.refresh", "1s", "1d"),
            Bound.count("dns.max-addresses", 1, 64),
            Bound.size("relay.high-water-mark", "1KiB", "64MiB"),
            Bound.size("relay.low-water-mark", "1B", "64MiB"),
            Bound.count("relay.io-threads", 0, 256),
            Bound.size("limits.max-request-line", "256B", "1MiB"),
            Bound.size("limits.max-header-section", "1KiB", "16MiB"),
            Bound.count("limits.max-header-fields", 1, 10_000),
            Bound.size("limits.max-body", "1KiB", "1TiB"),
            Bound.duration("limits.header-timeout", "100ms", "10m"),
            Bound.duration("limits.client-idle-timeout", "1s", "1d"),
            Bound.count("limits.max-connections-per-listener", 1, 100_000),
            Bound.duration("shutdown.drain-timeout", "100ms", "1h"),
            Bound.duration("status.sample-interval", "1s", "1m"),
            Bound.duration("status.history", "1s", "7d"),
            Bound.count("products.*.port", 1, 65535)),
            // Keys whose default is null but which are not numbers: the proxy URL and file paths.
            Set.of("upstream.proxy.url", "listen.tls.cert-file", "listen.tls.key-file", "listen.tls.client-ca-file"));

    private final Map<String, Bound> byKey = new LinkedHashMap<>();
    private final Set<String> nullableText;

    private Bounds(List<Bound> bounds, Set<String> nullableText) {
        for (Bound b : bounds) {
            if (byKey.put(b.key(), b) != null) {
                throw new IllegalArgumentException("two bounds for " + b.key());
            }
        }
        this.nullableText = Set.copyOf(nullableText);
    }

    /** This table and the given bounds (a module reading keys of its own, like the server's plugins block). */
    public Bounds plus(List<Bound> more, Set<String> moreNullableText) {
        List<Bound> all = new ArrayList<>(byKey.values());
        all.addAll(more);
        Set<String> nullable = new TreeSet<>(nullableText);
        nullable.addAll(moreNullableText);
        return new Bounds(all, nullable);
    }

    /** The bound of a key below fips-relay ({@code products.metrics.port} finds {@code products.*.port}). */
    public Optional<Bound> of(String key) {
        return Optional.ofNullable(byKey.get(productWildcard(key)));
    }

    /** The bound the loader must find: a key read without one is a programming error, caught by every test. */
    Bound require(String key) {
        return of(key).orElseThrow(() -> new IllegalStateException("no bound for " + key + " in Bounds"));
    }

    public List<Bound> all() {
        return List.copyOf(byKey.values());
    }

    /**
     * Keys of a merged reference configuration (rooted above fips-relay) that hold a number, a size
     * or a duration, or default to null, and have no bound here: what must never exist.
     */
    public List<String> keysWithoutBound(Config reference) {
        List<String> missing = new ArrayList<>();
        Config root = reference.getConfig(SettingsLoader.ROOT);
        for (Map.Entry<String, ConfigValue> e : entries(root)) {
            String key = e.getKey();
            if (of(key).isEmpty() && !nullableText.contains(productWildcard(key)) && looksBounded(root, key, e.getValue())) {
                missing.add(SettingsLoader.ROOT + "." + key);
            }
        }
        return missing;
    }

    /** Bounds naming keys the reference configuration does not have: a table that drifted. */
    public List<String> boundsWithoutKey(Config reference) {
        Config root = reference.getConfig(SettingsLoader.ROOT);
        Set<String> present = new TreeSet<>();
        entries(root).forEach(e -> present.add(productWildcard(e.getKey())));
        return byKey.keySet().stream().filter(k -> !present.contains(k)).map(k -> SettingsLoader.ROOT + "." + k).toList();
    }

    /** Leaves, null values included (Config.entrySet leaves those out). */
    private static List<Map.Entry<String, ConfigValue>> entries(Config root) {
        List<Map.Entry<String, ConfigValue>> all = new ArrayList<>();
        collect(root.root(), List.of(), all);
        return all;
    }

    private static void collect(ConfigValue value, List<String> path, List<Map.Entry<String, ConfigValue>> into) {
        if (value.valueType() == ConfigValueType.OBJECT) {
            ((ConfigObject) value).forEach((k, v) -> {
                List<String> child = new ArrayList<>(path);
                child.add(k);
                collect(v, child, into);
            });
        } else if (!path.isEmpty()) {
            into.add(Map.entry(ConfigUtil.joinPath(path), value));
        }
    }

    private static boolean looksBounded(Config root, String key, ConfigValue value) {
        return switch (value.valueType()) {
            case NUMBER, NULL -> true;
            case STRING -> parses(() -> root.getDuration(key)) || parses(() -> root.getBytes(key));
            default -> false;
        };
    }

    private static boolean parses(Runnable read) {
        try {
            read.run();
            return true;
        } catch (ConfigException e) {
            return false;
        }
    }

    private static String productWildcard(String key) {
        List<String> parts = ConfigUtil.splitPath(key);
        if (parts.size() == 3 && parts.get(0).equals("products")) {
            return "products.*." + parts.get(2);
        }
        return key;
    }

    /** The table docs/operations.md carries: one row per bounded key. */
    public String markdownTable() {
        StringBuilder out = new StringBuilder("| key | allowed |\n|---|---|\n");
        for (Bound b : byKey.values()) {
            out.append("| `").append(SettingsLoader.ROOT).append('.').append(b.key().replace("*", "<id>")).append("` | `")
                    .append(b.range()).append("` |\n");
        }
        return out.toString();
    }
}
