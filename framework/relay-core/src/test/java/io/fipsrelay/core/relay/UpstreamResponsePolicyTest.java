package io.fipsrelay.core.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.fipsrelay.testkit.CannedResponse;
import io.fipsrelay.testkit.RawHttpClient;
import io.fipsrelay.testkit.RawResponse;
import io.fipsrelay.testkit.RecordedRequest;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An intake that answers malformed or ambiguous bytes: the agent gets a 502 (or, once the answer
 * has started, a cut connection), and the upstream connection is discarded, never reused. The
 * stand-in intake keeps its side open after such an answer, so reuse would be seen: the next
 * request would arrive on the same connection id.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UpstreamResponsePolicyTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Map<String, byte[]> ANSWERS = new ConcurrentHashMap<>();
    private static final AtomicInteger CASES = new AtomicInteger();

    record Case(String rule, byte[] answer) {
        @Override
        public String toString() {
            return rule;
        }
    }

    @RegisterExtension
    static final RelayBehindIntake relay = RelayBehindIntake.started(b -> b.respond(r -> {
        byte[] raw = ANSWERS.get(r.path());
        return raw != null ? CannedResponse.raw(raw) : CannedResponse.accepted();
    }), "fips-relay.relay.io-threads = 1"); // one I/O thread, one pool: each next request could reuse the connection

    @BeforeEach
    void clear() {
        relay.intake().reset();
    }

    static Stream<Case> malformedHeads() {
        StringBuilder manyFields = new StringBuilder();
        for (int i = 0; i <= 100; i++) {
            manyFields.append("X-F").append(i).append(": ").append(i).append("\r\n");
        }
        return Stream.of(
                answer("bare LF ending the status line", "HTTP/1.1 200 OK\nContent-Length: 2\r\n\r\n{}"),
                answer("bare CR inside the head", "HTTP/1.1 200 OK\rContent-Length: 2\r\n\r\n{}"),
                answer("bare LF ending the header section", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\n{}"),
                answer("obs-fold continuation line", "HTTP/1.1 200 OK\r\nX-A: 1\r\n 2\r\nContent-Length: 2\r\n\r\n{}"),
                answer("space between a field name and the colon", "HTTP/1.1 200 OK\r\nContent-Length : 2\r\n\r\n{}"),
                answer("field line without a colon", "HTTP/1.1 200 OK\r\nX-A 1\r\nContent-Length: 2\r\n\r\n{}"),
                answer("field name that is not a token", "HTTP/1.1 200 OK\r\nX(A): 1\r\nContent-Length: 2\r\n\r\n{}"),
                answer("NUL in a field value", "HTTP/1.1 200 OK\r\nX-A: a\u0000b\r\nContent-Length: 2\r\n\r\n{}"),
                answer("two Content-Length fields with different values",
                        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}x"),
                answer("two Content-Length fields with the same value",
                        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}"),
                answer("list-valued Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\n{}"),
                answer("Content-Length that is not plain digits", "HTTP/1.1 200 OK\r\nContent-Length: 2a\r\n\r\n{}"),
                answer("Content-Length together with Transfer-Encoding",
                        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"),
                answer("Transfer-Encoding other than chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n{}"),
                answer("Transfer-Encoding twice",
                        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"),
                answer("Transfer-Encoding in an HTTP/1.0 response",
                        "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"),
                answer("HTTP/2.0 status line", "HTTP/2.0 200 OK\r\nContent-Length: 2\r\n\r\n{}"),
                answer("lower-case HTTP-version", "http/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"),
                answer("two-digit status code", "HTTP/1.1 20 OK\r\nContent-Length: 2\r\n\r\n{}"),
                answer("four-digit status code", "HTTP/1.1 2000 OK\r\nContent-Length: 2\r\n\r\n{}"),
                answer("status code below 100", "HTTP/1.1 099 Odd\r\nContent-Length: 2\r\n\r\n{}"),
                answer("status code above 599", "HTTP/1.1 600 Odd\r\nContent-Length: 2\r\n\r\n{}"),
                answer("no space after the version", "HTTP/1.1200 OK\r\nContent-Length: 2\r\n\r\n{}"),
                answer("control character in the reason phrase", "HTTP/1.1 200 O\u0001K\r\nContent-Length: 2\r\n\r\n{}"),
                answer("101 Switching Protocols to a request that asked for no upgrade",
                        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n"),
                answer("not HTTP at all", "hello, this is not an HTTP server\r\n\r\n"),
                answer("binary in the status line", "\u0015\u0003\u0003\u0000\u0002\u0002\u0050\r\n\r\n"),
                answer("status line over 16 KiB", "HTTP/1.1 200 " + "a".repeat(17 * 1024) + "\r\nContent-Length: 2\r\n\r\n{}"),
                answer("head over 64 KiB", "HTTP/1.1 200 OK\r\nX-Big: " + "a".repeat(65 * 1024) + "\r\nContent-Length: 2\r\n\r\n{}"),
                answer("more than limits.max-header-fields fields", "HTTP/1.1 200 OK\r\n" + manyFields + "Content-Length: 2\r\n\r\n{}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedHeads")
    void a_malformed_answer_head_gets_502_and_its_connection_is_discarded(Case c) throws Exception {
        String path = register(c.answer());
        try (RawHttpClient client = RawHttpClient.connect(relay.port())) {
            client.send("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
            RawResponse answer = client.readResponse();
            assertThat(answer.status()).as(c.rule()).isEqualTo(502);
            assertThat(answer.header("Content-Type")).isEqualTo("application/json");
            assertThat(answer.header("Connection")).isEqualTo("close");
            assertThat(answer.bodyText()).contains("\"error\":\"bad gateway\"").contains("\"product\":\"metrics\"")
                    .contains("\"upstream\":\"metrics.agent.ddog-gov.com:" + relay.intake().port() + "\"")
                    .contains("invalid HTTP response from");
            assertThat(client.isClosedByPeer(WAIT)).isTrue();
        }
        assertTheNextRequestGetsAFreshUpstreamConnection();
    }

    @Test
    void a_malformed_chunked_body_cuts_the_agent_connection_after_the_head_and_discards_the_upstream() throws Exception {
        String path = register("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nstolen\r\n0\r\n\r\n");
        try (RawHttpClient client = RawHttpClient.connect(relay.port())) {
            client.send("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
            String received = readUntilClosed(client);
            assertThat(received).startsWith("HTTP/1.1 200 OK\r\n").doesNotContain("stolen");
        }
        assertTheNextRequestGetsAFreshUpstreamConnection();
    }

    @Test
    void bytes_after_a_complete_answer_are_never_given_to_the_next_request() throws Exception {
        // Response splitting: a second "answer" rides behind the first one.
        String path = register("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"
                + "HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nsmuggled");
        try (RawHttpClient client = RawHttpClient.connect(relay.port())) {
            client.send("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
            RawResponse first = client.readResponse();
            assertThat(first.status()).isEqualTo(200);
            assertThat(first.bodyText()).isEqualTo("{}");
            client.send("GET /api/v1/validate HTTP/1.1\r\nHost: localhost\r\n\r\n");
            RawResponse second = client.readResponse();
            assertThat(second.status()).isEqualTo(202);
            assertThat(second.bodyText()).isEqualTo("{}");
        }
        List<RecordedRequest> recorded = relay.intake().awaitRequests(2, WAIT);
        assertThat(recorded.get(1).connectionId()).isNotEqualTo(recorded.get(0).connectionId());
    }

    @Test
    void an_http_1_0_answer_without_keep_alive_is_not_followed_by_a_reuse() throws Exception {
        String path = register("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n{}");
        try (RawHttpClient client = RawHttpClient.connect(relay.port())) {
            client.send("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assertThat(client.readResponse().status()).isEqualTo(200);
        }
        assertTheNextRequestGetsAFreshUpstreamConnection();
    }

    @Test
    void an_answer_with_connection_close_is_not_followed_by_a_reuse() throws Exception {
        String path = register("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}");
        try (RawHttpClient client = RawHttpClient.connect(relay.port())) {
            client.send("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assertThat(client.readResponse().status()).isEqualTo(200);
        }
        assertTheNextRequestGetsAFreshUpstreamConnection();
    }

    @Test
    void a_well_formed_answer_keeps_its_connection_for_the_next_request() throws Exception {
        // The control for the checks above: without a reason to discard it, the connection is reused.
        String path = register("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}");
        try (RawHttpClient client = RawHttpClient.connect(relay.port())) {
            client.send("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assertThat(client.readResponse().status()).isEqualTo(200);
        }
        assertThat(RawHttpClient.exchange(relay.port(), "GET /api/v2/series HTTP/1.1\r\nHost: localhost\r\n\r\n").status())
                .isEqualTo(202);
        List<RecordedRequest> recorded = relay.intake().awaitRequests(2, WAIT);
        assertThat(recorded.get(1).connectionId()).isEqualTo(recorded.get(0).connectionId());
    }

    private static void assertTheNextRequestGetsAFreshUpstreamConnection() throws Exception {
        RecordedRequest broken = relay.intake().awaitRequests(1, WAIT).get(0);
        RawResponse ok = RawHttpClient.exchange(relay.port(), "GET /api/v2/series HTTP/1.1\r\nHost: localhost\r\n\r\n");
        assertThat(ok.status()).isEqualTo(202);
        RecordedRequest next = relay.intake().awaitRequests(2, WAIT).get(1);
        assertThat(next.connectionId()).as("upstream connection of the next request").isNotEqualTo(broken.connectionId());
    }

    private static String register(String answer) {
        return register(answer.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static String register(byte[] answer) {
        String path = "/api/v2/series/case-" + CASES.incrementAndGet();
        ANSWERS.put(path, answer);
        return path;
    }

    private static Case answer(String rule, String raw) {
        return new Case(rule, raw.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static String readUntilClosed(RawHttpClient client) throws Exception {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        InputStream in = client.socket().getInputStream();
        byte[] buf = new byte[4096];
        try {
            for (int n; (n = in.read(buf)) >= 0; ) {
                all.write(buf, 0, n);
            }
        } catch (SocketException reset) {
            // a reset also ends the connection
        }
        return all.toString(StandardCharsets.ISO_8859_1);
    }
}
