package io.fipsrelay.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.fipsrelay.core.settings.RelaySettings;
import io.fipsrelay.core.settings.SettingsLoader;
import io.fipsrelay.testkit.KeyType;
import io.fipsrelay.testkit.RawHttpClient;
import io.fipsrelay.testkit.ServerIdentity;
import io.fipsrelay.testkit.TestPki;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code listen.tls} in the program: a relay started with it serves agents over TLS, a reload
 * (SIGHUP) shows a rotated certificate to new connections while kept-alive ones stay up, a bad
 * pair is refused by reload and check-config with its key path, and agent-config and diagnose
 * tell the agent which {@code fips.https} to use.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class AgentTlsServerTest {

    static TestPki agentCa;
    @TempDir
    static Path shared;
    @TempDir
    Path dir;

    @BeforeAll
    static void ca() {
        agentCa = TestPki.create("agent listener CA");
    }

    static String tlsBlock(Path cert, Path key) {
        return "fips-relay.listen.tls { enabled = true, cert-file = \"" + cert + "\", key-file = \"" + key + "\" }\n";
    }

    @Test
    void a_certificate_rotated_by_reload_reaches_new_connections_while_a_kept_alive_one_stays_up() throws Exception {
        ServerIdentity first = agentCa.issue(KeyType.EC_P256, "127.0.0.1");
        Path cert = first.writeChainPem(dir.resolve("relay.pem"));
        Path key = first.writeKeyPem(dir.resolve("relay.key"));
        try (RelayWithPlugins relay = RelayWithPlugins.start(dir, plugins -> TestPlugins.products(plugins.resolve("alpha.jar"),
                "alpha-plugin", "Product.of(\"alpha\", 1, \"alpha-intake\")", ""), tlsBlock(cert, key));
             LogCapture log = new LogCapture();
             SSLSocket kept = client(relay.port("alpha"));
             RawHttpClient agent = RawHttpClient.over(kept)) {
            assertThat(validate(agent)).isEqualTo(202);
            assertThat(kept.getSession().getPeerCertificates()[0]).isEqualTo(first.certificate());

            ServerIdentity second = agentCa.issue(KeyType.EC_P256, "127.0.0.1");
            second.writeChainPem(cert);
            second.writeKeyPem(key);
            assertThat(relay.server.reload()).isTrue();

            assertThat(validate(agent)).as("the kept-alive connection after the reload").isEqualTo(202);
            try (SSLSocket fresh = client(relay.port("alpha")); RawHttpClient other = RawHttpClient.over(fresh)) {
                assertThat(validate(other)).isEqualTo(202);
                assertThat(fresh.getSession().getPeerCertificates()[0]).isEqualTo(second.certificate());
            }
            assertThat(log.lines()).anyMatch(l -> l.startsWith("INFO listen.tls: new agent connections are shown CN=127.0.0.1"));

            // A key that is not the certificate's: the reload is refused and the running pair stays.
            agentCa.issue(KeyType.EC_P256, "127.0.0.1").writeKeyPem(key);
            assertThat(relay.server.reload()).isFalse();
            assertThat(log.lines()).anyMatch(l -> l.startsWith("ERROR reload refused, the running configuration stays: "
                    + "fips-relay.listen.tls.key-file: " + key + " does not belong to the certificate"));
            try (SSLSocket fresh = client(relay.port("alpha")); RawHttpClient other = RawHttpClient.over(fresh)) {
                assertThat(validate(other)).isEqualTo(202);
                Certificate shown = fresh.getSession().getPeerCertificates()[0];
                assertThat(shown).isEqualTo(second.certificate());
            }
            assertThat(validate(agent)).isEqualTo(202);
        }
    }

    @Test
    void tls_on_a_plain_port_shows_as_an_error_of_the_product_in_status_json_and_metrics() throws Exception {
        try (RelayWithPlugins relay = RelayWithPlugins.start(dir, plugins -> TestPlugins.products(plugins.resolve("alpha.jar"),
                "alpha-plugin", "Product.of(\"alpha\", 1, \"alpha-intake\")", ""), "")) {
            try (SSLSocket socket = client(relay.port("alpha"))) {
                socket.startHandshake();
                throw new AssertionError("a TLS handshake on a plain port succeeded");
            } catch (IOException expected) {
                // closed by the relay
            }
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + relay.statusPort();
            Await.until(java.time.Duration.ofSeconds(20), "tls-on-plain-port in /metrics", () -> {
                try {
                    return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/metrics")).build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString()).body()
                            .contains("fips_relay_errors_total{cause=\"tls-on-plain-port\",plugin=\"alpha-plugin\",product=\"alpha\"} 1.0");
                } catch (IOException | InterruptedException e) {
                    throw new AssertionError(e);
                }
            });
            String status = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/status.json")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            assertThat(status).contains("\"tls-on-plain-port\":1");
        }
    }

    @Test
    void check_config_refuses_a_key_that_is_not_the_certificates_naming_the_key() throws IOException {
        ServerIdentity id = agentCa.issue(KeyType.EC_P256, "127.0.0.1");
        Path cert = id.writeChainPem(dir.resolve("relay.pem"));
        Path key = agentCa.issue(KeyType.EC_P256, "127.0.0.1").writeKeyPem(dir.resolve("relay.key"));
        Result r = run("check-config", "--config", conf(tlsBlock(cert, key)), "--plugins-dir", emptyPlugins().toString());
        assertThat(r.exit).isEqualTo(2);
        assertThat(r.err).contains("fips-relay.listen.tls.key-file: " + key + " does not belong to the certificate");
    }

    @Test
    void agent_config_with_listen_tls_prints_https_and_tls_verify_and_how_to_trust_the_ca() throws IOException {
        ServerIdentity id = agentCa.issue(KeyType.EC_P256, "127.0.0.1");
        Path cert = id.writeChainPem(dir.resolve("relay.pem"));
        Path key = id.writeKeyPem(dir.resolve("relay.key"));
        Result r = run("agent-config", "--config", conf(tlsBlock(cert, key)), "--plugins-dir", emptyPlugins().toString());
        assertThat(r.exit).isZero();
        assertThat(r.out).contains("""
                fips:
                  enabled: true
                  port_range_start: 9803
                  https: true
                  tls_verify: true
                  local_address: 127.0.0.1
                """).contains("DD_FIPS_HTTPS=true\nDD_FIPS_TLS_VERIFY=true\n")
                .contains("# the agent must trust the CA that issued " + cert + " (listen.tls.cert-file)")
                .contains("update-ca-certificates");
    }

    @Test
    void agent_config_without_listen_tls_says_why_https_is_false() throws IOException {
        Result r = run("agent-config", "--plugins-dir", emptyPlugins().toString());
        assertThat(r.exit).isZero();
        assertThat(r.out).contains("  https: false\n").doesNotContain("tls_verify")
                .contains("# https: false is required while listen.tls is off (the agent's own default is true).");
    }

    @Test
    void diagnose_names_the_agent_side_setting_for_plain_and_tls_listeners() throws Exception {
        ServerIdentity id = agentCa.issue(KeyType.EC_P256, "127.0.0.1");
        Path cert = id.writeChainPem(dir.resolve("relay.pem"));
        Path key = id.writeKeyPem(dir.resolve("relay.key"));
        assertThat(DiagnoseCommand.agentSide(settings("")))
                .contains("plain HTTP").contains("fips.https: false (DD_FIPS_HTTPS=false)").contains("errors.tls-on-plain-port");
        assertThat(DiagnoseCommand.agentSide(settings(tlsBlock(cert, key))))
                .contains("speak TLS").contains("fips.https: true").contains("fips.tls_verify: true").contains(cert.toString());
    }

    @Test
    void a_listen_address_beyond_loopback_warns_about_plain_http_unless_tls_is_on() throws Exception {
        ServerIdentity id = agentCa.issue(KeyType.EC_P256, "127.0.0.1");
        Path cert = id.writeChainPem(dir.resolve("relay.pem"));
        Path key = id.writeKeyPem(dir.resolve("relay.key"));
        try (LogCapture log = new LogCapture()) {
            RelayServer.warnIfNotLoopback(settings("fips-relay.listen.address = \"192.0.2.10\""));
            assertThat(log.lines()).singleElement().asString()
                    .startsWith("WARN listen.address is 192.0.2.10: the relay accepts plain HTTP from other hosts");
        }
        try (LogCapture log = new LogCapture()) {
            RelayServer.warnIfNotLoopback(settings("fips-relay.listen.address = \"192.0.2.10\"\n" + tlsBlock(cert, key)
                    + "fips-relay.listen.tls.client-ca-file = \"" + agentCa.writeCaPem(dir.resolve("ca.pem")) + "\"\n"));
            assertThat(log.lines()).noneMatch(l -> l.contains("accepts plain HTTP from other hosts"))
                    .anyMatch(l -> l.startsWith("INFO listen.address is 192.0.2.10: agents connect over TLS with a client certificate"))
                    .anyMatch(l -> l.startsWith("WARN the status port 192.0.2.10:9803 is plain HTTP on this address"));
        }
        try (LogCapture log = new LogCapture()) {
            RelayServer.warnIfNotLoopback(settings(""));
            assertThat(log.lines()).isEmpty();
        }
    }

    private static RelaySettings settings(String hocon) throws Exception {
        return SettingsLoader.withCoreDefaults().environment(Map.of())
                .addProducts(List.of(), com.typesafe.config.ConfigFactory.empty()).load(SettingsLoader.parseString(hocon));
    }

    private static int validate(RawHttpClient agent) throws IOException {
        return agent.send("GET /api/v1/validate HTTP/1.1\r\nHost: localhost\r\n\r\n").readResponse().status();
    }

    private static SSLSocket client(int port) throws IOException {
        SSLSocket socket = (SSLSocket) agentCa.clientSslContext().getSocketFactory().createSocket("127.0.0.1", port);
        socket.setSoTimeout(20_000);
        javax.net.ssl.SSLParameters p = socket.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        socket.setSSLParameters(p);
        return socket;
    }

    private Path emptyPlugins() throws IOException {
        return Files.createDirectories(dir.resolve("no-plugins"));
    }

    private String conf(String hocon) throws IOException {
        return Files.writeString(Files.createTempFile(dir, "fips-relay", ".conf"), hocon).toString();
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = FipsRelayCommand.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true)).execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    private record Result(int exit, String out, String err) {
    }
}
