package io.fipsrelay.distribution;

import io.fipsrelay.testkit.CannedResponse;
import io.fipsrelay.testkit.KeyType;
import io.fipsrelay.testkit.RecordingIntake;
import io.fipsrelay.testkit.TestPki;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One HTTPS intake standing in for every *.ddog-gov.com intake host (the relay's dns.hosts sends
 * them all to 127.0.0.1), answering as the real ones do to the agent's requests, and the relay
 * configuration that points a distribution at it: the shipped conf/fips-relay.conf included, then
 * only the port range, the test CA, the intake port and the name mapping changed.
 */
final class StandInIntake implements AutoCloseable {

    final TestPki pki;
    final RecordingIntake intake;
    final Path caFile;

    private StandInIntake(TestPki pki, RecordingIntake intake, Path caFile) {
        this.pki = pki;
        this.intake = intake;
        this.caFile = caFile;
    }

    static StandInIntake start(Path dir) {
        TestPki pki = TestPki.create("fips-relay distribution test CA");
        // One level of wildcard per name depth the port map uses (metrics.agent., intake.profile., *.logs.).
        RecordingIntake intake = RecordingIntake.builder(pki.issue(KeyType.EC_P256, "*.ddog-gov.com", "*.agent.ddog-gov.com",
                        "*.profile.ddog-gov.com", "*.logs.ddog-gov.com"))
                .respond(request -> {
                    if (request.method().equals("HEAD") && request.path().startsWith("/support/flare")) {
                        return CannedResponse.of(200);
                    }
                    if (request.method().equals("GET") && request.path().equals("/api/v1/validate")) {
                        return CannedResponse.json(200, "{\"valid\":true}");
                    }
                    return CannedResponse.accepted();
                }).start();
        return new StandInIntake(pki, intake, pki.writeCaPem(dir.resolve("test-ca.pem")));
    }

    /** Writes the relay configuration: the shipped default plus what points it at this intake. */
    Path relayConfig(Path file, int portRangeStart, String extraHocon) throws IOException {
        return Files.writeString(file, """
                include file("%s")
                fips-relay {
                  listen.port-range-start = %d
                  tls.ca-file = "%s"
                  upstream.port = %d
                  dns.hosts { "*.ddog-gov.com" = "127.0.0.1" }
                }
                %s
                """.formatted(Distribution.defaultConfig(), portRangeStart, caFile, intake.port(), extraHocon));
    }

    @Override
    public void close() {
        intake.close();
    }
}
