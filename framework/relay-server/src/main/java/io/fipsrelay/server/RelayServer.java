package io.fipsrelay.server;

import com.codahale.metrics.MetricRegistry;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigUtil;
import io.fipsrelay.core.fips.FipsBootstrap;
import io.fipsrelay.core.fips.FipsNotReadyException;
import io.fipsrelay.core.fips.FipsReport;
import io.fipsrelay.core.metrics.RelayMetrics;
import io.fipsrelay.core.relay.BindFailure;
import io.fipsrelay.core.relay.RelayEngine;
import io.fipsrelay.core.settings.RelaySettings;
import io.fipsrelay.core.settings.SettingsException;
import io.fipsrelay.core.tls.FipsServerTlsContext;
import io.fipsrelay.core.tls.FipsTlsContext;
import io.fipsrelay.core.audit.AuditTrail;
import io.fipsrelay.core.audit.NegotiatedParameters;
import io.fipsrelay.core.tls.CertificateExpiry;
import io.fipsrelay.server.audit.AuditLog;
import io.fipsrelay.server.audit.AuditSettings;
import io.fipsrelay.server.demo.DemoIntake;
import io.fipsrelay.server.evidence.EvidenceCollector;
import io.fipsrelay.server.evidence.EvidenceDocument;
import java.nio.file.Files;
import io.fipsrelay.server.status.StatusService;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A started relay: FIPS module, plugins, settings, listeners. The program's one wiring place. */
public final class RelayServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RelayServer.class);

    /** How to start: where the config and plugins are, and where the FIPS providers go. */
    public record Options(Optional<Path> configFile, Path pluginsDir, FipsBootstrap.ProviderOrder providerOrder,
                          Map<String, String> environment, boolean demo, Config overrides) {

        public static Options of(Optional<Path> configFile, Path pluginsDir) {
            return new Options(configFile, pluginsDir, FipsBootstrap.ProviderOrder.PREFERRED, System.getenv(), false,
                    ConfigFactory.empty());
        }

        public Options withProviderOrder(FipsBootstrap.ProviderOrder order) {
            return new Options(configFile, pluginsDir, order, environment, demo, overrides);
        }

        public Options withEnvironment(Map<String, String> env) {
            return new Options(configFile, pluginsDir, providerOrder, env, demo, overrides);
        }

        /** Demo mode: every product goes to an in-process stand-in intake (see {@link DemoIntake}). */
        public Options withDemo(boolean on) {
            return new Options(configFile, pluginsDir, providerOrder, environment, on, overrides);
        }

        /** Settings that win over the operator's file (demo mode uses this). */
        public Options withOverrides(Config more) {
            return new Options(configFile, pluginsDir, providerOrder, environment, demo, more.withFallback(overrides));
        }
    }

    private final FipsReport fips;
    private final PluginCatalog catalog;
    private final RelayEngine engine;
    private final PluginFolderScanner scanner;
    private final StatusService status;
    private final DemoIntake demo;
    private final Options options;
    /** The operator's configuration as last read (start or reload); hot plug builds on it. */
    private final AtomicReference<OperatorSettings> operatorSettings;
    private final AuditLog audit;
    /** Where the data path reports sessions and exchanges: the audit log and the negotiated-parameter tally. */
    private final AuditTrail auditTrail;
    private final NegotiatedParameters negotiated;

    private RelayServer(FipsReport fips, PluginCatalog catalog, RelayEngine engine, PluginFolderScanner scanner,
                        StatusService status, DemoIntake demo, Options options,
                        AtomicReference<OperatorSettings> operatorSettings, AuditLog audit, AuditTrail auditTrail,
                        NegotiatedParameters negotiated) {
        this.audit = audit;
        this.auditTrail = auditTrail;
        this.negotiated = negotiated;
        this.fips = fips;
        this.catalog = catalog;
        this.engine = engine;
        this.scanner = scanner;
        this.demo = demo;
        this.options = options;
        this.operatorSettings = operatorSettings;
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
        DemoIntake demo = null;
        AuditLog audit = null;
        try {
            Loaded loaded = loadSettings(options);
            catalog = loaded.catalog();
            FipsReport report = awaitFips(fips);
            Options effective = options;
            if (options.demo()) {
                demo = startDemoIntake(loaded.settings());
                catalog.close();
                effective = options.withOverrides(demoOverrides(loaded.settings(), demo));
                loaded = loadSettings(effective);
                catalog = loaded.catalog();
            }
            FipsTlsContext tls = tlsContext(loaded.settings());
            FipsServerTlsContext agentTls = agentTlsContext(loaded.settings());
            warnIfNotLoopback(loaded.settings());
            MetricRegistry registry = new MetricRegistry();
            try {
                audit = AuditLog.start(loaded.audit(), registry);
            } catch (java.io.IOException e) {
                throw new StartupFailure(StartupFailure.CONFIG, "fips-relay.audit.file: cannot write "
                        + loaded.audit().destination() + " (" + e + "): make its folder writable for the relay's user,"
                        + " or set another path, \"stdout\" or null", e);
            }
            NegotiatedParameters negotiated = new NegotiatedParameters();
            CertificateExpiry expiry = certificateExpiry(loaded.settings(), registry);
            AuditTrail trail = AuditTrail.fanOut(List.of(audit, negotiated, expiry));
            RelayEngine engine = new RelayEngine(loaded.settings(), tls, agentTls, new RelayMetrics(registry), trail);
            StatusService status;
            EvidenceCollector evidence = new EvidenceCollector(report);
            String startedAt = java.time.Instant.now().toString();
            PluginCatalog plugins = catalog;
            Optional<Path> configFile = effective.configFile();
            Map<String, io.fipsrelay.server.status.StatusEndpoint> pages = Map.of("/evidence.json",
                    new io.fipsrelay.server.status.EvidenceEndpoint(() -> evidence.collect(engine.settings(),
                            pluginJars(plugins), configFile, revocationSummary(engine.settings()), "running relay (status port)",
                            new EvidenceDocument.Live("this relay, since it started", startedAt, negotiated.snapshot()))));
            try {
                engine.bindAll(loaded.settings().enabledProducts());
                // What should be listening: the configured products plus any hot-plugged since (reload-aware).
                status = StatusService.start(loaded.settings(), report, engine, engine::expectedProducts,
                        new CatalogInventory(loaded.catalog()), pages,
                        () -> io.fipsrelay.server.status.StatusDocument.Certificates.of(expiry));
            } catch (BindFailure e) {
                engine.close();
                throw new StartupFailure(StartupFailure.BIND, e.getMessage(), e);
            }
            if (loaded.audit().enabled()) {
                LOG.info("audit log: {} ({}{})", loaded.audit().destination(), loaded.audit().sessions() ? "sessions" : "",
                        loaded.audit().requests() ? (loaded.audit().sessions() ? " and requests" : "requests") : "");
            }
            AtomicReference<OperatorSettings> operator = new AtomicReference<>(loaded.operatorSettings());
            PluginFolderScanner scanner = null;
            if (loaded.plugins().hotPlug()) {
                scanner = new PluginFolderScanner(options.pluginsDir(), loaded.jarsAtStart(),
                        new HotPlug(catalog, operator::get, engine)).start(loaded.plugins().scanInterval());
            }
            LOG.info("fips-relay ready: {} products listening on {} (site {}, plugins {})",
                    engine.boundAddresses().size(), loaded.settings().listen().address(), loaded.settings().site(),
                    catalog.plugins().stream().map(PluginCatalog.LoadedPlugin::pluginId).toList());
            return new RelayServer(report, catalog, engine, scanner, status, demo, effective, operator, audit, trail, negotiated);
        } catch (StartupFailure e) {
            if (catalog != null) {
                catalog.close();
            }
            if (audit != null) {
                audit.close();
            }
            if (demo != null) {
                demo.close();
            }
            fips.cancel(false);
            throw e;
        }
    }

    /**
     * Plugins plus validated settings, without FIPS or sockets: what check-config, plugins and
     * agent-config need, and what a start and hot plug build on.
     */
    record Loaded(PluginCatalog catalog, RelaySettings settings, OperatorSettings operatorSettings,
                  OperatorSettings.Plugins plugins, Map<Path, PluginFolderScanner.JarStamp> jarsAtStart, AuditSettings audit) {
    }

    static Loaded loadSettings(Options options) throws StartupFailure {
        OperatorSettings operator;
        Optional<PluginSigners> signers;
        try {
            operator = OperatorSettings.read(options);
            signers = pluginSigners(operator.trustedSigners(), options);
        } catch (SettingsException e) {
            throw new StartupFailure(StartupFailure.CONFIG, e.getMessage(), e);
        }
        PluginCatalog catalog;
        Map<Path, PluginFolderScanner.JarStamp> jars;
        try {
            // The folder as seen now is what the catalog loads and what the scanner later compares with.
            jars = PluginFolderScanner.snapshot(options.pluginsDir());
            catalog = PluginCatalog.load(options.pluginsDir(), jars.keySet(), signers);
        } catch (Exception e) {
            throw new StartupFailure(StartupFailure.CONFIG, "cannot load plugins: " + e.getMessage(), e);
        }
        try {
            // The core's problems and this module's are reported together, not one batch per run.
            List<String> problems = new ArrayList<>();
            RelaySettings settings = null;
            OperatorSettings.Plugins plugins = null;
            AuditSettings audit = null;
            try {
                settings = operator.forPlugins(catalog.plugins());
            } catch (SettingsException e) {
                problems.addAll(e.problems());
            }
            try {
                plugins = operator.plugins();
            } catch (SettingsException e) {
                problems.addAll(e.problems());
            }
            try {
                audit = operator.audit(Path.of(System.getProperty(FipsRelayCommand.HOME_PROPERTY, ".")));
            } catch (SettingsException e) {
                problems.addAll(e.problems());
            }
            if (!problems.isEmpty()) {
                throw new SettingsException(problems);
            }
            return new Loaded(catalog, settings, operator, plugins, jars, audit);
        } catch (SettingsException e) {
            catalog.close();
            throw new StartupFailure(StartupFailure.CONFIG, e.getMessage(), e);
        }
    }

    /** Expiry tracking of the intake certificates and of the configured CA bundle's anchors. */
    private static CertificateExpiry certificateExpiry(RelaySettings settings, MetricRegistry registry) throws StartupFailure {
        try {
            return new CertificateExpiry(registry, java.time.Clock.systemUTC(), settings.tls().caFile().toString(),
                    CertificateExpiry.readBundle(settings.tls().caFile()));
        } catch (java.io.IOException e) {
            throw new StartupFailure(StartupFailure.CONFIG, "fips-relay.tls.ca-file: " + e.getMessage(), e);
        }
    }

    /** The loaded plugins as the compliance report lists them. */
    static List<EvidenceCollector.PluginJar> pluginJars(PluginCatalog catalog) {
        return catalog.plugins().stream().map(p -> new EvidenceCollector.PluginJar(p.pluginId(), p.jar(), p.products())).toList();
    }

    /** The revocation checking configured, in the report's words. */
    static String revocationSummary(RelaySettings settings) {
        return settings.revocation().describe();
    }

    /**
     * The trusted plugin signers, read through the FIPS module: when they are set the module is
     * installed here (waiting for a start's parallel install, see {@link FipsBootstrap#install}).
     */
    private static Optional<PluginSigners> pluginSigners(Optional<Path> pem, Options options) throws StartupFailure {
        if (pem.isEmpty()) {
            return Optional.empty();
        }
        try {
            FipsBootstrap.install(options.providerOrder());
        } catch (FipsNotReadyException e) {
            throw new StartupFailure(StartupFailure.FIPS, "FIPS module not ready, cannot check plugin signatures: "
                    + e.getMessage(), e);
        }
        try {
            PluginSigners signers = PluginSigners.load(pem.get());
            LOG.info("plugins: only jars signed by a certificate in {} are loaded", pem.get());
            return Optional.of(signers);
        } catch (java.io.IOException e) {
            throw new StartupFailure(StartupFailure.CONFIG, "fips-relay.plugins.trusted-signers: " + e.getMessage(), e);
        }
    }

    /**
     * Re-reads the configuration file; a valid one is applied (see {@link RelayEngine#apply}), an
     * invalid one is refused with its errors and the running configuration stays.
     */
    public synchronized boolean reload() {
        OperatorSettings operator;
        RelaySettings next;
        FipsTlsContext tls;
        FipsServerTlsContext agentTls;
        try {
            operator = OperatorSettings.read(options);
            next = operator.forPluginsWhileRunning(catalog.plugins());
            tls = tlsContext(next);
            // Certificate and key of listen.tls are read again: a rotated pair reaches new connections.
            agentTls = agentTlsContext(next);
        } catch (SettingsException | StartupFailure e) {
            LOG.error("reload refused, the running configuration stays: {}", e.getMessage());
            return false;
        }
        operatorSettings.set(operator);
        List<String> failed = engine.apply(next, tls, agentTls);
        if (agentTls != null) {
            LOG.info("listen.tls: new agent connections are shown {} (valid until {})",
                    agentTls.certificate().getSubjectX500Principal(), agentTls.certificate().getNotAfter().toInstant());
        }
        if (!failed.isEmpty()) {
            LOG.error("reload applied, but these products could not listen: {}", failed);
        }
        return failed.isEmpty();
    }

    /** Installs the FIPS module and builds the TLS context from the settings: what check-config verifies. */
    public static FipsTlsContext checkTls(RelaySettings settings, Options options) throws StartupFailure {
        try {
            FipsBootstrap.install(options.providerOrder());
        } catch (FipsNotReadyException e) {
            throw new StartupFailure(StartupFailure.FIPS, "FIPS module not ready: " + e.getMessage(), e);
        }
        FipsTlsContext tls = tlsContext(settings);
        agentTlsContext(settings);
        return tls;
    }

    /** The agent-side TLS context of {@code listen.tls}, or null when it is off; bad files are refused with their key path. */
    private static FipsServerTlsContext agentTlsContext(RelaySettings settings) throws StartupFailure {
        if (!settings.listen().tls().enabled()) {
            return null;
        }
        try {
            return FipsServerTlsContext.create(settings.listen().tls(), settings.tls());
        } catch (Exception e) {
            throw new StartupFailure(StartupFailure.CONFIG, e.getMessage(), e);
        }
    }

    private static FipsTlsContext tlsContext(RelaySettings settings) throws StartupFailure {
        try {
            return FipsTlsContext.create(settings.tls());
        } catch (Exception e) {
            throw new StartupFailure(StartupFailure.CONFIG, "fips-relay.tls.ca-file: " + settings.tls().caFile() + ": "
                    + e.getMessage(), e);
        }
    }

    private static DemoIntake startDemoIntake(RelaySettings settings) throws StartupFailure {
        try {
            java.util.Set<String> hosts = new java.util.TreeSet<>();
            settings.allServers().forEach(h -> hosts.add(h.host()));
            hosts.add("*." + settings.site());
            return DemoIntake.start(hosts);
        } catch (Exception e) {
            throw new StartupFailure(StartupFailure.CONFIG, "cannot start the demo intake: " + e.getMessage(), e);
        }
    }

    /** Points every product of the site at the demo intake, trusting only its throwaway CA. */
    private static Config demoOverrides(RelaySettings settings, DemoIntake demo) throws StartupFailure {
        try {
            Path ca = Files.createTempFile("fips-relay-demo-ca", ".pem");
            ca.toFile().deleteOnExit();
            demo.writeCa(ca);
            StringBuilder hocon = new StringBuilder("fips-relay {\n")
                    .append("  tls.ca-file = ").append(ConfigUtil.quoteString(ca.toString())).append('\n')
                    .append("  upstream.port = ").append(demo.port()).append('\n')
                    .append("  dns.hosts { ").append(ConfigUtil.quoteString("*." + settings.site())).append(" = \"127.0.0.1\" }\n");
            for (String id : settings.products().keySet()) {
                hocon.append("  products.").append(id).append(".servers = []\n");
            }
            return ConfigFactory.parseString(hocon.append("}\n").toString());
        } catch (Exception e) {
            throw new StartupFailure(StartupFailure.CONFIG, "cannot configure demo mode: " + e.getMessage(), e);
        }
    }

    /** Says at start what a non-loopback listen address exposes; quiet on loopback. */
    static void warnIfNotLoopback(RelaySettings settings) {
        RelaySettings.Listen listen = settings.listen();
        String address = listen.address();
        try {
            if (java.net.InetAddress.getByName(address).isLoopbackAddress()) {
                return;
            }
            if (!listen.tls().enabled()) {
                LOG.warn("listen.address is {}: the relay accepts plain HTTP from other hosts (intended for container sidecars"
                        + " only; enable listen.tls for agents on other hosts)", address);
            } else if (!listen.tls().mutual()) {
                LOG.info("listen.address is {}: agents connect over TLS; any client that trusts the relay's CA may send"
                        + " through it (set listen.tls.client-ca-file to admit only agents with a certificate)", address);
            } else {
                LOG.info("listen.address is {}: agents connect over TLS with a client certificate from {}", address,
                        listen.tls().clientCaFile());
            }
            if (listen.tls().enabled() && settings.statusEnabled()) {
                LOG.warn("the status port {}:{} is plain HTTP on this address (listen.tls covers the product ports only):"
                        + " firewall it, or set status.enabled = false", address, listen.statusPort());
            }
        } catch (java.net.UnknownHostException e) {
            LOG.warn("listen.address {} does not resolve: {}", address, e.getMessage());
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

    /** The settings in force (start, or the last reload; hot-plugged products are in the engine). */
    public RelaySettings settings() {
        return engine.settings();
    }

    public RelayEngine engine() {
        return engine;
    }

    public PluginCatalog catalog() {
        return catalog;
    }

    public Optional<DemoIntake> demo() {
        return Optional.ofNullable(demo);
    }

    public StatusService status() {
        return status;
    }

    /** What the data path reports sessions and exchanges to. */
    public AuditTrail auditTrail() {
        return auditTrail;
    }

    public AuditLog audit() {
        return audit;
    }

    public NegotiatedParameters negotiated() {
        return negotiated;
    }

    @Override
    public void close() {
        status.close();
        if (scanner != null) {
            scanner.close();
        }
        engine.close();
        catalog.close();
        if (demo != null) {
            demo.close();
        }
        audit.close();
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
