package io.fipsrelay.core.relay;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.fipsrelay.core.metrics.RelayMetrics;
import io.fipsrelay.testkit.ConnectProxy;
import io.fipsrelay.testkit.FreePorts;
import io.fipsrelay.testkit.KeyType;
import io.fipsrelay.testkit.OpenSslServer;
import io.fipsrelay.testkit.RawHttpClient;
import io.fipsrelay.testkit.RawResponse;
import io.fipsrelay.testkit.RecordedRequest;
import io.fipsrelay.testkit.RecordingIntake;
import io.fipsrelay.testkit.ServerIdentity;
import io.fipsrelay.testkit.TestPki;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Egress through the site's HTTP proxy ({@code upstream.proxy}): CONNECT names the intake, TLS
 * runs end to end inside the tunnel, and each way a proxy can fail reaches the agent as a 502 or
 * 504 that names the proxy (credentials redacted), with nothing delivered twice. The faults come
 * from the testkit's {@link ConnectProxy}; {@code TinyproxyEgressTest} does the same with a real proxy.
 */
@Timeout(60)
class EgressProxyTest {

    static final String PASSWORD = "pr0xy-s3cret";

    @TempDir
    static Path dir;
    static TestPki pki;
    static ServerIdentity identity;
    static Path ca;
    ListAppender<ILoggingEvent> logs;

    @BeforeAll
    static void pki() throws Exception {
        pki = TestPki.create("fips-relay test CA");
        identity = pki.issue(KeyType.EC_P256, "*.agent.ddog-gov.com");
        ca = pki.writeCaPem(dir.resolve("ca.pem"));
    }

    @BeforeEach
    void captureLogs() {
        logs = new ListAppender<>();
        logs.start();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
    }

    @AfterEach
    void noCredentialsInAnyLogLine() {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
        assertThat(logs.list).extracting(ILoggingEvent::getFormattedMessage).noneMatch(m -> m.contains(PASSWORD));
    }

    static String post(int i) {
        return "POST /api/v2/series HTTP/1.1\r\nHost: localhost\r\nDD-API-KEY: 0123456789abcdef\r\nX-Test-Request-Id: " + i
                + "\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";
    }

    /** The relay with the proxy set; dns.hosts sends intake names to 127.0.0.1 only if they were resolved here. */
    static RelayUnderTest relay(RecordingIntake intake, String proxyUrl, String extra) throws Exception {
        return RelayUnderTest.start(ca, intake.port(), "fips-relay.upstream.proxy.url = \"" + proxyUrl + "\"\n" + extra);
    }

    static String withCredentials(ConnectProxy proxy) {
        return "http://relay:" + PASSWORD + "@127.0.0.1:" + proxy.port();
    }

    static String shown(ConnectProxy proxy) {
        return "http://relay:***@127.0.0.1:" + proxy.port();
    }

    @Test
    void a_request_goes_through_a_connect_tunnel_naming_the_intake_and_arrives_as_it_would_directly() throws Exception {
        try (RecordingIntake intake = RecordingIntake.builder(identity).start();
             ConnectProxy proxy = ConnectProxy.start().requireCredentials("relay", PASSWORD);
             RelayUnderTest viaProxy = relay(intake, withCredentials(proxy),
                     // Were the relay to resolve the intake's name itself it would go nowhere: the proxy resolves it.
                     "fips-relay.dns.hosts { \"*.ddog-gov.com\" = \"127.0.0.2\" }");
             RelayUnderTest direct = RelayUnderTest.start(ca, intake.port(), "")) {
            assertThat(RawHttpClient.exchange(viaProxy.port(), post(1)).status()).isEqualTo(202);
            assertThat(RawHttpClient.exchange(direct.port(), post(1)).status()).isEqualTo(202);

            List<RecordedRequest> both = intake.awaitRequests(2, Duration.ofSeconds(10));
            assertSameDelivery(both.get(0), both.get(1));
            assertThat(both.get(0).sni()).isEqualTo("metrics.agent.ddog-gov.com");
            assertThat(proxy.connects()).singleElement().satisfies(c -> {
                assertThat(c.requestLine()).isEqualTo("CONNECT metrics.agent.ddog-gov.com:" + intake.port() + " HTTP/1.1");
                assertThat(c.header("Host")).isEqualTo("metrics.agent.ddog-gov.com:" + intake.port());
                assertThat(c.header("Proxy-Authorization")).startsWith("Basic ");
            });
            RelayMetrics.ProductMetrics m = viaProxy.metrics.product("metrics");
            assertThat(m.proxiedRequests.getCount()).isEqualTo(1);
            assertThat(direct.metrics.product("metrics").proxiedRequests.getCount()).isZero();
        }
    }

