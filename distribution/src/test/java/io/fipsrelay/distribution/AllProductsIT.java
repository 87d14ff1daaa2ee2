package io.fipsrelay.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import io.fipsrelay.testkit.FreePorts;
import io.fipsrelay.testkit.RawHttpClient;
import io.fipsrelay.testkit.RawResponse;
import io.fipsrelay.testkit.RecordedRequest;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The assembled distribution started with bin/fips-relay, its shipped plugins/ folder and its
 * shipped configuration (only the port range, trust and intake address changed): every product of
 * the agent's port map listens and reaches its intake host.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class AllProductsIT {

    @TempDir
    static Path dir;
    static StandInIntake standIn;
    static RelayProcess relay;
    static int base;

    @BeforeAll
    static void start() throws IOException {
        standIn = StandInIntake.start(dir);
        base = FreePorts.pickRange(16);
        Path conf = standIn.relayConfig(dir.resolve("fips-relay.conf"), base, "");
        relay = RelayProcess.start(Map.of(), "run", "--config", conf.toString());
        relay.awaitLog(l -> l.contains("fips-relay ready"), Duration.ofSeconds(60));
    }

    @AfterAll
    static void stop() {
        if (relay != null) {
            relay.close();
        }
        if (standIn != null) {
            standIn.close();
        }
    }

    @BeforeEach
    void forgetRequests() {
        standIn.intake.reset();
    }

    @Test
    void every_product_port_of_the_agent_map_listens_and_the_reserved_appsec_port_does_not() {
        for (AgentPortMap.Entry e : AgentPortMap.PRODUCTS) {
            assertThat(accepting(base + e.offset())).as("port %d of %s", base + e.offset(), e.productId()).isTrue();
        }
        assertThat(accepting(base + AgentPortMap.RESERVED_OFFSET)).as("appsec's reserved port").isFalse();
        assertThat(relay.log()).anyMatch(l -> l.contains("fips-relay ready: " + AgentPortMap.PRODUCTS.size() + " products listening"));
    }

    static Stream<AgentPortMap.Entry> products() {
        return AgentPortMap.PRODUCTS.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("products")
    void a_post_on_the_product_port_reaches_its_intake_host_with_the_agents_path(AgentPortMap.Entry product) throws IOException {
        int port = base + product.offset();
        byte[] body = ("{\"product\":\"" + product.productId() + "\"}").getBytes(StandardCharsets.UTF_8);
        try (RawHttpClient agent = RawHttpClient.connect(port)) {
            agent.post(product.agentPath(), Map.of("DD-API-KEY", "0123456789abcdef", "Content-Type", "application/json",
                    "Host", "localhost:" + port), body);
            assertThat(agent.readResponse().status()).isEqualTo(202);
        }
        RecordedRequest r = standIn.intake.awaitRequests(1, Duration.ofSeconds(10)).get(0);
        assertThat(r.method()).isEqualTo("POST");
        assertThat(r.target()).isEqualTo(product.agentPath());
        assertThat(r.sni()).isEqualTo(product.host("ddog-gov.com"));
        assertThat(r.header("Host")).isEqualTo(product.host("ddog-gov.com") + ":" + standIn.intake.port());
        assertThat(r.header("DD-API-KEY")).isEqualTo("0123456789abcdef");
        assertThat(r.body()).isEqualTo(body);
    }

    /** What `datadog-agent diagnose` sends to check connectivity (DESIGN.md), each on its own connection. */
    @Test
    void the_agents_connectivity_diagnose_passes_through_the_metrics_and_logs_ports() throws IOException {
        int metrics = base + 1;
        int logs = base + 5;
        List<Probe> probes = List.of(
                new Probe(metrics, "POST", "/api/v1/series", "{}", "metrics.agent"),
                new Probe(metrics, "POST", "/intake/", "{}", "metrics.agent"),
                new Probe(metrics, "POST", "/api/v1/check_run", "{\"check\":\"test\",\"status\":0}", "metrics.agent"),
                new Probe(metrics, "POST", "/api/v1/metadata", "{}", "metrics.agent"),
                new Probe(metrics, "POST", "/api/v2/series", "{}", "metrics.agent"),
                new Probe(metrics, "POST", "/api/beta/sketches", "{}", "metrics.agent"),
                new Probe(metrics, "GET", "/api/v1/validate", null, "api"),
                new Probe(metrics, "HEAD", "/support/flare", null, "flare"),
                new Probe(logs, "POST", "/api/v2/logs", "{}", "agent-http-intake.logs"));
        for (Probe probe : probes) {
            RawResponse response = probe.send();
            assertThat(response.status()).as("%s %s on %d", probe.method, probe.path, probe.port).isLessThan(400);
            if (probe.path.equals("/support/flare")) {
                assertThat(response.status()).isIn(200, 307, 308);
            }
        }
        List<RecordedRequest> seen = standIn.intake.awaitRequests(probes.size(), Duration.ofSeconds(10));
        for (int i = 0; i < probes.size(); i++) {
            assertThat(seen.get(i).target()).isEqualTo(probes.get(i).path);
            assertThat(seen.get(i).sni()).isEqualTo(probes.get(i).hostPrefix + ".ddog-gov.com");
        }
    }

    private record Probe(int port, String method, String path, String json, String hostPrefix) {
        RawResponse send() throws IOException {
            StringBuilder request = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: localhost:" + port
                    + "\r\nDD-API-KEY: 0123456789abcdef\r\nUser-Agent: datadog-agent/7.60.0\r\n");
            if (json != null) {
                request.append("Content-Type: application/json\r\nContent-Length: ")
                        .append(json.getBytes(StandardCharsets.UTF_8).length).append("\r\n\r\n").append(json);
            } else {
                request.append("\r\n");
            }
            return RawHttpClient.exchange(port, request.toString());
        }
    }

    private static boolean accepting(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
