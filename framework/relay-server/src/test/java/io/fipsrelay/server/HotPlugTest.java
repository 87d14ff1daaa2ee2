package io.fipsrelay.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.fipsrelay.core.fips.FipsBootstrap;
import io.fipsrelay.testkit.FreePorts;
import io.fipsrelay.testkit.KeyType;
import io.fipsrelay.testkit.RawHttpClient;
import io.fipsrelay.testkit.RawResponse;
import io.fipsrelay.testkit.RecordedRequest;
import io.fipsrelay.testkit.RecordingIntake;
import io.fipsrelay.testkit.TestPki;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plugin jars built in the test from sources outside the build, dropped into and removed from the
 * plugins folder of a running relay, with a real TLS intake behind it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HotPlugTest {

    private static final Logger LOG = LoggerFactory.getLogger(HotPlugTest.class);
    private static final Duration COME_UP = Duration.ofSeconds(5);

    @TempDir
    static Path dir;
    static Path plugins;
    static Path staging;
    static TestPki pki;
    static RecordingIntake intake;
    static RelayServer server;
    static int base;
    /** A keep-alive agent connection to the product present from the start, kept open across all tests. */
    static RawHttpClient alphaAgent;
    LogCapture log;

    @BeforeAll
    static void start() throws Exception {
        pki = TestPki.create("fips-relay hot plug test CA");
        intake = RecordingIntake.builder(pki.issue(KeyType.EC_P256, "*.ddog-gov.com")).start();
        plugins = Files.createDirectories(dir.resolve("plugins"));
        staging = Files.createDirectories(dir.resolve("staging"));
        TestPlugins.oneProduct(plugins.resolve("alpha.jar"), "alpha", "alpha", 1, "alpha-intake");
        TestPlugins.oneProduct(staging.resolve("zeta.jar"), "zeta", "zeta", 6, "zeta-intake");
        TestPlugins.copyInto(staging.resolve("zeta.jar"), plugins);
        base = FreePorts.pickRange(10);
        // zeta, present at start, is moved by the operator from its offset's port (base + 6) to base + 9.
        Path conf = Files.writeString(dir.resolve("fips-relay.conf"), """
                fips-relay {
                  listen.port-range-start = %d
                  tls.ca-file = "%s"
                  upstream.port = %d
                  dns.hosts { "*.ddog-gov.com" = "127.0.0.1" }
                  products.zeta.port = %d
                  # Shorter than the default (500ms) to keep the suite quick; HotPlugIT times the default.
                  plugins.scan-interval = 200ms
                }
                """.formatted(base, pki.writeCaPem(dir.resolve("ca.pem")), intake.port(), base + 9));
        server = RelayServer.start(RelayServer.Options.of(Optional.of(conf), plugins)
                .withProviderOrder(FipsBootstrap.ProviderOrder.APPENDED).withEnvironment(Map.of()));
        alphaAgent = RawHttpClient.connect(base + 1);
    }

    @AfterAll
    static void stop() throws IOException {
        if (alphaAgent != null) {
            alphaAgent.close();
        }
        if (server != null) {
            server.close();
        }
        if (intake != null) {
            intake.close();
        }
    }

    @BeforeEach
    void captureLog() {
        log = new LogCapture();
        intake.reset();
    }

    @AfterEach
    void alphaIsUntouched() throws IOException {
        log.close();
        assertThat(post(alphaAgent, "/api/v2/alpha")).as("the keep-alive connection to alpha").isEqualTo(202);
        assertThat(intake.requests()).last().extracting(RecordedRequest::sni).isEqualTo("alpha-intake.ddog-gov.com");
    }

    @Test
    void a_dropped_in_jar_opens_its_port_within_5s_and_relays_and_removing_it_closes_the_port() throws Exception {
        Path jar = TestPlugins.oneProduct(staging.resolve("beta.jar"), "beta", "beta", 2, "beta-intake");
        int port = base + 2;
        assertThat(Await.accepting(port)).isFalse();

        long copied = System.nanoTime();
        Path dropped = TestPlugins.copyInto(jar, plugins);
        Await.until(COME_UP, "port " + port + " of the dropped-in plugin accepting", () -> Await.accepting(port));
        long comeUpMillis = (System.nanoTime() - copied) / 1_000_000;
        LOG.info("hot-plugged product beta accepting {} ms after its jar was copied in", comeUpMillis);

        try (RawHttpClient agent = RawHttpClient.connect(port)) {
            assertThat(post(agent, "/api/v2/beta?x=1")).isEqualTo(202);
            RecordedRequest r = intake.awaitRequests(1, Duration.ofSeconds(10)).get(0);
            assertThat(r.target()).isEqualTo("/api/v2/beta?x=1");
            assertThat(r.sni()).isEqualTo("beta-intake.ddog-gov.com");
            assertThat(r.header("Host")).isEqualTo("beta-intake.ddog-gov.com:" + intake.port());
            assertThat(server.catalog().plugins()).extracting(PluginCatalog.LoadedPlugin::pluginId).contains("beta");

            Files.delete(dropped);
            Await.until(COME_UP, "port " + port + " closed after its jar was removed", () -> !Await.accepting(port));
            assertThat(agent.isClosedByPeer(Duration.ofSeconds(5))).as("idle connection of the removed product").isTrue();
        }
        // The log line comes last, after the plugin unloaded.
        Await.until(COME_UP, "beta's removal logged", () -> log.lines().stream()
                .anyMatch(l -> l.startsWith("INFO plugin beta removed with beta.jar: stopped [beta]")));
        assertThat(server.catalog().plugins()).extracting(PluginCatalog.LoadedPlugin::pluginId).doesNotContain("beta");
        assertThat(server.engine().boundAddresses()).doesNotContainKey("beta");
        assertThat(log.lines()).anyMatch(l -> l.startsWith("INFO plugin beta hot-plugged from beta.jar"));
    }

    @Test
    void a_jar_of_garbage_bytes_is_refused_with_a_log_line_naming_it() throws Exception {
        Path garbage = TestPlugins.garbage(plugins.resolve("x.jar"));
        Await.until(COME_UP, "x.jar refused", () -> refusedJars().contains(garbage));

        assertThat(log.lines()).anyMatch(l -> l.startsWith("ERROR plugin jar " + garbage + " refused: not a jar file"));
        assertThat(server.engine().boundAddresses()).containsKey("alpha");

        Files.delete(garbage);
        Await.until(COME_UP, "x.jar forgotten once removed", () -> !refusedJars().contains(garbage));
    }

    @Test
    void a_plugin_whose_product_takes_a_port_offset_already_served_is_refused() throws Exception {
        Path jar = TestPlugins.copyInto(
                TestPlugins.oneProduct(staging.resolve("clash.jar"), "clash", "gamma", 1, "gamma-intake"), plugins);
        Await.until(COME_UP, "clash.jar refused", () -> refusedJars().contains(jar));

        assertThat(server.catalog().refused()).filteredOn(r -> r.jar().equals(jar)).singleElement()
                .extracting(PluginCatalog.RefusedPlugin::reason).asString()
                .contains("port offset 1 of product gamma is already taken by alpha/alpha");
        assertThat(log.lines()).anyMatch(l -> l.startsWith("ERROR plugin jar " + jar + " refused: port offset 1"));
        assertThat(server.catalog().plugins()).extracting(PluginCatalog.LoadedPlugin::pluginId).doesNotContain("clash");
        Files.delete(jar);
    }

    @Test
    void a_plugin_whose_port_another_process_holds_is_refused_and_unloaded() throws Exception {
        int port = base + 4;
        try (ServerSocket squatter = new ServerSocket()) {
            squatter.bind(new InetSocketAddress("127.0.0.1", port));
            Path jar = TestPlugins.copyInto(
                    TestPlugins.oneProduct(staging.resolve("delta.jar"), "delta", "delta", 4, "delta-intake"), plugins);
            Await.until(COME_UP, "delta.jar refused", () -> refusedJars().contains(jar));

            assertThat(server.catalog().refused()).filteredOn(r -> r.jar().equals(jar)).singleElement()
                    .extracting(PluginCatalog.RefusedPlugin::reason).asString()
                    .contains("cannot bind 127.0.0.1:" + port + " for product delta");
            assertThat(server.catalog().plugins()).extracting(PluginCatalog.LoadedPlugin::pluginId).doesNotContain("delta");
            assertThat(server.engine().boundAddresses()).doesNotContainKey("delta");
            Files.delete(jar);
        }
    }

    @Test
    void a_jar_replaced_by_a_new_version_is_reloaded_with_its_new_declaration() throws Exception {
        int port = base + 5;
        Path v1 = TestPlugins.oneProduct(staging.resolve("epsilon.jar"), "epsilon", "epsilon", 5, "old-intake");
        Path jar = TestPlugins.copyInto(v1, plugins);
        Await.until(COME_UP, "epsilon v1 accepting", () -> Await.accepting(port));

        Path v2 = TestPlugins.oneProduct(staging.resolve("epsilon-v2.jar"), "epsilon", "epsilon", 5, "new-intake");
        // The documented way to replace a jar: write it elsewhere, then rename it over the old one.
        Files.move(v2, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Await.until(COME_UP, "epsilon reloaded", () -> log.lines().stream()
                .filter(l -> l.startsWith("INFO plugin epsilon hot-plugged")).count() == 2);

        assertThat(RawHttpClient.exchange(port, "POST /api/v2/e HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\n\r\n{}")
                .status()).isEqualTo(202);
        assertThat(intake.requests()).last().extracting(RecordedRequest::sni).isEqualTo("new-intake.ddog-gov.com");
        Files.delete(jar);
        Await.until(COME_UP, "epsilon port closed", () -> !Await.accepting(port));
    }

    @Test
    void a_plugin_gets_the_running_operator_settings_and_a_removed_ones_settings_do_not_block_others() throws Exception {
        int operatorsPort = base + 9;
        assertThat(Await.accepting(operatorsPort)).as("zeta on the port the operator gave it").isTrue();
        Path zeta = plugins.resolve("zeta.jar");
        Files.delete(zeta);
        Await.until(COME_UP, "zeta's port closed", () -> !Await.accepting(operatorsPort));

        // The operator's products.zeta block now names a product that is not loaded: still no reason to refuse eta.
        Path eta = TestPlugins.copyInto(TestPlugins.oneProduct(staging.resolve("eta.jar"), "eta", "eta", 3, "eta-intake"), plugins);
        Await.until(COME_UP, "eta accepting", () -> Await.accepting(base + 3));

        TestPlugins.copyInto(staging.resolve("zeta.jar"), plugins);
        Await.until(COME_UP, "zeta back on the operator's port", () -> Await.accepting(operatorsPort));
        assertThat(Await.accepting(base + 6)).as("not on its offset's port").isFalse();
        assertThat(RawHttpClient.exchange(operatorsPort, "POST /api/v2/z HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\n\r\n{}")
                .status()).isEqualTo(202);
        assertThat(intake.requests()).last().extracting(RecordedRequest::sni).isEqualTo("zeta-intake.ddog-gov.com");

        Files.delete(eta);
        Await.until(COME_UP, "eta's port closed", () -> !Await.accepting(base + 3));
    }

    private static List<Path> refusedJars() {
        return server.catalog().refused().stream().map(PluginCatalog.RefusedPlugin::jar).toList();
    }

    private static int post(RawHttpClient agent, String target) throws IOException {
        agent.post(target, Map.of("Content-Type", "application/json", "DD-API-KEY", "k"), "{}".getBytes(StandardCharsets.UTF_8));
        RawResponse response = agent.readResponse();
        return response.status();
    }

}
