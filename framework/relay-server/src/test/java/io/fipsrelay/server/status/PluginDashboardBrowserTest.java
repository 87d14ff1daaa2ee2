package io.fipsrelay.server.status;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fipsrelay.server.RelayWithPlugins;
import io.fipsrelay.server.TestPlugins;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard's plugin view in a real browser (headless Chromium) against the program with real
 * plugin jars, as an operator sees it: the plugins that were in the folder at start with their
 * products and traffic, a jar the relay refused with its reason, then a plugin dropped in while the
 * page is open, which appears with its traffic and a mark on the chart's time axis without a
 * reload, and disappears, leaving a removal mark, when its jar is taken out. Leaves
 * target/dashboard-plugins.png (the hot-plugged plugin live) and target/dashboard-plugins-removed.png.
 */
@Timeout(180)
class PluginDashboardBrowserTest {

    private static final int WIDTH = 1440;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** Runs the page's own renderers' results back to the test. */
    private static final String PAGE_STATE = """
            (() => {
              if (!document.getElementById('health') || !window.Chart) {
                return { loading: true, pluginCards: [], productCards: [], chartSeries: [], marks: [], refused: [], chartPoints: 0 };
              }
              const maxOf = c => c ? Math.max(0, ...c.data.datasets.flatMap(d => d.data)) : 0;
              const main = Chart.getChart(document.getElementById('throughput-chart'));
              const refusedPanel = document.getElementById('refused-panel');
              return {
                rendered: document.body.dataset.rendered || null,
                view: document.getElementById('view-name').textContent,
                pluginCards: [...document.querySelectorAll('.plugin-card')].map(c => ({
                  id: c.dataset.plugin,
                  version: c.querySelector('.version').textContent,
                  loadedBy: c.querySelector('.loaded-by').classList.contains('hot-plug') ? 'hot-plug' : 'start',
                  products: [...c.querySelectorAll('.plugin-product')].map(p => p.dataset.product),
                  requestsPerSecond: parseFloat(c.querySelector('.metric-value').textContent),
                  sparkMax: maxOf(Chart.getChart(c.querySelector('canvas'))),
                })),
                productCards: [...document.querySelectorAll('.product-card')].map(c => c.dataset.product),
                chartSeries: main ? main.data.datasets.map(d => d.label) : [],
                chartPoints: main ? main.data.labels.length : 0,
                chartMax: maxOf(main),
                marks: main && main.$eventMarks ? main.$eventMarks.map(m => m.kind + ' ' + m.plugin) : [],
                eventList: [...document.querySelectorAll('#plugin-events li')].map(l => l.dataset.kind + ' ' + l.dataset.plugin),
                refused: refusedPanel.hidden ? [] : [...document.querySelectorAll('#refused tbody tr')].map(r => ({
                  jar: r.dataset.jar, reason: r.querySelector('.reason').textContent })),
                height: document.documentElement.scrollHeight,
              };
            })()""";

    @TempDir
    Path dir;

