package io.fipsrelay.core.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.fipsrelay.testkit.ConnectProxy;
import io.fipsrelay.testkit.KeyType;
import io.fipsrelay.testkit.RawHttpClient;
import io.fipsrelay.testkit.RawResponse;
import io.fipsrelay.testkit.RecordedRequest;
import io.fipsrelay.testkit.RecordingIntake;
import io.fipsrelay.testkit.ServerIdentity;
import io.fipsrelay.testkit.TestPki;
import io.fipsrelay.testkit.TinyproxyServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Through Debian's real tinyproxy (started by the test, ConnectPort for the intake only, BasicAuth):
 * its own log shows the CONNECT named the intake, and the intake receives the request exactly as
 * without the proxy. tinyproxy hands CONNECTs to a loopback testkit proxy (its Upstream directive)
 * so the intakes' real names never reach DNS; one test lets tinyproxy resolve "localhost" itself.
 */
@Timeout(60)
class TinyproxyEgressTest {

    static final String PASSWORD = "tiny-s3cret";

    @TempDir
    static Path dir;
    static TestPki pki;
    static ServerIdentity identity;
    static Path ca;

    @BeforeAll
    static void pki() throws Exception {
        pki = TestPki.create("fips-relay test CA");
        identity = pki.issue(KeyType.EC_P256, "*.agent.ddog-gov.com", "*.ddog-gov.com", "localhost");
        ca = pki.writeCaPem(dir.resolve("ca.pem"));
    }

