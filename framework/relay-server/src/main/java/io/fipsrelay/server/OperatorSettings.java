package io.fipsrelay.server;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigResolveOptions;
import io.fipsrelay.api.Product;
import io.fipsrelay.core.settings.Bound;
import io.fipsrelay.core.settings.Bounds;
import io.fipsrelay.core.settings.RelaySettings;
import io.fipsrelay.core.settings.SettingReader;
import io.fipsrelay.core.settings.SettingsException;
import io.fipsrelay.core.settings.SettingsLoader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The operator's configuration as read at start (file and environment), turned into settings for
 * whichever plugins are loaded: at start, and again when a plugin is hot-plugged, so a new product
 * gets exactly the configuration the running relay has.
 */
final class OperatorSettings {

    /** The core's ranges and those of the keys this module reads (its reference.conf). */
    static final Bounds BOUNDS = Bounds.CORE.plus(List.of(Bound.duration("plugins.scan-interval", "10ms", "1m"),
                    Bound.size("audit.max-file-size", "1KiB", "1TiB"),
                    Bound.count("audit.max-history", 1, 20),
                    Bound.count("audit.queue-size", 1, 1_000_000)),
            Set.of("plugins.trusted-signers"));

    /** The {@code plugins} block: how the running relay follows the plugins folder. */
    record Plugins(boolean hotPlug, Duration scanInterval) {
    }

    private final Config operator;
    private final Map<String, String> environment;

    private OperatorSettings(Config operator, Map<String, String> environment) {
        this.operator = operator;
        this.environment = Map.copyOf(environment);
    }

    static OperatorSettings read(RelayServer.Options options) throws SettingsException {
        Config operator = options.overrides().withFallback(options.configFile().isPresent()
                ? SettingsLoader.parseFile(options.configFile().get()) : ConfigFactory.empty());
        return new OperatorSettings(operator, options.environment());
    }

    /** Settings for these plugins, every key checked: what the relay starts with. */
    RelaySettings forPlugins(Collection<PluginCatalog.LoadedPlugin> plugins) throws SettingsException {
        return load(operator, plugins);
    }

    /**
     * Settings for the plugins loaded now, while running. The operator's blocks for products whose
     * plugin was removed since are left out: they were checked when that plugin was there, and
     * must not make an unrelated plugin's arrival fail as "unknown product".
     */
    RelaySettings forPluginsWhileRunning(Collection<PluginCatalog.LoadedPlugin> plugins) throws SettingsException {
        Set<String> present = plugins.stream().flatMap(p -> p.products().stream()).map(Product::id).collect(Collectors.toSet());
        Config config = operator;
        String products = SettingsLoader.ROOT + ".products";
        if (config.hasPath(products)) {
            for (String id : config.getObject(products).keySet()) {
                if (!present.contains(id)) {
                    config = config.withoutPath(products + ".\"" + id + "\"");
                }
            }
        }
        return load(config, plugins);
    }

    private RelaySettings load(Config config, Collection<PluginCatalog.LoadedPlugin> plugins) throws SettingsException {
        SettingsLoader loader = SettingsLoader.withCoreDefaults().environment(environment);
        for (PluginCatalog.LoadedPlugin p : plugins) {
            loader.addProducts(p.products(), p.reference());
        }
        return loader.load(config);
    }

    /** The operator's configuration over this module's defaults, below fips-relay. */
    private Config withDefaults() throws SettingsException {
        try {
            return operator.withFallback(ConfigFactory.parseResources(OperatorSettings.class.getClassLoader(), "reference.conf"))
                    .resolve(ConfigResolveOptions.defaults().setUseSystemEnvironment(true))
                    .getConfig(SettingsLoader.ROOT);
        } catch (ConfigException e) {
            throw new SettingsException(List.of(e.getMessage()));
        }
    }

    /** The PEM file of trusted plugin signers ({@code plugins.trusted-signers}), when the operator set one. */
    java.util.Optional<java.nio.file.Path> trustedSigners() throws SettingsException {
        Config c = withDefaults();
        String key = "plugins.trusted-signers";
        if (c.getIsNull(key)) {
            return java.util.Optional.empty();
        }
        List<String> problems = new ArrayList<>();
        String file = new SettingReader(c, BOUNDS, problems).string(key);
        if (file != null && file.isBlank()) {
            problems.add(SettingsLoader.ROOT + "." + key + ": empty; give a PEM file or null");
        }
        if (!problems.isEmpty()) {
            throw new SettingsException(problems);
        }
        return java.util.Optional.of(java.nio.file.Path.of(file.trim()));
    }

    /** Set by bin/fips-relay from FIPS_RELAY_AUDIT_FILE: wins over {@code audit.file}. */
    static final String AUDIT_FILE_PROPERTY = "fips-relay.audit.file";

    /**
     * Where a relative audit file goes: below the install folder; under a systemd unit with
     * LogsDirectory= (the .deb's: /var/log/fips-relay, the one writable log folder of its sandbox)
     * its file name goes into $LOGS_DIRECTORY.
     */
    static java.nio.file.Path relativeAuditFile(java.nio.file.Path relative, java.nio.file.Path home, Map<String, String> environment) {
        String logs = environment.get("LOGS_DIRECTORY");
        if (logs != null && !logs.isBlank()) {
            // systemd may list several folders separated by ':'; the first is the unit's own.
            return java.nio.file.Path.of(logs.split(":")[0]).resolve(relative.getFileName());
        }
        return home.resolve(relative);
    }

    /** The audit keys ({@code fips-relay.audit}), a relative file resolved as {@link #relativeAuditFile} says. */
    io.fipsrelay.server.audit.AuditSettings audit(java.nio.file.Path home) throws SettingsException {
        Config c = withDefaults();
        List<String> problems = new ArrayList<>();
        SettingReader r = new SettingReader(c, BOUNDS, problems);
        java.util.Optional<java.nio.file.Path> file = java.util.Optional.empty();
        boolean stdout = false;
        String override = System.getProperty(AUDIT_FILE_PROPERTY);
        if (override != null || !c.getIsNull("audit.file")) {
            String value = override != null ? override.trim() : r.string("audit.file");
            if (value != null && value.isBlank()) {
                r.problem("audit.file", "empty; give a path, \"stdout\" or null");
            } else if ("stdout".equals(value)) {
                stdout = true;
            } else if (value != null) {
                java.nio.file.Path path = java.nio.file.Path.of(value.trim());
                file = java.util.Optional.of(path.isAbsolute() ? path : relativeAuditFile(path, home, environment));
            }
        }
        Long maxSize = r.size("audit.max-file-size");
        Integer history = r.count("audit.max-history");
        Integer queue = r.count("audit.queue-size");
        Boolean sessions = r.bool("audit.sessions");
        Boolean requests = r.bool("audit.requests");
        if (!problems.isEmpty()) {
            throw new SettingsException(problems);
        }
        return new io.fipsrelay.server.audit.AuditSettings(file, stdout, maxSize, history, sessions, requests, queue);
    }

    /** The {@code plugins} block, over this module's defaults, every key read with its range. */
    Plugins plugins() throws SettingsException {
        List<String> problems = new ArrayList<>();
        Config c = withDefaults();
        SettingReader r = new SettingReader(c, BOUNDS, problems);
        Boolean hotPlug = r.bool("plugins.hot-plug");
        Duration scanInterval = r.duration("plugins.scan-interval");
        if (!problems.isEmpty()) {
            throw new SettingsException(problems);
        }
        return new Plugins(hotPlug, scanInterval);
    }
}
