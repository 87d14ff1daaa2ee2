package io.fipsrelay.core.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.fipsrelay.testkit.RawHttpClient;
import io.fipsrelay.testkit.RawResponse;
import io.fipsrelay.testkit.RecordedRequest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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
 * The request rules of docs/http-policy.md, each case sent as raw bytes over a real socket to a
 * running relay in front of a real TLS relay.intake(). A refused request gets its status as a JSON answer
 * with {@code Connection: close}, the connection is closed, no byte of it reaches the intake
 * (nothing recorded, nothing half-received), and the relay serves the next agent normally.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RequestPolicyTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final AtomicInteger FOLLOW_UPS = new AtomicInteger();

    /** One rule broken by one request: what is sent and the status it must get. */
    record Case(String rule, int status, byte[] raw) {
        @Override
        public String toString() {
            return status + " " + rule;
        }
    }

    // The documented defaults: the cases below are written against them.
    @RegisterExtension
    static final RelayBehindIntake relay = RelayBehindIntake.started(b -> b, "");

    @BeforeEach
    void clear() {
        relay.intake().reset();
    }

    // ------------------------------------------------------------------ framing (RFC 9112 6, 7)

    static Stream<Case> framing() {
        return Stream.of(
                post("Content-Length together with Transfer-Encoding", 400,
                        "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n"),
                post("Transfer-Encoding together with Content-Length, reversed order", 400,
                        "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", "0\r\n\r\n"),
                post("two Content-Length fields with the same value", 400,
                        "Content-Length: 2\r\nContent-Length: 2\r\n", "{}"),
                post("two Content-Length fields with different values", 400,
                        "Content-Length: 2\r\nContent-Length: 3\r\n", "{}x"),
                post("list-valued Content-Length", 400, "Content-Length: 2, 2\r\n", "{}"),
                post("Content-Length with a sign", 400, "Content-Length: +2\r\n", "{}"),
                post("negative Content-Length", 400, "Content-Length: -1\r\n", "{}"),
                post("hexadecimal Content-Length", 400, "Content-Length: 0x2\r\n", "{}"),
                post("Content-Length with a fraction", 400, "Content-Length: 2.0\r\n", "{}"),
                post("empty Content-Length", 400, "Content-Length: \r\n", "{}"),
                post("Content-Length overflowing 64 bits", 400, "Content-Length: 99999999999999999999\r\n", "{}"),
                post("Transfer-Encoding gzip, chunked", 400, "Transfer-Encoding: gzip, chunked\r\n", "0\r\n\r\n"),
                post("Transfer-Encoding identity", 400, "Transfer-Encoding: identity\r\n", "0\r\n\r\n"),
                post("Transfer-Encoding chunked, chunked", 400, "Transfer-Encoding: chunked, chunked\r\n", "0\r\n\r\n"),
                post("Transfer-Encoding twice", 400,
                        "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n"),
                post("Transfer-Encoding with a parameter", 400, "Transfer-Encoding: chunked;q=1\r\n", "0\r\n\r\n"),
                raw("Transfer-Encoding in an HTTP/1.0 request", 400,
                        "POST /api/v1/series HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"),
                chunked("chunk size that is not hexadecimal", 400, "zz\r\nhello\r\n0\r\n\r\n"),
                chunked("chunk size with a 0x prefix", 400, "0x5\r\nhello\r\n0\r\n\r\n"),
                chunked("chunk size with a sign", 400, "+5\r\nhello\r\n0\r\n\r\n"),
                chunked("empty chunk size", 400, "\r\nhello\r\n0\r\n\r\n"),
                chunked("chunk size overflowing 60 bits", 400, "10000000000000000\r\nhello\r\n0\r\n\r\n"),
                chunked("whitespace after a chunk size without an extension", 400, "5 \r\nhello\r\n0\r\n\r\n"),
                chunked("text after a chunk size without a semicolon", 400, "5 x\r\nhello\r\n0\r\n\r\n"),
                chunked("chunk data longer than its size (no CRLF after it)", 400, "5\r\nhelloX\r\n0\r\n\r\n"),
                chunked("chunk data followed by a bare LF", 400, "5\r\nhello\n0\r\n\r\n"),
                chunked("chunk size line ended by a bare LF", 400, "5\nhello\r\n0\r\n\r\n"),
                chunked("chunk extension over 1 KiB", 400, "5;" + "a".repeat(1100) + "\r\nhello\r\n0\r\n\r\n"),
                chunked("control character in a chunk extension", 400, "5;a=\u0001\r\nhello\r\n0\r\n\r\n"),
                chunked("trailer section over 8 KiB", 400, "0\r\nX-Trailer: " + "a".repeat(9000) + "\r\n\r\n"),
                chunked("trailer line without a colon", 400, "0\r\nnot-a-field\r\n\r\n"),
                chunked("trailer line starting with whitespace", 400, "0\r\n X-Folded: 1\r\n\r\n"),
                chunked("chunk larger than limits.max-body", 413, "4000001\r\n" + "x".repeat(64)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("framing")
    void framing_rule(Case c) throws Exception {
        assertRefusedAndHarmless(c);
    }

    // ------------------------------------------------------------------ syntax (RFC 9112 2, 3, 5)

    static Stream<Case> syntax() {
        return Stream.of(
                raw("bare LF ending the request line", 400, "GET /api/v1/validate HTTP/1.1\nHost: localhost\r\n\r\n"),
                raw("bare LF ending a field line", 400, "GET /api/v1/validate HTTP/1.1\r\nHost: localhost\n\r\n"),
                raw("bare LF ending the header section", 400, "GET /api/v1/validate HTTP/1.1\r\nHost: localhost\r\n\n"),
                raw("bare CR inside the head", 400, "GET /api/v1/validate HTTP/1.1\rHost: localhost\r\n\r\n"),
                raw("bare CR inside a field value", 400, "GET /api/v1/validate HTTP/1.1\r\nHost: localhost\r\nX-A: a\rb\r\n\r\n"),
                raw("obs-fold continuation line", 400,
                        "GET /api/v1/validate HTTP/1.1\r\nHost: localhost\r\nX-A: a\r\n b\r\n\r\n"),
                raw("whitespace before the first field line", 400, "GET /api/v1/validate HTTP/1.1\r\n Host: localhost\r\n\r\n"),
                raw("space between a field name and the colon", 400, "GET /api/v1/validate HTTP/1.1\r\nHost : localhost\r\n\r\n"),
                raw("tab between a field name and the colon", 400, "GET /api/v1/validate HTTP/1.1\r\nHost\t: localhost\r\n\r\n"),
                withField("NUL in a field value", 400, "X-A: a\u0000b"),
                withField("control character in a field value", 400, "X-A: a\u0001b"),
                withField("DEL in a field value", 400, "X-A: a\u007fb"),
                withField("non-ASCII byte in a field name", 400, "X-\u00c4: 1"),
                withField("space inside a field name", 400, "X A: 1"),
                withField("empty field name", 400, ": 1"),
                withField("field line without a colon", 400, "X-A 1"),
                raw("control character in the method", 400, "G\u0001T /api/v1/validate HTTP/1.1\r\nHost: localhost\r\n\r\n"),
                raw("method that is not a token", 400, "GE(T /api/v1/validate HTTP/1.1\r\nHost: localhost\r\n\r\n"),
                raw("lower-case HTTP-version", 400, "GET /api/v1/validate http/1.1\r\nHost: localhost\r\n\r\n"),
                raw("request line without an HTTP-version", 400, "GET /api/v1/validate\r\nHost: localhost\r\n\r\n"),
                raw("space inside the request target", 400, "GET /api/v1/val idate HTTP/1.1\r\nHost: localhost\r\n\r\n"),
                raw("two spaces after the method", 400, "GET  /api/v1/validate HTTP/1.1\r\nHost: localhost\r\n\r\n"),
                raw("tab as a request-line separator", 400, "GET\t/api/v1/validate HTTP/1.1\r\nHost: localhost\r\n\r\n"),
                raw("non-ASCII byte in the request target", 400, "GET /api/v1/valid\u00e9 HTTP/1.1\r\nHost: localhost\r\n\r\n"),
                raw("fragment in the request target", 400, "GET /api/v1/validate#x HTTP/1.1\r\nHost: localhost\r\n\r\n"),
                raw("angle brackets in the request target", 400, "GET /api/v1/<validate> HTTP/1.1\r\nHost: localhost\r\n\r\n"),
                raw("malformed percent-encoding in the request target", 400, "GET /api/v1/validate%zz HTTP/1.1\r\nHost: localhost\r\n\r\n"),
                raw("dot-segments choosing another route", 400,
                        "GET /support/flare/../../api/v1/validate HTTP/1.1\r\nHost: localhost\r\n\r\n"),
                raw("percent-encoded dot-segment", 400, "GET /api/%2e%2E/support/flare HTTP/1.1\r\nHost: localhost\r\n\r\n"),
                raw("more than 4 empty lines before the request line", 400,
                        "\r\n\r\n\r\n\r\n\r\nGET /api/v1/validate HTTP/1.1\r\nHost: localhost\r\n\r\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("syntax")
    void syntax_rule(Case c) throws Exception {
        assertRefusedAndHarmless(c);
    }

    /**
     * An agent left on fips.https: true cannot read an HTTP answer: the connection is closed without
     * one, counted and logged with the hint (AgentTlsListenerTest has the log line and real clients).
     */
    @Test
    void a_tls_client_hello_on_the_plain_port_is_closed_without_an_answer_and_reaches_no_intake() throws Exception {
        try (RawHttpClient client = RawHttpClient.connect(relay.port())) {
            client.send(tlsClientHelloStart());
            assertThat(client.isClosedByPeer(WAIT)).isTrue();
        }
        assertThat(relay.relay().metrics.product("metrics").errorCounts()).containsKey("tls-on-plain-port");
        String marker = "/api/v2/series?follow-up=" + FOLLOW_UPS.incrementAndGet();
        assertThat(RawHttpClient.exchange(relay.port(),
                "POST " + marker + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\n\r\n{}").status()).isEqualTo(202);
        assertThat(relay.intake().awaitRequests(1, WAIT)).extracting(RecordedRequest::target).containsExactly(marker);
    }

    // ------------------------------------------------------------------ semantics (RFC 9112 2.3, 3; RFC 9110 7.2, 9)

    static Stream<Case> semantics() {
        return Stream.of(
                raw("HTTP/2.0 in the request line", 505, "GET /api/v1/validate HTTP/2.0\r\nHost: localhost\r\n\r\n"),
                new Case("HTTP/2 connection preface (prior knowledge h2c)", 505, http2Preface()),
                raw("HTTP/1.2", 505, "GET /api/v1/validate HTTP/1.2\r\nHost: localhost\r\n\r\n"),
                raw("HTTP/0.9 named as the version", 505, "GET /api/v1/validate HTTP/0.9\r\nHost: localhost\r\n\r\n"),
                raw("HTTP/3.0", 505, "GET /api/v1/validate HTTP/3.0\r\nHost: localhost\r\n\r\n"),
                raw("HTTP/1.1 without Host", 400, "GET /api/v1/validate HTTP/1.1\r\nDD-API-KEY: k\r\n\r\n"),
                raw("two Host fields", 400, "GET /api/v1/validate HTTP/1.1\r\nHost: localhost\r\nHost: evil.example\r\n\r\n"),
                raw("Host with a space", 400, "GET /api/v1/validate HTTP/1.1\r\nHost: local host\r\n\r\n"),
                raw("Host with userinfo", 400, "GET /api/v1/validate HTTP/1.1\r\nHost: user@evil.example\r\n\r\n"),
                raw("Host with a path", 400, "GET /api/v1/validate HTTP/1.1\r\nHost: evil.example/x\r\n\r\n"),
                raw("Host with a non-numeric port", 400, "GET /api/v1/validate HTTP/1.1\r\nHost: localhost:http\r\n\r\n"),
                raw("CONNECT", 405, "CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\n\r\n"),
                raw("TRACE", 405, "TRACE /api/v1/validate HTTP/1.1\r\nHost: localhost\r\n\r\n"),
                raw("a method outside limits.allowed-methods", 405, "BREW /pot HTTP/1.1\r\nHost: localhost\r\n\r\n"),
                raw("authority-form target outside CONNECT", 400, "GET evil.example:443 HTTP/1.1\r\nHost: localhost\r\n\r\n"),
                raw("asterisk-form target outside OPTIONS", 400, "GET * HTTP/1.1\r\nHost: localhost\r\n\r\n"),
                raw("absolute-form target with another scheme", 400, "GET ftp://evil.example/x HTTP/1.1\r\nHost: localhost\r\n\r\n"),
                raw("absolute-form target with userinfo", 400,
                        "GET http://user:pw@evil.example/api/v1/validate HTTP/1.1\r\nHost: localhost\r\n\r\n"),
                raw("absolute-form target whose path starts with //", 400,
                        "GET http://evil.example//other.example/x HTTP/1.1\r\nHost: localhost\r\n\r\n"),
                raw("origin-form target starting with //", 400, "GET //evil.example/api/v1/validate HTTP/1.1\r\nHost: localhost\r\n\r\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("semantics")
    void semantic_rule(Case c) throws Exception {
        assertRefusedAndHarmless(c);
    }

    // ------------------------------------------------------------------ limits (limits.* in reference.conf)

    static Stream<Case> limits() {
        StringBuilder manyFields = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            manyFields.append("X-F").append(i).append(": ").append(i).append("\r\n");
        }
        return Stream.of(
                raw("request line over limits.max-request-line (8 KiB)", 414,
                        "GET /api/v1/validate?" + "a".repeat(8200) + " HTTP/1.1\r\nHost: localhost\r\n\r\n"),
                raw("header section over limits.max-header-section (64 KiB)", 431,
                        "GET /api/v1/validate HTTP/1.1\r\nHost: localhost\r\nX-Big: " + "a".repeat(65 * 1024) + "\r\n\r\n"),
                raw("more than limits.max-header-fields (100) fields", 431,
                        "GET /api/v1/validate HTTP/1.1\r\nHost: localhost\r\n" + manyFields + "\r\n"),
                post("Content-Length over limits.max-body (64 MiB), answered before the body", 413,
                        "Content-Length: 67108865\r\n", "{}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("limits")
    void limit_rule(Case c) throws Exception {
        assertRefusedAndHarmless(c);
    }

    @Test
    void the_cases_are_written_against_the_documented_defaults() {
        var limits = relay.relay().settings.limits();
        assertThat(limits.maxRequestLine()).isEqualTo(8 * 1024);
        assertThat(limits.maxHeaderSection()).isEqualTo(64 * 1024);
        assertThat(limits.maxHeaderFields()).isEqualTo(100);
        assertThat(limits.maxBody()).isEqualTo(64L * 1024 * 1024);
        assertThat(limits.headerTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(limits.clientIdleTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(limits.allowedMethods()).doesNotContain("CONNECT", "TRACE");
    }

    // ------------------------------------------------------------------ what is accepted, and how

    @Test
    void an_absolute_form_target_is_relayed_as_its_path_and_never_picks_the_upstream_or_host() throws Exception {
        String raw = "GET http://evil.example:8443/api/v1/validate?x=1 HTTP/1.1\r\nHost: evil.example:8443\r\n\r\n";
        assertThat(RawHttpClient.exchange(relay.port(), raw).status()).isEqualTo(202);
        String other = "POST HTTPS://flare.ddog-gov.com/api/v2/series HTTP/1.1\r\nHost: flare.ddog-gov.com\r\n"
                + "Content-Length: 2\r\n\r\n{}";
        assertThat(RawHttpClient.exchange(relay.port(), other).status()).isEqualTo(202);

        var recorded = relay.intake().awaitRequests(2, WAIT);
        assertThat(recorded.get(0).target()).isEqualTo("/api/v1/validate?x=1");
        assertThat(recorded.get(0).sni()).isEqualTo("api.ddog-gov.com");
        assertThat(recorded.get(0).headers("Host")).containsExactly("api.ddog-gov.com:" + relay.intake().port());
        // The authority says flare; the path says series, so it goes where series goes.
        assertThat(recorded.get(1).target()).isEqualTo("/api/v2/series");
        assertThat(recorded.get(1).sni()).isEqualTo("metrics.agent.ddog-gov.com");
        assertThat(recorded.get(1).headers("Host")).containsExactly("metrics.agent.ddog-gov.com:" + relay.intake().port());
    }

    @Test
    void a_405_names_the_configured_methods_in_allow() throws Exception {
        RawResponse r = RawHttpClient.exchange(relay.port(), "CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example\r\n\r\n");
        assertThat(r.status()).isEqualTo(405);
        assertThat(r.header("Allow")).isEqualTo(String.join(", ", relay.relay().settings.limits().allowedMethods()));
    }

    @Test
    void what_the_agent_sends_is_accepted() throws Exception {
        String raw = "POST /api/v1/check_run?a=b%2Fc&x=~1 HTTP/1.1\r\nHost: localhost:" + relay.port() + "\r\n"
                + "DD-API-KEY: 0123\r\nContent-Type: application/json\r\nContent-Encoding: deflate\r\n"
                + "User-Agent: datadog-agent/7.60.0\r\nContent-Length: 27\r\n\r\n{\"check\":\"test\",\"status\":0}";
        assertThat(RawHttpClient.exchange(relay.port(), raw).status()).isEqualTo(202);
        String chunked = "POST /api/v0.2/traces HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: Chunked\r\n\r\n"
                + "2;name=\"v\" ; x\r\n{}\r\n0\r\nX-Checksum: 1\r\n\r\n";
        assertThat(RawHttpClient.exchange(relay.port(), chunked).status()).isEqualTo(202);
        assertThat(relay.intake().awaitRequests(2, WAIT)).extracting(RecordedRequest::target)
                .containsExactly("/api/v1/check_run?a=b%2Fc&x=~1", "/api/v0.2/traces");
    }

    // ------------------------------------------------------------------ the check every case gets

    private static void assertRefusedAndHarmless(Case c) throws Exception {
        try (RawHttpClient client = RawHttpClient.connect(relay.port())) {
            client.send(c.raw());
            RawResponse answer = client.readResponse();
            assertThat(answer.status()).as(c.rule()).isEqualTo(c.status());
            assertThat(answer.header("Connection")).isEqualTo("close");
            assertThat(answer.header("Content-Type")).isEqualTo("application/json");
            assertThat(answer.bodyText()).contains("\"product\":\"metrics\"").contains("\"cause\":");
            assertThat(client.isClosedByPeer(WAIT)).as("connection closed after the refusal").isTrue();
        }
        // The relay still serves; and when that request has arrived, the refused one has not.
        String marker = "/api/v2/series?follow-up=" + FOLLOW_UPS.incrementAndGet();
        RawResponse ok = RawHttpClient.exchange(relay.port(),
                "POST " + marker + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\n\r\n{}");
        assertThat(ok.status()).isEqualTo(202);
        assertThat(relay.intake().awaitRequests(1, WAIT)).extracting(RecordedRequest::target).containsExactly(marker);
        assertThat(relay.intake().incompleteRequests()).as("requests the intake saw only part of").isZero();
    }

    private static Case raw(String rule, int status, String text) {
        return new Case(rule, status, text.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static Case post(String rule, int status, String framingFields, String body) {
        return raw(rule, status, "POST /api/v2/series HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + framingFields + "\r\n" + body);
    }

    private static Case chunked(String rule, int status, String body) {
        return post(rule, status, "Transfer-Encoding: chunked\r\n", body);
    }

    private static Case withField(String rule, int status, String fieldLine) {
        return raw(rule, status, "GET /api/v1/validate HTTP/1.1\r\nHost: localhost\r\n" + fieldLine + "\r\n\r\n");
    }

    /** The first bytes of a TLS 1.2 ClientHello record: an agent configured for https on a plain port. */
    private static byte[] tlsClientHelloStart() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(new byte[] {0x16, 0x03, 0x01, 0x00, (byte) 0xa5, 0x01, 0x00, 0x00, (byte) 0xa1, 0x03, 0x03});
        for (int i = 0; i < 32; i++) {
            b.write(i * 7 + 1);
        }
        return b.toByteArray();
    }

    /** RFC 9113 3.4: the preface, then an empty SETTINGS frame. */
    private static byte[] http2Preface() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        b.writeBytes(new byte[] {0, 0, 0, 0x04, 0, 0, 0, 0, 0});
        return b.toByteArray();
    }
}
