package io.fipsrelay.server;

import io.fipsrelay.core.settings.HostAndPort;
import io.fipsrelay.core.settings.RelaySettings;
import io.fipsrelay.core.tls.FipsTlsContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fips-relay diagnose}: can this host reach every intake the way the relay will? */
@Command(name = "diagnose", description = "Check DNS, TCP, the egress proxy's CONNECT (when upstream.proxy is set), FIPS TLS and HTTP to every intake of the enabled products; exit non-zero on any FAIL.")
final class DiagnoseCommand implements Callable<Integer> {

    @CommandLine.Mixin
    FipsRelayCommand.ConfigOptions config = new FipsRelayCommand.ConfigOptions();

    @Option(names = "--product", paramLabel = "ID", description = "Only this product.")
    String product;

    @Option(names = "--timeout", paramLabel = "MS", defaultValue = "5000", description = "Per step (default ${DEFAULT-VALUE} ms).")
    int timeoutMillis;

    @Override
    public Integer call() {
        RelayServer.Options options = config.options();
        RelayServer.Loaded loaded;
        FipsTlsContext tls;
        try {
            loaded = RelayServer.loadSettings(options);
            tls = RelayServer.checkTls(loaded.settings(), options);
        } catch (RelayServer.StartupFailure e) {
            System.err.println("fips-relay: " + e.getMessage());
            return e.exitCode();
        }
        try (PluginCatalog ignored = loaded.catalog()) {
            RelaySettings s = loaded.settings();
            List<RelaySettings.ProductSettings> products = s.enabledProducts().stream()
                    .filter(p -> product == null || p.id().equals(product)).toList();
            if (products.isEmpty()) {
                System.err.println("fips-relay: no enabled product " + (product == null ? "" : "named " + product));
                return 1;
            }
            System.out.println(agentSide(s));
            IntakeProbe probe = new IntakeProbe(tls, s.dns().hosts(), s.proxy(), timeoutMillis);
            if (s.proxy().enabled()) {
                System.out.println("egress proxy: " + s.proxy().endpoint() + " (from " + s.proxy().origin() + ")"
                        + (s.proxy().noProxy().isEmpty() ? "" : "; reached directly: " + s.proxy().noProxy()));
            }
            List<IntakeProbe.Result> results = new ArrayList<>();
            for (RelaySettings.ProductSettings p : products) {
                Set<HostAndPort> servers = new LinkedHashSet<>(s.serversFor(p, "/"));
                for (String prefix : p.product().allHostPrefixes()) {
                    if (!prefix.equals(p.product().hostPrefix())) {
                        servers.add(new HostAndPort(s.hostFor(prefix), s.upstream().port()));
                    }
                }
                for (HostAndPort server : servers) {
                    results.addAll(probe.probe(p.id(), server));
                }
            }
            print(results);
            long failed = results.stream().filter(r -> !r.pass()).count();
            System.out.println(failed == 0 ? "RESULT: PASS (" + results.size() + " intake addresses reachable over FIPS TLS)"
                    : "RESULT: FAIL (" + failed + " of " + results.size() + " intake addresses failed)");
            return failed == 0 ? 0 : 1;
        }
    }

    /** The agent's side in one line: which fips.https the agents need for these listeners. */
    static String agentSide(RelaySettings s) {
        RelaySettings.AgentTls tls = s.listen().tls();
        if (!tls.enabled()) {
            return "AGENT SIDE: product ports speak plain HTTP (listen.tls.enabled = false): agents need fips.https: false"
                    + " (DD_FIPS_HTTPS=false); an agent left on its default https: true is refused and logged (errors.tls-on-plain-port)";
        }
        return "AGENT SIDE: product ports speak TLS (listen.tls.enabled = true, certificate " + tls.certFile()
                + (tls.mutual() ? ", client certificates from " + tls.clientCaFile() : "") + "): agents need fips.https: true"
                + " and fips.tls_verify: true trusting its CA; an agent on https: false gets a 400 (errors.plain-http-on-tls-port)";
    }

    private static void print(List<IntakeProbe.Result> results) {
        String format = "%-26s %-45s %-22s %-6s %-4s %s%n";
        System.out.printf(format, "PRODUCT", "SERVER", "ADDRESS", "RESULT", "STEP", "DETAIL");
        for (IntakeProbe.Result r : results) {
            Map<String, IntakeProbe.Step> steps = new LinkedHashMap<>();
            steps.put("DNS", r.dns());
            steps.put("TCP", r.tcp());
            steps.put("PROXY", r.proxy());
            steps.put("TLS", r.tls());
            steps.put("HTTP", r.http());
            boolean first = true;
            for (Map.Entry<String, IntakeProbe.Step> step : steps.entrySet()) {
                if (step.getValue().verdict() == IntakeProbe.Verdict.NOT_RUN) {
                    continue;
                }
                System.out.printf(format, first ? r.product() : "", first ? r.server().toString() : "",
                        first ? r.address() : "", step.getValue().verdict(), step.getKey(), step.getValue().detail());
                first = false;
            }
        }
    }
}
