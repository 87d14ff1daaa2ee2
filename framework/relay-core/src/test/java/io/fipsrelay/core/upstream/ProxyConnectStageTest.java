package io.fipsrelay.core.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.fipsrelay.core.settings.HostAndPort;
import io.fipsrelay.core.settings.ProxyEndpoint;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.service.IoHandlerAdapter;
import org.apache.mina.core.session.DummySession;
import org.apache.mina.core.session.IoSession;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The CONNECT step on a session (MINA's DummySession, no socket): what it writes and whom it tells. */
@Timeout(30)
class ProxyConnectStageTest {

    static final HostAndPort INTAKE = new HostAndPort("trace.agent.ddog-gov.com", 443);
    static final ProxyEndpoint PROXY = ProxyEndpoint.parse("http://relay:pw@proxy.corp.example:3128", false);

    DummySession session;
    final List<String> written = new ArrayList<>();
    final List<String> outcomes = new ArrayList<>();
    ProxyConnectStage stage;

    @BeforeEach
    void stage() {
        session = new DummySession();
        session.setHandler(new IoHandlerAdapter() {
            @Override
            public void messageSent(IoSession s, Object message) {
                IoBuffer b = (IoBuffer) message;
                written.add(StandardCharsets.ISO_8859_1.decode(b.buf().duplicate().rewind()).toString());
            }
        });
        stage = new ProxyConnectStage(new ProxyTunnel(PROXY, INTAKE, new InetSocketAddress("127.0.0.1", 3128)), session,
                new ProxyConnectStage.Outcome() {
                    @Override
                    public void tunnelEstablished() {
                        outcomes.add("established");
                    }

                    @Override
                    public void tunnelFailed(UpstreamFailure failure) {
                        outcomes.add(failure.status() + " " + failure.kind());
                    }
                });
    }

    static IoBuffer bytes(String s) {
        return IoBuffer.wrap(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void start_writes_the_connect_and_a_2xx_hands_the_session_to_tls_once() {
        stage.start();
        assertThat(written).singleElement().asString().startsWith("CONNECT trace.agent.ddog-gov.com:443 HTTP/1.1\r\n")
                .contains("Proxy-Authorization: Basic ");
        stage.received(bytes("HTTP/1.1 200 Connection"));
        assertThat(stage.isOpen()).isFalse();
        stage.received(bytes(" established\r\n\r\n"));
        assertThat(stage.isOpen()).isTrue();
        stage.answerDeadlinePassed(Duration.ofSeconds(5));
        stage.closed();
        assertThat(outcomes).containsExactly("established");
        assertThat(session.isClosing()).isFalse();
    }

    @Test
    void a_refusal_is_reported_once_and_the_session_closed() {
        stage.start();
        stage.received(bytes("HTTP/1.1 407 Proxy Authentication Required\r\n\r\n"));
        stage.received(bytes("HTTP/1.1 200 OK\r\n\r\n"));
        stage.closed();
        assertThat(outcomes).containsExactly("502 proxy-auth");
        assertThat(stage.isOpen()).isFalse();
        assertThat(session.isClosing()).isTrue();
    }

    @Test
    void no_answer_by_the_deadline_is_a_504_and_a_late_answer_changes_nothing() {
        stage.start();
        stage.answerDeadlinePassed(Duration.ofMillis(750));
        stage.received(bytes("HTTP/1.1 200 OK\r\n\r\n"));
        assertThat(outcomes).containsExactly("504 proxy-timeout");
        assertThat(stage.isOpen()).isFalse();
    }

    @Test
    void the_proxy_hanging_up_before_answering_is_reported() {
        stage.start();
        stage.received(bytes("HTTP/1.1 20"));
        stage.closed();
        assertThat(outcomes).containsExactly("502 proxy-closed");
    }
}
