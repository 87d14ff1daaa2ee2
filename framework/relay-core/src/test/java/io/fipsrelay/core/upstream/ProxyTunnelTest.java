package io.fipsrelay.core.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fipsrelay.core.settings.HostAndPort;
import io.fipsrelay.core.settings.ProxyEndpoint;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The CONNECT exchange as a state machine: bytes in, an outcome out, no sockets. */
@Timeout(30)
class ProxyTunnelTest {

    static final HostAndPort INTAKE = new HostAndPort("metrics.agent.ddog-gov.com", 443);
    static final InetSocketAddress KEY = InetSocketAddress.createUnresolved("metrics.agent.ddog-gov.com", 443);
    static final ProxyEndpoint PLAIN = ProxyEndpoint.parse("http://proxy.corp.example:3128", false);
    static final ProxyEndpoint WITH_CREDENTIALS = ProxyEndpoint.parse("http://relay:s3cret@proxy.corp.example:3128", false);

    static ProxyTunnel requested(ProxyEndpoint proxy) {
        ProxyTunnel t = new ProxyTunnel(proxy, INTAKE, KEY);
        t.connectRequest();
        return t;
    }

    static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    static String text(ByteBuffer b) {
        return StandardCharsets.ISO_8859_1.decode(b).toString();
    }

    @Test
    void the_request_names_the_intake_not_an_address() {
        assertThat(text(new ProxyTunnel(PLAIN, INTAKE, KEY).connectRequest())).isEqualTo(
                "CONNECT metrics.agent.ddog-gov.com:443 HTTP/1.1\r\n"
                        + "Host: metrics.agent.ddog-gov.com:443\r\n\r\n");
    }

    @Test
    void credentials_go_out_as_basic_proxy_authorization() {
        String expected = Base64.getEncoder().encodeToString("relay:s3cret".getBytes(StandardCharsets.UTF_8));
        assertThat(text(new ProxyTunnel(WITH_CREDENTIALS, INTAKE, KEY).connectRequest())).isEqualTo(
                "CONNECT metrics.agent.ddog-gov.com:443 HTTP/1.1\r\n"
                        + "Host: metrics.agent.ddog-gov.com:443\r\n"
                        + "Proxy-Authorization: Basic " + expected + "\r\n\r\n");
    }

    @Test
    void an_ipv6_intake_is_bracketed() {
        assertThat(text(new ProxyTunnel(PLAIN, new HostAndPort("2001:db8::5", 8443), KEY).connectRequest()))
                .startsWith("CONNECT [2001:db8::5]:8443 HTTP/1.1\r\nHost: [2001:db8::5]:8443\r\n");
    }

    @Test
    void a_2xx_answer_arriving_byte_by_byte_establishes_the_tunnel() {
        ProxyTunnel t = requested(PLAIN);
        String answer = "HTTP/1.1 200 Connection established\r\nProxy-Agent: tinyproxy/1.11.1\r\n\r\n";
        for (int i = 0; i < answer.length() - 1; i++) {
            assertThat(t.feed(bytes(answer.substring(i, i + 1))).state()).isEqualTo(ProxyTunnel.State.NEED_MORE);
        }
        ProxyTunnel.Result r = t.feed(bytes(answer.substring(answer.length() - 1)));
        assertThat(r.state()).isEqualTo(ProxyTunnel.State.ESTABLISHED);
        assertThat(r.failure()).isNull();
        assertThat(t.state()).isEqualTo(ProxyTunnel.State.ESTABLISHED);
    }

    @Test
    void an_http_1_0_answer_and_interim_answers_are_accepted() {
        ProxyTunnel t = requested(PLAIN);
        assertThat(t.feed(bytes("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 200 OK\r\n\r\n")).state())
                .isEqualTo(ProxyTunnel.State.ESTABLISHED);
    }

    @Test
    void bytes_after_the_2xx_head_are_a_protocol_error_not_the_start_of_tls() {
        ProxyTunnel.Result r = requested(PLAIN).feed(bytes("HTTP/1.1 200 OK\r\n\r\n\u0016\u0003\u0003"));
        assertThat(r.state()).isEqualTo(ProxyTunnel.State.FAILED);
        assertThat(r.failure().status()).isEqualTo(502);
        assertThat(r.failure().kind()).isEqualTo("proxy-protocol");
        assertThat(r.failure().getMessage()).isEqualTo("proxy http://proxy.corp.example:3128 sent 3 bytes after its 200"
                + " answer to CONNECT metrics.agent.ddog-gov.com:443, before the intake's TLS handshake began");
    }

    @Test
    void a_407_is_proxy_authentication_required_naming_the_proxy_without_the_password() {
        ProxyTunnel.Result r = requested(WITH_CREDENTIALS).feed(bytes(
                "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"corp\"\r\n"
                        + "Content-Length: 5\r\n\r\ndeny!"));
        assertThat(r.state()).isEqualTo(ProxyTunnel.State.FAILED);
        UpstreamFailure f = r.failure();
        assertThat(f.status()).isEqualTo(502);
        assertThat(f.kind()).isEqualTo("proxy-auth");
        assertThat(f.retryable()).as("a 407 is never retried").isFalse();
        assertThat(f.address()).isEqualTo(KEY);
        assertThat(f.getMessage()).isEqualTo("proxy authentication required: proxy http://relay:***@proxy.corp.example:3128"
                + " answered CONNECT metrics.agent.ddog-gov.com:443 with 407 Proxy Authentication Required"
                + " (it refused the credentials in upstream.proxy.url)").doesNotContain("s3cret");
    }

