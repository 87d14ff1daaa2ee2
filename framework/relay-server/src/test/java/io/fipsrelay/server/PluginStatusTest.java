package io.fipsrelay.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fipsrelay.testkit.RawHttpClient;
import io.fipsrelay.testkit.RawResponse;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the status port and JMX say about plugins, for a relay started with two real plugin jars
 * (one serving two products, one serving one) that carried agent traffic, and jars dropped into
 * and taken out of its plugins folder while it runs.
 */
@Timeout(60)
class PluginStatusTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration SOON = Duration.ofSeconds(10);
    private static final int BODY = 10_000;

    @TempDir
    static Path dir;
    static RelayWithPlugins relay;
    static long startedAt;

    @BeforeAll
    static void start() throws Exception {
        startedAt = System.currentTimeMillis();
        relay = RelayWithPlugins.start(dir, plugins -> {
            TestPlugins.products(plugins.resolve("netdev.jar"), "netdev", "2.3.1",
                    "Product.of(\"ndm\", 8, \"ndm-intake\"), Product.of(\"snmp-traps\", 9, \"snmp-traps-intake\")",
                    "fips-relay.products.ndm { enabled = true, port = null, servers = [] }\n"
                            + "fips-relay.products.snmp-traps { enabled = true, port = null, servers = [] }\n");
            TestPlugins.products(plugins.resolve("logs.jar"), "logs", "1.4.0",
                    "Product.of(\"logs\", 5, \"agent-http-intake.logs\")",
                    "fips-relay.products.logs { enabled = true, port = null, servers = [] }\n");
        }, "");
        post("ndm", 4);
        post("snmp-traps", 2);
        post("logs", 3);
    }

    @AfterAll
    static void stop() {
        if (relay != null) {
            relay.close();
        }
    }

    @Test
    void status_json_lists_each_plugin_with_its_jar_and_its_products_traffic_together() throws Exception {
        JsonNode doc = statusJson();
        JsonNode netdev = plugin(doc, "netdev");
        assertThat(netdev.get("version").asText()).isEqualTo("2.3.1");
        assertThat(netdev.get("jar").asText()).isEqualTo("netdev.jar");
        assertThat(netdev.get("jarSha256").asText()).isEqualTo(sha256(relay.plugins.resolve("netdev.jar")));
        assertThat(netdev.get("loadedBy").asText()).isEqualTo("start");
        assertThat(netdev.get("loadedAtMillis").asLong()).isBetween(startedAt, System.currentTimeMillis());
        assertThat(netdev.get("products")).extracting(JsonNode::asText).containsExactly("ndm", "snmp-traps");
        assertThat(netdev.get("totals").get("requests").asLong()).isEqualTo(6);
        assertThat(netdev.get("totals").get("bytesIn").asLong()).isEqualTo(6L * BODY);
        assertThat(netdev.get("totals").get("responses").get("2xx").asLong()).isEqualTo(6);
        assertThat(netdev.get("latency").get("count").asLong()).isEqualTo(6);
        assertThat(netdev.get("latency").get("p50Millis").asDouble()).isPositive()
                .isLessThanOrEqualTo(netdev.get("latency").get("p99Millis").asDouble());
        // Rates of one document are its products' rates of the same sample, added.
        double productRates = product(doc, "ndm").get("now").get("requestsPerSecond").asDouble()
                + product(doc, "snmp-traps").get("now").get("requestsPerSecond").asDouble();
        assertThat(netdev.get("now").get("requestsPerSecond").asDouble()).isCloseTo(productRates, org.assertj.core.data.Offset.offset(1e-9));

        JsonNode logs = plugin(doc, "logs");
        assertThat(logs.get("version").asText()).isEqualTo("1.4.0");
        assertThat(logs.get("totals").get("requests").asLong()).isEqualTo(3);
        // One product alone: its plugin shows exactly its latency figures.
        assertThat(logs.get("latency")).isEqualTo(product(doc, "logs").get("latency"));

        assertThat(product(doc, "ndm").get("plugin").asText()).isEqualTo("netdev");
        assertThat(product(doc, "snmp-traps").get("plugin").asText()).isEqualTo("netdev");
        assertThat(product(doc, "logs").get("plugin").asText()).isEqualTo("logs");
        assertThat(doc.get("history").get("plugins").fieldNames()).toIterable().contains("netdev", "logs");
    }

    @Test
    void metrics_label_every_per_product_series_with_its_plugin_and_name_each_plugin_jar() throws Exception {
        String text = get("/metrics").bodyText();
        assertThat(value(text, "fips_relay_requests_total{plugin=\"netdev\",product=\"ndm\"}")).isEqualTo(4);
        assertThat(value(text, "fips_relay_requests_total{plugin=\"netdev\",product=\"snmp-traps\"}")).isEqualTo(2);
        assertThat(value(text, "fips_relay_requests_total{plugin=\"logs\",product=\"logs\"}")).isEqualTo(3);
        assertThat(value(text, "fips_relay_responses_total{code=\"2xx\",plugin=\"netdev\",product=\"ndm\"}")).isEqualTo(4);
        assertThat(value(text, "fips_relay_upstream_latency_seconds_count{plugin=\"logs\",product=\"logs\"}")).isEqualTo(3);
        assertThat(value(text, "fips_relay_connections_active{plugin=\"netdev\",product=\"ndm\"}")).isZero();
        List<String> unlabelled = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.contains("product=\"") && !line.contains("plugin=\"")) {
                unlabelled.add(line);
            }
        }
        assertThat(unlabelled).as("per-product series without a plugin label").isEmpty();
        assertThat(text).contains("# TYPE fips_relay_plugin_info gauge",
                "fips_relay_plugin_info{jar_sha256=\"" + sha256(relay.plugins.resolve("netdev.jar")) + "\",plugin=\"netdev\",version=\"2.3.1\"} 1",
                "fips_relay_plugin_info{jar_sha256=\"" + sha256(relay.plugins.resolve("logs.jar")) + "\",plugin=\"logs\",version=\"1.4.0\"} 1");
    }

    @Test
    void jmx_names_carry_the_product_and_its_plugin() throws Exception {
        MBeanServer mbeans = ManagementFactory.getPlatformMBeanServer();
        Set<ObjectName> ndm = mbeans.queryNames(new ObjectName("fips-relay:name=fips-relay.ndm.requests,*"), null);
        assertThat(ndm).singleElement().satisfies(name -> {
            assertThat(name.getKeyProperty("product")).isEqualTo("ndm");
            assertThat(name.getKeyProperty("plugin")).isEqualTo("netdev");
            assertThat(name.getKeyProperty("type")).isEqualTo("meters");
        });
        assertThat(mbeans.getAttribute(ndm.iterator().next(), "Count")).isEqualTo(4L);
        assertThat(mbeans.queryNames(new ObjectName("fips-relay:plugin=netdev,product=snmp-traps,*"), null)).isNotEmpty();
        ObjectName version = new ObjectName("fips-relay:type=gauges,name=fips-relay.plugins.netdev.version,plugin=netdev");
        assertThat(mbeans.getAttribute(version, "Value")).isEqualTo("2.3.1");
        ObjectName sha = new ObjectName("fips-relay:type=gauges,name=fips-relay.plugins.logs.jar-sha256,plugin=logs");
        assertThat(mbeans.getAttribute(sha, "Value")).isEqualTo(sha256(relay.plugins.resolve("logs.jar")));
    }

    @Test
    void a_hot_plugged_plugin_shows_with_its_traffic_and_leaves_json_metrics_and_jmx_when_its_jar_is_removed() throws Exception {
        Path jar = TestPlugins.copyInto(TestPlugins.products(relay.staging.resolve("beta.jar"), "beta", "0.9.0",
                "Product.of(\"beta\", 3, \"beta-intake\")",
                "fips-relay.products.beta { enabled = true, port = null, servers = [] }\n"), relay.plugins);
        Await.until(SOON, "beta listening", () -> Await.accepting(relay.base + 3));
        post("beta", 2);

        JsonNode beta = plugin(statusJson(), "beta");
        assertThat(beta.get("loadedBy").asText()).isEqualTo("hot-plug");
        assertThat(beta.get("version").asText()).isEqualTo("0.9.0");
        assertThat(beta.get("totals").get("requests").asLong()).isEqualTo(2);
        assertThat(events(statusJson(), "hot-plugged", "beta")).singleElement()
                .satisfies(e -> assertThat(e.get("detail").asText()).isEqualTo("beta"));
        assertThat(value(get("/metrics").bodyText(), "fips_relay_requests_total{plugin=\"beta\",product=\"beta\"}")).isEqualTo(2);
        assertThat(get("/metrics").bodyText()).contains("plugin=\"beta\",version=\"0.9.0\"");
        MBeanServer mbeans = ManagementFactory.getPlatformMBeanServer();
        ObjectName betaRequests = new ObjectName("fips-relay:name=fips-relay.beta.requests,*");
        assertThat(mbeans.queryNames(betaRequests, null)).singleElement()
                .extracting(n -> n.getKeyProperty("plugin")).isEqualTo("beta");

        Files.delete(jar);
        Await.until(SOON, "beta gone from the plugins of /status.json", () -> pluginIds(statusJson()).equals(List.of("logs", "netdev")));
        // Its product leaves with its last connection (the samples run every second).
        Await.until(SOON, "product beta gone from /status.json", () -> !productIds(statusJson()).contains("beta"));
        assertThat(events(statusJson(), "removed", "beta")).hasSize(1);
        String text = get("/metrics").bodyText();
        assertThat(text).doesNotContain("product=\"beta\"").doesNotContain("plugin=\"beta\"");
        assertThat(mbeans.queryNames(new ObjectName("fips-relay:plugin=beta,*"), null)).isEmpty();
        assertThat(value(text, "fips_relay_requests_total{plugin=\"netdev\",product=\"ndm\"}")).as("others untouched").isEqualTo(4);
    }

    @Test
    void a_jar_replaced_by_a_new_version_shows_its_new_version_and_digest_everywhere() throws Exception {
        Path jar = TestPlugins.copyInto(TestPlugins.products(relay.staging.resolve("gamma.jar"), "gamma", "1.0.0",
                "Product.of(\"gamma\", 4, \"gamma-intake\")",
                "fips-relay.products.gamma { enabled = true, port = null, servers = [] }\n"), relay.plugins);
        Await.until(SOON, "gamma 1.0.0 loaded", () -> pluginIds(statusJson()).contains("gamma"));
        Path v2 = TestPlugins.products(relay.staging.resolve("gamma-v2.jar"), "gamma", "1.1.0",
                "Product.of(\"gamma\", 4, \"gamma-intake\")",
                "fips-relay.products.gamma { enabled = true, port = null, servers = [] }\n");
        String v2Sha = sha256(v2);
        Files.move(v2, jar, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        Await.until(SOON, "gamma 1.1.0 in /status.json",
                () -> pluginIds(statusJson()).contains("gamma") && plugin(statusJson(), "gamma").get("version").asText().equals("1.1.0"));

        assertThat(plugin(statusJson(), "gamma").get("jarSha256").asText()).isEqualTo(v2Sha);
        String text = get("/metrics").bodyText();
        assertThat(text).contains("fips_relay_plugin_info{jar_sha256=\"" + v2Sha + "\",plugin=\"gamma\",version=\"1.1.0\"} 1")
                .doesNotContain("plugin=\"gamma\",version=\"1.0.0\"");
        assertThat(ManagementFactory.getPlatformMBeanServer().getAttribute(
                new ObjectName("fips-relay:type=gauges,name=fips-relay.plugins.gamma.version,plugin=gamma"), "Value")).isEqualTo("1.1.0");
        assertThat(texts(statusJson().get("pluginEvents"), "kind", "gamma")).endsWith("hot-plugged", "removed", "hot-plugged");
        Files.delete(jar);
        Await.until(SOON, "gamma removed", () -> !pluginIds(statusJson()).contains("gamma"));
    }

    @Test
    void a_refused_jar_is_listed_with_its_reason_until_it_is_taken_out() throws Exception {
        Path garbage = TestPlugins.garbage(relay.plugins.resolve("broken.jar"));
        Await.until(SOON, "broken.jar in refusedPlugins", () -> refusedJars(statusJson()).contains("broken.jar"));

        JsonNode doc = statusJson();
        JsonNode refused = find(doc.get("refusedPlugins"), "jar", "broken.jar");
        assertThat(refused.get("reason").asText()).startsWith("not a jar file");
        assertThat(refused.get("atMillis").asLong()).isPositive();
        assertThat(doc.get("pluginEvents").findValuesAsText("jar")).contains("broken.jar");

        Files.delete(garbage);
        Await.until(SOON, "broken.jar no longer listed", () -> !refusedJars(statusJson()).contains("broken.jar"));
    }

    // ---------------------------------------------------------------- helpers

    private static void post(String product, int times) throws Exception {
        try (RawHttpClient client = RawHttpClient.connect(relay.port(product))) {
            for (int i = 0; i < times; i++) {
                client.post("/api/v2/" + product, Map.of("DD-API-KEY", "0123456789abcdef"), new byte[BODY]);
                assertThat(client.readResponse().status()).isEqualTo(202);
            }
        }
    }

    private static RawResponse get(String path) throws Exception {
        return RawHttpClient.exchange(relay.statusPort(), "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    }

    private static JsonNode statusJson() {
        try {
            return JSON.readTree(get("/status.json").body());
        } catch (Exception e) {
            throw new AssertionError("cannot read /status.json", e);
        }
    }

    private static JsonNode plugin(JsonNode doc, String id) {
        return find(doc.get("plugins"), "id", id);
    }

    private static JsonNode product(JsonNode doc, String id) {
        return find(doc.get("products"), "id", id);
    }

    private static JsonNode find(JsonNode array, String field, String value) {
        for (JsonNode n : array) {
            if (n.get(field).asText().equals(value)) {
                return n;
            }
        }
        throw new AssertionError("no " + field + " " + value + " in " + array);
    }

    private static List<String> pluginIds(JsonNode doc) {
        return doc.get("plugins").findValuesAsText("id");
    }

    private static List<String> productIds(JsonNode doc) {
        List<String> ids = new ArrayList<>();
        doc.get("products").forEach(p -> ids.add(p.get("id").asText()));
        return ids;
    }

    private static List<String> refusedJars(JsonNode doc) {
        return doc.get("refusedPlugins").findValuesAsText("jar");
    }

    /** One field of the events of one plugin, oldest first. */
    private static List<String> texts(JsonNode events, String field, String plugin) {
        List<String> out = new ArrayList<>();
        events.forEach(e -> {
            if (plugin.equals(e.get("plugin").asText())) {
                out.add(e.get(field).asText());
            }
        });
        return out;
    }

    private static List<JsonNode> events(JsonNode doc, String kind, String plugin) {
        List<JsonNode> out = new ArrayList<>();
        doc.get("pluginEvents").forEach(e -> {
            if (e.get("kind").asText().equals(kind) && plugin.equals(e.get("plugin").asText())) {
                out.add(e);
            }
        });
        return out;
    }

    private static double value(String text, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(text);
        if (!m.find()) {
            throw new AssertionError("no series " + series + " in /metrics");
        }
        return Double.parseDouble(m.group(1));
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