    @Test
    void a_pooled_connection_is_one_tunnel_reused_for_the_next_requests() throws Exception {
        try (RecordingIntake intake = RecordingIntake.builder(identity).start();
             ConnectProxy proxy = ConnectProxy.start();
             RelayUnderTest relay = relay(intake, proxy.url(), "");
             RawHttpClient agent = RawHttpClient.connect(relay.port())) {
            for (int i = 0; i < 5; i++) {
                agent.send(post(i));
                assertThat(agent.readResponse().status()).isEqualTo(202);
            }
            assertThat(intake.awaitRequests(5, Duration.ofSeconds(10))).hasSize(5);
            assertThat(proxy.tunnels()).isEqualTo(1);
            assertThat(intake.handshakes()).isEqualTo(1);
            assertThat(relay.metrics.product("metrics").proxiedRequests.getCount()).isEqualTo(5);
        }
    }

    @Test
    void a_no_proxy_host_is_reached_directly() throws Exception {
        try (RecordingIntake intake = RecordingIntake.builder(identity).start();
             ConnectProxy proxy = ConnectProxy.start();
             RelayUnderTest relay = relay(intake, proxy.url(), "fips-relay.upstream.proxy.no-proxy = [\".agent.ddog-gov.com\"]")) {
            assertThat(RawHttpClient.exchange(relay.port(), post(1)).status()).isEqualTo(202);
            assertThat(intake.awaitRequests(1, Duration.ofSeconds(10))).hasSize(1);
            assertThat(proxy.connects()).isEmpty();
        }
    }

    @Test
    void a_407_is_answered_502_proxy_authentication_required_once_without_a_retry_loop() throws Exception {
        try (RecordingIntake intake = RecordingIntake.builder(identity).start();
             ConnectProxy proxy = ConnectProxy.start().requireCredentials("relay", "another-password");
             RelayUnderTest relay = relay(intake, withCredentials(proxy), "")) {
            RawResponse r = RawHttpClient.exchange(relay.port(), post(1));

            assertProxyFailure(r, 502, "proxy authentication required: proxy " + shown(proxy)
                    + " answered CONNECT metrics.agent.ddog-gov.com:" + intake.port() + " with 407 Proxy Authentication Required");
            assertThat(proxy.connects()).as("one CONNECT for one request: a 407 is not retried").hasSize(1);
            assertThat(relay.metrics.product("metrics").errorCounts()).containsEntry("proxy-auth", 1L);
            assertThat(intake.requests()).isEmpty();
        }
    }

    @Test
    void a_403_is_answered_502_quoting_the_proxys_status() throws Exception {
        try (RecordingIntake intake = RecordingIntake.builder(identity).start();
             ConnectProxy proxy = ConnectProxy.start().behave(ConnectProxy.Behaviour.answer(403, "Forbidden"));
             RelayUnderTest relay = relay(intake, proxy.url(), "")) {
            assertProxyFailure(RawHttpClient.exchange(relay.port(), post(1)), 502, "proxy " + proxy.url()
                    + " refused CONNECT metrics.agent.ddog-gov.com:" + intake.port() + " with 403 Forbidden");
            assertThat(relay.metrics.product("metrics").errorCounts()).containsEntry("proxy-forbidden", 1L);
            assertThat(intake.requests()).as("nothing reached the intake").isEmpty();
            assertThat(proxy.connects()).hasSize(1);
        }
    }

    @Test
    void a_502_from_the_proxy_is_answered_502_quoting_it() throws Exception {
        try (RecordingIntake intake = RecordingIntake.builder(identity).start();
             ConnectProxy proxy = ConnectProxy.start().behave(ConnectProxy.Behaviour.answer(502, "Bad Gateway"));
             RelayUnderTest relay = relay(intake, proxy.url(), "")) {
            assertProxyFailure(RawHttpClient.exchange(relay.port(), post(1)), 502, "proxy " + proxy.url()
                    + " answered CONNECT metrics.agent.ddog-gov.com:" + intake.port() + " with 502 Bad Gateway");
            assertThat(relay.metrics.product("metrics").errorCounts()).containsEntry("proxy-status", 1L);
            assertThat(intake.requests()).as("nothing reached the intake").isEmpty();
        }
    }

