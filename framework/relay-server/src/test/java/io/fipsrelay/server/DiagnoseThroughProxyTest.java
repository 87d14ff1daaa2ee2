package io.fipsrelay.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.fipsrelay.testkit.ConnectProxy;
import io.fipsrelay.testkit.FreePorts;
import io.fipsrelay.testkit.KeyType;
import io.fipsrelay.testkit.RecordingIntake;
import io.fipsrelay.testkit.TestPki;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code fips-relay diagnose} takes the egress proxy the way requests do, and names it (redacted) in every line. */
@Timeout(60)
class DiagnoseThroughProxyTest {

    @TempDir
    static Path dir;
    static Path plugins;
    static Path ca;
    static RecordingIntake intake;

    @BeforeAll
    static void intakeAndPlugin() throws Exception {
        plugins = Files.createDirectories(dir.resolve("plugins"));
        TestPlugins.products(plugins.resolve("alpha.jar"), "alpha-plugin", "Product.of(\"alpha\", 1, \"alpha.agent\")",
                "fips-relay.products.alpha { enabled = true, port = null, servers = [] }\n");
        TestPki pki = TestPki.create("diagnose test CA");
        ca = pki.writeCaPem(dir.resolve("ca.pem"));
        intake = RecordingIntake.builder(pki.issue(KeyType.EC_P256, "*.agent.ddog-gov.com")).start();
    }

    @AfterAll
    static void stop() {
        intake.close();
    }

    @Test
    void through_the_proxy_diagnose_adds_a_proxy_step_and_never_shows_the_password() throws Exception {
        try (ConnectProxy proxy = ConnectProxy.start().requireCredentials("relay", "pr0xy-pw")) {
            Result r = diagnose("http://relay:pr0xy-pw@127.0.0.1:" + proxy.port());

            assertThat(r.exit).as(r.out).isZero();
            String shown = "http://relay:***@127.0.0.1:" + proxy.port();
            assertThat(r.out).contains("egress proxy: " + shown + " (from upstream.proxy.url)")
                    .containsPattern("(?m)^alpha +alpha\\.agent\\.ddog-gov\\.com:" + intake.port() + " +127\\.0\\.0\\.1:" + proxy.port()
                            + " +PASS +DNS +\\d+ ms \\(proxy " + java.util.regex.Pattern.quote(shown)
                            + "; the proxy resolves alpha\\.agent\\.ddog-gov\\.com\\)$")
                    .containsPattern("(?m)PASS +PROXY +\\d+ ms CONNECT alpha\\.agent\\.ddog-gov\\.com:" + intake.port()
                            + " answered 2xx by proxy " + java.util.regex.Pattern.quote(shown) + "$")
                    .containsPattern("(?m)PASS +TLS +.*TLSv1\\.[23] TLS_")
                    .containsPattern("(?m)PASS +HTTP ")
                    .contains("RESULT: PASS")
                    .doesNotContain("pr0xy-pw");
            assertThat(proxy.connects()).singleElement().satisfies(c -> {
                assertThat(c.target()).isEqualTo("alpha.agent.ddog-gov.com:" + intake.port());
                assertThat(c.header("Proxy-Authorization")).isEqualTo("Basic "
                        + Base64.getEncoder().encodeToString("relay:pr0xy-pw".getBytes(StandardCharsets.UTF_8)));
            });
        }
    }

    @Test
    void a_407_fails_the_proxy_step_naming_the_proxy() throws Exception {
        try (ConnectProxy proxy = ConnectProxy.start().requireCredentials("relay", "right")) {
            Result r = diagnose("http://relay:wrong-pw@127.0.0.1:" + proxy.port());

            assertThat(r.exit).isEqualTo(1);
            assertThat(r.out).containsPattern("(?m)FAIL +PROXY +proxy authentication required: proxy http://relay:\\*\\*\\*@127\\.0\\.0\\.1:"
                            + proxy.port() + " answered CONNECT alpha\\.agent\\.ddog-gov\\.com:" + intake.port() + " with 407 ")
                    .doesNotContain("wrong-pw")
                    .contains("RESULT: FAIL");
        }
    }

    @Test
    void a_proxy_that_refuses_connections_fails_the_tcp_step_naming_the_proxy() throws Exception {
        int closed = FreePorts.pick();
        Result r = diagnose("http://relay:pw-secret@127.0.0.1:" + closed);

        assertThat(r.exit).isEqualTo(1);
        assertThat(r.out).containsPattern("(?m)FAIL +TCP +proxy http://relay:\\*\\*\\*@127\\.0\\.0\\.1:" + closed + ": connection refused$")
                .doesNotContain("pw-secret");
    }

    @Test
    void a_proxy_that_never_answers_fails_the_proxy_step_with_the_timeout() throws Exception {
        try (ConnectProxy proxy = ConnectProxy.start().behave(ConnectProxy.Behaviour.neverAnswer())) {
            Result r = diagnose("http://127.0.0.1:" + proxy.port(), "--timeout", "500");

            assertThat(r.exit).isEqualTo(1);
            assertThat(r.out).containsPattern("(?m)FAIL +PROXY +proxy http://127\\.0\\.0\\.1:" + proxy.port()
                    + " did not answer CONNECT alpha\\.agent\\.ddog-gov\\.com:" + intake.port() + " within 500 ms$");
        }
    }

    private Result diagnose(String proxyUrl, String... extra) throws IOException {
        Path conf = Files.writeString(Files.createTempFile(dir, "fips-relay", ".conf"), """
                fips-relay {
                  tls.ca-file = "%s"
                  upstream.port = %d
                  upstream.proxy.url = "%s"
                  # Would send the probe nowhere useful if diagnose resolved intake names itself: the proxy does.
                  dns.hosts { "*.ddog-gov.com" = "127.0.0.2" }
                }
                """.formatted(ca, intake.port(), proxyUrl));
        String[] args = new String[4 + 2 + extra.length];
        args[0] = "diagnose";
        args[1] = "--config";
        args[2] = conf.toString();
        args[3] = "--plugins-dir";
        args[4] = plugins.toString();
        args[5] = "--product=alpha";
        System.arraycopy(extra, 0, args, 6, extra.length);
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        int exit;
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            exit = FipsRelayCommand.commandLine().setErr(new PrintWriter(err, true)).execute(args);
        } finally {
            System.setOut(original);
        }
        return new Result(exit, captured.toString(StandardCharsets.UTF_8) + err);
    }

    private record Result(int exit, String out) {
    }
}
