package io.fipsrelay.server;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigResolveOptions;
import io.fipsrelay.api.Product;
import io.fipsrelay.core.settings.RelaySettings;
import io.fipsrelay.core.settings.SettingsException;
import io.fipsrelay.core.settings.SettingsLoader;
import java.time.Duration;
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

    private static final String PLUGINS = SettingsLoader.ROOT + ".plugins";

    /** How the running relay follows the plugins folder (this module's reference.conf). */
    record HotPlug(boolean enabled, Duration scanInterval) {
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

    /** The PEM file of trusted plugin signers ({@code plugins.trusted-signers}), when the operator set one. */
    java.util.Optional<java.nio.file.Path> trustedSigners() throws SettingsException {
        try {
            Config c = pluginsBlock();
            if (c.getIsNull("trusted-signers")) {
                return java.util.Optional.empty();
            }
            String file = c.getString("trusted-signers").trim();
            if (file.isEmpty()) {
                throw new SettingsException(List.of(PLUGINS + ".trusted-signers: empty; give a PEM file or null"));
            }
            return java.util.Optional.of(java.nio.file.Path.of(file));
        } catch (ConfigException e) {
            throw new SettingsException(List.of(e.getMessage()));
        }
    }

    private Config pluginsBlock() {
        return operator.withFallback(ConfigFactory.parseResources(OperatorSettings.class.getClassLoader(), "reference.conf"))
                .resolve(ConfigResolveOptions.defaults().setUseSystemEnvironment(true))
                .getConfig(PLUGINS);
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

    /** The audit keys ({@code fips-relay.audit}), a relative file resolved as {@link #logFolder} says. */
    io.fipsrelay.server.audit.AuditSettings audit(java.nio.file.Path home) throws SettingsException {
        String root = SettingsLoader.ROOT + ".audit";
        try {
            Config c = operator.withFallback(ConfigFactory.parseResources(OperatorSettings.class.getClassLoader(), "reference.conf"))
                    .resolve(ConfigResolveOptions.defaults().setUseSystemEnvironment(true))
                    .getConfig(root);
            List<String> problems = new java.util.ArrayList<>();
            java.util.Optional<java.nio.file.Path> file = java.util.Optional.empty();
            boolean stdout = false;
            String override = System.getProperty(AUDIT_FILE_PROPERTY);
            if (override != null || !c.getIsNull("file")) {
                String value = override != null ? override.trim() : c.getString("file").trim();
                if (value.isEmpty()) {
                    problems.add(root + ".file: empty; give a path, \"stdout\" or null");
                } else if (value.equals("stdout")) {
                    stdout = true;
                } else {
                    java.nio.file.Path path = java.nio.file.Path.of(value);
                    file = java.util.Optional.of(path.isAbsolute() ? path : relativeAuditFile(path, home, environment));
                }
            }
            long maxSize = c.getBytes("max-file-size");
            if (maxSize < 1024) {
                problems.add(root + ".max-file-size: must be at least 1KiB: " + maxSize);
            }
            int history = c.getInt("max-history");
            if (history < 1 || history > 20) {
                problems.add(root + ".max-history: must be 1 .. 20: " + history);
            }
            int queue = c.getInt("queue-size");
            if (queue < 1 || queue > 1_000_000) {
                problems.add(root + ".queue-size: must be 1 .. 1000000: " + queue);
            }
            if (!problems.isEmpty()) {
                throw new SettingsException(problems);
            }
            return new io.fipsrelay.server.audit.AuditSettings(file, stdout, maxSize, history, c.getBoolean("sessions"),
                    c.getBoolean("requests"), queue);
        } catch (ConfigException e) {
            throw new SettingsException(List.of(e.getMessage()));
        }
    }

    /** The hot-plug keys, over this module's defaults. */
    HotPlug hotPlug() throws SettingsException {
        try {
            Config c = pluginsBlock();
            Duration interval = c.getDuration("scan-interval");
            if (interval.isNegative() || interval.isZero()) {
                throw new SettingsException(List.of(PLUGINS + ".scan-interval: must be positive: " + interval));
            }
            return new HotPlug(c.getBoolean("hot-plug"), interval);
        } catch (ConfigException e) {
            throw new SettingsException(List.of(e.getMessage()));
        }
    }
}