    @Test
    void a_proxy_refusing_connections_is_answered_502_naming_the_proxy_not_the_intake() throws Exception {
        int closed = FreePorts.pick();
        try (RecordingIntake intake = RecordingIntake.builder(identity).start();
             RelayUnderTest relay = relay(intake, "http://relay:" + PASSWORD + "@127.0.0.1:" + closed, "")) {
            RawResponse r = RawHttpClient.exchange(relay.port(), post(1));
            assertProxyFailure(r, 502, "proxy http://relay:***@127.0.0.1:" + closed
                    + " refused the connection (connection refused) for CONNECT metrics.agent.ddog-gov.com:" + intake.port());
            assertThat(relay.metrics.product("metrics").errorCounts()).containsEntry("proxy-refused", 1L);
            assertThat(intake.requests()).as("nothing reached the intake").isEmpty();
        }
    }

    @Test
    void a_proxy_that_never_answers_the_connect_gets_the_agent_a_504_within_connect_timeout() throws Exception {
        try (RecordingIntake intake = RecordingIntake.builder(identity).start();
             ConnectProxy proxy = ConnectProxy.start().behave(ConnectProxy.Behaviour.neverAnswer());
             RelayUnderTest relay = relay(intake, proxy.url(), "fips-relay.upstream.connect-timeout = 400ms")) {
            RawResponse r = RawHttpClient.exchange(relay.port(), post(1));
            assertProxyFailure(r, 504, "proxy " + proxy.url() + " did not answer CONNECT metrics.agent.ddog-gov.com:"
                    + intake.port() + " within 400 ms");
            assertThat(relay.metrics.product("metrics").errorCounts()).containsEntry("proxy-timeout", 1L);
            assertThat(intake.requests()).as("nothing reached the intake").isEmpty();
        }
    }

    @Test
    void a_tunnel_closed_mid_body_is_answered_502_naming_the_proxy_and_nothing_is_delivered_twice() throws Exception {
        byte[] body = new byte[256 * 1024];
        Arrays.fill(body, (byte) 'x');
        try (RecordingIntake intake = RecordingIntake.builder(identity).start();
             ConnectProxy proxy = ConnectProxy.start().behave(ConnectProxy.Behaviour.closeTunnelAfter(64 * 1024).once());
             RelayUnderTest relay = relay(intake, proxy.url(), "")) {
            RawResponse cut;
            try (RawHttpClient agent = RawHttpClient.connect(relay.port())) {
                agent.post("/api/v2/series", Map.of("X-Test-Request-Id", "cut", "Content-Type", "application/json"), body);
                cut = agent.readResponse();
            }
            // A new connection (not a pooled one) died under the request: the agent hears it and retries itself.
            assertThat(cut.status()).as(cut.bodyText()).isEqualTo(502);
            assertThat(cut.bodyText()).contains("metrics.agent.ddog-gov.com via proxy " + proxy.url());

            try (RawHttpClient agent = RawHttpClient.connect(relay.port())) {
                agent.post("/api/v2/series", Map.of("X-Test-Request-Id", "retried", "Content-Type", "application/json"), body);
                assertThat(agent.readResponse().status()).isEqualTo(202);
            }
            assertThat(intake.awaitRequests(1, Duration.ofSeconds(10)).get(0).body()).isEqualTo(body);
            Thread.sleep(200);
            assertThat(intake.deliveriesById()).containsExactly(Map.entry("retried", 1));
            assertThat(proxy.tunnels()).isEqualTo(2);
        }
    }

    @Test
    void with_the_proxy_down_health_checks_mark_the_path_down_and_the_503_names_the_proxy_not_the_intake() throws Exception {
        int closed = FreePorts.pick();
        try (RecordingIntake intake = RecordingIntake.builder(identity).start();
             RelayUnderTest relay = relay(intake, "http://relay:" + PASSWORD + "@127.0.0.1:" + closed,
                     "fips-relay.upstream.health { interval = 100ms, fall = 2 }")) {
            RawResponse r = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (System.nanoTime() < deadline) {
                r = RawHttpClient.exchange(relay.port(), post(1));
                if (r.status() == 503) {
                    break;
                }
                Thread.sleep(100);
            }
            assertThat(r.status()).as(r.bodyText()).isEqualTo(503);
            assertThat(r.bodyText()).contains("no healthy address for [metrics.agent.ddog-gov.com:" + intake.port() + "]")
                    .contains("metrics.agent.ddog-gov.com via proxy http://relay:***@127.0.0.1:" + closed + " (127.0.0.1:" + closed + ") DOWN")
                    .contains("proxy http://relay:***@127.0.0.1:" + closed)
                    .doesNotContain(PASSWORD);
            assertThat(relay.metrics.upstreamStates()).as("metrics., api. and flare. all behind the proxy").hasSize(3)
                    .allSatisfy(s -> {
                        assertThat(s.address()).isEqualTo("127.0.0.1:" + closed);
                        assertThat(s.via()).isEqualTo("http://relay:***@127.0.0.1:" + closed);
                    })
                    .filteredOn(s -> s.server().startsWith("metrics.agent.")).singleElement().satisfies(s -> {
                        assertThat(s.up()).isFalse();
                        assertThat(s.lastError()).contains("proxy http://relay:***@127.0.0.1:" + closed).containsIgnoringCase("refused");
                    });
        }
    }

