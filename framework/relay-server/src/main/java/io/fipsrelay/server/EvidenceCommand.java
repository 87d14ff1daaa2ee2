package io.fipsrelay.server;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.fipsrelay.core.fips.FipsBootstrap;
import io.fipsrelay.core.fips.FipsNotReadyException;
import io.fipsrelay.core.fips.FipsReport;
import io.fipsrelay.core.settings.RelaySettings;
import io.fipsrelay.server.evidence.EvidenceCollector;
import io.fipsrelay.server.evidence.EvidenceDocument;
import io.fipsrelay.server.evidence.EvidenceText;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code fips-relay evidence}: the compliance report. The static part (module, jars, platform,
 * configured profile, plugins, configuration) is gathered here, without a running relay; what was
 * negotiated since start is read from the running relay's status port when one answers.
 */
@Command(name = "evidence", description = {"Print the compliance report for the SSP: FIPS module, CMVP certificate, jar hashes,",
        "approved-only mode, platform, TLS profile, negotiated parameters (from a running relay), plugins, configuration."})
final class EvidenceCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @CommandLine.Mixin
    FipsRelayCommand.ConfigOptions config = new FipsRelayCommand.ConfigOptions();

    @Option(names = "--json", description = "Print JSON (the same document as the status port's /evidence.json).")
    boolean json;

    @Option(names = "--status-url", paramLabel = "URL",
            description = "Where the running relay's /evidence.json is. Default: the configured status port on listen.address.")
    String statusUrl;

    @Option(names = "--timeout", paramLabel = "MS", defaultValue = "3000", description = "For reading the status port (default ${DEFAULT-VALUE} ms).")
    int timeoutMillis;

    @Override
    public Integer call() {
        RelayServer.Options options = config.options();
        RelayServer.Loaded loaded;
        try {
            loaded = RelayServer.loadSettings(options);
        } catch (RelayServer.StartupFailure e) {
            spec.commandLine().getErr().println("fips-relay: " + e.getMessage());
            return e.exitCode();
        }
        try (PluginCatalog catalog = loaded.catalog()) {
            FipsReport fips;
            try {
                fips = FipsBootstrap.install(options.providerOrder());
            } catch (FipsNotReadyException e) {
                spec.commandLine().getErr().println("fips-relay: FIPS module not ready: " + e.getMessage());
                return RelayServer.StartupFailure.FIPS;
            }
            RelaySettings settings = loaded.settings();
            EvidenceDocument.Live live = live(settings);
            EvidenceDocument document = new EvidenceCollector(fips).collect(settings, RelayServer.pluginJars(catalog),
                    options.configFile(), RelayServer.revocationSummary(settings), "fips-relay evidence", live);
            if (json) {
                spec.commandLine().getOut().println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                        .writeValueAsString(document));
            } else {
                EvidenceText.lines(document).forEach(spec.commandLine().getOut()::println);
            }
            return 0;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            spec.commandLine().getErr().println("fips-relay: cannot write the report: " + e.getMessage());
            return 1;
        }
    }

    /** The running relay's live part, or a Live that says why there is none. */
    private EvidenceDocument.Live live(RelaySettings settings) {
        String url = statusUrl;
        if (url == null) {
            if (!settings.statusEnabled()) {
                return new EvidenceDocument.Live("status port disabled (fips-relay.status.enabled = false): nothing to read",
                        null, null);
            }
            String host = settings.listen().address();
            url = "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + settings.listen().statusPort() + "/evidence.json";
        }
        try {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(timeoutMillis))
                    .proxy(HttpClient.Builder.NO_PROXY).build();
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofMillis(timeoutMillis)).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return new EvidenceDocument.Live("no figures: " + url + " answered " + response.statusCode(), null, null);
            }
            ObjectMapper mapper = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
            JsonNode running = mapper.readTree(response.body()).path("live");
            EvidenceDocument.Live theirs = mapper.treeToValue(running, EvidenceDocument.Live.class);
            return new EvidenceDocument.Live("running relay read at " + url, theirs.runningSince(), theirs.negotiated());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new EvidenceDocument.Live("no figures: interrupted reading " + url, null, null);
        } catch (Exception e) {
            return new EvidenceDocument.Live("no running relay answered at " + url + " (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")", null, null);
        }
    }
}
