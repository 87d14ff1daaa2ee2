package io.fipsrelay.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RecordingIntakeTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static TestPki pki;
    private static ServerIdentity ecIdentity;
    private RecordingIntake intake;

    @BeforeAll
    static void pki() {
        pki = TestPki.create("intake test CA");
        ecIdentity = pki.issue(KeyType.EC_P256, "localhost", "intake.test", "127.0.0.1");
    }

    @AfterEach
    void close() {
        if (intake != null) {
            intake.close();
        }
    }

    @Test
    void records_a_1_mib_post_from_a_jdk_https_client_byte_for_byte() throws Exception {
        intake = RecordingIntake.builder(ecIdentity).start();
        byte[] body = randomBytes(1024 * 1024);

        HttpResponse<String> response = TlsTestClients.httpClient(pki).send(
                HttpRequest.newBuilder(uri("/api/v2/series?api_key=abc&x=1"))
                        .header("Content-Type", "application/json")
                        .header("DD-API-KEY", "secret")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(response.body()).isEqualTo("{}");
        RecordedRequest request = intake.awaitRequests(1, WAIT).get(0);
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.target()).isEqualTo("/api/v2/series?api_key=abc&x=1");
        assertThat(request.path()).isEqualTo("/api/v2/series");
        assertThat(request.query()).isEqualTo("api_key=abc&x=1");
        assertThat(request.protocol()).isEqualTo("HTTP/1.1");
        assertThat(request.header("dd-api-key")).isEqualTo("secret");
        assertThat(request.header("CONTENT-LENGTH")).isEqualTo("1048576");
        assertThat(request.chunked()).isFalse();
        assertThat(request.body()).isEqualTo(body);
        assertThat(request.bodyLength()).isEqualTo(body.length);
        assertThat(request.bodySha256()).isEqualTo(RecordedRequest.sha256Hex(body));
        assertThat(request.sni()).isEqualTo("localhost");
        assertThat(request.tlsProtocol()).isEqualTo("TLSv1.3");
        assertThat(request.cipherSuite()).startsWith("TLS_");
        assertThat(intake.handshakes()).isEqualTo(1);
        assertThat(intake.acceptedConnections()).isEqualTo(1);
    }

    @Test
    void records_a_chunked_post_de_chunked() throws Exception {
        intake = RecordingIntake.builder(ecIdentity).start();
        byte[] body = randomBytes(300_000);

        HttpResponse<String> response = TlsTestClients.httpClient(pki).send(
                HttpRequest.newBuilder(uri("/intake/"))
                        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(202);
        RecordedRequest request = intake.awaitRequests(1, WAIT).get(0);
        assertThat(request.chunked()).isTrue();
        assertThat(request.header("Transfer-Encoding")).isEqualToIgnoringCase("chunked");
        assertThat(request.header("Content-Length")).isNull();
        assertThat(request.query()).isNull();
        assertThat(request.body()).isEqualTo(body);
    }

    @Test
    void keep_alive_reuses_one_tls_connection_for_three_requests() throws Exception {
        intake = RecordingIntake.builder(ecIdentity).start();
        HttpClient client = TlsTestClients.httpClient(pki);

        for (int i = 0; i < 3; i++) {
            HttpResponse<Void> response = client.send(HttpRequest.newBuilder(uri("/r" + i))
                    .POST(HttpRequest.BodyPublishers.ofString("n=" + i)).build(), HttpResponse.BodyHandlers.discarding());
            assertThat(response.statusCode()).isEqualTo(202);
        }

        List<RecordedRequest> requests = intake.awaitRequests(3, WAIT);
        assertThat(requests).extracting(RecordedRequest::path).containsExactly("/r0", "/r1", "/r2");
        assertThat(requests).extracting(RecordedRequest::bodyText).containsExactly("n=0", "n=1", "n=2");
        assertThat(requests).extracting(RecordedRequest::connectionId).containsOnly(requests.get(0).connectionId());
        assertThat(intake.handshakes()).isEqualTo(1);
        assertThat(intake.acceptedConnections()).isEqualTo(1);
    }

    @Test
    void an_intake_restricted_to_tls_1_2_negotiates_tls_1_2() throws Exception {
        intake = RecordingIntake.builder(ecIdentity).protocols("TLSv1.2").start();

        HttpResponse<String> response = TlsTestClients.httpClient(pki).send(
                HttpRequest.newBuilder(uri("/")).GET().build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.sslSession()).hasValueSatisfying(s -> assertThat(s.getProtocol()).isEqualTo("TLSv1.2"));
        assertThat(intake.awaitRequests(1, WAIT).get(0).tlsProtocol()).isEqualTo("TLSv1.2");
    }

    @Test
    void an_rsa_intake_with_one_cipher_suite_uses_that_suite() throws Exception {
        ServerIdentity rsa = pki.issue(KeyType.RSA_2048, "localhost");
        intake = RecordingIntake.builder(rsa).protocols("TLSv1.2")
                .cipherSuites("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384").start();

        try (RawHttpClient client = TlsTestClients.rawTls(pki, intake.port(), "localhost")) {
            RawResponse response = client.post("/x", Map.of(), new byte[] {1, 2, 3}).readResponse();
            assertThat(response.status()).isEqualTo(202);
        }

        RecordedRequest request = intake.awaitRequests(1, WAIT).get(0);
        assertThat(request.cipherSuite()).isEqualTo("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
        assertThat(request.body()).containsExactly(1, 2, 3);
    }

    @Test
    void headers_are_kept_in_wire_order_with_their_original_case() throws Exception {
        intake = RecordingIntake.builder(ecIdentity).start();

        try (RawHttpClient client = TlsTestClients.rawTls(pki, intake.port(), "intake.test")) {
            client.send("POST /p HTTP/1.1\r\nHost: intake.test\r\nX-Dup: a\r\nx-dup:  b \r\nContent-Length: 2\r\n\r\nhi");
            assertThat(client.readResponse().status()).isEqualTo(202);
        }

        RecordedRequest request = intake.awaitRequests(1, WAIT).get(0);
        assertThat(request.headers()).containsExactly(new HttpHeader("Host", "intake.test"), new HttpHeader("X-Dup", "a"),
                new HttpHeader("x-dup", "b"), new HttpHeader("Content-Length", "2"));
        assertThat(request.headers("X-DUP")).containsExactly("a", "b");
        assertThat(request.sni()).isEqualTo("intake.test");
    }

    @Test
    void sni_is_null_when_the_client_sends_none() throws Exception {
        intake = RecordingIntake.builder(ecIdentity).start();

        try (RawHttpClient client = TlsTestClients.rawTls(pki, intake.port(), null)) {
            client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(client.readResponse().status()).isEqualTo(202);
        }

        assertThat(intake.awaitRequests(1, WAIT).get(0).sni()).isNull();
    }

    @Test
    void chunked_trailers_and_chunk_extensions_are_understood() throws Exception {
        intake = RecordingIntake.builder(ecIdentity).start();

        try (RawHttpClient client = TlsTestClients.rawTls(pki, intake.port(), "localhost")) {
            client.send("POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5;ext=1\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nX-Checksum: 42\r\n\r\n");
            assertThat(client.readResponse().status()).isEqualTo(202);
        }

        RecordedRequest request = intake.awaitRequests(1, WAIT).get(0);
        assertThat(request.bodyText()).isEqualTo("hello world");
        assertThat(request.trailers()).containsExactly(new HttpHeader("X-Checksum", "42"));
    }

    @Test
    void the_responder_decides_the_answer() throws Exception {
        intake = RecordingIntake.builder(ecIdentity)
                .respond(r -> r.path().equals("/fail")
                        ? CannedResponse.json(503, "{\"errors\":[\"busy\"]}").withHeader("Retry-After", "1")
                        : CannedResponse.of(200, "Fine").withBody("ok " + r.method()))
                .start();

        try (RawHttpClient client = TlsTestClients.rawTls(pki, intake.port(), "localhost")) {
            RawResponse failed = client.send("GET /fail HTTP/1.1\r\nHost: x\r\n\r\n").readResponse();
            RawResponse fine = client.send("PUT /ok HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n").readResponse();

            assertThat(failed.status()).isEqualTo(503);
            assertThat(failed.reason()).isEqualTo("Service Unavailable");
            assertThat(failed.header("retry-after")).isEqualTo("1");
            assertThat(failed.bodyText()).isEqualTo("{\"errors\":[\"busy\"]}");
            assertThat(fine.status()).isEqualTo(200);
            assertThat(fine.reason()).isEqualTo("Fine");
            assertThat(fine.bodyText()).isEqualTo("ok PUT");
        }
    }

    @Test
    void head_gets_the_headers_without_a_body_and_connection_close_is_honored() throws Exception {
        intake = RecordingIntake.builder(ecIdentity).start();

        try (RawHttpClient client = TlsTestClients.rawTls(pki, intake.port(), "localhost")) {
            RawResponse head = client.send("HEAD /h HTTP/1.1\r\nHost: x\r\n\r\n").readResponse(true);
            assertThat(head.status()).isEqualTo(202);
            assertThat(head.header("Content-Length")).isEqualTo("2");
            assertThat(head.header("Content-Type")).isEqualTo("application/json");
            assertThat(head.body()).isEmpty();

            // The next response parses cleanly only if HEAD really sent no body.
            RawResponse last = client.send("GET /g HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").readResponse();
            assertThat(last.bodyText()).isEqualTo("{}");
            assertThat(last.header("Connection")).isEqualTo("close");
            assertThat(client.isClosedByPeer(WAIT)).isTrue();
        }
        assertThat(intake.awaitRequests(2, WAIT)).extracting(RecordedRequest::connectionId).containsOnly(1L);
    }

    @Test
    void expect_100_continue_gets_an_interim_response_before_the_body_is_read() throws Exception {
        intake = RecordingIntake.builder(ecIdentity).start();

        try (RawHttpClient client = TlsTestClients.rawTls(pki, intake.port(), "localhost")) {
            client.send("POST /e HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
            assertThat(client.readResponse().status()).isEqualTo(100);
            client.send("body");
            assertThat(client.readResponse().status()).isEqualTo(202);
        }
        assertThat(intake.awaitRequests(1, WAIT).get(0).bodyText()).isEqualTo("body");
    }

    @Test
    void without_100_continue_answers_the_server_just_waits_for_the_body() throws Exception {
        intake = RecordingIntake.builder(ecIdentity).answer100Continue(false).start();

        try (RawHttpClient client = TlsTestClients.rawTls(pki, intake.port(), "localhost")) {
            client.send("POST /e HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
            assertThat(client.isClosedByPeer(Duration.ofMillis(300))).isFalse();
            client.send("body");
            assertThat(client.readResponse().status()).isEqualTo(202);
        }
    }

    @Test
    void bodies_over_8_mib_keep_only_length_and_digest_unless_asked() throws Exception {
        intake = RecordingIntake.builder(ecIdentity).start();
        byte[] big = randomBytes(9 * 1024 * 1024);

        TlsTestClients.httpClient(pki).send(HttpRequest.newBuilder(uri("/big"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(big)).build(), HttpResponse.BodyHandlers.discarding());

        RecordedRequest request = intake.awaitRequests(1, WAIT).get(0);
        assertThat(request.bodyKept()).isFalse();
        assertThat(request.bodyLength()).isEqualTo(big.length);
        assertThat(request.bodySha256()).isEqualTo(RecordedRequest.sha256Hex(big));
        assertThatThrownBy(request::body).isInstanceOf(IllegalStateException.class).hasMessageContaining("keepLargeBodies");
    }

    @Test
    void large_bodies_are_kept_when_asked() throws Exception {
        intake = RecordingIntake.builder(ecIdentity).keepLargeBodies(true).start();
        byte[] big = randomBytes(9 * 1024 * 1024);

        TlsTestClients.httpClient(pki).send(HttpRequest.newBuilder(uri("/big"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(big)).build(), HttpResponse.BodyHandlers.discarding());

        assertThat(intake.awaitRequests(1, WAIT).get(0).body()).isEqualTo(big);
    }

    @Test
    void a_request_whose_body_never_fully_arrives_is_counted_not_recorded() throws Exception {
        intake = RecordingIntake.builder(ecIdentity).start();

        try (RawHttpClient client = TlsTestClients.rawTls(pki, intake.port(), "localhost")) {
            client.send("POST /cut HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly ten b");
        }

        awaitCount(intake::incompleteRequests, 1);
        assertThat(intake.requests()).isEmpty();
        assertThat(intake.handshakes()).isEqualTo(1);
    }

    @Test
    void plain_http_on_the_tls_port_is_a_failed_handshake() throws Exception {
        intake = RecordingIntake.builder(ecIdentity).start();

        try (Socket plain = new Socket(InetAddress.getLoopbackAddress(), intake.port())) {
            OutputStream out = plain.getOutputStream();
            out.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            plain.setSoTimeout(10_000);
            plain.getInputStream().readAllBytes();
        } catch (java.net.SocketException resetIsFine) {
            // the server may reset instead of closing
        }

        awaitCount(intake::failedHandshakes, 1);
        assertThat(intake.handshakes()).isZero();
        assertThat(intake.acceptedConnections()).isEqualTo(1);
    }

    @Test
    void a_slow_intake_reads_bodies_at_the_configured_rate() throws Exception {
        intake = RecordingIntake.builder(ecIdentity).readBytesPerSecond(128 * 1024).start();
        byte[] body = randomBytes(160 * 1024);

        long start = System.nanoTime();
        try (RawHttpClient client = TlsTestClients.rawTls(pki, intake.port(), "localhost")) {
            assertThat(client.post("/slow", Map.of(), body).readResponse().status()).isEqualTo(202);
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(took).isGreaterThan(Duration.ofMillis(1100));
        assertThat(intake.awaitRequests(1, WAIT).get(0).body()).isEqualTo(body);
    }

    @Test
    void reset_forgets_requests_and_counters() throws Exception {
        intake = RecordingIntake.builder(ecIdentity).start();
        try (RawHttpClient client = TlsTestClients.rawTls(pki, intake.port(), "localhost")) {
            client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").readResponse();
        }
        intake.awaitRequests(1, WAIT);

        intake.reset();

        assertThat(intake.requests()).isEmpty();
        assertThat(intake.handshakes()).isZero();
        assertThat(intake.acceptedConnections()).isZero();
        assertThatThrownBy(() -> intake.awaitRequests(1, Duration.ofMillis(100)))
                .isInstanceOf(AssertionError.class).hasMessageContaining("but got 0");
    }

    @Test
    void a_dropped_connection_gets_no_response() throws Exception {
        intake = RecordingIntake.builder(ecIdentity).respond(r -> CannedResponse.dropConnection()).start();

        try (RawHttpClient client = TlsTestClients.rawTls(pki, intake.port(), "localhost")) {
            client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(client.isClosedByPeer(WAIT)).isTrue();
        }
        assertThat(intake.requests()).hasSize(1);
    }

    @Test
    void a_raw_answer_goes_out_byte_for_byte_and_the_connection_stays_open() throws Exception {
        byte[] malformed = "HTTP/1.1 200 OK\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}"
                .getBytes(StandardCharsets.ISO_8859_1);
        intake = RecordingIntake.builder(ecIdentity).respond(r -> CannedResponse.raw(malformed)).start();

        try (RawHttpClient client = TlsTestClients.rawTls(pki, intake.port(), "localhost")) {
            client.send("GET /first HTTP/1.1\r\nHost: x\r\n\r\n");
            byte[] received = client.socket().getInputStream().readNBytes(malformed.length);
            assertThat(received).isEqualTo(malformed);
            client.send("GET /second HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(intake.awaitRequests(2, WAIT)).extracting(RecordedRequest::connectionId).containsOnly(1L);
        }
    }

    @Test
    void close_closes_idle_keep_alive_connections() throws Exception {
        intake = RecordingIntake.builder(ecIdentity).start();
        try (RawHttpClient client = TlsTestClients.rawTls(pki, intake.port(), "localhost")) {
            client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").readResponse();

            long start = System.nanoTime();
            intake.close();

            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
            assertThat(client.isClosedByPeer(WAIT)).isTrue();
        }
    }

    private URI uri(String pathAndQuery) {
        return URI.create("https://localhost:" + intake.port() + pathAndQuery);
    }

    private static byte[] randomBytes(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }

    private static void awaitCount(IntSupplier counter, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (counter.getAsInt() < expected && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(counter.getAsInt()).isEqualTo(expected);
    }
}