    @Test
    void the_proxys_own_name_is_resolved_with_dns_hosts_like_any_host_reached_directly() throws Exception {
        try (RecordingIntake intake = RecordingIntake.builder(identity).start();
             ConnectProxy proxy = ConnectProxy.start();
             RelayUnderTest relay = relay(intake, "http://egress-proxy.corp.example:" + proxy.port(),
                     "fips-relay.dns.hosts { \"egress-proxy.corp.example\" = \"127.0.0.1\" }")) {
            assertThat(RawHttpClient.exchange(relay.port(), post(1)).status()).isEqualTo(202);
            assertThat(proxy.connects()).singleElement()
                    .satisfies(c -> assertThat(c.target()).isEqualTo("metrics.agent.ddog-gov.com:" + intake.port()));
        }
    }

    @Test
    void a_non_fips_intake_behind_the_proxy_is_still_refused() throws Exception {
        try (RecordingIntake intake = RecordingIntake.builder(identity)
                     .cipherSuites("TLS_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256").start();
             ConnectProxy proxy = ConnectProxy.start();
             RelayUnderTest relay = relay(intake, proxy.url(), "")) {
            RawResponse r = RawHttpClient.exchange(relay.port(), post(1));
            assertThat(r.status()).isEqualTo(502);
            assertThat(r.bodyText()).contains("no FIPS-approved TLS parameters in common")
                    .contains("via proxy " + proxy.url());
            assertThat(proxy.tunnels()).as("the tunnel itself was fine").isEqualTo(1);
            Thread.sleep(200);
            assertThat(intake.requests()).isEmpty();
        }
    }

    @Test
    void an_x25519_only_openssl_intake_behind_the_proxy_gets_no_application_data() throws Exception {
        try (OpenSslServer intake = OpenSslServer.start(identity, List.of("-groups", "X25519"));
             ConnectProxy proxy = ConnectProxy.start();
             RelayUnderTest relay = RelayUnderTest.start(ca, intake.port(), "fips-relay.upstream.proxy.url = \"" + proxy.url() + "\"")) {
            RawResponse r = RawHttpClient.exchange(relay.port(), post(1));
            assertThat(r.status()).isEqualTo(502);
            assertThat(r.bodyText()).contains("TLS handshake");
            assertThat(proxy.connects()).singleElement()
                    .satisfies(c -> assertThat(c.target()).isEqualTo("metrics.agent.ddog-gov.com:" + intake.port()));
            assertThat(intake.awaitApplicationData(Duration.ofMillis(300))).isFalse();
        }
    }

    @Test
    void a_wrong_certificate_behind_the_proxy_is_refused_against_the_intakes_name() throws Exception {
        try (RecordingIntake intake = RecordingIntake.builder(pki.issue(KeyType.EC_P256, "intake.example.com")).start();
             ConnectProxy proxy = ConnectProxy.start();
             RelayUnderTest relay = relay(intake, proxy.url(), "")) {
            RawResponse r = RawHttpClient.exchange(relay.port(), post(1));
            assertThat(r.status()).isEqualTo(502);
            assertThat(r.bodyText()).contains("certificate does not match host");
            assertThat(intake.requests()).isEmpty();
        }
    }

    private static void assertProxyFailure(RawResponse r, int status, String cause) {
        assertThat(r.status()).as(r.bodyText()).isEqualTo(status);
        assertThat(r.header("Content-Type")).isEqualTo("application/json");
        assertThat(r.bodyText()).contains("\"product\":\"metrics\"")
                .contains("\"upstream\":\"metrics.agent.ddog-gov.com:")
                .contains(cause)
                .doesNotContain(PASSWORD);
    }

    /** What the intake saw of two deliveries: the same method, target, header fields in order and body. */
    private static void assertSameDelivery(RecordedRequest a, RecordedRequest b) {
        assertThat(a.method()).isEqualTo(b.method());
        assertThat(a.target()).isEqualTo(b.target());
        assertThat(a.headers()).isEqualTo(b.headers());
        assertThat(a.body()).isEqualTo(b.body());
        assertThat(a.sni()).isEqualTo(b.sni());
        assertThat(new String(a.body(), StandardCharsets.UTF_8)).isEqualTo("{}");
    }
}
