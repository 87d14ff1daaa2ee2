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
    static final Bounds BOUNDS = Bounds.CORE.plus(List.of(Bound.duration("plugins.scan-interval", "10ms", "1m")), Set.of());

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

    /** The {@code plugins} block, over this module's defaults, every key read with its range. */
    Plugins plugins() throws SettingsException {
        List<String> problems = new ArrayList<>();
        Config c;
        try {
            c = operator.withFallback(ConfigFactory.parseResources(OperatorSettings.class.getClassLoader(), "reference.conf"))
                    .resolve(ConfigResolveOptions.defaults().setUseSystemEnvironment(true))
                    .getConfig(SettingsLoader.ROOT);
        } catch (ConfigException e) {
            throw new SettingsException(List.of(e.getMessage()));
        }
        SettingReader r = new SettingReader(c, BOUNDS, problems);
        Boolean hotPlug = r.bool("plugins.hot-plug");
        Duration scanInterval = r.duration("plugins.scan-interval");
        if (!problems.isEmpty()) {
            throw new SettingsException(problems);
        }
        return new Plugins(hotPlug, scanInterval);
    }
}
