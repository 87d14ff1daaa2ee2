package io.fipsrelay.core.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.fipsrelay.testkit.CannedResponse;
import io.fipsrelay.testkit.RawHttpClient;
import io.fipsrelay.testkit.RawResponse;
import io.fipsrelay.testkit.RecordedRequest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Several requests in one write: answered in order, one at a time; and once a request is refused,
 * nothing after it on that connection is ever read as a request.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PipeliningTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    // Each answer names the request it answers, so the order of answers can be checked.
    @RegisterExtension
    static final RelayBehindIntake relay = RelayBehindIntake.started(b -> b.respond(r -> CannedResponse.json(202, "{}").withHeader("X-Answers", r.target())), "");

    @BeforeEach
    void clear() {
        relay.intake().reset();
    }

    @Test
    void three_requests_in_one_write_are_relayed_and_answered_in_order() throws Exception {
        try (RawHttpClient client = RawHttpClient.connect(relay.port())) {
            client.send(post("/api/v2/series?n=1", "{\"a\":1}") + get("/api/v1/validate?n=2") + post("/api/v2/series?n=3", "{}"));
            assertThat(client.readResponse().header("X-Answers")).isEqualTo("/api/v2/series?n=1");
            assertThat(client.readResponse().header("X-Answers")).isEqualTo("/api/v1/validate?n=2");
            assertThat(client.readResponse().header("X-Answers")).isEqualTo("/api/v2/series?n=3");
        }
        List<RecordedRequest> recorded = relay.intake().awaitRequests(3, WAIT);
        assertThat(recorded).extracting(RecordedRequest::target)
                .containsExactly("/api/v2/series?n=1", "/api/v1/validate?n=2", "/api/v2/series?n=3");
        assertThat(recorded.get(0).bodyText()).isEqualTo("{\"a\":1}");
    }

    @Test
    void after_a_refused_request_the_bytes_that_follow_are_never_read_as_requests() throws Exception {
        try (RawHttpClient client = RawHttpClient.connect(relay.port())) {
            client.send(post("/api/v2/series?n=1", "{}")
                    + "GET /api/v1/validate HTTP/1.1\r\nHost: localhost\r\nX-Bad : 1\r\n\r\n"
                    + post("/api/v2/series?n=3", "{}"));
            assertThat(client.readResponse().status()).isEqualTo(202);
            assertThat(client.readResponse().status()).isEqualTo(400);
            assertThat(client.isClosedByPeer(WAIT)).isTrue();
        }
        assertThat(RawHttpClient.exchange(relay.port(), get("/api/v1/validate?after")).status()).isEqualTo(202);
        assertThat(relay.intake().awaitRequests(2, WAIT)).extracting(RecordedRequest::target)
                .containsExactly("/api/v2/series?n=1", "/api/v1/validate?after");
    }

    @Test
    void a_request_smuggled_behind_conflicting_framing_never_reaches_the_intake() throws Exception {
        // CL.TE: a reader trusting Content-Length sees one request, one trusting chunked sees two.
        String smuggling = "POST /api/v2/series HTTP/1.1\r\nHost: localhost\r\nContent-Length: 44\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: localhost\r\n\r\n";
        try (RawHttpClient client = RawHttpClient.connect(relay.port())) {
            client.send(smuggling + get("/api/v1/validate?also-never"));
            assertThat(client.readResponse().status()).isEqualTo(400);
            assertThat(client.isClosedByPeer(WAIT)).isTrue();
        }
        assertThat(RawHttpClient.exchange(relay.port(), get("/api/v1/validate?after")).status()).isEqualTo(202);
        assertThat(relay.intake().awaitRequests(1, WAIT)).extracting(RecordedRequest::target)
                .containsExactly("/api/v1/validate?after");
        assertThat(relay.intake().incompleteRequests()).isZero();
    }

    @Test
    void a_request_inside_a_content_length_body_stays_body() throws Exception {
        String inner = "GET /smuggled HTTP/1.1\r\nHost: localhost\r\n\r\n";
        try (RawHttpClient client = RawHttpClient.connect(relay.port())) {
            client.send(post("/api/v2/series", inner) + get("/api/v1/validate?n=2"));
            assertThat(client.readResponse().header("X-Answers")).isEqualTo("/api/v2/series");
            assertThat(client.readResponse().header("X-Answers")).isEqualTo("/api/v1/validate?n=2");
        }
        List<RecordedRequest> recorded = relay.intake().awaitRequests(2, WAIT);
        assertThat(recorded).extracting(RecordedRequest::target).containsExactly("/api/v2/series", "/api/v1/validate?n=2");
        assertThat(recorded.get(0).bodyText()).isEqualTo(inner);
    }

    @Test
    void nothing_after_a_request_with_connection_close_is_read() throws Exception {
        try (RawHttpClient client = RawHttpClient.connect(relay.port())) {
            client.send("GET /api/v1/validate?n=1 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                    + get("/api/v1/validate?n=2"));
            RawResponse first = client.readResponse();
            assertThat(first.status()).isEqualTo(202);
            assertThat(first.header("Connection")).isEqualTo("close");
            assertThat(client.isClosedByPeer(WAIT)).isTrue();
        }
        assertThat(RawHttpClient.exchange(relay.port(), get("/api/v1/validate?after")).status()).isEqualTo(202);
        assertThat(relay.intake().awaitRequests(2, WAIT)).extracting(RecordedRequest::target)
                .containsExactly("/api/v1/validate?n=1", "/api/v1/validate?after");
    }

    private static String get(String target) {
        return "GET " + target + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
    }

    private static String post(String target, String body) {
        return "POST " + target + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
    }
}
