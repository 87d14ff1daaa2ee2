package io.fipsrelay.core.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.fipsrelay.testkit.KeyType;
import io.fipsrelay.testkit.RawHttpClient;
import io.fipsrelay.testkit.RawResponse;
import io.fipsrelay.testkit.ServerIdentity;
import io.fipsrelay.testkit.TestPki;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * {@code listen.tls}: agents speaking HTTPS to the product ports, checked with clients of more than
 * one TLS stack (the JDK's SunJSSE, OpenSSL's s_client and curl). The relay's side is BCJSSE in
 * FIPS mode with the upstream policy: offers outside it are refused whatever the client. The wrong
 * protocol on a port (TLS on a plain one, plain HTTP on a TLS one) is counted and logged with the
 * hint that fixes it.
 */
@Timeout(60)
class AgentTlsListenerTest {

    @RegisterExtension
    static final RelayBehindIntake relays = RelayBehindIntake.perTest();

    static Path dir;
    static TestPki agentCa;
    static Path ca;
    static Path cert;
    static Path key;
    static Path clientCa;
    static ServerIdentity agentClient;
    static ServerIdentity strangerClient;
    static TestPki otherCa;

    final ListAppender<ILoggingEvent> log = new ListAppender<>();

    @BeforeAll
    static void certificates() throws IOException {
        dir = Files.createTempDirectory("agent-tls");
        agentCa = TestPki.create("relay listener CA");
        ServerIdentity relayIdentity = agentCa.issue(KeyType.EC_P256, "127.0.0.1", "localhost");
        ca = agentCa.writeCaPem(dir.resolve("ca.pem"));
        cert = relayIdentity.writeChainPem(dir.resolve("relay.pem"));
        key = relayIdentity.writeKeyPem(dir.resolve("relay.key"));
        clientCa = ca; // agents' certificates come from the same CA here
        agentClient = agentCa.issueClient(KeyType.EC_P256, "agent-1");
        otherCa = TestPki.create("some other CA");
        strangerClient = otherCa.issueClient(KeyType.EC_P256, "stranger");
    }

