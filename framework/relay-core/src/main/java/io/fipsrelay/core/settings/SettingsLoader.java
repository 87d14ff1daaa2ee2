package io.fipsrelay.core.settings;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.fipsrelay.api.Product;
import io.fipsrelay.core.tls.FipsTlsProfile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Turns HOCON (core reference.conf, plugins' reference.conf, the operator's file, environment)
 * into one validated {@link RelaySettings}, or refuses it with every problem and its key path.
 */
public final class SettingsLoader {

    public static final String ROOT = "fips-relay";
    private static final Set<String> PRODUCT_KEYS = Set.of("enabled", "port", "servers");
    /** Environment variables the agent's own settings map to (DESIGN.md). */
    private static final Map<String, String> ENV_OVERRIDES = Map.of(
            "DD_SITE", ROOT + ".site",
            "DD_FIPS_LOCAL_ADDRESS", ROOT + ".listen.address",
            "DD_FIPS_PORT_RANGE_START", ROOT + ".listen.port-range-start");

    private final Config coreReference;
    private final List<Config> pluginReferences = new ArrayList<>();
    private final List<Product> products = new ArrayList<>();
    private Map<String, String> environment = System.getenv();

    private SettingsLoader(Config coreReference) {
        this.coreReference = coreReference;
    }

    /** A loader with the core's own reference.conf. */
    public static SettingsLoader withCoreDefaults() {
        return new SettingsLoader(ConfigFactory.parseResources(SettingsLoader.class.getClassLoader(), "reference.conf",
                ConfigParseOptions.defaults().setAllowMissing(false)));
    }

    /** Adds the products of one plugin and the defaults it documents (may be empty). */
    public SettingsLoader addProducts(List<Product> pluginProducts, Config pluginReference) {
        products.addAll(pluginProducts);
        pluginReferences.add(pluginReference);
        return this;
    }

    public SettingsLoader environment(Map<String, String> env) {
        this.environment = Map.copyOf(env);
        return this;
    }