    @Test
    void the_plugin_view_shows_each_plugin_with_its_products_and_follows_a_hot_plug_in_and_out() throws Exception {
        try (RelayWithPlugins relay = RelayWithPlugins.start(dir, plugins -> {
                 TestPlugins.products(plugins.resolve("network-devices.jar"), "network-devices", "2.3.1",
                         "Product.of(\"ndm\", 8, \"ndm-intake\"), Product.of(\"snmp-traps\", 9, \"snmp-traps-intake\")",
                         "fips-relay.products.ndm { enabled = true, port = null, servers = [] }\n"
                                 + "fips-relay.products.snmp-traps { enabled = true, port = null, servers = [] }\n");
                 TestPlugins.products(plugins.resolve("logs.jar"), "logs", "1.4.0",
                         "Product.of(\"logs\", 5, \"agent-http-intake.logs\")",
                         "fips-relay.products.logs { enabled = true, port = null, servers = [] }\n");
                 TestPlugins.garbage(plugins.resolve("half-copied.jar"));
             }, "");
             AgentTraffic traffic = AgentTraffic.start(relay::port, relay.intake,
                     Map.of("ndm", 64_000, "snmp-traps", 12_000, "logs", 24_000), Duration.ofMillis(40), Duration.ofMinutes(3));
             HeadlessChromium chromium = HeadlessChromium.launch(WIDTH, 1000);
             DevToolsSession page = chromium.openPage()) {
            // A little history before the page opens; it then waits for the chart to fill.
            Thread.sleep(3_000);
            page.send("Network.enable");
            page.send("Runtime.enable");
            page.send("Log.enable");
            page.send("Emulation.setDeviceMetricsOverride", Map.of("width", WIDTH, "height", 1000, "deviceScaleFactor", 1, "mobile", false));
            String origin = "http://127.0.0.1:" + relay.statusPort();
            page.send("Page.navigate", Map.of("url", origin + "/"));
            awaitPage(page, "the first render", s -> s.get("rendered") != null && !s.get("rendered").isNull());
            page.evaluate("document.querySelector('#view-switch [data-view=plugins]').click()");

            JsonNode state = awaitPage(page, "both plugins at start with live traffic", s -> ids(s.get("pluginCards")).equals(List.of("logs", "network-devices"))
                    && allPositive(s.get("pluginCards"), "requestsPerSecond") && allPositive(s.get("pluginCards"), "sparkMax")
                    && s.get("chartPoints").asInt() >= 8 && s.get("chartMax").asDouble() > 0);
            assertThat(state.get("view").asText()).isEqualTo("plugin");
            assertThat(state.get("productCards")).as("product cards give way to plugin cards").isEmpty();
            assertThat(texts(state.get("chartSeries"))).containsExactly("logs", "network-devices");
            JsonNode networkDevices = card(state, "network-devices");
            assertThat(texts(networkDevices.get("products"))).containsExactly("ndm", "snmp-traps");
            assertThat(networkDevices.get("version").asText()).startsWith("v2.3.1");
            assertThat(networkDevices.get("loadedBy").asText()).isEqualTo("start");
            assertThat(state.get("refused")).singleElement().satisfies(r -> {
                assertThat(r.get("jar").asText()).isEqualTo("half-copied.jar");
                assertThat(r.get("reason").asText()).startsWith("not a jar file");
            });
            assertThat(state.get("marks")).as("nothing plugged or removed yet").isEmpty();

            // An operator drops a jar in while the page is open.
            Path beta = TestPlugins.copyInto(TestPlugins.products(relay.staging.resolve("beta.jar"), "beta", "0.9.0",
                    "Product.of(\"beta\", 3, \"beta-intake\")",
                    "fips-relay.products.beta { enabled = true, port = null, servers = [] }\n"), relay.plugins);
            awaitListening(relay, "beta");
            try (AgentTraffic betaTraffic = AgentTraffic.start(relay::port, relay.intake, Map.of("beta", 200_000),
                    Duration.ofMillis(30), Duration.ofMinutes(1))) {
                state = awaitPage(page, "beta's card with its traffic and its hot-plug mark", s -> ids(s.get("pluginCards")).contains("beta")
                        && card(s, "beta").get("requestsPerSecond").asDouble() > 0 && texts(s.get("marks")).contains("hot-plugged beta"));
                assertThat(card(state, "beta").get("loadedBy").asText()).isEqualTo("hot-plug");
                assertThat(texts(card(state, "beta").get("products"))).containsExactly("beta");
                assertThat(texts(state.get("chartSeries"))).containsExactly("beta", "logs", "network-devices");
                assertThat(texts(state.get("eventList"))).containsExactly("hot-plugged beta");
                // A few points of beta's line on the chart for the picture.
                Thread.sleep(3_000);
                screenshot(page, "dashboard-plugins.png");

                Files.delete(beta);
                state = awaitPage(page, "beta gone, with its removal mark", s -> !ids(s.get("pluginCards")).contains("beta")
                        && texts(s.get("marks")).contains("removed beta"));
                assertThat(texts(state.get("chartSeries"))).containsExactly("logs", "network-devices");
                assertThat(texts(state.get("marks"))).containsExactly("hot-plugged beta", "removed beta");
                assertThat(betaTraffic.answered()).isPositive();
            }
            screenshot(page, "dashboard-plugins-removed.png");

            page.evaluate("document.querySelector('#view-switch [data-view=products]').click()");
            state = awaitPage(page, "the product view without beta once its connections closed",
                    s -> texts(s.get("productCards")).equals(List.of("logs", "ndm", "snmp-traps")));
            assertThat(state.get("view").asText()).isEqualTo("product");
            assertThat(state.get("pluginCards")).isEmpty();
            assertThat(traffic.answered()).isPositive();

            List<String> urls = page.events("Network.requestWillBeSent").stream().map(e -> e.get("request").get("url").asText()).toList();
            assertThat(urls).isNotEmpty().allMatch(u -> u.startsWith(origin + "/"), "served by the relay's status port");
            assertThat(page.events("Runtime.exceptionThrown")).as("script errors").isEmpty();
            assertThat(page.events("Log.entryAdded").stream().filter(e -> "error".equals(e.get("entry").get("level").asText())))
                    .as("errors the browser logged (CSP violations, failed loads)").isEmpty();
        }
    }

    /** The whole page in one picture: the viewport grown to the content, the charts re-laid out. */
    private static void screenshot(DevToolsSession page, String name) throws Exception {
        int height = page.evaluate(PAGE_STATE).get("height").asInt();
        page.send("Emulation.setDeviceMetricsOverride", Map.of("width", WIDTH, "height", height, "deviceScaleFactor", 1, "mobile", false));
        Thread.sleep(700);
        byte[] png = Base64.getDecoder().decode(page.send("Page.captureScreenshot", Map.of("format", "png")).get("data").asText());
        Path file = Path.of(System.getProperty("basedir", "."), "target", name);
        Files.createDirectories(file.getParent());
        Files.write(file, png);
        assertThat(png.length).isGreaterThan(50_000);
        page.send("Emulation.setDeviceMetricsOverride", Map.of("width", WIDTH, "height", 1000, "deviceScaleFactor", 1, "mobile", false));
    }

    private static void awaitListening(RelayWithPlugins relay, String product) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!relay.server.engine().boundAddresses().containsKey(product)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("hot-plugged product " + product + " not listening within " + TIMEOUT);
            }
            Thread.sleep(50);
        }
    }

    private static JsonNode card(JsonNode state, String plugin) {
        for (JsonNode c : state.get("pluginCards")) {
            if (c.get("id").asText().equals(plugin)) {
                return c;
            }
        }
        throw new AssertionError("no card for plugin " + plugin + " in " + state.get("pluginCards"));
    }

    private static List<String> ids(JsonNode cards) {
        List<String> out = new ArrayList<>();
        cards.forEach(c -> out.add(c.get("id").asText()));
        return out;
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static boolean allPositive(JsonNode cards, String field) {
        for (JsonNode card : cards) {
            if (!(card.get(field).asDouble() > 0)) {
                return false;
            }
        }
        return true;
    }

    private static JsonNode awaitPage(DevToolsSession page, String what, Predicate<JsonNode> ready) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        JsonNode state = page.evaluate(PAGE_STATE);
        while (!ready.test(state)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the dashboard did not show " + what + " within " + TIMEOUT + "; last seen: " + state);
            }
            Thread.sleep(250);
            state = page.evaluate(PAGE_STATE);
        }
        return state;
    }
}
