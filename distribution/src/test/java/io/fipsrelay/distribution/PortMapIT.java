package io.fipsrelay.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import io.fipsrelay.api.Product;
import io.fipsrelay.core.settings.HostAndPort;
import io.fipsrelay.core.settings.RelaySettings;
import io.fipsrelay.core.settings.SettingsLoader;
import io.fipsrelay.server.PluginCatalog;
import io.fipsrelay.testkit.TestPki;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The products the distribution's plugins/ folder declares are the agent's port map, no more, no less. */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class PortMapIT {

    @TempDir
    static Path dir;
    static PluginCatalog catalog;
    static Path caFile;

    @BeforeAll
    static void loadShippedPlugins() throws IOException {
        catalog = PluginCatalog.load(Distribution.plugins());
        // Settings check that the CA bundle is readable: a test CA keeps this off the host's own bundle.
        caFile = TestPki.create("port map test CA").writeCaPem(dir.resolve("ca.pem"));
    }

    @AfterAll
    static void unload() {
        catalog.close();
    }

    record Declared(int offset, String productId, String pluginId, String hostPrefix) {
    }

    @Test
    void the_shipped_plugins_declare_exactly_the_port_map_of_design_md() {
        assertThat(catalog.refused()).isEmpty();
        List<Declared> declared = catalog.plugins().stream()
                .flatMap(plugin -> plugin.products().stream()
                        .map(p -> new Declared(p.portOffset(), p.id(), plugin.pluginId(), p.hostPrefix())))
                .sorted(Comparator.comparingInt(Declared::offset)).toList();
        List<Declared> contract = AgentPortMap.PRODUCTS.stream()
                .map(e -> new Declared(e.offset(), e.productId(), e.pluginId(), e.hostPrefix())).toList();

        assertThat(declared).containsExactlyElementsOf(contract);
        assertThat(declared).extracting(Declared::offset).doesNotContain(0, AgentPortMap.RESERVED_OFFSET);
    }

    @Test
    void metrics_sends_api_key_validation_to_api_and_flares_to_flare() {
        Product metrics = product("metrics");
        assertThat(metrics.hostPrefixFor("/api/v1/validate")).isEqualTo("api");
        assertThat(metrics.hostPrefixFor("/support/flare")).isEqualTo("flare");
        assertThat(metrics.hostPrefixFor("/support/flare/12345")).isEqualTo("flare");
        assertThat(metrics.hostPrefixFor("/support/flarex")).isEqualTo("metrics.agent");
        assertThat(metrics.hostPrefixFor("/api/v2/series")).isEqualTo("metrics.agent");
        assertThat(catalog.plugins().stream().flatMap(p -> p.products().stream()).filter(p -> !p.id().equals("metrics")))
                .as("only metrics has routes").allSatisfy(p -> assertThat(p.routes()).isEmpty());
    }

    @Test
    void each_plugin_documents_the_defaults_of_its_products_in_its_own_reference_conf() {
        for (PluginCatalog.LoadedPlugin plugin : catalog.plugins()) {
            Config reference = plugin.reference();
            assertThat(reference.getObject("fips-relay.products").keySet()).as(plugin.pluginId())
                    .containsExactlyInAnyOrderElementsOf(plugin.products().stream().map(Product::id).toList());
            for (Product p : plugin.products()) {
                String base = "fips-relay.products." + p.id();
                assertThat(reference.getBoolean(base + ".enabled")).as(base).isTrue();
                assertThat(reference.getIsNull(base + ".port")).as(base + ".port is null: the offset decides").isTrue();
                assertThat(reference.getStringList(base + ".servers")).as(base).isEmpty();
            }
        }
    }

    @Test
    void the_shipped_configuration_enables_every_product_on_port_range_start_plus_its_offset() throws Exception {
        RelaySettings settings = settings(SettingsLoader.parseFile(Distribution.defaultConfig()));

        assertThat(settings.listen().portRangeStart()).isEqualTo(9803);
        assertThat(settings.enabledProducts()).hasSize(AgentPortMap.PRODUCTS.size());
        for (AgentPortMap.Entry e : AgentPortMap.PRODUCTS) {
            RelaySettings.ProductSettings p = settings.product(e.productId()).orElseThrow();
            assertThat(p.port()).as(e.productId()).isEqualTo(9803 + e.offset());
            assertThat(settings.serversFor(p, e.agentPath())).containsExactly(new HostAndPort(e.host("ddog-gov.com"), 443));
        }
    }

    @Test
    void every_intake_host_follows_the_site() throws Exception {
        RelaySettings settings = settings(SettingsLoader.parseString("fips-relay.site = \"datadoghq.com\""));

        for (AgentPortMap.Entry e : AgentPortMap.PRODUCTS) {
            assertThat(settings.serversFor(settings.product(e.productId()).orElseThrow(), e.agentPath()))
                    .containsExactly(new HostAndPort(e.hostPrefix() + ".datadoghq.com", 443));
        }
        assertThat(settings.serversFor(settings.product("metrics").orElseThrow(), "/api/v1/validate"))
                .containsExactly(new HostAndPort("api.datadoghq.com", 443));
    }

    private static Product product(String id) {
        return catalog.plugins().stream().flatMap(p -> p.products().stream()).filter(p -> p.id().equals(id)).findFirst().orElseThrow();
    }

    private static RelaySettings settings(Config operator) throws Exception {
        SettingsLoader loader = SettingsLoader.withCoreDefaults().environment(Map.of());
        catalog.plugins().forEach(p -> loader.addProducts(p.products(), p.reference()));
        return loader.load(SettingsLoader.parseString("fips-relay.tls.ca-file = \"" + caFile + "\"").withFallback(operator));
    }
}
