package io.fipsrelay.server.status;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fipsrelay.core.metrics.UpstreamAddressState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard in a real browser (headless Chromium) against a relay carrying agent traffic on
 * three products: the cards and charts render with non-zero throughput, the page fetches nothing
 * but the relay's status port and logs no error. Leaves target/dashboard.png for people to look at.
 *
 * <p>The intake address states are published by the test through the same hook the upstream pool
 * uses (the pool's health checks are not in yet), one of them down, so both states are drawn.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class DashboardBrowserTest {

    private static final int WIDTH = 1440;
    /** Runs the page's own renderers' results back to the test. */
    private static final String PAGE_STATE = """
            (() => {
              if (!document.getElementById('health')) {
                return { loading: true, cards: [], chartPoints: 0, chartMax: 0, height: 0 };
              }
              const maxOf = c => c ? Math.max(0, ...c.data.datasets.flatMap(d => d.data)) : 0;
              const main = window.Chart ? Chart.getChart(document.getElementById('throughput-chart')) : null;
              return {
                rendered: document.body.dataset.rendered || null,
                health: document.getElementById('health').textContent,
                fips: document.getElementById('fips-state').textContent,
                cards: [...document.querySelectorAll('.product-card')].map(c => ({
                  id: c.dataset.product,
                  requestsPerSecond: parseFloat(c.querySelector('.metric-value').textContent),
                  sparkMax: window.Chart ? maxOf(Chart.getChart(c.querySelector('canvas'))) : 0,
                })),
                chartProducts: main ? main.data.datasets.map(d => d.label) : [],
                chartPoints: main ? main.data.labels.length : 0,
                chartMax: maxOf(main),
                upstreamsUp: document.querySelectorAll('.upstreams .dot.up').length,
                upstreamsDown: document.querySelectorAll('.upstreams .dot.down').length,
                height: document.documentElement.scrollHeight,
              };
            })()""";

    @TempDir
    Path dir;

    @Test
    void the_dashboard_shows_live_per_product_throughput_from_the_relay_alone() throws Exception {
        try (RelayWithStatus relay = RelayWithStatus.start(dir, "fips-relay.status.sample-interval = 1s");
             AgentTraffic traffic = AgentTraffic.start(relay, Map.of("metrics", 48_000, "traces", 160_000, "logs", 24_000),
                     Duration.ofMillis(40), Duration.ofMinutes(2));
             HeadlessChromium chromium = HeadlessChromium.launch(WIDTH, 1000);
             DevToolsSession page = chromium.openPage()) {
            String intake = ":" + relay.intake.port();
            relay.metrics().upstreamStates(() -> List.of(
                    new UpstreamAddressState("metrics.agent.ddog-gov.com" + intake, "127.0.0.1" + intake, true, 3, null),
                    new UpstreamAddressState("trace.agent.ddog-gov.com" + intake, "127.0.0.1" + intake, true, 2, null),
                    new UpstreamAddressState("trace.agent.ddog-gov.com" + intake, "127.0.0.2" + intake, false, 5000, "connect timed out"),
                    new UpstreamAddressState("agent-http-intake.logs.ddog-gov.com" + intake, "127.0.0.1" + intake, true, 4, null)));
            // History the page can draw as soon as it opens.
            Thread.sleep(20_000);

            page.send("Network.enable");
            page.send("Runtime.enable");
            page.send("Log.enable");
            page.send("Emulation.setDeviceMetricsOverride", Map.of("width", WIDTH, "height", 1000, "deviceScaleFactor", 1, "mobile", false));
            String origin = "http://127.0.0.1:" + relay.statusPort();
            page.send("Page.navigate", Map.of("url", origin + "/"));

            JsonNode state = awaitPage(page, s -> s.get("cards").size() == 3
                    && allPositive(s.get("cards"), "requestsPerSecond") && allPositive(s.get("cards"), "sparkMax")
                    && s.get("chartMax").asDouble() > 0 && s.get("chartPoints").asInt() >= 10);
            assertThat(state.get("health").asText()).isEqualTo("Healthy");
            assertThat(state.get("fips").asText()).isEqualTo("approved-only · ready");
            assertThat(state.get("chartProducts")).extracting(JsonNode::asText).containsExactly("metrics", "traces", "logs");
            assertThat(state.get("upstreamsUp").asInt()).isEqualTo(3);
            assertThat(state.get("upstreamsDown").asInt()).isEqualTo(1);
            assertThat(traffic.answered()).isPositive();

            // The whole page in one picture: grow the viewport to the content, let the charts re-lay out.
            int height = state.get("height").asInt();
            page.send("Emulation.setDeviceMetricsOverride", Map.of("width", WIDTH, "height", height, "deviceScaleFactor", 1, "mobile", false));
            awaitPage(page, s -> s.get("height").asInt() <= height + 5 && allPositive(s.get("cards"), "sparkMax"));
            Thread.sleep(500);
            byte[] png = Base64.getDecoder().decode(page.send("Page.captureScreenshot", Map.of("format", "png")).get("data").asText());
            Path screenshot = Path.of(System.getProperty("basedir", "."), "target", "dashboard.png");
            Files.createDirectories(screenshot.getParent());
            Files.write(screenshot, png);
            assertThat(png.length).isGreaterThan(50_000);

            List<String> urls = page.events("Network.requestWillBeSent").stream().map(e -> e.get("request").get("url").asText()).toList();
            assertThat(urls).isNotEmpty().allMatch(u -> u.startsWith(origin + "/"), "served by the relay's status port");
            assertThat(urls).contains(origin + "/assets/chart.umd.min.js", origin + "/status.json");
            assertThat(page.events("Runtime.exceptionThrown")).as("script errors").isEmpty();
            assertThat(page.events("Log.entryAdded").stream().filter(e -> "error".equals(e.get("entry").get("level").asText())))
                    .as("errors the browser logged (CSP violations, failed loads)").isEmpty();
        }
    }

    private static boolean allPositive(JsonNode cards, String field) {
        for (JsonNode card : cards) {
            if (!(card.get(field).asDouble() > 0)) {
                return false;
            }
        }
        return true;
    }

    private static JsonNode awaitPage(DevToolsSession page, java.util.function.Predicate<JsonNode> ready) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        JsonNode state = page.evaluate(PAGE_STATE);
        while (!ready.test(state)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the dashboard did not render live throughput within 30 s; last seen: " + state);
            }
            Thread.sleep(250);
            state = page.evaluate(PAGE_STATE);
        }
        return state;
    }
}
