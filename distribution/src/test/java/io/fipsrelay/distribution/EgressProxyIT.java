package io.fipsrelay.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import io.fipsrelay.testkit.ConnectProxy;
import io.fipsrelay.testkit.FreePorts;
import io.fipsrelay.testkit.RawHttpClient;
import io.fipsrelay.testkit.RecordedRequest;
import io.fipsrelay.testkit.TinyproxyServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
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
 * The assembled relay behind Debian's real tinyproxy (BasicAuth, ConnectPort for the intake's port
 * only), the proxy taken from HTTPS_PROXY with {@code upstream.proxy.use-environment = true}: an
 * agent-shaped request to every product reaches its intake host through a CONNECT tunnel, the
 * CONNECT lines in tinyproxy's own log name the intake hosts, and the password shows nowhere.
 * tinyproxy hands each CONNECT, name unresolved, to a loopback testkit proxy, so no intake name
 * reaches DNS and nothing leaves the machine.
 */
@Timeout(120)
class EgressProxyIT {

    static final String PASSWORD = "egress-pw-7f3a";

    @TempDir
    static Path dir;
    static StandInIntake standIn;
    static ConnectProxy loopback;
    static TinyproxyServer tinyproxy;
    static RelayProcess relay;
    static int base;

    @BeforeAll
    static void start() throws IOException {
        standIn = StandInIntake.start(dir);
        loopback = ConnectProxy.start();
        tinyproxy = TinyproxyServer.builder().connectPort(standIn.intake.port()).basicAuth("relay", PASSWORD)
                .upstream(loopback).start();
        base = FreePorts.pickRange(16);
        Path conf = standIn.relayConfig(dir.resolve("fips-relay.conf"), base, "fips-relay.upstream.proxy.use-environment = true");
        relay = RelayProcess.start(Map.of("HTTPS_PROXY", tinyproxy.url("relay:" + PASSWORD), "NO_PROXY", "localhost,127.0.0.1"),
                "run", "--config", conf.toString());
        relay.awaitLog(l -> l.contains("fips-relay ready"), Duration.ofSeconds(60));
    }

    @AfterAll
    static void stop() {
        if (relay != null) {
            relay.close();
        }
        if (tinyproxy != null) {
            tinyproxy.close();
        }
        if (loopback != null) {
            loopback.close();
        }
        if (standIn != null) {
            standIn.close();
        }
    }

    @BeforeEach
    void forgetRequests() {
        standIn.intake.reset();
    }

    static Stream<AgentPortMap.Entry> products() {
        return AgentPortMap.PRODUCTS.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("products")
    void a_post_on_the_product_port_reaches_its_intake_host_through_tinyproxy(AgentPortMap.Entry product) throws Exception {
        int port = base + product.offset();
        String host = product.host("ddog-gov.com");
        byte[] body = ("{\"product\":\"" + product.productId() + "\"}").getBytes(StandardCharsets.UTF_8);
        try (RawHttpClient agent = RawHttpClient.connect(port)) {
            agent.post(product.agentPath(), Map.of("DD-API-KEY", "0123456789abcdef", "Content-Type", "application/json",
                    "Content-Encoding", "identity", "Host", "localhost:" + port), body);
            assertThat(agent.readResponse().status()).isEqualTo(202);
        }
        RecordedRequest r = standIn.intake.awaitRequests(1, Duration.ofSeconds(10)).get(0);
        assertThat(r.target()).isEqualTo(product.agentPath());
        assertThat(r.sni()).isEqualTo(host);
        assertThat(r.header("Host")).isEqualTo(host + ":" + standIn.intake.port());
        assertThat(r.header("DD-API-KEY")).isEqualTo("0123456789abcdef");
        assertThat(r.body()).isEqualTo(body);
        assertThat(tinyproxy.awaitConnectRequests(1, Duration.ofSeconds(5)))
                .contains("CONNECT " + host + ":" + standIn.intake.port() + " HTTP/1.1");
    }

    @Test
    void the_proxy_shows_redacted_in_the_log_status_json_and_metrics_and_its_password_nowhere() throws Exception {
        int metrics = base + 1;
        try (RawHttpClient agent = RawHttpClient.connect(metrics)) {
            agent.post("/api/v2/series", Map.of("DD-API-KEY", "0123456789abcdef"), "{}".getBytes(StandardCharsets.UTF_8));
            assertThat(agent.readResponse().status()).isEqualTo(202);
        }
        String shown = "http://relay:***@127.0.0.1:" + tinyproxy.port();
        assertThat(relay.log()).anyMatch(l -> l.contains("intakes are reached through the egress proxy " + shown + " (from HTTPS_PROXY"));
        String status = get("/status.json");
        String prometheus = get("/metrics");
        assertThat(status).contains("\"via\":\"" + shown + "\"").doesNotContain(PASSWORD);
        assertThat(prometheus).containsPattern("fips_relay_proxy_requests_total\\{[^}]*product=\"metrics\"} [1-9]").doesNotContain(PASSWORD);
        assertThat(relay.log()).noneMatch(l -> l.contains(PASSWORD));
        assertThat(tinyproxy.log()).doesNotContain(PASSWORD);
    }

    private static String get(String path) throws IOException {
        return RawHttpClient.exchange(base, "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").bodyText();
    }
}
