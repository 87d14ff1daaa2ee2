package io.fipsrelay.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What each {@link Fault} does to a real HTTPS client, and what the intake records and counts meanwhile. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class IntakeFaultsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String ID = RecordedRequest.REQUEST_ID_HEADER;
    private static TestPki pki;
    private static ServerIdentity identity;
    private RecordingIntake intake;

    @BeforeAll
    static void pki() {
        pki = TestPki.create("fault test CA");
        identity = pki.issue(KeyType.EC_P256, "localhost", "127.0.0.1");
    }

    @AfterEach
    void close() {
        if (intake != null) {
            intake.close();
        }
    }

    @Test
    void refuse_closes_the_port_for_real_and_clearing_it_serves_again_on_the_same_port() throws Exception {
        intake = RecordingIntake.builder(identity).start();
        int port = intake.port();
        HttpClient client = TlsTestClients.httpClient(pki);

        intake.fault(Fault.REFUSE);

        assertThat(intake.isUp()).isFalse();
        assertThatThrownBy(() -> tcpConnect(port)).isInstanceOf(ConnectException.class)
                .hasMessageContaining("refused");
        assertThatThrownBy(() -> client.send(post("/refused", "r1"), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(ConnectException.class);

        intake.fault(Fault.NONE);

        assertThat(intake.isUp()).isTrue();
        assertThat(intake.port()).isEqualTo(port);
        assertThat(client.send(post("/served", "r2"), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(202);
        assertThat(intake.deliveriesById()).containsExactly(Map.entry("r2", 1));
        assertThat(intake.acceptedConnections()).as("refused attempts never reach the intake").isEqualTo(1);
    }

    @Test
    void an_intake_built_refusing_holds_its_port_and_comes_up_when_the_fault_is_cleared() throws Exception {
        intake = RecordingIntake.builder(identity).fault(Fault.REFUSE).start();

        assertThat(intake.isUp()).isFalse();
        assertThatThrownBy(() -> tcpConnect(intake.port())).isInstanceOf(ConnectException.class);

        intake.fault(Fault.NONE);

        assertThat(TlsTestClients.httpClient(pki).send(post("/late", "late"), HttpResponse.BodyHandlers.ofString())
                .statusCode()).isEqualTo(202);
    }

    @Test
    void going_down_closes_idle_keep_alive_connections_and_finishes_the_exchange_in_progress() throws Exception {
        CountDownLatch inResponder = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        intake = RecordingIntake.builder(identity).respond(request -> {
            if (request.path().equals("/slow")) {
                inResponder.countDown();
                await(release);
            }
            return CannedResponse.accepted();
        }).start();

        try (RawHttpClient idle = TlsTestClients.rawTls(pki, intake.port(), "localhost");
                RawHttpClient busy = TlsTestClients.rawTls(pki, intake.port(), "localhost")) {
            assertThat(idle.send("GET /first HTTP/1.1\r\nHost: x\r\n\r\n").readResponse().status()).isEqualTo(202);
            busy.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(inResponder.await(10, TimeUnit.SECONDS)).isTrue();

            intake.fault(Fault.REFUSE);

            assertThat(idle.isClosedByPeer(WAIT)).as("idle keep-alive connection closed").isTrue();
            release.countDown();
            RawResponse finished = busy.readResponse();
            assertThat(finished.status()).isEqualTo(202);
            assertThat(finished.header("Connection")).isEqualTo("close");
            assertThat(busy.isClosedByPeer(WAIT)).isTrue();
        }
        assertThat(intake.requests()).extracting(RecordedRequest::path).containsExactlyInAnyOrder("/first", "/slow");
    }

    @Test
    void reset_mid_request_resets_a_client_sending_1_mib_and_records_nothing() throws Exception {
        intake = RecordingIntake.builder(identity).fault(Fault.RESET_MID_REQUEST).start();
        byte[] body = randomBytes(1024 * 1024);

        try (RawHttpClient client = TlsTestClients.rawTls(pki, intake.port(), "localhost")) {
            assertThatThrownBy(() -> client.post("/big", Map.of(ID, "big-1"), body).readResponse())
                    .isInstanceOf(SocketException.class)
                    .hasMessageMatching("(?i).*(reset|broken pipe).*");
        }

        awaitCount(intake::resetRequests, 1);
        assertThat(intake.incompleteRequests()).isEqualTo(1);
        assertThat(intake.requests()).isEmpty();
        assertThat(intake.deliveriesById()).isEmpty();
        assertThat(intake.answeredByStatus()).isEmpty();
        assertThat(intake.handshakes()).as("TLS itself completed").isEqualTo(1);
    }

    @Test
    void reset_mid_request_resets_even_a_small_body_it_read_entirely_and_can_be_cleared() throws Exception {
        intake = RecordingIntake.builder(identity).start();
        HttpClient client = TlsTestClients.httpClient(pki);
        intake.fault(Fault.RESET_MID_REQUEST);

        // Nothing is left unread here, so the RST comes from SO_LINGER 0, not from the kernel discarding input.
        try (RawHttpClient raw = TlsTestClients.rawTls(pki, intake.port(), "localhost")) {
            assertThatThrownBy(() -> raw.post("/small", Map.of(ID, "small-0"), new byte[] {1, 2}).readResponse())
                    .isInstanceOf(SocketException.class).hasMessageContaining("reset");
        }
        // java.net.http reports it as "HTTP/1.1 header parser received no bytes".
        assertThatThrownBy(() -> client.send(post("/small", "small-1"), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(IOException.class);

        awaitCount(intake::resetRequests, 2);
        assertThat(intake.incompleteRequests()).isEqualTo(2);
        assertThat(intake.requests()).isEmpty();
        intake.fault(Fault.NONE);
        assertThat(client.send(post("/small", "small-2"), HttpResponse.BodyHandlers.ofString()).statusCode())
                .isEqualTo(202);
        assertThat(intake.deliveriesById()).containsExactly(Map.entry("small-2", 1));
    }

    @Test
    void stall_records_the_request_and_sends_no_byte() throws Exception {
        intake = RecordingIntake.builder(identity).fault(Fault.STALL).start();

        try (RawHttpClient client = TlsTestClients.rawTls(pki, intake.port(), "localhost")) {
            client.post("/stuck", Map.of(ID, "stuck-1"), "payload".getBytes());
            assertThat(intake.awaitRequests(1, WAIT).get(0).bodyText()).isEqualTo("payload");

            client.socket().setSoTimeout(500);
            InputStream in = client.socket().getInputStream();
            assertThatThrownBy(in::read).as("no response byte within 500 ms").isInstanceOf(SocketTimeoutException.class);
        }

        assertThat(intake.stalledRequests()).isEqualTo(1);
        assertThat(intake.deliveriesById()).containsExactly(Map.entry("stuck-1", 1));
        assertThat(intake.answersById()).containsExactly(Map.entry("stuck-1", List.of()));
        assertThat(intake.answeredByStatus()).isEmpty();
    }

    @Test
    void a_stalled_connection_is_closed_when_the_intake_closes() throws Exception {
        intake = RecordingIntake.builder(identity).fault(Fault.STALL).start();

        try (RawHttpClient client = TlsTestClients.rawTls(pki, intake.port(), "localhost")) {
            client.send("GET /stuck HTTP/1.1\r\nHost: x\r\n\r\n");
            intake.awaitRequests(1, WAIT);

            long start = System.nanoTime();
            intake.close();

            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
            assertThat(client.isClosedByPeer(WAIT)).isTrue();
        }
    }

    @Test
    void answer_5xx_answers_503_json_and_records_the_delivery() throws Exception {
        intake = RecordingIntake.builder(identity).fault(Fault.ANSWER_5XX).start();

        HttpResponse<String> response = TlsTestClients.httpClient(pki).send(post("/api/v2/series", "s-1"),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(response.body()).contains("\"errors\"");
        assertThat(intake.awaitRequests(1, WAIT).get(0).requestId()).isEqualTo("s-1");
        assertThat(intake.deliveriesById()).containsExactly(Map.entry("s-1", 1));
        assertThat(intake.answersById()).containsExactly(Map.entry("s-1", List.of(503)));
        assertThat(intake.answeredByStatus()).containsExactly(Map.entry(503, 1));
    }

    @Test
    void request_level_faults_switch_at_run_time_on_a_reused_keep_alive_connection() throws Exception {
        intake = RecordingIntake.builder(identity).start();

        try (RawHttpClient client = TlsTestClients.rawTls(pki, intake.port(), "localhost")) {
            assertThat(client.post("/a", Map.of(ID, "a"), new byte[0]).readResponse().status()).isEqualTo(202);
            intake.fault(Fault.ANSWER_5XX);
            assertThat(intake.fault()).isEqualTo(Fault.ANSWER_5XX);
            assertThat(client.post("/b", Map.of(ID, "b"), new byte[0]).readResponse().status()).isEqualTo(503);
            intake.fault(Fault.NONE);
            assertThat(client.post("/c", Map.of(ID, "c"), new byte[0]).readResponse().status()).isEqualTo(202);
        }

        assertThat(intake.requests()).extracting(RecordedRequest::connectionId).containsOnly(1L);
        assertThat(intake.answeredByStatus()).containsExactly(Map.entry(202, 2), Map.entry(503, 1));
    }

    @Test
    void tls_failure_aborts_every_handshake_records_nothing_and_drops_idle_connections() throws Exception {
        intake = RecordingIntake.builder(identity).start();
        try (RawHttpClient pooled = TlsTestClients.rawTls(pki, intake.port(), "localhost")) {
            assertThat(pooled.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").readResponse().status()).isEqualTo(202);
            intake.reset();

            intake.fault(Fault.TLS_FAILURE);

            assertThat(pooled.isClosedByPeer(WAIT)).as("idle pooled connection closed").isTrue();
        }
        assertThat(intake.isUp()).as("TCP still accepts").isTrue();
        assertThatThrownBy(() -> TlsTestClients.rawTls(pki, intake.port(), "localhost"))
                .isInstanceOf(SSLHandshakeException.class).hasMessageContaining("handshake_failure");
        assertThatThrownBy(() -> TlsTestClients.httpClient(pki).send(post("/x", "t-1"),
                HttpResponse.BodyHandlers.ofString())).isInstanceOf(SSLHandshakeException.class);

        assertThat(intake.failedHandshakes()).isEqualTo(2);
        assertThat(intake.handshakes()).isZero();
        assertThat(intake.acceptedConnections()).isEqualTo(2);
        assertThat(intake.requests()).isEmpty();

        intake.fault(Fault.NONE);
        assertThat(TlsTestClients.httpClient(pki).send(post("/x", "t-2"), HttpResponse.BodyHandlers.ofString())
                .statusCode()).isEqualTo(202);
    }

    @Test
    void flap_alternates_between_serving_and_refusing_until_cleared() throws Exception {
        Duration period = Duration.ofMillis(150);
        intake = RecordingIntake.builder(identity).fault(Fault.flap(period)).start();
        assertThat(intake.isUp()).as("a flap starts up").isTrue();

        boolean sawUp = false;
        boolean sawRefused = false;
        int changes = 0;
        boolean last = true;
        long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        while (changes < 3 && System.nanoTime() < deadline) {
            boolean up = intake.isUp();
            if (up != last) {
                changes++;
                last = up;
            }
            try {
                tcpConnect(intake.port()).close();
                sawUp = true;
            } catch (ConnectException refused) {
                sawRefused = true;
            }
            Thread.sleep(10);
        }
        assertThat(changes).as("isUp() changes within a few periods").isGreaterThanOrEqualTo(3);
        assertThat(sawUp).isTrue();
        assertThat(sawRefused).isTrue();

        intake.fault(Fault.NONE);
        Thread.sleep(period.toMillis() * 3);
        assertThat(intake.isUp()).as("cleared: no more flapping").isTrue();
        assertThat(TlsTestClients.httpClient(pki).send(post("/after", "f-1"), HttpResponse.BodyHandlers.ofString())
                .statusCode()).isEqualTo(202);
    }

    @Test
    void slow_reader_throttles_bodies_and_can_be_switched_at_run_time() throws Exception {
        intake = RecordingIntake.builder(identity).start();
        byte[] body = randomBytes(48 * 1024);

        Duration normal = timePost(body);
        intake.fault(Fault.slowReader(64 * 1024));
        Duration slow = timePost(body);
        intake.fault(Fault.NONE);

        assertThat(slow).as("48 KiB at 64 KiB/s").isGreaterThan(Duration.ofMillis(600));
        assertThat(slow.minus(normal)).isGreaterThan(Duration.ofMillis(300));
        assertThat(intake.requests()).hasSize(2).allSatisfy(r -> assertThat(r.body()).isEqualTo(body));
        assertThat(intake.answeredByStatus()).containsExactly(Map.entry(202, 2));
    }

    @Test
    void deliveries_are_counted_per_request_id_so_duplicates_and_answers_show() throws Exception {
        intake = RecordingIntake.builder(identity)
                .respond(r -> r.path().equals("/fail") ? CannedResponse.of(500) : CannedResponse.accepted()).start();

        try (RawHttpClient client = TlsTestClients.rawTls(pki, intake.port(), "localhost")) {
            client.post("/ok", Map.of(ID, "a"), new byte[] {1}).readResponse();
            client.post("/fail", Map.of(ID, "b"), new byte[] {2}).readResponse();
            client.post("/ok", Map.of(ID, "b"), new byte[] {2}).readResponse(); // a retry
            client.post("/ok", Map.of(), new byte[] {3}).readResponse(); // no id
        }

        assertThat(intake.deliveriesById()).containsExactly(Map.entry("a", 1), Map.entry("b", 2));
        assertThat(intake.answersById()).containsExactly(Map.entry("a", List.of(202)), Map.entry("b", List.of(500, 202)));
        assertThat(intake.answeredByStatus()).containsExactly(Map.entry(202, 3), Map.entry(500, 1));

        intake.reset();

        assertThat(intake.deliveriesById()).isEmpty();
        assertThat(intake.answeredByStatus()).isEmpty();
    }

    @Test
    void faults_are_values_with_checked_parameters() {
        assertThat(Fault.SLOW_READER).isEqualTo(Fault.slowReader(Fault.DEFAULT_SLOW_READER_BYTES_PER_SECOND));
        assertThat(Fault.FLAP.flapPeriod()).isEqualTo(Duration.ofSeconds(1));
        assertThat(Fault.flap(Duration.ofMillis(250))).hasToString("FLAP(250 ms)");
        assertThat(Fault.slowReader(1000)).hasToString("SLOW_READER(1000 B/s)").extracting(Fault::bytesPerSecond)
                .isEqualTo(1000L);
        assertThat(Fault.STALL).hasToString("STALL").extracting(Fault::mode).isEqualTo(Fault.Mode.STALL);
        assertThatThrownBy(() -> Fault.slowReader(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Fault.flap(Duration.ofMillis(5))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RecordingIntake.builder(identity).fault(null)).isInstanceOf(NullPointerException.class);
    }

    private Duration timePost(byte[] body) throws IOException {
        long start = System.nanoTime();
        try (RawHttpClient client = TlsTestClients.rawTls(pki, intake.port(), "localhost")) {
            assertThat(client.post("/timed", Map.of(), body).readResponse().status()).isEqualTo(202);
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }

    private HttpRequest post(String path, String id) {
        return HttpRequest.newBuilder(URI.create("https://localhost:" + intake.port() + path))
                .header(ID, id)
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"" + id + "\"}")).build();
    }

    private static Socket tcpConnect(int port) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2_000);
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static byte[] randomBytes(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }

    private static void awaitCount(java.util.function.IntSupplier counter, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (counter.getAsInt() < expected && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(counter.getAsInt()).isEqualTo(expected);
    }
}
