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
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Turns HOCON (core reference.conf, plugins' reference.conf, the operator's file, environment)
 * into one validated {@link RelaySettings}, or refuses it with every problem and its key path.
 */
public final class SettingsLoader {

    public static final String ROOT = "fips-relay";
    /** status.history / status.sample-interval: the points of history kept per product, at most. */
    static final int MAX_HISTORY_SAMPLES = 10_000;
    /** Environment variables the agent's own settings map to (DESIGN.md). */
    static final Map<String, String> ENV_OVERRIDES = Map.of(
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
        new KnownKeys(reference, productIds()).check(operator, problems);

        Map<String, Object> envValues = new HashMap<>();
        ENV_OVERRIDES.forEach((var, path) -> {
            String value = environment.get(var);
            if (value != null && !value.isBlank()) {
                envValues.put(path, value.trim());
            }
        });
        Config root;
        try {
            root = ConfigFactory.parseMap(envValues, "environment").withFallback(operator).withFallback(reference)
                    .resolve(ConfigResolveOptions.defaults().setUseSystemEnvironment(true)).getConfig(ROOT);
        } catch (ConfigException e) {
            problems.add(e.getMessage());
            throw new SettingsException(problems);
        }
        SettingReader r = new SettingReader(root, Bounds.CORE, problems);

        String site = readSite(r);
        RelaySettings.Listen listen = readListen(r);
        RelaySettings.Tls tls = readTls(r);
        RelaySettings.Revocation revocation = readRevocation(r);
        RelaySettings.Upstream upstream = readUpstream(r);
        RelaySettings.Dns dns = readDns(r);
        RelaySettings.Relay relay = readRelay(r);
        RelaySettings.Limits limits = readLimits(r);
        RelaySettings.Shutdown shutdown = readShutdown(r);
        RelaySettings.Status status = readStatus(r);
        ProxySettings proxy = ProxySettingsReader.read(root, environment, problems);
        Map<String, RelaySettings.ProductSettings> productSettings = readProducts(r, listen, upstream);
        if (listen != null && status != null) {
            checkPortClashes(productSettings, listen.portRangeStart(), status.enabled(), problems);
        }

        if (!problems.isEmpty()) {
            throw new SettingsException(problems);
        }
        return new RelaySettings(site, listen, tls, upstream, dns, relay, limits,
                Collections.unmodifiableMap(productSettings), shutdown, status, revocation, proxy);
    }

    private static String readSite(SettingReader r) {
        String site = r.get("site", () -> r.config().getString("site").trim().toLowerCase(Locale.ROOT));
        if (site != null && !site.matches("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+")) {
            r.problem("site", "not a DNS domain: " + site);
            return null;
        }
        return site;
    }

    private static RelaySettings.Listen readListen(SettingReader r) {
        int mark = r.mark();
        String address = r.string("listen.address");
        Integer rangeStart = r.count("listen.port-range-start");
        RelaySettings.AgentTls tls = readAgentTls(r);
        return r.cleanSince(mark) ? new RelaySettings.Listen(address, rangeStart, tls) : null;
    }

    /** {@code listen.tls}: the files must be there when enabled; their content is checked with the FIPS module at start. */
    private static RelaySettings.AgentTls readAgentTls(SettingReader r) {
        int mark = r.mark();
        Boolean enabled = r.bool("listen.tls.enabled");
        Path cert = optionalFile(r, "listen.tls.cert-file", "PEM certificate chain");
        Path key = optionalFile(r, "listen.tls.key-file", "PEM private key");
        Path clientCa = optionalFile(r, "listen.tls.client-ca-file", "PEM CA bundle");
        Duration handshakeTimeout = r.duration("listen.tls.handshake-timeout");
        Integer maxHandshakes = r.count("listen.tls.max-handshakes");
        if (Boolean.TRUE.equals(enabled)) {
            if (cert == null && r.config().getIsNull("listen.tls.cert-file")) {
                r.problem("listen.tls.cert-file", "required when listen.tls.enabled is true: the PEM certificate chain agents are shown");
            }
            if (key == null && r.config().getIsNull("listen.tls.key-file")) {
                r.problem("listen.tls.key-file", "required when listen.tls.enabled is true: the PEM PKCS#8 key of cert-file");
            }
        }
        return r.cleanSince(mark) ? new RelaySettings.AgentTls(enabled, cert, key, clientCa, handshakeTimeout, maxHandshakes)
                : null;
    }

