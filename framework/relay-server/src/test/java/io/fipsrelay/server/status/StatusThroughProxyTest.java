package io.fipsrelay.server.status;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fipsrelay.testkit.ConnectProxy;
import io.fipsrelay.testkit.RawHttpClient;
import io.fipsrelay.testkit.RawResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The status port shows the egress proxy beside each intake address it carries, never its password. */
@Timeout(60)
class StatusThroughProxyTest {

    static final String PASSWORD = "st4tus-pw";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void status_json_metrics_and_dashboard_name_the_proxy_with_its_credentials_redacted() throws Exception {
        try (ConnectProxy proxy = ConnectProxy.start().requireCredentials("relay", PASSWORD);
             RelayWithStatus relay = RelayWithStatus.start(dir, "fips-relay.upstream.proxy.url = \"http://relay:" + PASSWORD
                     + "@127.0.0.1:" + proxy.port() + "\"")) {
            try (RawHttpClient agent = RawHttpClient.connect(relay.port("metrics"))) {
                agent.post("/api/v2/series", Map.of("DD-API-KEY", "0123456789abcdef"), "{}".getBytes());
                assertThat(agent.readResponse().status()).isEqualTo(202);
            }
            String shown = "http://relay:***@127.0.0.1:" + proxy.port();

            JsonNode metrics = awaitUpstreams(relay, "metrics");
            assertThat(metrics.get("upstreams")).anySatisfy(u -> {
                assertThat(u.get("server").asText()).isEqualTo("metrics.agent.ddog-gov.com:" + relay.intake.port());
                assertThat(u.get("address").asText()).isEqualTo("127.0.0.1:" + proxy.port());
                assertThat(u.get("via").asText()).isEqualTo(shown);
                assertThat(u.get("up").asBoolean()).isTrue();
            });
            String statusJson = get(relay, "/status.json").bodyText();
            String prometheus = get(relay, "/metrics").bodyText();
            assertThat(statusJson).doesNotContain(PASSWORD);
            assertThat(prometheus).doesNotContain(PASSWORD)
                    .containsPattern("(?m)^fips_relay_proxy_requests_total\\{[^}]*product=\"metrics\"} 1(\\.0)?$")
                    .contains("# HELP fips_relay_proxy_requests_total Requests sent through the egress proxy's CONNECT tunnels, per product.");
            assertThat(get(relay, "/").bodyText()).doesNotContain(PASSWORD);
            assertThat(get(relay, "/assets/dashboard.js").bodyText()).contains("\" via proxy \" + u.via");
        }
    }

    private static JsonNode awaitUpstreams(RelayWithStatus relay, String product) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        JsonNode p;
        do {
            p = product(JSON.readTree(get(relay, "/status.json").body()), product);
            if (p.get("upstreams").size() > 0) {
                return p;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("no upstreams published for " + product + ": " + p);
    }

    private static RawResponse get(RelayWithStatus relay, String path) throws Exception {
        return RawHttpClient.exchange(relay.statusPort(), "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    }

    private static JsonNode product(JsonNode doc, String id) {
        for (JsonNode p : doc.get("products")) {
            if (p.get("id").asText().equals(id)) {
                return p;
            }
        }
        throw new AssertionError("no product " + id + " in " + doc.get("products"));
    }
}
