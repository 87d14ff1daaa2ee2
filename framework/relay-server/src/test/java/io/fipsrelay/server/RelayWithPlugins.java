package io.fipsrelay.server;

import io.fipsrelay.core.fips.FipsBootstrap;
import io.fipsrelay.testkit.CannedResponse;
import io.fipsrelay.testkit.FreePorts;
import io.fipsrelay.testkit.KeyType;
import io.fipsrelay.testkit.RecordingIntake;
import io.fipsrelay.testkit.TestPki;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The program as an operator runs it, for tests of what it shows about plugins: a plugins folder
 * holding real plugin jars (built by the test, loaded by PF4J, watched for hot plug every 200 ms),
 * every *.ddog-gov.com name pointing at one real TLS intake answering 202 with a small JSON body,
 * status sampled every second. Jars to hot-plug are built in {@link #staging}.
 */
public final class RelayWithPlugins implements AutoCloseable {

    private static final String ANSWER = "{\"status\":\"accepted\",\"detail\":\"" + "x".repeat(1500) + "\"}";

    public final RecordingIntake intake;
    public final RelayServer server;
    public final Path plugins;
    public final Path staging;
    public final int base;

    private RelayWithPlugins(RecordingIntake intake, RelayServer server, Path plugins, Path staging, int base) {
        this.intake = intake;
        this.server = server;
        this.plugins = plugins;
        this.staging = staging;
        this.base = base;
    }

    /** What to put into the plugins folder before the relay starts. */
    public interface Folder {
        void fill(Path plugins) throws IOException;
    }

    public static RelayWithPlugins start(Path dir, Folder atStart, String extraHocon) throws Exception {
        TestPki pki = TestPki.create("fips-relay plugin status test CA");
        RecordingIntake intake = RecordingIntake.builder(pki.issue(KeyType.EC_P256, "*.ddog-gov.com", "*.logs.ddog-gov.com"))
                .respond(request -> CannedResponse.json(202, ANSWER)).start();
        try {
            Path plugins = Files.createDirectories(dir.resolve("plugins"));
            Path staging = Files.createDirectories(dir.resolve("staging"));
            atStart.fill(plugins);
            int base = FreePorts.pickRange(16);
            Path conf = Files.writeString(dir.resolve("fips-relay.conf"), """
                    fips-relay {
                      listen.port-range-start = %d
                      tls.ca-file = "%s"
                      upstream.port = %d
                      dns.hosts { "*.ddog-gov.com" = "127.0.0.1" }
                      plugins.scan-interval = 200ms
                      status.sample-interval = 1s
                    }
                    %s
                    """.formatted(base, pki.writeCaPem(dir.resolve("ca.pem")), intake.port(), extraHocon));
            RelayServer server = RelayServer.start(RelayServer.Options.of(Optional.of(conf), plugins)
                    .withProviderOrder(FipsBootstrap.ProviderOrder.APPENDED).withEnvironment(Map.of()));
            return new RelayWithPlugins(intake, server, plugins, staging, base);
        } catch (Exception e) {
            intake.close();
            throw e;
        }
    }

    public int statusPort() {
        return server.status().address().orElseThrow().getPort();
    }

    /** The port a product listens on now. */
    public int port(String product) {
        return server.engine().boundAddresses().get(product).getPort();
    }

    @Override
    public void close() {
        server.close();
        intake.close();
    }
}
