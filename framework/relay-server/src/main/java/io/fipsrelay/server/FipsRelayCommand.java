package io.fipsrelay.server;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code bin/fips-relay}: the operator's command line. */
@Command(name = "fips-relay", mixinStandardHelpOptions = true, versionProvider = FipsRelayCommand.Version.class,
        description = "Relays the agent's local plain HTTP to its intakes over FIPS 140-3 validated TLS (Bouncy Castle FIPS).",
        subcommands = {FipsRelayCommand.Run.class, FipsRelayCommand.CheckConfig.class, FipsRelayCommand.Plugins.class,
                FipsRelayCommand.AgentConfig.class, SelfTestCommand.class, DiagnoseCommand.class, FipsRelayCommand.Reload.class,
                EvidenceCommand.class})
public final class FipsRelayCommand implements Runnable {

    /** Set by bin/fips-relay to the installation folder. */
    static final String HOME_PROPERTY = "fips-relay.home";

    /** Exit code of plugins and check-config when a plugin jar was refused. */
    static final int PLUGIN_REFUSED = 1;

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
        org.slf4j.bridge.SLF4JBridgeHandler.install();
        System.exit(execute(args));
    }

    public static int execute(String... args) {
        return commandLine().execute(args);
    }

    /** The command line with its subcommands; tests set its out and err writers. */
    static CommandLine commandLine() {
        return new CommandLine(new FipsRelayCommand()).setExecutionStrategy(CommandLogging::execute);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Options every subcommand that reads the configuration shares. */
    static final class ConfigOptions {
        @Option(names = "--config", paramLabel = "FILE", description = "Operator configuration (HOCON). Default: <home>/conf/fips-relay.conf when it exists.")
        Path config;

        @Option(names = "--plugins-dir", paramLabel = "DIR", description = "Product plugin jars. Default: <home>/plugins.")
        Path pluginsDir;

        RelayServer.Options options() {
            Path home = Path.of(System.getProperty(HOME_PROPERTY, "."));
            Optional<Path> file = Optional.ofNullable(config);
            if (file.isEmpty() && Files.isRegularFile(home.resolve("conf/fips-relay.conf"))) {
                file = Optional.of(home.resolve("conf/fips-relay.conf"));
            }
            return RelayServer.Options.of(file, pluginsDir != null ? pluginsDir : home.resolve("plugins"));
        }
    }

    @Command(name = "run", description = "Start the relay and serve until stopped (SIGTERM/SIGINT).")
    static final class Run implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @CommandLine.Mixin
        ConfigOptions config = new ConfigOptions();

        @Option(names = "--pid-file", paramLabel = "FILE", description = "Write the process id here (for fips-relay reload).")
        Path pidFile;

        @Option(names = "--demo", description = "Send every product to a local stand-in intake with a throwaway CA (try the relay without internet). Never in production.")
        boolean demo;

        @Override
        public Integer call() throws InterruptedException {
            RelayServer server;
            try {
                server = RelayServer.start(config.options().withDemo(demo));
            } catch (RelayServer.StartupFailure e) {
                return fail(spec, e);
            }
            if (pidFile != null) {
                try {
                    Files.writeString(pidFile, ProcessHandle.current().pid() + "\n");
                    pidFile.toFile().deleteOnExit();
                } catch (java.io.IOException e) {
                    System.err.println("fips-relay: cannot write --pid-file " + pidFile + ": " + e.getMessage());
                }
            }
            CountDownLatch stopped = new CountDownLatch(1);
            GracefulStop stop = new GracefulStop(server, stopped);
            stop.installSignalHandlers();
            Runtime.getRuntime().addShutdownHook(new Thread(stop::stopNow, "fips-relay-shutdown"));
            stopped.await();
            return 0;
        }
    }

    @Command(name = "reload", description = "Ask a running relay to re-read its configuration (SIGHUP to the process in --pid-file).")
    static final class Reload implements Callable<Integer> {
        @Option(names = "--pid-file", paramLabel = "FILE", required = true, description = "The file given to run --pid-file.")
        Path pidFile;

        @Override
        public Integer call() throws Exception {
            long pid;
            try {
                pid = Long.parseLong(Files.readString(pidFile).trim());
            } catch (java.io.IOException | NumberFormatException e) {
                System.err.println("fips-relay: cannot read a process id from " + pidFile + ": " + e.getMessage());
                return 1;
            }
            if (ProcessHandle.of(pid).isEmpty()) {
                System.err.println("fips-relay: no process " + pid + " (from " + pidFile + ")");
                return 1;
            }
            // The JDK has no API to send SIGHUP to another process.
            Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(pid)).inheritIO().start();
            int exit = kill.waitFor();
            System.out.println(exit == 0 ? "reload requested from process " + pid + " (see its log for the outcome)"
                    : "fips-relay: kill -HUP " + pid + " failed");
            return exit == 0 ? 0 : 1;
        }
    }

    @Command(name = "check-config", description = "Validate the configuration and plugins; exit 0 when the relay would start with them.")
    static final class CheckConfig implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @CommandLine.Mixin
        ConfigOptions config = new ConfigOptions();

        @CommandLine.Mixin
        CommandLogging.VerboseOption verbose = new CommandLogging.VerboseOption();

        @Override
        public Integer call() {
            RelayServer.Options options = config.options();
            return withLoaded(spec, options, loaded -> {
                // The CA bundle is read through the FIPS module exactly as at start.
                RelayServer.checkTls(loaded.settings(), options);
                PluginCatalog catalog = loaded.catalog();
                PrintWriter err = spec.commandLine().getErr();
                catalog.refused().forEach(r -> err.println("plugin refused: " + r.jar() + ": " + r.reason()));
                spec.commandLine().getOut().println("configuration OK: " + options.configFile().map(Path::toString).orElse("(defaults)")
                        + ", plugins " + catalog.plugins().stream().map(PluginCatalog.LoadedPlugin::pluginId).toList()
                        + ", " + loaded.settings().enabledProducts().size() + " products enabled");
                return catalog.refused().isEmpty() ? 0 : PLUGIN_REFUSED;
            });
        }
    }

    @Command(name = "plugins", description = {"List the products the plugins provide: id, plugin, port, state and intake servers,",
            "then the plugin jars that were refused and why. Exit 0, or 1 when a jar was refused."})
    static final class Plugins implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @CommandLine.Mixin
        ConfigOptions config = new ConfigOptions();

        @CommandLine.Mixin
        CommandLogging.VerboseOption verbose = new CommandLogging.VerboseOption();

        @Override
        public Integer call() {
            return withLoaded(spec, config.options(), loaded -> {
                ProductTable.lines(loaded.catalog(), loaded.settings()).forEach(spec.commandLine().getOut()::println);
                return loaded.catalog().refused().isEmpty() ? 0 : PLUGIN_REFUSED;
            });
        }
    }

    @Command(name = "agent-config", description = {"Print the datadog.yaml fips: block (and the DD_FIPS_* variables)",
            "that send the agent's products to this relay as configured."})
    static final class AgentConfig implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @CommandLine.Mixin
        ConfigOptions config = new ConfigOptions();

        @CommandLine.Mixin
        CommandLogging.VerboseOption verbose = new CommandLogging.VerboseOption();

        @Override
        public Integer call() {
            return withLoaded(spec, config.options(), loaded -> {
                AgentConfigSnippet.lines(loaded.settings()).forEach(spec.commandLine().getOut()::println);
                return 0;
            });
        }
    }

    /** What a command that only reads the configuration does with the loaded plugins and settings. */
    @FunctionalInterface
    interface ReadsConfiguration {
        int run(RelayServer.Loaded loaded) throws RelayServer.StartupFailure;
    }

    /** Loads plugins and settings, runs the command, always releases the plugins; a failure prints and exits as at start. */
    private static int withLoaded(CommandSpec spec, RelayServer.Options options, ReadsConfiguration command) {
        try {
            RelayServer.Loaded loaded = RelayServer.loadSettings(options);
            try (PluginCatalog ignored = loaded.catalog()) {
                return command.run(loaded);
            }
        } catch (RelayServer.StartupFailure e) {
            return fail(spec, e);
        }
    }

    private static int fail(CommandSpec spec, RelayServer.StartupFailure e) {
        spec.commandLine().getErr().println("fips-relay: " + e.getMessage());
        return e.exitCode();
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = FipsRelayCommand.class.getPackage().getImplementationVersion();
            return new String[] {"fips-relay " + (v == null ? "(development build)" : v)};
        }
    }
}
