package io.fipsrelay.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The testkit's CONNECT proxy and the tinyproxy fixture, driven with plain sockets against a
 * loopback echo server. tinyproxy must be installed (.ci/run installs it); without it the
 * tinyproxy tests fail with an install hint, they are never skipped.
 */
@Timeout(30)
class ProxyFixturesTest {

    private ServerSocket echo;
    private Thread echoThread;

    @BeforeEach
    void echoServer() throws IOException {
        echo = new ServerSocket();
        echo.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        echoThread = new Thread(() -> {
            while (!echo.isClosed()) {
                try {
                    Socket s = echo.accept();
                    new Thread(() -> {
                        try (s) {
                            s.getInputStream().transferTo(s.getOutputStream());
                        } catch (IOException e) {
                            // client gone
                        }
                    }).start();
                } catch (IOException e) {
                    return;
                }
            }
        });
        echoThread.setDaemon(true);
        echoThread.start();
    }

    @AfterEach
    void stopEcho() throws IOException {
        echo.close();
    }

    static String connect(Socket s, String target, String authorization) throws IOException {
        s.setSoTimeout(5_000);
        OutputStream out = s.getOutputStream();
        out.write(("CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n"
                + (authorization == null ? "" : "Proxy-Authorization: " + authorization + "\r\n") + "\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return readHead(s.getInputStream());
    }

    static String readHead(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0) {
            sb.append((char) b);
            if (sb.toString().endsWith("\r\n\r\n")) {
                break;
            }
        }
        return sb.toString();
    }

    static String echoThrough(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        byte[] back = s.getInputStream().readNBytes(text.length());
        return new String(back, StandardCharsets.US_ASCII);
    }

    static String basic(String userColonPassword) {
        return "Basic " + Base64.getEncoder().encodeToString(userColonPassword.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void the_testkit_proxy_tunnels_any_name_to_loopback_and_records_the_connect() throws Exception {
        try (ConnectProxy proxy = ConnectProxy.start();
             Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
            assertThat(connect(s, "metrics.agent.ddog-gov.com:" + echo.getLocalPort(), null)).startsWith("HTTP/1.1 200 ");
            assertThat(echoThrough(s, "ping")).isEqualTo("ping");
            assertThat(proxy.connects()).singleElement().satisfies(c -> {
                assertThat(c.requestLine()).isEqualTo("CONNECT metrics.agent.ddog-gov.com:" + echo.getLocalPort() + " HTTP/1.1");
                assertThat(c.target()).isEqualTo("metrics.agent.ddog-gov.com:" + echo.getLocalPort());
            });
            assertThat(proxy.tunnels()).isEqualTo(1);
        }
    }

    @Test
    void the_testkit_proxy_asks_for_credentials_when_told_to() throws Exception {
        try (ConnectProxy proxy = ConnectProxy.start().requireCredentials("relay", "s3cret")) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
                assertThat(connect(s, "a.example:" + echo.getLocalPort(), null))
                        .startsWith("HTTP/1.1 407 ").contains("Proxy-Authenticate: Basic");
            }
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
                assertThat(connect(s, "a.example:" + echo.getLocalPort(), basic("relay:s3cret"))).startsWith("HTTP/1.1 200 ");
                assertThat(proxy.connects().get(1).header("proxy-authorization")).isEqualTo(basic("relay:s3cret"));
            }
        }
    }