    static byte[] agentRequest(String id) {
        String body = "{\"series\":[{\"metric\":\"system.load.1\",\"points\":[[1700000000,0.5]]}]}";
        return ("POST /api/v2/series?api_key=abc HTTP/1.1\r\nHost: localhost:9804\r\nDD-API-KEY: 0123456789abcdef\r\n"
                + "Content-Type: application/json\r\nUser-Agent: datadog-agent/7.60.0\r\nX-Test-Request-Id: " + id + "\r\n"
                + "Content-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.ISO_8859_1);
    }

    static RawResponse send(int port, byte[] request) throws Exception {
        try (RawHttpClient agent = RawHttpClient.connect(port)) {
            agent.send(request);
            return agent.readResponse();
        }
    }

    @Test
    void an_agent_request_through_tinyproxy_reaches_the_intake_exactly_as_directly() throws Exception {
        try (RecordingIntake intake = RecordingIntake.builder(identity).start();
             ConnectProxy loopback = ConnectProxy.start();
             TinyproxyServer tinyproxy = TinyproxyServer.builder().connectPort(intake.port())
                     .basicAuth("relay", PASSWORD).upstream(loopback).start();
             RelayUnderTest viaProxy = RelayUnderTest.start(ca, intake.port(),
                     "fips-relay.upstream.proxy.url = \"" + tinyproxy.url("relay:" + PASSWORD) + "\"");
             RelayUnderTest direct = RelayUnderTest.start(ca, intake.port(), "")) {
            assertThat(send(viaProxy.port(), agentRequest("same")).status()).isEqualTo(202);
            assertThat(send(direct.port(), agentRequest("same")).status()).isEqualTo(202);

            assertThat(tinyproxy.awaitConnectRequests(1, Duration.ofSeconds(5)))
                    .containsExactly("CONNECT metrics.agent.ddog-gov.com:" + intake.port() + " HTTP/1.1");
            List<RecordedRequest> both = intake.awaitRequests(2, Duration.ofSeconds(10));
            RecordedRequest proxied = both.get(0);
            RecordedRequest plain = both.get(1);
            assertThat(proxied.method()).isEqualTo(plain.method());
            assertThat(proxied.target()).isEqualTo(plain.target()).isEqualTo("/api/v2/series?api_key=abc");
            assertThat(proxied.headers()).isEqualTo(plain.headers());
            assertThat(proxied.body()).isEqualTo(plain.body());
            assertThat(proxied.sni()).isEqualTo(plain.sni()).isEqualTo("metrics.agent.ddog-gov.com");
            assertThat(proxied.tlsProtocol()).isEqualTo(plain.tlsProtocol());
            assertThat(proxied.cipherSuite()).isEqualTo(plain.cipherSuite());
            assertThat(tinyproxy.log()).doesNotContain(PASSWORD).doesNotContain("0123456789abcdef");
        }
    }

    @Test
    void tinyproxy_refusing_the_credentials_gets_the_agent_a_502_proxy_authentication_required() throws Exception {
        try (RecordingIntake intake = RecordingIntake.builder(identity).start();
             ConnectProxy loopback = ConnectProxy.start();
             TinyproxyServer tinyproxy = TinyproxyServer.builder().connectPort(intake.port())
                     .basicAuth("relay", "the-right-one").upstream(loopback).start();
             RelayUnderTest relay = RelayUnderTest.start(ca, intake.port(),
                     "fips-relay.upstream.proxy.url = \"" + tinyproxy.url("relay:" + PASSWORD) + "\"")) {
            RawResponse r = send(relay.port(), agentRequest("denied"));

            assertThat(r.status()).isEqualTo(502);
            assertThat(r.bodyText()).contains("proxy authentication required: proxy http://relay:***@127.0.0.1:" + tinyproxy.port())
                    .doesNotContain(PASSWORD);
            assertThat(tinyproxy.awaitConnectRequests(1, Duration.ofSeconds(5))).hasSize(1);
            assertThat(loopback.connects()).isEmpty();
            assertThat(intake.requests()).isEmpty();
        }
    }

    @Test
    void tinyproxy_refusing_a_port_outside_connect_port_gets_the_agent_a_502_with_its_403() throws Exception {
        try (RecordingIntake intake = RecordingIntake.builder(identity).start();
             ConnectProxy loopback = ConnectProxy.start();
             TinyproxyServer tinyproxy = TinyproxyServer.builder().connectPort(intake.port() == 443 ? 444 : 443)
                     .upstream(loopback).start();
             RelayUnderTest relay = RelayUnderTest.start(ca, intake.port(),
                     "fips-relay.upstream.proxy.url = \"" + tinyproxy.url(null) + "\"")) {
            RawResponse r = send(relay.port(), agentRequest("port"));

            assertThat(r.status()).isEqualTo(502);
            assertThat(r.bodyText()).contains("proxy http://127.0.0.1:" + tinyproxy.port() + " refused CONNECT metrics.agent.ddog-gov.com:"
                    + intake.port() + " with 403 Access violation");
        }
    }

    @Test
    void tinyproxy_resolving_the_intake_name_itself_tunnels_to_it() throws Exception {
        try (RecordingIntake intake = RecordingIntake.builder(identity).start();
             TinyproxyServer tinyproxy = TinyproxyServer.builder().connectPort(intake.port()).start();
             RelayUnderTest relay = RelayUnderTest.start(ca, intake.port(),
                     "fips-relay.upstream.proxy.url = \"" + tinyproxy.url(null) + "\"\n"
                             + "fips-relay.products.metrics.servers = [\"localhost:" + intake.port() + "\"]")) {
            assertThat(send(relay.port(), agentRequest("local")).status()).isEqualTo(202);
            assertThat(tinyproxy.awaitConnectRequests(1, Duration.ofSeconds(5)))
                    .containsExactly("CONNECT localhost:" + intake.port() + " HTTP/1.1");
            RecordedRequest r = intake.awaitRequests(1, Duration.ofSeconds(10)).get(0);
            assertThat(r.sni()).isEqualTo("localhost");
            assertThat(r.header("Host")).isEqualTo("localhost:" + intake.port());
            assertThat(r.header("DD-API-KEY")).isEqualTo("0123456789abcdef");
            assertThat(relay.metrics.product("metrics").proxiedRequests.getCount()).isEqualTo(1);
        }
    }

    @Test
    void requests_of_one_agent_connection_share_one_tunnel_through_tinyproxy() throws Exception {
        try (RecordingIntake intake = RecordingIntake.builder(identity).start();
             ConnectProxy loopback = ConnectProxy.start();
             TinyproxyServer tinyproxy = TinyproxyServer.builder().connectPort(intake.port()).upstream(loopback).start();
             RelayUnderTest relay = RelayUnderTest.start(ca, intake.port(),
                     "fips-relay.upstream.proxy.url = \"" + tinyproxy.url(null) + "\"");
             RawHttpClient agent = RawHttpClient.connect(relay.port())) {
            for (int i = 0; i < 3; i++) {
                agent.send(agentRequest("keep-" + i));
                assertThat(agent.readResponse().status()).isEqualTo(202);
            }
            assertThat(intake.awaitRequests(3, Duration.ofSeconds(10))).hasSize(3);
            assertThat(tinyproxy.connectRequests()).hasSize(1);
            assertThat(intake.deliveriesById()).isEqualTo(Map.of("keep-0", 1, "keep-1", 1, "keep-2", 1));
        }
    }
}
