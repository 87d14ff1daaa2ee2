package io.fipsrelay.server.status;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fipsrelay.core.metrics.UpstreamAddressState;
import io.fipsrelay.testkit.RawHttpClient;
import io.fipsrelay.testkit.RawResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The status port of a relay that carried real traffic, over real sockets. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StatusPortTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** One sample line of the text format: name, optional labels, value. */
    private static final Pattern SAMPLE = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*(\\{[a-zA-Z_][a-zA-Z0-9_]*=\"(\\\\.|[^\"\\\\])*\"(,[a-zA-Z_][a-zA-Z0-9_]*=\"(\\\\.|[^\"\\\\])*\")*\\})? [-+0-9.eE]+|[a-zA-Z_:][a-zA-Z0-9_:]*(\\{.*\\})? (NaN|[+-]Inf)");
    private static final int BODY = 20_000;

    @TempDir
    static Path dir;
    static RelayWithStatus relay;

    @BeforeAll
    static void start() throws Exception {
        relay = RelayWithStatus.start(dir, "fips-relay.status.sample-interval = 1s");
        for (int i = 0; i < 5; i++) {
            post("metrics");
        }
        for (int i = 0; i < 3; i++) {
            post("traces");
        }
        // One refused request, so there is an error to count.
        assertThat(RawHttpClient.exchange(relay.port("logs"), "POST /api/v2/logs HTTP/1.1\nHost: x\n\n").status()).isEqualTo(400);
    }

    @AfterAll
    static void stop() {
        if (relay != null) {
            relay.close();
        }
    }

    private static void post(String product) throws Exception {
        try (RawHttpClient client = RawHttpClient.connect(relay.port(product))) {
            client.post("/api/v2/series", Map.of("DD-API-KEY", "0123456789abcdef"), new byte[BODY]);
            assertThat(client.readResponse().status()).isEqualTo(202);
        }
    }

    private static RawResponse get(String path) throws Exception {
        return RawHttpClient.exchange(relay.statusPort(), "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    }

    private static JsonNode statusJson() throws Exception {
        RawResponse r = get("/status.json");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Type")).isEqualTo("application/json");
        return JSON.readTree(r.body());
    }

    // ---------------------------------------------------------------- /healthz

    @Test
    void healthz_is_200_while_fips_is_ready_and_every_listener_is_bound() throws Exception {
        RawResponse r = get("/healthz");
        assertThat(r.status()).isEqualTo(200);
        assertThat(JSON.readTree(r.body()).get("status").asText()).isEqualTo("ok");
    }

    @Test
    void healthz_is_503_naming_the_product_whose_listener_is_not_bound() throws Exception {
        relay.engine.unbind("traces");
        try {
            RawResponse r = get("/healthz");
            assertThat(r.status()).isEqualTo(503);
            JsonNode body = JSON.readTree(r.body());
            assertThat(body.get("status").asText()).isEqualTo("unavailable");
            assertThat(body.get("reasons").toString())
                    .contains("product traces is enabled but nothing listens on its port " + relay.port("traces"));
            JsonNode traces = product(statusJson(), "traces");
            assertThat(traces.get("listening").asBoolean()).isFalse();
        } finally {
            relay.engine.bind(relay.settings.product("traces").orElseThrow());
        }
        assertThat(get("/healthz").status()).isEqualTo(200);
    }

    // ---------------------------------------------------------------- /metrics

    @Test
    void metrics_is_valid_prometheus_text_with_products_as_labels() throws Exception {
        RawResponse r = get("/metrics");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Type")).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
        String text = r.bodyText();

        Set<String> typed = new HashSet<>();
        List<String> bad = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("# TYPE ")) {
                assertThat(typed.add(line.split(" ")[2])).as("family declared once: %s", line).isTrue();
            } else if (!line.startsWith("# HELP ") && !line.isEmpty() && !SAMPLE.matcher(line).matches()) {
                bad.add(line);
            }
        }
        assertThat(bad).as("lines that are not valid samples").isEmpty();

        assertThat(typed).contains("fips_relay_requests_total", "fips_relay_request_bytes_total", "fips_relay_response_bytes_total",
                "fips_relay_upstream_latency_seconds", "fips_relay_responses_total", "fips_relay_errors_total",
                "fips_relay_tls_handshakes_total", "fips_relay_fips_info", "fips_relay_fips_ready", "fips_relay_fips_approved_only",
                "jvm_memory_heap_used");
        assertThat(text).contains("# TYPE fips_relay_requests_total counter", "# TYPE fips_relay_connections_active gauge",
                "# TYPE fips_relay_upstream_latency_seconds summary", "# TYPE fips_relay_fips_info gauge");
        assertThat(value(text, "fips_relay_requests_total{product=\"metrics\"}")).isGreaterThanOrEqualTo(5);
        assertThat(value(text, "fips_relay_requests_total{product=\"traces\"}")).isGreaterThanOrEqualTo(3);
        assertThat(value(text, "fips_relay_request_bytes_total{product=\"metrics\"}")).isGreaterThanOrEqualTo(5.0 * BODY);
        assertThat(value(text, "fips_relay_responses_total{code=\"2xx\",product=\"metrics\"}")).isGreaterThanOrEqualTo(5);
        assertThat(value(text, "fips_relay_upstream_latency_seconds{product=\"metrics\",quantile=\"0.5\"}")).isPositive().isLessThan(5);
        assertThat(value(text, "fips_relay_errors_total{cause=\"bad-request\",product=\"logs\"}")).isEqualTo(1);
        assertThat(value(text, "fips_relay_fips_ready")).isEqualTo(1);
        assertThat(value(text, "fips_relay_fips_approved_only")).isEqualTo(1);
        assertThat(text).containsPattern("fips_relay_tls_handshakes_total\\{protocol=\"TLSv1\\.[23]\",suite=\"TLS_[A-Z0-9_]+\"} [1-9]");
        assertThat(text).contains("fips_relay_fips_info{cmvp_certificate=\"#4943\",jsse_version=\"" + relay.fips.jsseVersion()
                + "\",module_version=\"" + relay.fips.moduleVersion() + "\",native_variant=\"" + relay.fips.nativeVariant() + "\"} 1");
        assertThat(value(text, "jvm_memory_heap_used")).isPositive();
        // The all-suites handshake total is left to sum(): one family must not mix a total with its parts.
        assertThat(text).doesNotContainPattern("(?m)^fips_relay_tls_handshakes_total ");
    }

    @Test
    void each_published_upstream_address_shows_with_its_state_in_metrics_and_status_json() throws Exception {
        String server = "metrics.agent.ddog-gov.com:" + relay.intake.port();
        relay.metrics().upstreamStates(() -> List.of(
                new UpstreamAddressState(server, "127.0.0.1:" + relay.intake.port(), true, 12, null),
                new UpstreamAddressState(server, "127.0.0.2:" + relay.intake.port(), false, 5000, "connect timed out")));
        try {
            String text = get("/metrics").bodyText();
            assertThat(value(text, "fips_relay_upstream_up{address=\"127.0.0.1:" + relay.intake.port() + "\",server=\"" + server + "\"}")).isEqualTo(1);
            assertThat(value(text, "fips_relay_upstream_up{address=\"127.0.0.2:" + relay.intake.port() + "\",server=\"" + server + "\"}")).isEqualTo(0);
            assertThat(value(text, "fips_relay_upstream_check_latency_seconds{address=\"127.0.0.1:" + relay.intake.port() + "\",server=\"" + server + "\"}"))
                    .isEqualTo(0.012);

            JsonNode upstreams = product(statusJson(), "metrics").get("upstreams");
            assertThat(upstreams).hasSize(2);
            assertThat(upstreams.get(1).get("up").asBoolean()).isFalse();
            assertThat(upstreams.get(1).get("lastError").asText()).isEqualTo("connect timed out");
            assertThat(product(statusJson(), "traces").get("upstreams")).isEmpty();
        } finally {
            relay.metrics().upstreamStates(List::of);
        }
        assertThat(get("/metrics").bodyText()).doesNotContain("fips_relay_upstream_up");
    }

    // ---------------------------------------------------------------- /status.json

    @Test
    void status_json_carries_products_in_port_order_with_totals_latency_rates_and_history() throws Exception {
        JsonNode doc = awaitStatus(d -> product(d, "metrics").get("now").get("requestsPerSecond").asDouble() >= 0
                && max(d.get("history").get("products").get("metrics").get("requestsPerSecond")) > 0);
        assertThat(doc.get("relay").get("site").asText()).isEqualTo("ddog-gov.com");
        assertThat(doc.get("relay").get("statusPort").asInt()).isEqualTo(relay.statusPort());
        assertThat(doc.get("health").get("healthy").asBoolean()).isTrue();

        List<String> ids = new ArrayList<>();
        doc.get("products").forEach(p -> ids.add(p.get("id").asText()));
        assertThat(ids).containsExactly("metrics", "traces", "logs");

        JsonNode metrics = product(doc, "metrics");
        assertThat(metrics.get("port").asInt()).isEqualTo(relay.port("metrics"));
        assertThat(metrics.get("listening").asBoolean()).isTrue();
        assertThat(metrics.get("servers").toString()).contains("metrics.agent.ddog-gov.com:" + relay.intake.port(),
                "api.ddog-gov.com:" + relay.intake.port(), "flare.ddog-gov.com:" + relay.intake.port());
        assertThat(metrics.get("totals").get("requests").asLong()).isGreaterThanOrEqualTo(5);
        assertThat(metrics.get("totals").get("bytesIn").asLong()).isGreaterThanOrEqualTo(5L * BODY);
        assertThat(metrics.get("totals").get("bytesOut").asLong()).isPositive();
        assertThat(metrics.get("totals").get("responses").get("2xx").asLong()).isGreaterThanOrEqualTo(5);
        assertThat(metrics.get("latency").get("count").asLong()).isGreaterThanOrEqualTo(5);
        assertThat(metrics.get("latency").get("p50Millis").asDouble()).isPositive();
        assertThat(metrics.get("latency").get("p99Millis").asDouble())
                .isGreaterThanOrEqualTo(metrics.get("latency").get("p50Millis").asDouble());

        JsonNode history = doc.get("history");
        assertThat(history.get("times").size()).isPositive();
        assertThat(history.get("products").get("logs").get("bytesInPerSecond").size()).isEqualTo(history.get("times").size());

        assertThat(doc.get("fips").get("cmvpCertificate").asText()).isEqualTo("#4943");
        assertThat(doc.get("fips").get("approvedOnly").asBoolean()).isTrue();
        assertThat(doc.get("fips").get("moduleVersion").asText()).isEqualTo(relay.fips.moduleVersion());
        assertThat(doc.get("tls").get("total").asLong()).isPositive();
        assertThat(doc.get("jvm").get("heapUsedBytes").asLong()).isPositive();
    }

    // ---------------------------------------------------------------- the page and its assets

    @Test
    void the_dashboard_and_everything_it_loads_come_from_the_relay() throws Exception {
        RawResponse page = get("/");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.header("Content-Type")).isEqualTo("text/html; charset=utf-8");
        assertThat(page.header("Content-Security-Policy")).contains("default-src 'none'", "script-src 'self'", "connect-src 'self'");
        assertThat(page.bodyText()).contains("/assets/chart.umd.min.js", "/assets/dashboard.js", "/assets/dashboard.css")
                .doesNotContain("http://", "https://");

        RawResponse chart = get("/assets/chart.umd.min.js");
        assertThat(chart.status()).isEqualTo(200);
        assertThat(chart.header("Content-Type")).startsWith("text/javascript");
        assertThat(chart.bodyText()).contains("Chart.js v4.");
        assertThat(get("/assets/dashboard.js").bodyText()).contains("/status.json");
        assertThat(get("/assets/dashboard.css").header("Content-Type")).startsWith("text/css");
        assertThat(get("/assets/favicon.svg").header("Content-Type")).isEqualTo("image/svg+xml");
    }

    // ---------------------------------------------------------------- HTTP behaviour

    @Test
    void an_unknown_path_is_404_and_a_post_is_405_with_allow() throws Exception {
        RawResponse missing = get("/admin");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.bodyText()).contains("/status.json", "/metrics", "/healthz");

        RawResponse post = RawHttpClient.exchange(relay.statusPort(),
                "POST /healthz HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n");
        assertThat(post.status()).isEqualTo(405);
        assertThat(post.header("Allow")).isEqualTo("GET, HEAD");
    }

    @Test
    void head_gets_the_head_of_the_get_answer_without_its_body() throws Exception {
        RawResponse head = RawHttpClient.exchange(relay.statusPort(), "HEAD /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        assertThat(head.status()).isEqualTo(200);
        assertThat(Integer.parseInt(head.header("Content-Length"))).isEqualTo(get("/healthz").body().length);
        assertThat(head.body()).isEmpty();
    }

    @Test
    void one_connection_serves_several_requests_in_order() throws Exception {
        try (RawHttpClient client = RawHttpClient.connect(relay.statusPort())) {
            client.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\nGET /nothing HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assertThat(client.readResponse().status()).isEqualTo(200);
            assertThat(client.readResponse().status()).isEqualTo(404);
            client.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n");
            RawResponse third = client.readResponse();
            assertThat(third.status()).isEqualTo(200);
            assertThat(third.header("Connection")).isNull();
        }
    }

    @Test
    void malformed_requests_and_request_bodies_are_refused_and_the_connection_closed() throws Exception {
        RawResponse bareLf = RawHttpClient.exchange(relay.statusPort(), "GET /healthz HTTP/1.1\nHost: localhost\n\n");
        assertThat(bareLf.status()).isEqualTo(400);
        assertThat(bareLf.header("Connection")).isEqualTo("close");

        RawResponse withBody = RawHttpClient.exchange(relay.statusPort(),
                "GET /healthz HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nhello");
        assertThat(withBody.status()).isEqualTo(413);
    }

    // ---------------------------------------------------------------- helpers

    private static JsonNode product(JsonNode doc, String id) {
        for (JsonNode p : doc.get("products")) {
            if (p.get("id").asText().equals(id)) {
                return p;
            }
        }
        throw new AssertionError("no product " + id + " in " + doc.get("products"));
    }

    private static double max(JsonNode array) {
        double max = 0;
        for (JsonNode v : array) {
            max = Math.max(max, v.asDouble());
        }
        return max;
    }

    private static JsonNode awaitStatus(java.util.function.Predicate<JsonNode> condition) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        JsonNode doc = statusJson();
        while (!condition.test(doc)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("status.json never met the condition: " + doc);
            }
            Thread.sleep(200);
            doc = statusJson();
        }
        return doc;
    }

    /** The value of the sample line that starts with {@code series} (name and labels exactly). */
    private static double value(String text, String series) {
        for (String line : text.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        throw new AssertionError("no sample " + series + " in:\n" + text);
    }
}