    @Test
    void a_407_without_credentials_says_the_url_has_none() {
        assertThat(requested(PLAIN).feed(bytes("HTTP/1.1 407 Nope\r\n\r\n")).failure().getMessage())
                .endsWith("with 407 Nope (upstream.proxy.url has no user:password)");
    }

    @Test
    void a_401_is_proxy_authentication_required_too_as_tinyproxy_answers_wrong_credentials() {
        UpstreamFailure f = requested(WITH_CREDENTIALS).feed(bytes("HTTP/1.0 401 Unauthorized\r\n\r\n")).failure();
        assertThat(f.kind()).isEqualTo("proxy-auth");
        assertThat(f.getMessage()).startsWith("proxy authentication required: ").contains("with 401 Unauthorized");
    }

    @Test
    void a_403_is_the_proxys_access_rules() {
        UpstreamFailure f = requested(PLAIN).feed(bytes("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")).failure();
        assertThat(f.status()).isEqualTo(502);
        assertThat(f.kind()).isEqualTo("proxy-forbidden");
        assertThat(f.getMessage()).isEqualTo("proxy http://proxy.corp.example:3128 refused CONNECT"
                + " metrics.agent.ddog-gov.com:443 with 403 Forbidden (its access rules do not allow this host or port)");
    }

    @Test
    void any_other_status_is_quoted() {
        UpstreamFailure f = requested(PLAIN).feed(bytes("HTTP/1.1 502 Unable to connect\u0001\r\n\r\n")).failure();
        assertThat(f.kind()).as("a control byte in the reason phrase is a malformed answer").isEqualTo("proxy-protocol");
        UpstreamFailure g = requested(PLAIN).feed(bytes("HTTP/1.1 503 Service Unavailable\r\n\r\n")).failure();
        assertThat(g.status()).isEqualTo(502);
        assertThat(g.kind()).isEqualTo("proxy-status");
        assertThat(g.getMessage()).isEqualTo("proxy http://proxy.corp.example:3128 answered CONNECT"
                + " metrics.agent.ddog-gov.com:443 with 503 Service Unavailable");
    }

    @Test
    void a_malformed_answer_is_a_protocol_failure() {
        UpstreamFailure bareLf = requested(PLAIN).feed(bytes("HTTP/1.1 200 OK\n\n")).failure();
        assertThat(bareLf.kind()).isEqualTo("proxy-protocol");
        assertThat(bareLf.getMessage()).contains("malformed answer to CONNECT metrics.agent.ddog-gov.com:443: bare LF");
        UpstreamFailure tls = requested(PLAIN).feed(bytes("\u0016\u0003\u0001\u0000")).failure();
        assertThat(tls.kind()).isEqualTo("proxy-protocol");
        UpstreamFailure huge = requested(PLAIN).feed(bytes("HTTP/1.1 200 OK\r\nX: " + "a".repeat(20_000))).failure();
        assertThat(huge.kind()).isEqualTo("proxy-protocol");
    }

    @Test
    void the_outcome_does_not_change_once_reached() {
        ProxyTunnel t = requested(PLAIN);
        t.feed(bytes("HTTP/1.1 403 Forbidden\r\n\r\n"));
        assertThat(t.feed(bytes("HTTP/1.1 200 OK\r\n\r\n")).failure().kind()).isEqualTo("proxy-forbidden");
    }

    @Test
    void transport_failures_name_the_proxy_and_the_intake() {
        ProxyTunnel t = requested(PLAIN);
        UpstreamFailure refused = t.connectFailed(true, "connection refused");
        assertThat(refused.kind()).isEqualTo("proxy-refused");
        assertThat(refused.status()).isEqualTo(502);
        assertThat(refused.getMessage()).isEqualTo("proxy http://proxy.corp.example:3128 refused the connection"
                + " (connection refused) for CONNECT metrics.agent.ddog-gov.com:443");
        UpstreamFailure unreachable = t.connectFailed(false, "connect timed out");
        assertThat(unreachable.kind()).isEqualTo("proxy-unreachable");
        assertThat(unreachable.status()).isEqualTo(502);
        UpstreamFailure timeout = t.timedOut(Duration.ofSeconds(5));
        assertThat(timeout.status()).isEqualTo(504);
        assertThat(timeout.kind()).isEqualTo("proxy-timeout");
        assertThat(timeout.getMessage()).isEqualTo("proxy http://proxy.corp.example:3128 did not answer CONNECT"
                + " metrics.agent.ddog-gov.com:443 within 5000 ms");
        assertThat(requested(PLAIN).closedBeforeAnswer().kind()).isEqualTo("proxy-closed");
        assertThat(ProxyTunnel.Cause.of(timeout)).isEqualTo(ProxyTunnel.Cause.TIMEOUT);
        assertThat(ProxyTunnel.Cause.of(new UpstreamFailure(502, "tls", "x"))).isNull();
    }

    @Test
    void feeding_before_the_request_or_requesting_twice_is_a_programming_error() {
        ProxyTunnel t = new ProxyTunnel(PLAIN, INTAKE, KEY);
        assertThatThrownBy(() -> t.feed(bytes("HTTP/1.1 200 OK\r\n\r\n"))).isInstanceOf(IllegalStateException.class);
        t.connectRequest();
        assertThatThrownBy(t::connectRequest).isInstanceOf(IllegalStateException.class);
    }
}
