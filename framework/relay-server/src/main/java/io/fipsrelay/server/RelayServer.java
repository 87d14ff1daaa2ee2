package io.fipsrelay.server;

import com.codahale.metrics.MetricRegistry;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.fipsrelay.core.fips.FipsBootstrap;
import io.fipsrelay.core.fips.FipsNotReadyException;
import io.fipsrelay.core.fips.FipsReport;
import io.fipsrelay.core.metrics.RelayMetrics;
import io.fipsrelay.core.relay.BindFailure;
import io.fipsrelay.core.relay.RelayEngine;
import io.fipsrelay.core.settings.RelaySettings;
import io.fipsrelay.core.settings.SettingsException;
import io.fipsrelay.core.settings.SettingsLoader;
import io.fipsrelay.core.tls.FipsTlsContext;
import io.fipsrelay.server.status.StatusService;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A started relay: FIPS module, plugins, settings, listeners. The program's one wiring place. */
public final class RelayServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RelayServer.class);

    /** How to start: where the config and plugins are, and where the FIPS providers go. */
    public record Options(Optional<Path> configFile, Path pluginsDir, FipsBootstrap.ProviderOrder providerOrder,
                          Map<String, String> environment) {

        public static Options of(Optional<Path> configFile, Path pluginsDir) {
            return new Options(configFile, pluginsDir, FipsBootstrap.ProviderOrder.PREFERRED, System.getenv());
        }

        public Options withProviderOrder(FipsBootstrap.ProviderOrder order) {
            return new Options(configFile, pluginsDir, order, environment);
        }

        public Options withEnvironment(Map<String, String> env) {
            return new Options(configFile, pluginsDir, providerOrder, env);
        }
    }

    private final FipsReport fips;
    private final PluginCatalog catalog;
    private final RelaySettings settings;
    private final RelayEngine engine;
    private final StatusService status;

    private RelayServer(FipsReport fips, PluginCatalog catalog, RelaySettings settings, RelayEngine engine, StatusService status) {
        this.fips = fips;
        this.catalog = catalog;
        this.settings = settings;
        this.engine = engine;
        this.status = status;
    }

    /** Loads and validates everything, then binds every enabled product (all or none). */
    public static RelayServer start(Options options) throws StartupFailure {
        // The module's power-on self-tests take about two seconds: run them while plugins and config load.
        CompletableFuture<FipsReport> fips = CompletableFuture.supplyAsync(() -> {
            try {
                return FipsBootstrap.install(options.providerOrder());
            } catch (FipsNotReadyException e) {
                throw new CompletionException(e);
            }
        });
        PluginCatalog catalog = null;
        try {
            Loaded loaded = loadSettings(options);
            catalog = loaded.catalog();
            FipsReport report = awaitFips(fips);
            FipsTlsContext tls;
            try {
                tls = FipsTlsContext.create(loaded.settings().tls());
            } catch (Exception e) {
                throw new StartupFailure(StartupFailure.CONFIG, "fips-relay.tls: " + e.getMessage(), e);
            }
            RelayEngine engine = new RelayEngine(loaded.settings(), tls, new RelayMetrics(new MetricRegistry()));
            StatusService status;
            try {
                engine.bindAll(loaded.settings().enabledProducts());
                status = StatusService.start(loaded.settings(), report, engine, loaded.settings()::enabledProducts);
            } catch (BindFailure e) {
                engine.close();
                throw new StartupFailure(StartupFailure.BIND, e.getMessage(), e);
            }
            LOG.info("fips-relay ready: {} products listening on {} (site {}, plugins {})",
                    engine.boundAddresses().size(), loaded.settings().listen().address(), loaded.settings().site(),
                    catalog.plugins().stream().map(PluginCatalog.LoadedPlugin::pluginId).toList());
            return new RelayServer(report, catalog, loaded.settings(), engine, status);
        } catch (StartupFailure e) {
            if (catalog != null) {
                catalog.close();
            }
            fips.cancel(false);
            throw e;
        }
    }

    /** Plugins plus validated settings, without FIPS or sockets: what check-config, plugins and agent-config need. */
    public record Loaded(PluginCatalog catalog, RelaySettings settings) {
    }

    public static Loaded loadSettings(Options options) throws StartupFailure {
        PluginCatalog catalog;
        try {
            catalog = PluginCatalog.load(options.pluginsDir());
        } catch (Exception e) {
            throw new StartupFailure(StartupFailure.CONFIG, "cannot load plugins: " + e.getMessage(), e);
        }
        try {
            SettingsLoader loader = SettingsLoader.withCoreDefaults().environment(options.environment());
            for (PluginCatalog.LoadedPlugin p : catalog.plugins()) {
                loader.addProducts(p.products(), p.reference());
            }
            Config operator = options.configFile().isPresent()
                    ? SettingsLoader.parseFile(options.configFile().get()) : ConfigFactory.empty();
            return new Loaded(catalog, loader.load(operator));
        } catch (SettingsException e) {
            catalog.close();
            throw new StartupFailure(StartupFailure.CONFIG, e.getMessage(), e);
        }
    }

    private static FipsReport awaitFips(CompletableFuture<FipsReport> fips) throws StartupFailure {
        try {
            return fips.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new StartupFailure(StartupFailure.FIPS, "FIPS module not ready, refusing to start: " + cause.getMessage(), cause);
        }
    }

    public FipsReport fips() {
        return fips;
    }

    public RelaySettings settings() {
        return settings;
    }

    public RelayEngine engine() {
        return engine;
    }

    public PluginCatalog catalog() {
        return catalog;
    }

    public StatusService status() {
        return status;
    }

    @Override
    public void close() {
        status.close();
        engine.close();
        catalog.close();
    }

    /** Why the relay did not start, with the process exit code that says so. */
    public static final class StartupFailure extends Exception {
        public static final int CONFIG = 2;
        public static final int FIPS = 3;
        public static final int BIND = 4;
        private final int exitCode;

        public StartupFailure(int exitCode, String message, Throwable cause) {
            super(message, cause);
            this.exitCode = exitCode;
        }

        public int exitCode() {
            return exitCode;
        }
    }
}
