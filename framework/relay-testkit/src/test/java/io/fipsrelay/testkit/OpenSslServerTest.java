package io.fipsrelay.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Needs the openssl binary; without it these tests fail with an install hint (they are never skipped). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OpenSslServerTest {

    private static TestPki pki;
    private static ServerIdentity identity;

    @BeforeAll
    static void pki() {
        pki = TestPki.create("openssl test CA");
        identity = pki.issue(KeyType.EC_P256, "localhost", "127.0.0.1");
    }

    @Test
    void an_x25519_only_server_starts_and_accepts_tcp() throws Exception {
        try (OpenSslServer server = OpenSslServer.start(identity, List.of("-groups", "X25519"))) {
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
                assertThat(socket.isConnected()).isTrue();
            }
            assertThat(server.isAlive()).isTrue();
        }
    }

    @Test
    void a_jdk_client_handshakes_over_x25519_and_its_request_shows_up_as_application_data() throws Exception {
        try (OpenSslServer server = OpenSslServer.start(identity, List.of("-groups", "X25519"))) {
            assertThat(server.receivedApplicationData()).isFalse();

            try (SSLSocket socket = (SSLSocket) pki.clientSslContext().getSocketFactory()
                    .createSocket(InetAddress.getLoopbackAddress(), server.port())) {
                socket.startHandshake();
                assertThat(socket.getSession().getProtocol()).isEqualTo("TLSv1.3");
                socket.getOutputStream().write("POST /api HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n"
                        .getBytes(StandardCharsets.ISO_8859_1));
                socket.getOutputStream().flush();

                assertThat(server.awaitApplicationData(Duration.ofSeconds(10)))
                        .as("s_server output:%n%s", server.output()).isTrue();
            }
            assertThat(server.output()).contains("POST /api HTTP/1.1");
        }
    }

    @Test
    void a_server_that_cannot_start_fails_with_its_output() {
        assertThatThrownBy(() -> OpenSslServer.start(identity, List.of("-no-such-option")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("exited")
                .hasMessageContaining("no-such-option");
    }

    @Test
    void the_openssl_binary_is_present() {
        assertThat(OpenSslServer.opensslVersion()).startsWith("OpenSSL");
    }
}
