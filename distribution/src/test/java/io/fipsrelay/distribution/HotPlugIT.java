package io.fipsrelay.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import io.fipsrelay.testkit.FreePorts;
import io.fipsrelay.testkit.PluginJarBuilder;
import io.fipsrelay.testkit.RawHttpClient;
import io.fipsrelay.testkit.RecordedRequest;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example third-party plugin, compiled here from plugins/example-product's sources against the
 * distribution's lib/relay-api and lib/pf4j jars only (docs/writing-a-plugin.md's javac route),
 * dropped into and removed from the plugins folder of a distribution running as its own process.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class HotPlugIT {

    private static final Duration COME_UP = Duration.ofSeconds(5);
    private static final int EXAMPLE_OFFSET = 20;

    @TempDir
    static Path dir;
    static StandInIntake standIn;
    static RelayProcess relay;
    static Path plugins;
    static Path exampleJar;
    static Path conf;
    static int base;

    @BeforeAll
    static void start() throws IOException {
        Path example = Path.of(System.getProperty("example-product.dir", "../plugins/example-product"));
        exampleJar = PluginJarBuilder.plugin("example-product")
                .classpath(Distribution.libJar("relay-api"), Distribution.libJar("pf4j"))
                .sourcesFrom(example.resolve("src/main/java"))
                .resourcesFrom(example.resolve("src/main/resources"))
                .build(dir.resolve("staging/example-product-1.0.0.jar"));

        // A copy of the shipped plugins folder: this test adds and removes jars in it.
        plugins = Files.createDirectories(dir.resolve("plugins"));
        try (Stream<Path> shipped = Files.list(Distribution.plugins())) {
            for (Path jar : shipped.toList()) {
                Files.copy(jar, plugins.resolve(jar.getFileName()));
            }
        }
        standIn = StandInIntake.start(dir);
        base = FreePorts.pickRange(EXAMPLE_OFFSET + 1);
        conf = standIn.relayConfig(dir.resolve("fips-relay.conf"), base, "");
        relay = RelayProcess.start(Map.of(), "run", "--config", conf.toString(), "--plugins-dir", plugins.toString());
        relay.awaitLog(l -> l.contains("fips-relay ready"), Duration.ofSeconds(60));
    }

    @AfterAll
    static void stop() {
        if (relay != null) {
            relay.close();
        }
        if (standIn != null) {
            standIn.close();
        }
    }

    @Test
    void the_example_plugin_dropped_in_comes_up_within_5s_relays_and_goes_away_when_removed() throws Exception {
        int port = base + EXAMPLE_OFFSET;
        try (RawHttpClient logsAgent = RawHttpClient.connect(base + 5)) {
            assertThat(post(logsAgent, "/api/v2/logs")).isEqualTo(202);
            List<Long> comeUpMillis = new ArrayList<>();
            for (int round = 1; round <= 3; round++) {
                assertThat(accepting(port)).isFalse();
                long copied = System.nanoTime();
                Path dropped = Files.copy(exampleJar, plugins.resolve(exampleJar.getFileName()));
                awaitTrue("example port " + port + " accepting", () -> accepting(port));
                comeUpMillis.add((System.nanoTime() - copied) / 1_000_000);

                standIn.intake.reset();
                try (RawHttpClient agent = RawHttpClient.connect(port)) {
                    assertThat(post(agent, "/api/v1/example")).isEqualTo(202);
                }
                RecordedRequest r = standIn.intake.awaitRequests(1, Duration.ofSeconds(10)).get(0);
                assertThat(r.sni()).isEqualTo("example-intake.ddog-gov.com");
                assertThat(r.header("Host")).isEqualTo("example-intake.ddog-gov.com:" + standIn.intake.port());

                Files.delete(dropped);
                awaitTrue("example port " + port + " closed", () -> !accepting(port));
                assertThat(post(logsAgent, "/api/v2/logs")).as("logs' keep-alive connection, round " + round).isEqualTo(202);
            }
            System.err.println("hot-plugged example product accepting after (ms, jar copied in -> port accepting): " + comeUpMillis);
            assertThat(comeUpMillis).allSatisfy(ms -> assertThat(ms).isLessThan(COME_UP.toMillis()));
        }
        relay.awaitLog(l -> l.contains("INFO  HotPlug - plugin example-product hot-plugged from example-product-1.0.0.jar"), COME_UP);
        relay.awaitLog(l -> l.contains("INFO  HotPlug - plugin example-product removed with example-product-1.0.0.jar"), COME_UP);
    }

    @Test
    void a_broken_jar_is_refused_with_its_name_and_reason_and_the_other_products_keep_relaying() throws Exception {
        Path broken = Files.write(plugins.resolve("x.jar"), new byte[] {'P', 'K', 3, 4, 0, 0, 'n', 'o', 'p', 'e'});
        relay.awaitLog(l -> l.contains("ERROR PluginCatalog - plugin jar " + broken + " refused: not a jar file"), COME_UP);

        standIn.intake.reset();
        try (RawHttpClient agent = RawHttpClient.connect(base + 1)) {
            assertThat(post(agent, "/api/v2/series")).isEqualTo(202);
        }
        assertThat(standIn.intake.awaitRequests(1, Duration.ofSeconds(10)).get(0).sni()).isEqualTo("metrics.agent.ddog-gov.com");
        Files.delete(broken);
    }

    @Test
    void settings_for_a_hot_plugged_product_are_taken_by_a_reload_without_a_restart() throws Exception {
        String original = Files.readString(conf);
        // Offsets 11 (appsec) and 16..19 have no listener: free in the picked range.
        int first = base + 11;
        int second = base + 16;
        try {
            // Settings written before the plugin is there: the reload is accepted (the product is
            // not loaded, so its block waits), and the jar dropped in later comes up with them.
            int applied = relay.countLog(l -> l.contains("configuration applied"));
            Files.writeString(conf, original + "fips-relay.products.example.port = " + first + "\n");
            hangUp();
            awaitTrue("reload applied", () -> relay.countLog(l -> l.contains("configuration applied")) > applied);
            Path dropped = Files.copy(exampleJar, plugins.resolve(exampleJar.getFileName()));
            awaitTrue("example on the configured port " + first, () -> accepting(first));
            assertThat(accepting(base + EXAMPLE_OFFSET)).as("its default port").isFalse();

            // Settings changed while it runs: a reload moves it, no restart.
            int appliedAgain = relay.countLog(l -> l.contains("configuration applied"));
            Files.writeString(conf, original + "fips-relay.products.example.port = " + second + "\n");
            hangUp();
            awaitTrue("example on the new port " + second, () -> accepting(second));
            awaitTrue("example's previous port closed", () -> !accepting(first));
            assertThat(relay.countLog(l -> l.contains("configuration applied"))).isGreaterThan(appliedAgain);
            standIn.intake.reset();
            try (RawHttpClient agent = RawHttpClient.connect(second)) {
                assertThat(post(agent, "/api/v1/example")).isEqualTo(202);
            }
            assertThat(standIn.intake.awaitRequests(1, Duration.ofSeconds(10)).get(0).sni()).isEqualTo("example-intake.ddog-gov.com");

            Files.delete(dropped);
            awaitTrue("example stopped with its jar", () -> !accepting(second));
        } finally {
            Files.writeString(conf, original);
            hangUp();
        }
    }

    /** SIGHUP to the relay: re-read the configuration. */
    private static void hangUp() throws Exception {
        assertThat(new ProcessBuilder("kill", "-HUP", Long.toString(relay.pid())).start().waitFor()).isZero();
    }

    private static int post(RawHttpClient agent, String path) throws IOException {
        agent.post(path, Map.of("Content-Type", "application/json", "DD-API-KEY", "k"), "{}".getBytes(StandardCharsets.UTF_8));
        return agent.readResponse().status();
    }

    private static boolean accepting(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void awaitTrue(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + COME_UP.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + COME_UP + ": " + what);
            }
            Thread.sleep(10);
        }
    }
}