    /** Parses an operator file; a syntax error is reported like any other problem. */
    public static Config parseFile(Path file) throws SettingsException {
        if (!Files.isReadable(file)) {
            throw new SettingsException(List.of("--config: cannot read " + file));
        }
        try {
            return ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults()
                    .setSyntax(ConfigSyntax.CONF).setAllowMissing(false));
        } catch (ConfigException e) {
            throw new SettingsException(List.of(e.getMessage()));
        }
    }

    public static Config parseString(String hocon) throws SettingsException {
        try {
            return ConfigFactory.parseString(hocon);
        } catch (ConfigException e) {
            throw new SettingsException(List.of(e.getMessage()));
        }
    }

    /** Validates and builds the settings from the operator's config (empty for all defaults). */
    public RelaySettings load(Config operator) throws SettingsException {
        List<String> problems = new ArrayList<>();
        Config reference = coreReference;
        for (Config pluginReference : pluginReferences) {
            reference = reference.withFallback(pluginReference);
        }
        checkProductDeclarations(problems);
        checkKnownKeys(operator, reference, problems);

        Map<String, Object> envValues = new HashMap<>();
        ENV_OVERRIDES.forEach((var, path) -> {
            String value = environment.get(var);
            if (value != null && !value.isBlank()) {
                envValues.put(path, value.trim());
            }
        });
        Config merged;
        try {
            merged = ConfigFactory.parseMap(envValues, "environment").withFallback(operator).withFallback(reference)
                    .resolve(ConfigResolveOptions.defaults().setUseSystemEnvironment(true));
        } catch (ConfigException e) {
            problems.add(e.getMessage());
            throw new SettingsException(problems);
        }
        Config c = merged.getConfig(ROOT);
        Reader r = new Reader(c, problems);

        String site = r.get("site", () -> c.getString("site").trim().toLowerCase(Locale.ROOT));
        if (site != null && !site.matches("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+")) {
            problems.add(ROOT + ".site: not a DNS domain: " + site);
        }
        String address = r.get("listen.address", () -> c.getString("listen.address").trim());
        Integer rangeStart = r.get("listen.port-range-start", () -> c.getInt("listen.port-range-start"));
        if (rangeStart != null && (rangeStart < 1 || rangeStart > 65535 - 64)) {
            problems.add(ROOT + ".listen.port-range-start: must be 1.." + (65535 - 64) + ": " + rangeStart);
        }

        List<String> protocols = r.subsetOf("tls.protocols", FipsTlsProfile.PROTOCOLS);
        List<String> suites = r.subsetOf("tls.cipher-suites", FipsTlsProfile.CIPHER_SUITES);
        List<String> groups = r.subsetOf("tls.named-groups", FipsTlsProfile.NAMED_GROUPS);
        String caSetting = r.get("tls.ca-file", () -> c.getString("tls.ca-file").trim());
        Path caFile = null;
        if (caSetting != null) {
            caFile = Path.of("system".equals(caSetting) ? FipsTlsProfile.SYSTEM_CA_BUNDLE : caSetting);
            if (!Files.isRegularFile(caFile) || !Files.isReadable(caFile)) {
                problems.add(ROOT + ".tls.ca-file: cannot read the CA bundle " + caFile
                        + ("system".equals(caSetting) ? " (the OS bundle: install ca-certificates or name a PEM file)" : ""));
            }
        }
        if (protocols != null && suites != null) {
            boolean tls13 = protocols.contains("TLSv1.3");
            boolean tls12 = protocols.contains("TLSv1.2");
            if (tls13 && suites.stream().noneMatch(s -> !s.startsWith("TLS_ECDHE"))) {
                problems.add(ROOT + ".tls.cipher-suites: TLSv1.3 is enabled but no TLS 1.3 suite (TLS_AES_*) is");
            }
            if (tls12 && suites.stream().noneMatch(s -> s.startsWith("TLS_ECDHE"))) {
                problems.add(ROOT + ".tls.cipher-suites: TLSv1.2 is enabled but no TLS 1.2 suite (TLS_ECDHE_*) is");
            }
        }
        Duration handshake = r.positiveDuration("tls.handshake-timeout");

        Integer upstreamPort = r.port("upstream.port");
        Duration connectTimeout = r.positiveDuration("upstream.connect-timeout");
        Duration responseTimeout = r.positiveDuration("upstream.response-timeout");
        Duration idleTimeout = r.positiveDuration("upstream.idle-timeout");
        Integer maxIdle = r.get("upstream.max-idle-per-host", () -> c.getInt("upstream.max-idle-per-host"));
        Integer retries = r.get("upstream.retries", () -> c.getInt("upstream.retries"));
        if (retries != null && (retries < 0 || retries > 10)) {
            problems.add(ROOT + ".upstream.retries: must be 0..10: " + retries);
        }
        Boolean resendPosts = r.get("upstream.resend-unanswered-posts", () -> c.getBoolean("upstream.resend-unanswered-posts"));
        Integer replay = r.bytes("upstream.replay-buffer");
        Long replayTotal = r.get("upstream.replay-buffer-total", () -> c.getBytes("upstream.replay-buffer-total"));
        Duration healthInterval = r.positiveDuration("upstream.health.interval");
        Integer fall = r.positiveInt("upstream.health.fall");
        Integer rise = r.positiveInt("upstream.health.rise");
        Integer tlsEvery = r.positiveInt("upstream.health.tls-every");

        Map<String, String> hosts = new LinkedHashMap<>();
        r.get("dns.hosts", () -> {
            for (Map.Entry<String, ConfigValue> e : c.getObject("dns.hosts").entrySet()) {
                if (e.getValue().valueType() != ConfigValueType.STRING) {
                    problems.add(ROOT + ".dns.hosts.\"" + e.getKey() + "\": must be an address string");
                    continue;
                }
                String value = ((String) e.getValue().unwrapped()).trim();
                if (!value.matches("[0-9.]+|[0-9A-Fa-f:]+")) {
                    problems.add(ROOT + ".dns.hosts.\"" + e.getKey() + "\": not an IP address: " + value);
                }
                hosts.put(e.getKey().toLowerCase(Locale.ROOT), value);
            }
            return hosts;
        });
        Duration refresh = r.positiveDuration("dns.refresh");
        Integer maxAddresses = r.positiveInt("dns.max-addresses");
        Boolean preferIpv4 = r.get("dns.prefer-ipv4", () -> c.getBoolean("dns.prefer-ipv4"));
        Duration drain = r.positiveDuration("shutdown.drain-timeout");

        Integer high = r.bytes("relay.high-water-mark");
        Integer low = r.bytes("relay.low-water-mark");
        Integer ioThreads = r.get("relay.io-threads", () -> c.getInt("relay.io-threads"));
        if (ioThreads != null && (ioThreads < 0 || ioThreads > 256)) {
            problems.add(ROOT + ".relay.io-threads: " + ioThreads + " is not in 0..256");
        }
        if (high != null && low != null && low >= high) {
            problems.add(ROOT + ".relay.low-water-mark: must be below relay.high-water-mark");
        }
        Integer maxLine = r.bytes("limits.max-request-line");
        Integer maxHead = r.bytes("limits.max-header-section");
        Integer maxFields = r.get("limits.max-header-fields", () -> c.getInt("limits.max-header-fields"));
        Long maxBody = r.get("limits.max-body", () -> c.getBytes("limits.max-body"));
        Set<String> methods = r.get("limits.allowed-methods", () -> {
            Set<String> m = new LinkedHashSet<>();
            for (String s : c.getStringList("limits.allowed-methods")) {
                if (!s.matches("[A-Z]+")) {
                    problems.add(ROOT + ".limits.allowed-methods: not a method name: " + s);
                }
                m.add(s);
            }
            return Set.copyOf(m);
        });
        Duration clientIdle = r.positiveDuration("limits.client-idle-timeout");
        Duration headerTimeout = r.positiveDuration("limits.header-timeout");
        Integer maxConnections = r.get("limits.max-connections-per-listener", () -> c.getInt("limits.max-connections-per-listener"));
        Boolean statusEnabled = r.get("status.enabled", () -> c.getBoolean("status.enabled"));
        Boolean jmx = r.get("status.jmx", () -> c.getBoolean("status.jmx"));
        Duration sampleInterval = r.positiveDuration("status.sample-interval");
        if (sampleInterval != null && (sampleInterval.compareTo(Duration.ofSeconds(1)) < 0
                || sampleInterval.compareTo(Duration.ofMinutes(1)) > 0)) {
            problems.add(ROOT + ".status.sample-interval: must be 1s .. 1m: " + sampleInterval);
            sampleInterval = null;
        }
        Duration history = r.positiveDuration("status.history");
        if (history != null && sampleInterval != null) {
            long points = history.toMillis() / sampleInterval.toMillis();
            if (points < 1 || points > 10_000) {
                problems.add(ROOT + ".status.history: must hold 1 .. 10000 samples of status.sample-interval ("
                        + sampleInterval + "), not " + points);
            }
        }

        Map<String, RelaySettings.ProductSettings> productSettings = new LinkedHashMap<>();
        for (Product p : products) {
            String base = "products." + p.id();
            boolean hasBlock = c.hasPath(base);
            Boolean enabled = hasBlock && c.hasPath(base + ".enabled")
                    ? r.get(base + ".enabled", () -> c.getBoolean(base + ".enabled")) : Boolean.TRUE;
            Integer port = hasBlock && c.hasPath(base + ".port") ? r.port(base + ".port")
                    : rangeStart == null ? null : rangeStart + p.portOffset();
            List<HostAndPort> servers = new ArrayList<>();
            if (hasBlock && c.hasPath(base + ".servers")) {
                r.get(base + ".servers", () -> {
                    for (String s : c.getStringList(base + ".servers")) {
                        try {
                            servers.add(HostAndPort.parse(s, upstreamPort == null ? 443 : upstreamPort));
                        } catch (IllegalArgumentException e) {
                            problems.add(ROOT + "." + base + ".servers: " + e.getMessage());
                        }
                    }
                    return servers;
                });
            }
            if (enabled != null && port != null) {
                productSettings.put(p.id(), new RelaySettings.ProductSettings(p, enabled, port, List.copyOf(servers)));
            }
        }
        checkPortClashes(productSettings, rangeStart, Boolean.TRUE.equals(statusEnabled), problems);
        ProxySettings proxy = ProxySettingsReader.read(c, environment, problems);

        if (!problems.isEmpty()) {
            throw new SettingsException(problems);
        }
        return new RelaySettings(site,
                new RelaySettings.Listen(address, rangeStart),
                new RelaySettings.Tls(protocols, suites, groups, caSetting, caFile, handshake),
                new RelaySettings.Upstream(upstreamPort, connectTimeout, responseTimeout, idleTimeout, maxIdle,
                        retries, resendPosts, replay, replayTotal, new RelaySettings.Health(healthInterval, fall, rise, tlsEvery)),
                new RelaySettings.Dns(Map.copyOf(hosts), refresh, maxAddresses, preferIpv4),
                new RelaySettings.Buffers(high, low, ioThreads),
                new RelaySettings.Limits(maxLine, maxHead, maxFields, maxBody, methods, headerTimeout, clientIdle, maxConnections),
                java.util.Collections.unmodifiableMap(productSettings),
                drain,
                new RelaySettings.Status(statusEnabled, jmx, sampleInterval, history),
                proxy);
    }

    private void checkProductDeclarations(List<String> problems) {
        Map<String, Product> byId = new HashMap<>();
        Map<Integer, Product> byOffset = new HashMap<>();
        for (Product p : products) {
            Product other = byId.putIfAbsent(p.id(), p);
            if (other != null) {
                problems.add("product id " + p.id() + " is declared twice");
            }
            Product sameOffset = byOffset.putIfAbsent(p.portOffset(), p);
            if (sameOffset != null && other == null) {
                problems.add("products " + sameOffset.id() + " and " + p.id() + " declare the same port offset " + p.portOffset());
            }
        }
    }

    private void checkKnownKeys(Config operator, Config reference, List<String> problems) {
        Set<String> ids = new HashSet<>();
        products.forEach(p -> ids.add(p.id()));
        for (Map.Entry<String, ConfigValue> e : operator.entrySet()) {
            String path = e.getKey();
            List<String> parts = com.typesafe.config.ConfigUtil.splitPath(path);
            if (!parts.get(0).equals(ROOT)) {
                problems.add(path + ": unknown key (every setting lives under " + ROOT + " { })");
                continue;
            }
            if (parts.size() >= 3 && parts.get(1).equals("dns") && parts.get(2).equals("hosts")) {
                if (parts.size() != 4) {
                    problems.add(path + ": dns.hosts entries are \"name\" = \"address\" (quote names that contain dots)");
                }
                continue;
            }
            if (parts.size() >= 2 && parts.get(1).equals("products")) {
                if (parts.size() < 4) {
                    problems.add(path + ": expected products.<id>.<setting>");
                } else if (!ids.contains(parts.get(2))) {
                    problems.add(path + ": unknown product " + parts.get(2) + " (known: " + new java.util.TreeSet<>(ids) + ")");
                } else if (parts.size() != 4 || !PRODUCT_KEYS.contains(parts.get(3))) {
                    problems.add(path + ": unknown key (a product has " + new java.util.TreeSet<>(PRODUCT_KEYS) + ")");
                }
                continue;
            }
            if (!reference.hasPathOrNull(path)) {
                problems.add(path + ": unknown key" + suggestion(path, reference));
            }
        }
    }

    private static String suggestion(String path, Config reference) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (Map.Entry<String, ConfigValue> e : reference.entrySet()) {
            int d = distance(path, e.getKey());
            if (d < bestDistance) {
                bestDistance = d;
                best = e.getKey();
            }
        }
        return best != null && bestDistance <= 3 ? " (did you mean " + best + "?)" : "";
    }

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

    private static void checkPortClashes(Map<String, RelaySettings.ProductSettings> products, Integer rangeStart,
                                         boolean status, List<String> problems) {
        Map<Integer, String> taken = new HashMap<>();
        if (status && rangeStart != null) {
            taken.put(rangeStart, "the status port");
        }
        for (RelaySettings.ProductSettings p : products.values()) {
            if (!p.enabled()) {
                continue;
            }
            String other = taken.putIfAbsent(p.port(), "product " + p.id());
            if (other != null) {
                problems.add(ROOT + ".products." + p.id() + ".port: port " + p.port() + " clashes with " + other);
            }
        }
    }

    /** Reads one key, turning a wrong type into a problem with the full key path. */
    private record Reader(Config c, List<String> problems) {
        <T> T get(String key, Supplier<T> read) {
            try {
                return read.get();
            } catch (ConfigException.Missing e) {
                problems.add(ROOT + "." + key + ": missing");
            } catch (ConfigException e) {
                problems.add(ROOT + "." + key + ": " + stripOrigin(e.getMessage()));
            }
            return null;
        }

        Duration positiveDuration(String key) {
            Duration d = get(key, () -> c.getDuration(key));
            if (d != null && (d.isNegative() || d.isZero())) {
                problems.add(ROOT + "." + key + ": must be positive: " + d);
                return null;
            }
            return d;
        }

        Integer positiveInt(String key) {
            Integer v = get(key, () -> c.getInt(key));
            if (v != null && v < 1) {
                problems.add(ROOT + "." + key + ": must be at least 1: " + v);
                return null;
            }
            return v;
        }

        Integer port(String key) {
            Integer p = get(key, () -> c.getInt(key));
            if (p != null && (p < 1 || p > 65535)) {
                problems.add(ROOT + "." + key + ": not a port 1..65535: " + p);
                return null;
            }
            return p;
        }

        Integer bytes(String key) {
            Long b = get(key, () -> c.getBytes(key));
            if (b != null && (b <= 0 || b > Integer.MAX_VALUE)) {
                problems.add(ROOT + "." + key + ": must be 1 byte .. 2 GiB: " + b);
                return null;
            }
            return b == null ? null : b.intValue();
        }

        List<String> subsetOf(String key, List<String> allowed) {
            List<String> values = get(key, () -> c.getStringList(key));
            if (values == null) {
                return null;
            }
            if (values.isEmpty()) {
                problems.add(ROOT + "." + key + ": must not be empty");
            }
            for (String v : values) {
                if (!allowed.contains(v)) {
                    problems.add(ROOT + "." + key + ": " + v + " is not allowed (FIPS profile: " + allowed + ")");
                }
            }
            return List.copyOf(new LinkedHashSet<>(values));
        }

        private static String stripOrigin(String message) {
            int i = message.indexOf(": ");
            return message.startsWith("String:") || message.startsWith("file:") || message.contains(".conf:") || message.startsWith("environment")
                    ? (i >= 0 ? message.substring(i + 2) : message) : message;
        }
    }
}
