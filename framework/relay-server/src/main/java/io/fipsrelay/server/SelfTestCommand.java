package io.fipsrelay.server;

import io.fipsrelay.core.fips.FipsBootstrap;
import io.fipsrelay.core.fips.FipsNotReadyException;
import io.fipsrelay.core.fips.FipsReport;
import io.fipsrelay.core.settings.RelaySettings;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code fips-relay self-test}: is this JVM, with this configuration, FIPS-ready? */
@Command(name = "self-test", description = "Load the FIPS module as the relay does and report versions, certificate, approved-only mode, self-test result, native variant and the TLS profile; exit non-zero if not FIPS-ready.")
final class SelfTestCommand implements Callable<Integer> {

    @CommandLine.Mixin
    FipsRelayCommand.ConfigOptions config = new FipsRelayCommand.ConfigOptions();

    @CommandLine.Mixin
    CommandLogging.VerboseOption verbose = new CommandLogging.VerboseOption();

    @Override
    public Integer call() {
        RelayServer.Options options = config.options();
        FipsReport report;
        try {
            report = FipsBootstrap.install(options.providerOrder());
        } catch (FipsNotReadyException e) {
            System.out.println("RESULT: NOT FIPS-READY: " + e.getMessage());
            return RelayServer.StartupFailure.FIPS;
        }
        String format = "  %-18s %s%n";
        System.out.println("fips-relay self-test");
        System.out.printf(format, "bc-fips", report.moduleVersion() + " (CMVP certificate " + FipsReport.CMVP_CERTIFICATE + ", FIPS 140-3)");
        System.out.printf(format, "bctls-fips", report.jsseVersion());
        System.out.printf(format, "approved-only", report.approvedOnly() ? "yes" : "NO");
        System.out.printf(format, "self-tests", "passed (" + report.selfTestStatus() + ")");
        System.out.printf(format, "native variant", report.nativeVariant() + " [" + report.nativeFeatures() + "]");
        System.out.printf(format, "module load", report.startupMillis() + " ms");
        System.out.printf(format, "java", System.getProperty("java.vendor") + " " + System.getProperty("java.version")
                + " (" + System.getProperty("java.home") + ")");
        try {
            RelayServer.Loaded loaded = RelayServer.loadSettings(options);
            loaded.catalog().close();
            RelaySettings s = loaded.settings();
            RelayServer.checkTls(s, options);
            System.out.printf(format, "protocols", String.join(", ", s.tls().protocols()));
            System.out.printf(format, "cipher suites", String.join(", ", s.tls().cipherSuites()));
            System.out.printf(format, "named groups", String.join(", ", s.tls().namedGroups()));
            System.out.printf(format, "trust", s.tls().caFile() + " (" + s.tls().caFileSetting() + ")");
        } catch (RelayServer.StartupFailure e) {
            System.out.println("RESULT: NOT FIPS-READY: " + e.getMessage());
            return e.exitCode();
        }
        System.out.println("RESULT: FIPS-READY");
        return 0;
    }
}