    @Test
    void the_testkit_proxy_plays_each_fault() throws Exception {
        try (ConnectProxy proxy = ConnectProxy.start()) {
            proxy.behave(ConnectProxy.Behaviour.answer(403, "Forbidden"));
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
                assertThat(connect(s, "a.example:" + echo.getLocalPort(), null)).startsWith("HTTP/1.1 403 Forbidden\r\n");
            }
            proxy.behave(ConnectProxy.Behaviour.answer(502, "Bad Gateway").once());
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
                assertThat(connect(s, "a.example:" + echo.getLocalPort(), null)).startsWith("HTTP/1.1 502 Bad Gateway\r\n");
            }
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
                assertThat(connect(s, "a.example:" + echo.getLocalPort(), null)).as("once: back to tunnelling").startsWith("HTTP/1.1 200 ");
            }
            proxy.behave(ConnectProxy.Behaviour.neverAnswer());
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
                s.setSoTimeout(300);
                s.getOutputStream().write("CONNECT a.example:1 HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                long start = System.nanoTime();
                try {
                    int b = s.getInputStream().read();
                    assertThat(b).as("no answer, and the connection held open").isEqualTo(-2);
                } catch (SocketTimeoutException expected) {
                    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
                }
            }
            proxy.behave(ConnectProxy.Behaviour.closeTunnelAfter(10));
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
                assertThat(connect(s, "a.example:" + echo.getLocalPort(), null)).startsWith("HTTP/1.1 200 ");
                s.getOutputStream().write("0123456789abcdefghij".getBytes(StandardCharsets.US_ASCII));
                byte[] back = s.getInputStream().readAllBytes();
                assertThat(new String(back, StandardCharsets.US_ASCII)).as("only the first 10 bytes went through")
                        .isIn("0123456789", "");
            }
            assertThat(proxy.tunnelledClientBytes()).isEqualTo(10);
        }
    }

    @Test
    void tinyproxy_tunnels_with_basic_auth_and_logs_the_connect_line() throws Exception {
        try (TinyproxyServer tinyproxy = TinyproxyServer.builder().connectPort(echo.getLocalPort())
                .basicAuth("relay", "s3cret").start()) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), tinyproxy.port())) {
                assertThat(connect(s, "localhost:" + echo.getLocalPort(), basic("relay:s3cret"))).matches("(?s)HTTP/1\\.[01] 200 .*");
                assertThat(echoThrough(s, "ping")).isEqualTo("ping");
            }
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), tinyproxy.port())) {
                assertThat(connect(s, "localhost:" + echo.getLocalPort(), basic("relay:wrong")))
                        .as("tinyproxy answers wrong credentials with 401, missing ones with 407").contains(" 401 ");
            }
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), tinyproxy.port())) {
                assertThat(connect(s, "localhost:" + (echo.getLocalPort() == 65535 ? 1 : echo.getLocalPort() + 1),
                        basic("relay:s3cret"))).contains(" 403 ");
            }
            assertThat(tinyproxy.awaitConnectRequests(3, Duration.ofSeconds(5))).startsWith(
                    "CONNECT localhost:" + echo.getLocalPort() + " HTTP/1.1",
                    "CONNECT localhost:" + echo.getLocalPort() + " HTTP/1.1");
        }
    }

    @Test
    void tinyproxy_hands_names_to_the_loopback_upstream_unresolved_and_stops_when_closed() throws Exception {
        TinyproxyServer stopped;
        try (ConnectProxy upstream = ConnectProxy.start();
             TinyproxyServer tinyproxy = TinyproxyServer.builder().connectPort(echo.getLocalPort()).upstream(upstream).start()) {
            stopped = tinyproxy;
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), tinyproxy.port())) {
                assertThat(connect(s, "metrics.agent.ddog-gov.com:" + echo.getLocalPort(), null)).matches("(?s)HTTP/1\\.[01] 200 .*");
                assertThat(echoThrough(s, "ping")).isEqualTo("ping");
            }
            assertThat(tinyproxy.connectRequests())
                    .containsExactly("CONNECT metrics.agent.ddog-gov.com:" + echo.getLocalPort() + " HTTP/1.1");
            assertThat(upstream.connects()).singleElement()
                    .satisfies(c -> assertThat(c.target()).isEqualTo("metrics.agent.ddog-gov.com:" + echo.getLocalPort()));
        }
        assertThat(stopped.isAlive()).isFalse();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), stopped.port()), 500);
            assertThat(s.isConnected()).as("tinyproxy's port is closed after close()").isFalse();
        } catch (IOException expected) {
            assertThat(expected).hasMessageContaining("refused");
        }
    }
}
