package io.fipsrelay.core.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.fipsrelay.core.tls.FipsTlsProfile;
import io.fipsrelay.testkit.RawHttpClient;
import io.fipsrelay.testkit.RawResponse;
import io.fipsrelay.testkit.RecordedRequest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The agent's requests through the relay to a real TLS intake: what arrives is what was sent. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RelayEndToEndTest {

    @RegisterExtension
    static final RelayBehindIntake relay = RelayBehindIntake.started(b -> b, "");

    @BeforeEach
    void clear() {
        relay.intake().reset();
    }

    @Test
    void a_1MiB_gzip_post_arrives_byte_for_byte_with_host_rewritten_and_sni_sent() throws Exception {
        byte[] body = gzip(randomBytes(1024 * 1024, 1));
        String head = "POST /api/v2/series?dd-api-key-check=1&x=%2F HTTP/1.1\r\n"
                + "Host: localhost:" + relay.port() + "\r\n"
                + "DD-API-KEY: 0123456789abcdef\r\n"
                + "Content-Type: application/json\r\n"
                + "Content-Encoding: gzip\r\n"
                + "DD-Agent-Version: 7.60.0\r\n"
                + "Content-Length: " + body.length + "\r\n\r\n";
        try (RawHttpClient client = RawHttpClient.connect(relay.port())) {
            client.send(concat(head.getBytes(StandardCharsets.US_ASCII), body));
            RawResponse response = client.readResponse();
            assertThat(response.status()).isEqualTo(202);
            assertThat(response.bodyText()).isEqualTo("{}");
        }
        RecordedRequest r = relay.intake().awaitRequests(1, Duration.ofSeconds(10)).get(0);
        assertThat(r.method()).isEqualTo("POST");
        assertThat(r.target()).isEqualTo("/api/v2/series?dd-api-key-check=1&x=%2F");
        assertThat(r.body()).isEqualTo(body);
        assertThat(r.header("Host")).isEqualTo("metrics.agent.ddog-gov.com:" + relay.intake().port());
        assertThat(r.headers("Host")).hasSize(1);
        assertThat(r.sni()).isEqualTo("metrics.agent.ddog-gov.com");
        assertThat(r.header("DD-API-KEY")).isEqualTo("0123456789abcdef");
        assertThat(r.header("Content-Encoding")).isEqualTo("gzip");
        assertThat(r.header("Content-Type")).isEqualTo("application/json");
        assertThat(r.header("DD-Agent-Version")).isEqualTo("7.60.0");
        assertThat(FipsTlsProfile.CIPHER_SUITES).contains(r.cipherSuite());
        assertThat(r.tlsProtocol()).isIn("TLSv1.3", "TLSv1.2");
    }

    @Test
    void a_chunked_body_is_relayed_with_its_framing() throws Exception {
        String raw = "POST /api/v0.2/traces HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n"
                + "Content-Type: application/msgpack\r\n\r\n"
                + "5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\n\r\n";
        RawResponse response = RawHttpClient.exchange(relay.port(), raw);
        assertThat(response.status()).isEqualTo(202);
        RecordedRequest r = relay.intake().awaitRequests(1, Duration.ofSeconds(10)).get(0);
        assertThat(r.chunked()).isTrue();
        assertThat(r.bodyText()).isEqualTo("hello, world");
        assertThat(r.header("Content-Type")).isEqualTo("application/msgpack");
    }

    @Test
    void twenty_requests_on_one_connection_reuse_the_upstream_connection() throws Exception {
        int handshakesBefore = relay.intake().handshakes();
        try (RawHttpClient client = RawHttpClient.connect(relay.port())) {
            for (int i = 0; i < 20; i++) {
                byte[] body = ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8);
                client.post("/api/v1/check_run", java.util.Map.of("Content-Type", "application/json"), body);
                assertThat(client.readResponse().status()).isEqualTo(202);
            }
        }
        assertThat(relay.intake().awaitRequests(20, Duration.ofSeconds(10))).hasSize(20);
        assertThat(relay.intake().handshakes() - handshakesBefore).isLessThanOrEqualTo(2);
    }

    @Test
    void head_support_flare_goes_to_the_flare_host_and_validate_to_the_api_host() throws Exception {
        try (RawHttpClient client = RawHttpClient.connect(relay.port())) {
            client.send("HEAD /support/flare HTTP/1.1\r\nHost: localhost\r\n\r\n");
            RawResponse head = client.readResponse(true);
            assertThat(head.status()).isEqualTo(202);
            client.send("GET /api/v1/validate HTTP/1.1\r\nHost: localhost\r\nDD-API-KEY: k\r\n\r\n");
            assertThat(client.readResponse().status()).isEqualTo(202);
            client.send("POST /support/flare/12345 HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\n\r\n{}");
            assertThat(client.readResponse().status()).isEqualTo(202);
        }
        List<RecordedRequest> rs = relay.intake().awaitRequests(3, Duration.ofSeconds(10));
        assertThat(rs.get(0).method()).isEqualTo("HEAD");
        assertThat(rs.get(0).sni()).isEqualTo("flare.ddog-gov.com");
        assertThat(rs.get(0).header("Host")).startsWith("flare.ddog-gov.com");
        assertThat(rs.get(1).sni()).isEqualTo("api.ddog-gov.com");
        assertThat(rs.get(1).header("Host")).startsWith("api.ddog-gov.com");
        assertThat(rs.get(2).sni()).isEqualTo("flare.ddog-gov.com");
    }

    @Test
    void hop_by_hop_fields_are_not_forwarded_and_end_to_end_fields_keep_their_order() throws Exception {
        String raw = "POST /api/v1/series HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive, X-Hop\r\n"
                + "X-Hop: secret\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\nUpgrade: h2c\r\nProxy-Connection: keep-alive\r\n"
                + "DD-A: 1\r\nDD-B: 2\r\nContent-Length: 2\r\n\r\n{}";
        assertThat(RawHttpClient.exchange(relay.port(), raw).status()).isEqualTo(202);
        RecordedRequest r = relay.intake().awaitRequests(1, Duration.ofSeconds(10)).get(0);
        List<String> names = r.headers().stream().map(h -> h.name().toLowerCase()).toList();
        assertThat(names).doesNotContain("connection", "x-hop", "keep-alive", "te", "upgrade", "proxy-connection");
        assertThat(names).containsSubsequence("host", "dd-a", "dd-b", "content-length");
    }

    @Test
    void expect_100_continue_gets_the_intakes_100_before_the_body_is_sent() throws Exception {
        try (RawHttpClient client = RawHttpClient.connect(relay.port())) {
            client.send("POST /api/v2/series HTTP/1.1\r\nHost: localhost\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
            RawResponse interim = client.readResponse();
            assertThat(interim.status()).isEqualTo(100);
            client.send("{\"\"}".getBytes(StandardCharsets.US_ASCII));
            assertThat(client.readResponse().status()).isEqualTo(202);
        }
        assertThat(relay.intake().awaitRequests(1, Duration.ofSeconds(10)).get(0).bodyText()).isEqualTo("{\"\"}");
    }

    static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static byte[] gzip(byte[] data) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] c = new byte[a.length + b.length];
        System.arraycopy(a, 0, c, 0, a.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