    /** A file path that may be null; a path that is set must name a readable file. */
    private static Path optionalFile(SettingReader r, String key, String what) {
        if (r.config().getIsNull(key)) {
            return null;
        }
        String value = r.string(key);
        if (value == null) {
            return null;
        }
        Path file = Path.of(value);
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            r.problem(key, "cannot read the " + what + " " + file);
            return null;
        }
        return file;
    }

    private static RelaySettings.Tls readTls(SettingReader r) {
        int mark = r.mark();
        List<String> protocols = r.subsetOf("tls.protocols", FipsTlsProfile.PROTOCOLS);
        List<String> suites = r.subsetOf("tls.cipher-suites", FipsTlsProfile.CIPHER_SUITES);
        List<String> groups = r.subsetOf("tls.named-groups", FipsTlsProfile.NAMED_GROUPS);
        String caSetting = r.string("tls.ca-file");
        Path caFile = null;
        if (caSetting != null) {
            caFile = "system".equals(caSetting) ? FipsTlsProfile.systemCaBundle() : Path.of(caSetting);
            if (!Files.isRegularFile(caFile) || !Files.isReadable(caFile)) {
                r.problem("tls.ca-file", "cannot read the CA bundle " + caFile
                        + ("system".equals(caSetting) ? " (the OS bundle: install ca-certificates or name a PEM file)" : ""));
            }
        }
        if (protocols != null && suites != null) {
            if (protocols.contains("TLSv1.3") && suites.stream().allMatch(s -> s.startsWith("TLS_ECDHE"))) {
                r.problem("tls.cipher-suites", "TLSv1.3 is enabled but no TLS 1.3 suite (TLS_AES_*) is");
            }
            if (protocols.contains("TLSv1.2") && suites.stream().noneMatch(s -> s.startsWith("TLS_ECDHE"))) {
                r.problem("tls.cipher-suites", "TLSv1.2 is enabled but no TLS 1.2 suite (TLS_ECDHE_*) is");
            }
        }
        Duration handshakeTimeout = r.duration("tls.handshake-timeout");
        return r.cleanSince(mark) ? new RelaySettings.Tls(protocols, suites, groups, caSetting, caFile, handshakeTimeout) : null;
    }

    private static RelaySettings.Revocation readRevocation(SettingReader r) {
        int mark = r.mark();
        String setting = r.string("tls.revocation.mode");
        RelaySettings.Revocation.Mode mode = null;
        if (setting != null) {
            for (RelaySettings.Revocation.Mode m : RelaySettings.Revocation.Mode.values()) {
                if (m.setting().equals(setting)) {
                    mode = m;
                }
            }
            if (mode == null) {
                r.problem("tls.revocation.mode", "must be off, soft-fail or hard-fail: " + setting);
            }
        }
        Boolean stapling = r.bool("tls.revocation.ocsp-stapling");
        Boolean fetch = r.bool("tls.revocation.fetch");
        Duration timeout = r.duration("tls.revocation.timeout");
        Duration cache = r.duration("tls.revocation.cache");
        if (mode == RelaySettings.Revocation.Mode.HARD_FAIL && Boolean.FALSE.equals(stapling) && Boolean.FALSE.equals(fetch)) {
            r.problem("tls.revocation", "hard-fail with ocsp-stapling and fetch both false would refuse every intake");
        }
        return r.cleanSince(mark) ? new RelaySettings.Revocation(mode, stapling, fetch, timeout, cache) : null;
    }

    private static RelaySettings.Upstream readUpstream(SettingReader r) {
        int mark = r.mark();
        Integer port = r.count("upstream.port");
        Duration connectTimeout = r.duration("upstream.connect-timeout");
        Duration responseTimeout = r.duration("upstream.response-timeout");
        Duration idleTimeout = r.duration("upstream.idle-timeout");
        Integer maxIdlePerHost = r.count("upstream.max-idle-per-host");
        Integer retries = r.count("upstream.retries");
        Boolean resendUnansweredPosts = r.bool("upstream.resend-unanswered-posts");
        Integer replayBuffer = r.intSize("upstream.replay-buffer");
        Long replayBufferTotal = r.size("upstream.replay-buffer-total");
        if (replayBuffer != null && replayBufferTotal != null && replayBuffer > replayBufferTotal) {
            r.problem("upstream.replay-buffer", sizeOf("upstream.replay-buffer", replayBuffer)
                    + " must not be above " + ROOT + ".upstream.replay-buffer-total ("
                    + sizeOf("upstream.replay-buffer-total", replayBufferTotal) + ")");
        }
        RelaySettings.Health health = readHealth(r);
        return r.cleanSince(mark) ? new RelaySettings.Upstream(port, connectTimeout, responseTimeout, idleTimeout,
                maxIdlePerHost, retries, resendUnansweredPosts, replayBuffer, replayBufferTotal, health) : null;
    }

    private static RelaySettings.Health readHealth(SettingReader r) {
        int mark = r.mark();
        Duration interval = r.duration("upstream.health.interval");
        Integer fall = r.count("upstream.health.fall");
        Integer rise = r.count("upstream.health.rise");
        Integer tlsEvery = r.count("upstream.health.tls-every");
        return r.cleanSince(mark) ? new RelaySettings.Health(interval, fall, rise, tlsEvery) : null;
    }

    private static RelaySettings.Dns readDns(SettingReader r) {
        int mark = r.mark();
        Map<String, String> hosts = new LinkedHashMap<>();
        r.get("dns.hosts", () -> {
            for (Map.Entry<String, ConfigValue> e : r.config().getObject("dns.hosts").entrySet()) {
                String key = "dns.hosts.\"" + e.getKey() + "\"";
                if (e.getValue().valueType() != ConfigValueType.STRING) {
                    r.problem(key, "must be an address string");
                    continue;
                }
                String value = ((String) e.getValue().unwrapped()).trim();
                if (!value.matches("[0-9.]+|[0-9A-Fa-f:]+")) {
                    r.problem(key, "not an IP address: " + value);
                }
                hosts.put(e.getKey().toLowerCase(Locale.ROOT), value);
            }
            return hosts;
        });
        Duration refresh = r.duration("dns.refresh");
        Integer maxAddresses = r.count("dns.max-addresses");
        Boolean preferIpv4 = r.bool("dns.prefer-ipv4");
        return r.cleanSince(mark) ? new RelaySettings.Dns(Map.copyOf(hosts), refresh, maxAddresses, preferIpv4) : null;
    }

    private static RelaySettings.Relay readRelay(SettingReader r) {
        int mark = r.mark();
        Integer high = r.intSize("relay.high-water-mark");
        Integer low = r.intSize("relay.low-water-mark");
        Integer ioThreads = r.count("relay.io-threads");
        if (high != null && low != null && low >= high) {
            r.problem("relay.low-water-mark", sizeOf("relay.low-water-mark", low) + " must be below "
                    + ROOT + ".relay.high-water-mark (" + sizeOf("relay.high-water-mark", high) + ")");
        }
        return r.cleanSince(mark) ? new RelaySettings.Relay(high, low, ioThreads) : null;
    }

    private static RelaySettings.Limits readLimits(SettingReader r) {
        int mark = r.mark();
        Integer maxRequestLine = r.intSize("limits.max-request-line");
        Integer maxHeaderSection = r.intSize("limits.max-header-section");
        if (maxRequestLine != null && maxHeaderSection != null && maxRequestLine > maxHeaderSection) {
            r.problem("limits.max-request-line", sizeOf("limits.max-request-line", maxRequestLine)
                    + " must not be above " + ROOT + ".limits.max-header-section ("
                    + sizeOf("limits.max-header-section", maxHeaderSection) + "): the request line is part of the head");
        }
        Integer maxHeaderFields = r.count("limits.max-header-fields");
        Long maxBody = r.size("limits.max-body");
        Set<String> methods = r.get("limits.allowed-methods", () -> {
            Set<String> m = new LinkedHashSet<>();
            for (String s : r.config().getStringList("limits.allowed-methods")) {
                if (!s.matches("[A-Z]+")) {
                    r.problem("limits.allowed-methods", "not a method name: " + s);
                }
                m.add(s);
            }
            return Set.copyOf(m);
        });
        Duration headerTimeout = r.duration("limits.header-timeout");
        Duration clientIdleTimeout = r.duration("limits.client-idle-timeout");
        Integer maxConnections = r.count("limits.max-connections-per-listener");
        return r.cleanSince(mark) ? new RelaySettings.Limits(maxRequestLine, maxHeaderSection, maxHeaderFields, maxBody,
                methods, headerTimeout, clientIdleTimeout, maxConnections) : null;
    }

    private static RelaySettings.Shutdown readShutdown(SettingReader r) {
        Duration drainTimeout = r.duration("shutdown.drain-timeout");
        return drainTimeout == null ? null : new RelaySettings.Shutdown(drainTimeout);
    }

    private static RelaySettings.Status readStatus(SettingReader r) {
        int mark = r.mark();
        Boolean enabled = r.bool("status.enabled");
        Boolean jmx = r.bool("status.jmx");
        Duration sampleInterval = r.duration("status.sample-interval");
        Duration history = r.duration("status.history");
        if (history != null && sampleInterval != null) {
            long points = history.toMillis() / sampleInterval.toMillis();
            if (points < 1 || points > MAX_HISTORY_SAMPLES) {
                r.problem("status.history", "must hold 1 .. " + MAX_HISTORY_SAMPLES + " samples of " + ROOT
                        + ".status.sample-interval (" + Bounds.CORE.require("status.sample-interval").format(sampleInterval.toNanos())
                        + "), not " + points);
            }
        }
        return r.cleanSince(mark) ? new RelaySettings.Status(enabled, jmx, sampleInterval, history) : null;
    }

    /**
     * Each plugin product: its block (all keys optional there) over the defaults. Without an
     * explicit port the product listens at port-range-start plus its offset, which must be a port.
     */
    private Map<String, RelaySettings.ProductSettings> readProducts(SettingReader r, RelaySettings.Listen listen,
                                                                 RelaySettings.Upstream upstream) {
        Config c = r.config();
        Map<String, RelaySettings.ProductSettings> productSettings = new LinkedHashMap<>();
        for (Product p : products) {
            int mark = r.mark();
            String base = "products." + p.id();
            boolean hasBlock = c.hasPath(base);
            Boolean enabled = hasBlock && c.hasPath(base + ".enabled") ? r.bool(base + ".enabled") : Boolean.TRUE;
            Integer port;
            if (hasBlock && c.hasPath(base + ".port")) {
                port = r.count(base + ".port");
            } else if (listen == null) {
                port = null;
            } else {
                port = listen.portRangeStart() + p.portOffset();
                if (port > 65535 && Boolean.TRUE.equals(enabled)) {
                    r.problem(base + ".port", "listen.port-range-start " + listen.portRangeStart() + " + offset "
                            + p.portOffset() + " is " + port + ", beyond port 65535: set " + ROOT + "." + base
                            + ".port or a lower listen.port-range-start");
                }
            }
            List<HostAndPort> servers = new ArrayList<>();
            if (hasBlock && c.hasPath(base + ".servers")) {
                r.get(base + ".servers", () -> {
                    for (String s : c.getStringList(base + ".servers")) {
                        try {
                            servers.add(HostAndPort.parse(s, upstream == null ? 443 : upstream.port()));
                        } catch (IllegalArgumentException e) {
                            r.problem(base + ".servers", e.getMessage());
                        }
                    }
                    return servers;
                });
            }
            if (r.cleanSince(mark) && enabled != null && port != null) {
                productSettings.put(p.id(), new RelaySettings.ProductSettings(p, enabled, port, List.copyOf(servers)));
            }
        }
        return productSettings;
    }

    /** A size as the operator reads it in messages (64KiB, not 65536). */
    private static String sizeOf(String key, long bytes) {
        return Bounds.CORE.require(key).format(bytes);
    }

    private Set<String> productIds() {
        Set<String> ids = new TreeSet<>();
        products.forEach(p -> ids.add(p.id()));
        return ids;
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
}