    @AfterAll
    static void removeFiles() throws IOException {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @BeforeEach
    void captureLog() {
        log.start();
        ((Logger) LoggerFactory.getLogger(ListenerMismatch.class)).addAppender(log);
    }

    @AfterEach
    void releaseLog() {
        ((Logger) LoggerFactory.getLogger(ListenerMismatch.class)).detachAppender(log);
    }

    static String tlsOn(String more) {
        return "fips-relay.listen.tls { enabled = true, cert-file = \"" + cert + "\", key-file = \"" + key + "\"" + more + " }\n";
    }

    /** The intake behind the relay a test started last. */
    private RelayUnderTest.WithIntake last;

    RelayUnderTest startRelay(String settings) throws Exception {
        last = relays.start(b -> b, settings);
        return last.relay();
    }

    RelayUnderTest tlsRelay() throws Exception {
        return startRelay(tlsOn(""));
    }

    io.fipsrelay.testkit.RecordingIntake intake() {
        return last.intake();
    }

    // ---------------------------------------------------------------- the JDK's client (SunJSSE)

    @Test
    void a_jdk_client_over_tls_1_3_is_relayed_and_keeps_its_connection_alive() throws Exception {
        RelayUnderTest relay = tlsRelay();
        try (SSLSocket socket = jdkClient(relay.port(), agentCa.clientSslContext(), "TLSv1.3", null);
             RawHttpClient agent = RawHttpClient.over(socket)) {
            for (int i = 0; i < 3; i++) {
                RawResponse answer = agent.post("/api/v2/series", java.util.Map.of("DD-API-KEY", "k"),
                        "{}".getBytes(StandardCharsets.UTF_8)).readResponse();
                assertThat(answer.status()).isEqualTo(202);
            }
            assertThat(socket.getSession().getProtocol()).isEqualTo("TLSv1.3");
        }
        assertThat(relay.metrics.agentHandshakes()).isEqualTo(1);
        assertThat(relay.metrics.registry().getMeters()).containsKey("fips-relay.agent-tls.handshakes.TLSv1.3.TLS_AES_256_GCM_SHA384");
    }

    @Test
    void a_jdk_client_over_tls_1_2_with_an_ecdhe_gcm_suite_is_relayed() throws Exception {
        RelayUnderTest relay = tlsRelay();
        try (SSLSocket socket = jdkClient(relay.port(), agentCa.clientSslContext(), "TLSv1.2",
                "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
             RawHttpClient agent = RawHttpClient.over(socket)) {
            assertThat(agent.send("GET /api/v1/validate HTTP/1.1\r\nHost: localhost\r\n\r\n").readResponse().status())
                    .isEqualTo(202);
        }
        assertThat(relay.metrics.registry().getMeters())
                .containsKey("fips-relay.agent-tls.handshakes.TLSv1.2.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
    }

    @Test
    void pipelined_requests_over_tls_are_answered_in_order() throws Exception {
        RelayUnderTest relay = tlsRelay();
        try (SSLSocket socket = jdkClient(relay.port(), agentCa.clientSslContext(), "TLSv1.3", null);
             RawHttpClient agent = RawHttpClient.over(socket)) {
            agent.send("POST /api/v2/series HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\n\r\n{}"
                    + "GET /api/v1/validate HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assertThat(agent.readResponse().status()).isEqualTo(202);
            assertThat(agent.readResponse().status()).isEqualTo(202);
        }
        assertThat(intake().requests()).hasSize(2);
    }

    @Test
    void a_jdk_client_offering_only_chacha20_is_refused() throws Exception {
        RelayUnderTest relay = tlsRelay();
        assertThatThrownBy(() -> handshake(relay.port(), agentCa.clientSslContext(), "TLSv1.3", "TLS_CHACHA20_POLY1305_SHA256"))
                .isInstanceOf(SSLException.class);
        awaitFailure(relay, "handshake-failure");
    }

    @Test
    void a_jdk_client_offering_only_cbc_suites_is_refused() throws Exception {
        RelayUnderTest relay = tlsRelay();
        assertThatThrownBy(() -> handshake(relay.port(), agentCa.clientSslContext(), "TLSv1.2",
                "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"))
                .isInstanceOf(SSLException.class);
        awaitFailure(relay, "handshake-failure");
    }

    // ---------------------------------------------------------------- OpenSSL: s_client and curl

    @Test
    void openssl_s_client_over_tls_1_3_and_1_2_is_relayed() throws Exception {
        RelayUnderTest relay = tlsRelay();
        for (String version : List.of("-tls1_3", "-tls1_2")) {
            Run run = sClient(relay.port(), List.of(version),
                    "POST /api/v2/series HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
            assertThat(run.out).as(version).contains("Verify return code: 0 (ok)").contains("HTTP/1.1 202");
        }
    }

    @Test
    void openssl_offering_only_tls_1_1_is_refused() throws Exception {
        RelayUnderTest relay = tlsRelay();
        Run run = sClient(relay.port(), List.of("-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"), "GET / HTTP/1.1\r\n\r\n");
        assertThat(run.out).doesNotContain("HTTP/1.1");
        assertThat(run.exit).isNotZero();
        awaitFailure(relay, "protocol-version");
    }

    @Test
    void openssl_offering_only_x25519_is_refused() throws Exception {
        RelayUnderTest relay = tlsRelay();
        Run run = sClient(relay.port(), List.of("-groups", "X25519"), "GET / HTTP/1.1\r\n\r\n");
        assertThat(run.out).doesNotContain("HTTP/1.1");
        assertThat(run.exit).isNotZero();
        awaitFailure(relay, "handshake-failure");
    }

    @Test
    void openssl_offering_only_chacha20_is_refused() throws Exception {
        RelayUnderTest relay = tlsRelay();
        Run run = sClient(relay.port(), List.of("-tls1_3", "-ciphersuites", "TLS_CHACHA20_POLY1305_SHA256"), "GET / HTTP/1.1\r\n\r\n");
        assertThat(run.out).doesNotContain("HTTP/1.1");
        assertThat(run.exit).isNotZero();
    }

    @Test
    void curl_posts_over_tls_verifying_the_relay_certificate() throws Exception {
        RelayUnderTest relay = tlsRelay();
        Run run = run(List.of("curl", "-sS", "--cacert", ca.toString(), "-o", "/dev/null", "-w", "%{http_code} %{ssl_verify_result}",
                "-H", "Content-Type: application/json", "-d", "{}", "https://127.0.0.1:" + relay.port() + "/api/v2/series"), "");
        assertThat(run.out).isEqualTo("202 0");
        assertThat(intake().requests()).hasSize(1);
    }

    // ---------------------------------------------------------------- mTLS

    @Test
    void with_a_client_ca_an_agent_certificate_from_it_is_accepted() throws Exception {
        RelayUnderTest relay = startRelay(tlsOn(", client-ca-file = \"" + clientCa + "\""));
        try (SSLSocket socket = jdkClient(relay.port(), agentClient.clientSslContext(agentCa.trustStore()), "TLSv1.3", null);
             RawHttpClient agent = RawHttpClient.over(socket)) {
            assertThat(agent.send("GET /api/v1/validate HTTP/1.1\r\nHost: localhost\r\n\r\n").readResponse().status())
                    .isEqualTo(202);
        }
        Path clientCert = agentClient.writeCertPem(dir.resolve("agent.pem"));
        Path clientKey = agentClient.writeKeyPem(dir.resolve("agent.key"));
        Run curl = run(List.of("curl", "-sS", "--cacert", ca.toString(), "--cert", clientCert.toString(), "--key", clientKey.toString(),
                "-o", "/dev/null", "-w", "%{http_code}", "-d", "{}", "https://localhost:" + relay.port() + "/api/v2/series"), "");
        assertThat(curl.out).isEqualTo("202");
    }

    @Test
    void with_a_client_ca_an_agent_without_a_certificate_is_refused() throws Exception {
        RelayUnderTest relay = startRelay(tlsOn(", client-ca-file = \"" + clientCa + "\""));
        assertThatThrownBy(() -> exchangeOnce(relay.port(), agentCa.clientSslContext()))
                .isInstanceOf(IOException.class);
        Run curl = run(List.of("curl", "-sS", "--cacert", ca.toString(), "-o", "/dev/null", "-w", "%{http_code}",
                "-d", "{}", "https://localhost:" + relay.port() + "/api/v2/series"), "");
        assertThat(curl.exit).isNotZero();
        assertThat(intake().requests()).isEmpty();
        awaitFailure(relay, "certificate-required");
    }

    @Test
    void with_a_client_ca_an_agent_certificate_from_another_ca_is_refused() throws Exception {
        RelayUnderTest relay = startRelay(tlsOn(", client-ca-file = \"" + clientCa + "\""));
        assertThatThrownBy(() -> exchangeOnce(relay.port(), strangerClient.clientSslContext(agentCa.trustStore())))
                .isInstanceOf(IOException.class);
        assertThat(intake().requests()).isEmpty();
        awaitFailure(relay, "certificate-unknown");
    }

    // ---------------------------------------------------------------- the two sides disagree

    @Test
    void tls_on_a_plain_port_is_closed_counted_and_logged_once_with_the_hint() throws Exception {
        RelayUnderTest relay = startRelay("");
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> handshake(relay.port(), agentCa.clientSslContext(), "TLSv1.3", null))
                    .isInstanceOf(IOException.class);
        }
        awaitError(relay, "tls-on-plain-port", 3);
        List<String> lines = log.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).matches("metrics \\(127\\.0\\.0\\.1:" + relay.port() + "\\): an agent at 127\\.0\\.0\\.1:\\d+"
                + " opened TLS on this plain-HTTP port; set fips\\.https: false in datadog\\.yaml \\(DD_FIPS_HTTPS=false\\),"
                + " or enable listen\\.tls");
        assertThat(intake().requests()).isEmpty();
        // The agent fixed: plain HTTP gets through, and the next TLS attempt is a new episode, logged again.
        assertThat(RawHttpClient.exchange(relay.port(), "GET /api/v1/validate HTTP/1.1\r\nHost: localhost\r\n\r\n").status())
                .isEqualTo(202);
        assertThatThrownBy(() -> handshake(relay.port(), agentCa.clientSslContext(), "TLSv1.3", null)).isInstanceOf(IOException.class);
        awaitError(relay, "tls-on-plain-port", 4);
        assertThat(log.list).hasSize(2);
    }

    @Test
    void plain_http_on_a_tls_port_gets_a_400_naming_the_fix_and_is_logged_with_the_reverse_hint() throws Exception {
        RelayUnderTest relay = tlsRelay();
        RawResponse answer = RawHttpClient.exchange(relay.port(), "POST /api/v2/series HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\n\r\n{}");
        assertThat(answer.status()).isEqualTo(400);
        assertThat(new String(answer.body(), StandardCharsets.UTF_8)).contains("set fips.https: true");
        awaitError(relay, "plain-http-on-tls-port", 1);
        assertThat(log.list).singleElement().extracting(ILoggingEvent::getFormattedMessage).asString()
                .matches("metrics \\(127\\.0\\.0\\.1:" + relay.port() + "\\): an agent at 127\\.0\\.0\\.1:\\d+ sent plain HTTP"
                        + " to this TLS port; set fips\\.https: true in datadog\\.yaml \\(DD_FIPS_HTTPS=true\\), or disable listen\\.tls");
        Run curl = run(List.of("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:" + relay.port() + "/api/v2/series"), "");
        assertThat(curl.out).isEqualTo("400");
        assertThat(intake().requests()).isEmpty();
    }

    // ---------------------------------------------------------------- the strict HTTP policy and limits over TLS

    @Test
    void the_http_policy_answers_over_tls_as_over_plain_http() throws Exception {
        RelayUnderTest plain = startRelay("fips-relay.limits.max-body = 1KiB\n");
        RelayUnderTest relay = startRelay(tlsOn("") + "fips-relay.limits.max-body = 1KiB\n");
        List<String> cases = List.of(
                "POST /api/v2/series HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n",
                "POST /api/v2/series HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5000\r\n\r\n",
                "BREW /api/v2/series HTTP/1.1\r\nHost: localhost\r\n\r\n",
                "GET /api/v1/validate HTTP/1.1\r\nHost: localhost\r\nX-Big: " + "a".repeat(70_000) + "\r\n\r\n");
        for (String request : cases) {
            RawResponse overPlain = RawHttpClient.exchange(plain.port(), request);
            RawResponse overTls;
            try (SSLSocket socket = jdkClient(relay.port(), agentCa.clientSslContext(), "TLSv1.3", null);
                 RawHttpClient agent = RawHttpClient.over(socket)) {
                overTls = agent.send(request).readResponse();
            }
            assertThat(overTls.status()).as(request.lines().findFirst().orElse("")).isEqualTo(overPlain.status());
            assertThat(new String(overTls.body(), StandardCharsets.UTF_8)).isEqualTo(new String(overPlain.body(), StandardCharsets.UTF_8));
        }
        assertThat(intake().requests()).isEmpty();
    }

    @Test
    void a_head_that_does_not_complete_in_time_gets_408_over_tls_as_over_plain_http() throws Exception {
        RelayUnderTest relay = startRelay(tlsOn("") + "fips-relay.limits.header-timeout = 300ms\n");
        try (SSLSocket socket = jdkClient(relay.port(), agentCa.clientSslContext(), "TLSv1.3", null);
             RawHttpClient agent = RawHttpClient.over(socket)) {
            RawResponse answer = agent.send("POST /api/v2/series HTTP/1.1\r\nHost: local").readResponse();
            assertThat(answer.status()).isEqualTo(408);
            assertThat(answer.header("Connection")).isEqualTo("close");
        }
        assertThat(intake().requests()).isEmpty();
    }

    // ---------------------------------------------------------------- handshake deadline and cap

    @Test
    void a_connection_that_never_completes_its_handshake_is_closed_at_the_deadline() throws Exception {
        RelayUnderTest relay = startRelay(tlsOn(", handshake-timeout = 300ms"));
        try (Socket idle = new Socket()) {
            idle.connect(new InetSocketAddress("127.0.0.1", relay.port()));
            idle.setSoTimeout(20_000);
            assertThat(idle.getInputStream().read()).isEqualTo(-1);
        }
        awaitFailure(relay, "timeout");
        assertThat(relay.engine.agentHandshakesInProgress()).isZero();
    }

    @Test
    void connections_beyond_the_cap_on_handshakes_in_progress_are_closed_at_once() throws Exception {
        RelayUnderTest relay = startRelay(tlsOn(", max-handshakes = 1"));
        try (Socket holding = new Socket("127.0.0.1", relay.port())) {
            awaitInProgress(relay, 1);
            try (Socket second = new Socket("127.0.0.1", relay.port())) {
                second.setSoTimeout(20_000);
                assertThat(second.getInputStream().read()).isEqualTo(-1);
            }
            awaitFailure(relay, "too-many-handshakes");
        }
        // The held one gone, handshakes are admitted again.
        awaitInProgress(relay, 0);
        assertThat(exchangeOnce(relay.port(), agentCa.clientSslContext()).status()).isEqualTo(202);
    }

    // ---------------------------------------------------------------- rotation on reload

    @Test
    void a_certificate_rotated_by_reload_is_shown_to_new_connections_while_a_kept_alive_one_stays_up() throws Exception {
        RelayUnderTest relay = tlsRelay();
        try (SSLSocket kept = jdkClient(relay.port(), agentCa.clientSslContext(), "TLSv1.3", null);
             RawHttpClient agent = RawHttpClient.over(kept)) {
            assertThat(agent.send("GET /api/v1/validate HTTP/1.1\r\nHost: localhost\r\n\r\n").readResponse().status()).isEqualTo(202);
            java.security.cert.Certificate before = kept.getSession().getPeerCertificates()[0];

            ServerIdentity rotated = agentCa.issue(KeyType.EC_P256, "127.0.0.1", "localhost");
            rotated.writeChainPem(cert);
            rotated.writeKeyPem(key);
            var next = io.fipsrelay.core.settings.SettingsLoader.withCoreDefaults().environment(java.util.Map.of())
                    .addProducts(List.of(RelayUnderTest.METRICS), com.typesafe.config.ConfigFactory.empty())
                    .load(io.fipsrelay.core.settings.SettingsLoader.parseString(relay.hocon()));
            relay.engine.apply(next, io.fipsrelay.core.tls.FipsTlsContext.create(next.tls()));

            assertThat(agent.send("GET /api/v1/validate HTTP/1.1\r\nHost: localhost\r\n\r\n").readResponse().status()).isEqualTo(202);
            try (SSLSocket fresh = jdkClient(relay.port(), agentCa.clientSslContext(), "TLSv1.3", null)) {
                fresh.startHandshake();
                assertThat(fresh.getSession().getPeerCertificates()[0]).isEqualTo(rotated.certificate()).isNotEqualTo(before);
            }
            assertThat(agent.send("GET /api/v1/validate HTTP/1.1\r\nHost: localhost\r\n\r\n").readResponse().status()).isEqualTo(202);
        }
    }

    // ---------------------------------------------------------------- helpers

    static SSLSocket jdkClient(int port, SSLContext context, String protocol, String suite) throws IOException {
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port);
        socket.setSoTimeout(20_000);
        socket.setEnabledProtocols(new String[] {protocol});
        if (suite != null) {
            socket.setEnabledCipherSuites(new String[] {suite});
        }
        javax.net.ssl.SSLParameters p = socket.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        socket.setSSLParameters(p);
        return socket;
    }

    static void handshake(int port, SSLContext context, String protocol, String suite) throws IOException {
        try (SSLSocket socket = jdkClient(port, context, protocol == null ? "TLSv1.3" : protocol, suite)) {
            socket.startHandshake();
            // TLS 1.3 clients finish before the server has checked their certificate: a read shows the verdict.
            socket.getOutputStream().write("GET /api/v1/validate HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            if (socket.getInputStream().read() < 0) {
                throw new IOException("closed by the relay");
            }
        }
    }

    static RawResponse exchangeOnce(int port, SSLContext context) throws IOException {
        try (SSLSocket socket = jdkClient(port, context, "TLSv1.3", null); RawHttpClient agent = RawHttpClient.over(socket)) {
            return agent.send("GET /api/v1/validate HTTP/1.1\r\nHost: localhost\r\n\r\n").readResponse();
        }
    }

    record Run(int exit, String out) {
    }

    static Run sClient(int port, List<String> options, String request) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port,
                "-CAfile", ca.toString(), "-verify_return_error", "-ign_eof"));
        command.addAll(options);
        return run(command, request);
    }

    static Run run(List<String> command, String stdin) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            // The client already gave up (a refused handshake): its output says why.
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream o = p.getInputStream()) {
            o.transferTo(out);
        }
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("%s finished", command).isTrue();
        return new Run(p.exitValue(), out.toString(StandardCharsets.UTF_8));
    }

    static void awaitFailure(RelayUnderTest relay, String cause) throws InterruptedException {
        await(() -> relay.metrics.agentHandshakeFailures().getOrDefault(cause, 0L) > 0,
                () -> "agent handshake failures " + relay.metrics.agentHandshakeFailures() + " lack " + cause);
    }

    static void awaitError(RelayUnderTest relay, String cause, long count) throws InterruptedException {
        await(() -> relay.metrics.product("metrics").errorCounts().getOrDefault(cause, 0L) == count,
                () -> "errors " + relay.metrics.product("metrics").errorCounts() + ", expected " + cause + " = " + count);
    }

    static void awaitInProgress(RelayUnderTest relay, int n) throws InterruptedException {
        await(() -> relay.engine.agentHandshakesInProgress() == n,
                () -> relay.engine.agentHandshakesInProgress() + " handshakes in progress, expected " + n);
    }

    static void await(java.util.function.BooleanSupplier condition, java.util.function.Supplier<String> last)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(last.get());
            }
            Thread.sleep(20);
        }
    }
}
