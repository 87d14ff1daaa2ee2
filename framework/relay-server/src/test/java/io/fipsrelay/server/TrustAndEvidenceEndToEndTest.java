package io.fipsrelay.server;

import java.util.concurrent.TimeUnit;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fipsrelay.core.fips.FipsBootstrap;
import io.fipsrelay.testkit.FreePorts;
import io.fipsrelay.testkit.OpenSslServer;
import io.fipsrelay.testkit.RawHttpClient;
import io.fipsrelay.testkit.RawResponse;
import io.fipsrelay.testkit.RecordingIntake;
import io.fipsrelay.testkit.RevocationPki;
import io.fipsrelay.testkit.ServerIdentity;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The assembled relay with everything issue 13 adds, in front of two real TLS intakes whose
 * certificates come from a test CA with a real OCSP responder and CRL: one certificate good, one
 * revoked. Audit records, the agent's answers, status pages and every log line are read back, and
 * the credentials the agent sent are looked for in all of them.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TrustAndEvidenceEndToEndTest {

    /** Distinctive values: found anywhere the relay wrote, they would be a leak. */
    static final Map<String, String> SECRET_HEADERS = new LinkedHashMap<>();
    static final String QUERY_SECRET = "SECRET-QUERY-KEY-3e6d71";
    static final String QUERY_DD_SECRET = "SECRET-QUERY-DD-6b2e09";

    static {
        SECRET_HEADERS.put("DD-API-KEY", "SECRET-API-KEY-7f3a12");
        SECRET_HEADERS.put("DD-APPLICATION-KEY", "SECRET-APP-KEY-91bc34");
        SECRET_HEADERS.put("Authorization", "Bearer SECRET-AUTH-55e156");
        SECRET_HEADERS.put("Proxy-Authorization", "Basic SECRET-PROXY-2d4c78");
        SECRET_HEADERS.put("Cookie", "session=SECRET-COOKIE-8a0f90");
    }

    @TempDir
    static Path dir;
    static RevocationPki pki;
    static RecordingIntake goodIntake;
    static RecordingIntake revokedIntake;
    static Path plugins;

    @BeforeAll
    static void intakes() {
        pki = RevocationPki.start("fips-relay trust test CA");
        ServerIdentity good = pki.issue("*.ddog-gov.com");
        ServerIdentity revoked = pki.issue("*.ddog-gov.com");
        pki.revoke(revoked.certificate());
        goodIntake = RecordingIntake.builder(good).start();
        revokedIntake = RecordingIntake.builder(revoked).start();
        plugins = dir.resolve("plugins");
        TestPlugins.oneProduct(plugins.resolve("alpha.jar"), "alpha", "alpha", 1, "alpha-intake");
        TestPlugins.oneProduct(plugins.resolve("beta.jar"), "beta", "beta", 2, "beta-intake");
    }

    @AfterAll
    static void stop() {
        goodIntake.close();
        revokedIntake.close();
        pki.close();
    }

    @Test
    void fetched_ocsp_lets_the_good_intake_through_refuses_the_revoked_one_and_everything_is_recorded_without_a_secret()
            throws Exception {
        Path audit = dir.resolve("fetched-audit.jsonl");
        int base = FreePorts.pickRange(4);
        List<String> outputs = new ArrayList<>();
        RawResponse good;
        RawResponse refused;
        RawResponse notAllowed;
        try (LogCapture log = new LogCapture(); RelayServer server = start(base, audit, """
                fips-relay.tls.revocation { mode = "soft-fail", ocsp-stapling = false, fetch = true }
                """)) {
            good = send(base + 1, "POST", "/api/v1/series?api_key=" + QUERY_SECRET + "&dd-api-key=" + QUERY_DD_SECRET + "&x=1");
            refused = send(base + 2, "POST", "/api/v2/beta?api_key=" + QUERY_SECRET);
            notAllowed = send(base + 1, "TRACE", "/api/v1/series?api_key=" + QUERY_SECRET);

            assertThat(good.status()).isEqualTo(202);
            assertThat(refused.status()).isEqualTo(502);
            JsonNode body = new ObjectMapper().readTree(refused.bodyText());
            assertThat(body.get("cause").asText()).startsWith("certificate revoked (OCSP): beta-intake.ddog-gov.com (127.0.0.1:");
            assertThat(notAllowed.status()).isEqualTo(405);
            assertThat(server.engine().metrics().registry().meter("fips-relay.tls.revocation.refused").getCount()).isPositive();
            assertThat(server.engine().metrics().registry().meter("fips-relay.beta.errors.revoked").getCount()).isPositive();

            JsonNode status = json("http://127.0.0.1:" + base + "/status.json", outputs);
            assertThat(status.at("/certificates/intakes").findValuesAsText("server"))
                    .contains("alpha-intake.ddog-gov.com:" + goodIntake.port());
            assertThat(status.at("/certificates/anchorsUsed/0/subject").asText()).isEqualTo("CN=fips-relay trust test CA");
            assertThat(status.at("/health/healthy").asBoolean()).isTrue();
            JsonNode evidence = json("http://127.0.0.1:" + base + "/evidence.json", outputs);
            assertThat(evidence.at("/tls/revocation").asText()).startsWith("soft-fail (no stapled OCSP, fetched OCSP/CRL");
            assertThat(evidence.at("/live/negotiated")).anySatisfy(n -> {
                assertThat(n.get("product").asText()).isEqualTo("alpha");
                assertThat(n.get("protocol").asText()).isEqualTo("TLSv1.3");
                assertThat(n.get("sessions").asLong()).isPositive();
            });
            String metrics = text("http://127.0.0.1:" + base + "/metrics");
            assertThat(metrics).contains("fips_relay_tls_revocation_total{result=\"refused\"}")
                    .contains("fips_relay_tls_intake_not_after_seconds{address=\"127.0.0.1:" + goodIntake.port() + "\"");
            outputs.add(metrics);
            outputs.add(text("http://127.0.0.1:" + base + "/healthz"));
            outputs.addAll(log.lines());
        }
        List<JsonNode> records = records(audit);
        JsonNode open = find(records, "session", "open", "alpha");
        assertThat(open.get("protocol").asText()).isEqualTo("TLSv1.3");
        assertThat(open.get("cipher_suite").asText()).startsWith("TLS_AES_");
        assertThat(open.get("sni").asText()).isEqualTo("alpha-intake.ddog-gov.com");
        assertThat(open.get("address").asText()).isEqualTo("127.0.0.1:" + goodIntake.port());
        assertThat(open.get("peer_subject").asText()).isEqualTo("CN=*.ddog-gov.com");
        assertThat(open.get("peer_issuer").asText()).isEqualTo("CN=fips-relay trust test CA");
        assertThat(open.get("peer_sha256").asText()).hasSize(64);
        assertThat(open.get("revocation").asText()).isEqualTo("good (OCSP)");
        assertThat(open.get("handshake_ms").asLong()).isNotNegative();
        JsonNode failed = find(records, "session", "failed", "beta");
        assertThat(failed.get("error").asText()).startsWith("certificate revoked (OCSP)");
        assertThat(failed.get("revocation").asText()).isEqualTo("revoked (OCSP)");
        assertThat(failed.get("peer_serial").asText()).isNotBlank();
        JsonNode close = find(records, "session", "close", "alpha");
        assertThat(close.get("bytes_out").asLong()).isPositive();
        assertThat(close.get("bytes_in").asLong()).isPositive();
        JsonNode request = find(records, "request", null, "alpha");
        assertThat(request.get("path").asText()).isEqualTo("/api/v1/series?api_key=***&dd-api-key=***&x=1");
        assertThat(request.get("status").asInt()).isEqualTo(202);
        assertThat(request.get("method").asText()).isEqualTo("POST");
        assertThat(request.get("upstream").asText()).isEqualTo("127.0.0.1:" + goodIntake.port());
        JsonNode refusedRecord = find(records, "request", null, "beta");
        assertThat(refusedRecord.get("status").asInt()).isEqualTo(502);
        assertThat(refusedRecord.get("error").asText()).startsWith("certificate revoked (OCSP)");

        outputs.add(Files.readString(audit));
        outputs.add(good.toString() + good.bodyText());
        outputs.add(refused.toString() + refused.bodyText());
        outputs.add(notAllowed.toString() + notAllowed.bodyText());
        assertNoSecretIn(outputs);
        assertThat(goodIntake.requests()).as("the intake itself gets the request as sent").last()
                .extracting(io.fipsrelay.testkit.RecordedRequest::target).asString().contains(QUERY_SECRET);
    }

    @Test
    void over_tls_1_2_hard_fail_decides_on_the_ocsp_response_the_intake_staples_and_asks_nobody() throws Exception {
        ServerIdentity good = pki.issue("*.ddog-gov.com");
        ServerIdentity revoked = pki.issue("*.ddog-gov.com");
        pki.revoke(revoked.certificate());
        Path goodStaple = Files.write(dir.resolve("good.ocsp"), pki.ocspResponse(good.certificate()));
        Path revokedStaple = Files.write(dir.resolve("revoked.ocsp"), pki.ocspResponse(revoked.certificate()));
        Path audit = dir.resolve("stapled-audit.jsonl");
        int base = FreePorts.pickRange(4);
        int asked = pki.ocspRequests() + pki.crlRequests();
        // openssl s_server staples the response file it is given (-status_file) and answers GET with -www.
        try (OpenSslServer goodServer = OpenSslServer.start(good, List.of("-www", "-status_file", goodStaple.toString()));
             OpenSslServer revokedServer = OpenSslServer.start(revoked, List.of("-www", "-status_file", revokedStaple.toString()));
             RelayServer server = start(base, audit, goodServer.port(), revokedServer.port(), """
                     fips-relay.tls.revocation { mode = "hard-fail", ocsp-stapling = true, fetch = false }
                     # TLS 1.2: BCJSSE 2.1.24 reports no stapled response of a TLS 1.3 handshake (docs/compliance.md).
                     fips-relay.tls.protocols = ["TLSv1.2"]
                     """)) {
            assertThat(RawHttpClient.exchange(base + 1, "GET / HTTP/1.1\r\nHost: x\r\n\r\n").status()).isEqualTo(200);
            RawResponse refused = RawHttpClient.exchange(base + 2, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(refused.status()).isEqualTo(502);
            assertThat(refused.bodyText()).contains("certificate revoked (OCSP)");
        }
        assertThat(find(records(audit), "session", "open", "alpha").get("revocation").asText()).isEqualTo("good (OCSP stapled)");
        assertThat(find(records(audit), "session", "failed", "beta").get("revocation").asText()).isEqualTo("revoked (OCSP stapled)");
        assertThat(pki.ocspRequests() + pki.crlRequests()).as("the relay fetched nothing").isEqualTo(asked);
    }

    @Test
    void hard_fail_refuses_an_intake_whose_status_it_cannot_learn() throws Exception {
        int base = FreePorts.pickRange(4);
        try (RelayServer server = start(base, dir.resolve("unknown-audit.jsonl"), goodIntake.port(), revokedIntake.port(), """
                fips-relay.tls.revocation { mode = "hard-fail", ocsp-stapling = false, fetch = true, timeout = 2s }
                """)) {
            pki.stale(true);
            try {
                RawResponse r = send(base + 1, "POST", "/api/v1/series");
                assertThat(r.status()).isEqualTo(502);
                assertThat(new ObjectMapper().readTree(r.bodyText()).get("cause").asText())
                        .startsWith("certificate revocation status unknown (hard-fail): ")
                        .contains("OCSP response is stale");
            } finally {
                pki.stale(false);
            }
        }
    }

    private RelayServer start(int base, Path audit, String revocation) throws Exception {
        return start(base, audit, goodIntake.port(), revokedIntake.port(), revocation);
    }

    private RelayServer start(int base, Path audit, int alphaPort, int betaPort, String revocation) throws Exception {
        Path conf = Files.writeString(dir.resolve("fips-relay-" + base + ".conf"), """
                fips-relay {
                  listen.port-range-start = %d
                  tls.ca-file = "%s"
                  dns.hosts { "*.ddog-gov.com" = "127.0.0.1" }
                  products.alpha.servers = ["alpha-intake.ddog-gov.com:%d"]
                  products.beta.servers = ["beta-intake.ddog-gov.com:%d"]
                  upstream.retries = 0
                  plugins.hot-plug = false
                  audit { file = "%s", requests = true }
                }
                """.formatted(base, pki.writeCaPem(dir.resolve("ca.pem")), alphaPort, betaPort, audit)
                + revocation);
        return RelayServer.start(RelayServer.Options.of(Optional.of(conf), plugins)
                .withProviderOrder(FipsBootstrap.ProviderOrder.APPENDED).withEnvironment(Map.of()));
    }

    private static RawResponse send(int port, String method, String target) throws IOException {
        StringBuilder raw = new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        SECRET_HEADERS.forEach((name, value) -> raw.append(name).append(": ").append(value).append("\r\n"));
        raw.append("Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
        return RawHttpClient.exchange(port, raw.toString());
    }

    private static JsonNode json(String url, List<String> outputs) throws IOException {
        String body = text(url);
        outputs.add(body);
        return new ObjectMapper().readTree(body);
    }

    private static String text(String url) throws IOException {
        try (InputStream in = URI.create(url).toURL().openStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            if (url.endsWith("/healthz")) {
                return "";
            }
            throw e;
        }
    }

    private static List<JsonNode> records(Path audit) throws IOException {
        List<JsonNode> records = new ArrayList<>();
        ObjectMapper mapper = new ObjectMapper();
        for (String line : Files.readAllLines(audit)) {
            records.add(mapper.readTree(line));
        }
        return records;
    }

    private static JsonNode find(List<JsonNode> records, String record, String event, String product) {
        return records.stream()
                .filter(r -> r.get("record").asText().equals(record))
                .filter(r -> event == null || r.get("event").asText().equals(event))
                .filter(r -> r.get("product").asText().equals(product))
                .findFirst().orElseThrow(() -> new AssertionError("no " + record + " " + event + " record for " + product
                        + " in " + records));
    }

    private static void assertNoSecretIn(List<String> outputs) {
        List<String> secrets = new ArrayList<>(List.of(QUERY_SECRET, QUERY_DD_SECRET));
        SECRET_HEADERS.values().forEach(v -> secrets.add(v.substring(v.indexOf("SECRET"))));
        for (String output : outputs) {
            for (String secret : secrets) {
                assertThat(output).as("relay output").doesNotContain(secret);
            }
        }
        assertThat(outputs).hasSizeGreaterThan(8);
    }
}
