package io.fipsrelay.core.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import io.fipsrelay.api.Product;
import io.fipsrelay.api.Route;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The operator's file is validated whole: every problem is named with its key path. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SettingsLoaderTest {

    static final Product METRICS = Product.of("metrics", 1, "metrics.agent")
            .withRoute(Route.exact("/api/v1/validate", "api"));
    static final Product LOGS = Product.of("logs", 5, "agent-http-intake.logs");

    @TempDir
    Path dir;

    SettingsLoader loader(Map<String, String> env) {
        return SettingsLoader.withCoreDefaults().environment(env)
                .addProducts(List.of(METRICS), ConfigFactory.parseString("fips-relay.products.metrics { enabled = true, port = null, servers = [] }"))
                .addProducts(List.of(LOGS), ConfigFactory.empty());
    }

    RelaySettings load(String hocon) throws Exception {
        return loader(Map.of()).load(SettingsLoader.parseString(hocon));
    }

    String ca() throws Exception {
        Path ca = dir.resolve("ca.pem");
        Files.writeString(ca, "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n");
        return "fips-relay.tls.ca-file = \"" + ca + "\"\n";
    }

    @Test
    void defaults_are_the_us1_fed_port_map() throws Exception {
        RelaySettings s = load(ca());
        assertThat(s.site()).isEqualTo("ddog-gov.com");
        assertThat(s.listen().address()).isEqualTo("127.0.0.1");
        assertThat(s.listen().statusPort()).isEqualTo(9803);
        assertThat(s.product("metrics").orElseThrow().port()).isEqualTo(9804);
        assertThat(s.product("logs").orElseThrow().port()).isEqualTo(9808);
        assertThat(s.tls().protocols()).containsExactly("TLSv1.3", "TLSv1.2");
        assertThat(s.tls().namedGroups()).containsExactly("secp256r1", "secp384r1");
        assertThat(s.upstream().connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.upstream().responseTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.limits().maxBody()).isEqualTo(64L * 1024 * 1024);
        assertThat(s.serversFor(s.product("metrics").orElseThrow(), "/api/v2/series"))
                .containsExactly(new HostAndPort("metrics.agent.ddog-gov.com", 443));
        assertThat(s.serversFor(s.product("metrics").orElseThrow(), "/api/v1/validate"))
                .containsExactly(new HostAndPort("api.ddog-gov.com", 443));
    }

    @Test
    void the_agents_environment_overrides_site_address_and_port_range() throws Exception {
        RelaySettings s = loader(Map.of("DD_SITE", "datadoghq.com", "DD_FIPS_LOCAL_ADDRESS", "0.0.0.0",
                "DD_FIPS_PORT_RANGE_START", "5000")).load(SettingsLoader.parseString(ca() + "fips-relay.site = \"x.com\""));
        assertThat(s.site()).isEqualTo("datadoghq.com");
        assertThat(s.listen().address()).isEqualTo("0.0.0.0");
        assertThat(s.product("metrics").orElseThrow().port()).isEqualTo(5001);
        assertThat(s.serversFor(s.product("logs").orElseThrow(), "/api/v2/logs"))
                .containsExactly(new HostAndPort("agent-http-intake.logs.datadoghq.com", 443));
    }

    @Test
    void a_product_can_be_disabled_moved_and_pointed_at_other_servers() throws Exception {
        RelaySettings s = load(ca() + "fips-relay.products { logs.enabled = false, metrics { port = 7000, servers = [\"intake.example:8443\", \"other\"] } }");
        assertThat(s.enabledProducts()).extracting(RelaySettings.ProductSettings::id).containsExactly("metrics");
        RelaySettings.ProductSettings m = s.product("metrics").orElseThrow();
        assertThat(m.port()).isEqualTo(7000);
        assertThat(s.serversFor(m, "/api/v2/series"))
                .containsExactly(new HostAndPort("intake.example", 8443), new HostAndPort("other", 443));
        assertThat(s.serversFor(m, "/api/v1/validate")).containsExactly(new HostAndPort("api.ddog-gov.com", 443));
    }

    @Test
    void a_misspelled_key_is_refused_with_its_path_and_a_suggestion() throws Exception {
        assertThatThrownBy(() -> load(ca() + "fips-relay.upstream.conect-timeout = 3s"))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("fips-relay.upstream.conect-timeout: unknown key")
                .hasMessageContaining("did you mean fips-relay.upstream.connect-timeout?");
    }

    @Test
    void unknown_products_and_product_keys_are_refused() {
        assertThatThrownBy(() -> load(ca() + "fips-relay.products.metricz.enabled = false\nfips-relay.products.logs.portt = 1"))
                .isInstanceOf(SettingsException.class)
                .satisfies(e -> assertThat(((SettingsException) e).problems()).hasSize(2))
                .hasMessageContaining("fips-relay.products.metricz: unknown product metricz")
                .hasMessageContaining("fips-relay.products.logs.portt: unknown key");
    }

    @Test
    void a_misspelt_block_is_refused_even_when_empty() {
        assertThatThrownBy(() -> load(ca() + "fips-relay.produtcs { }\nfips-relay.upstream.helth { }\nfips-relay.products.metricz { }"))
                .isInstanceOf(SettingsException.class)
                .satisfies(e -> assertThat(((SettingsException) e).problems()).containsExactlyInAnyOrder(
                        "fips-relay.produtcs: unknown key (did you mean fips-relay.products?)",
                        "fips-relay.upstream.helth: unknown key (did you mean fips-relay.upstream.health?)",
                        "fips-relay.products.metricz: unknown product metricz (known: [logs, metrics])"));
    }

    @Test
    void a_misspelt_block_is_one_problem_however_many_keys_it_holds() {
        assertThatThrownBy(() -> load(ca() + "fips-relay.upstrem { port = 8443, retries = 2 }"))
                .satisfies(e -> assertThat(((SettingsException) e).problems())
                        .containsExactly("fips-relay.upstrem: unknown key (did you mean fips-relay.upstream?)"));
    }

    @Test
    void known_blocks_may_be_empty() throws Exception {
        assertThat(load(ca() + "fips-relay { upstream.health { }, products { metrics { } }, dns.hosts { } }").upstream().retries())
                .isEqualTo(3);
    }

    @Test
    void the_low_water_mark_must_be_below_the_high_water_mark() {
        assertThatThrownBy(() -> load(ca() + "fips-relay.relay { high-water-mark = 64KiB, low-water-mark = 64KiB }"))
                .hasMessageContaining("fips-relay.relay.low-water-mark: 64KiB must be below fips-relay.relay.high-water-mark (64KiB)");
    }

    @Test
    void the_replay_buffer_must_fit_in_the_total() {
        assertThatThrownBy(() -> load(ca() + "fips-relay.upstream { replay-buffer = 2MiB, replay-buffer-total = 1MiB }"))
                .hasMessageContaining("fips-relay.upstream.replay-buffer: 2MiB must not be above fips-relay.upstream.replay-buffer-total (1MiB)");
    }

    @Test
    void the_request_line_limit_must_fit_in_the_header_section_limit() {
        assertThatThrownBy(() -> load(ca() + "fips-relay.limits { max-request-line = 16KiB, max-header-section = 8KiB }"))
                .hasMessageContaining("fips-relay.limits.max-request-line: 16KiB must not be above fips-relay.limits.max-header-section (8KiB)");
    }

    @Test
    void a_port_range_start_that_pushes_a_product_beyond_port_65535_names_the_product() throws Exception {
        SettingsLoader withFarOffset = loader(Map.of()).addProducts(List.of(Product.of("far", 100, "far-intake")), ConfigFactory.empty());
        assertThatThrownBy(() -> withFarOffset.load(SettingsLoader.parseString(ca() + "fips-relay.listen.port-range-start = 65440")))
                .satisfies(e -> assertThat(((SettingsException) e).problems()).containsExactly(
                        "fips-relay.products.far.port: listen.port-range-start 65440 + offset 100 is 65540, beyond port 65535:"
                                + " set fips-relay.products.far.port or a lower listen.port-range-start"));
        // An explicit port, or the product turned off, settles it.
        assertThat(withFarOffset.load(SettingsLoader.parseString(ca() + "fips-relay { listen.port-range-start = 65440, products.far.port = 9900 }"))
                .product("far").orElseThrow().port()).isEqualTo(9900);
        assertThat(withFarOffset.load(SettingsLoader.parseString(ca() + "fips-relay { listen.port-range-start = 65440, products.far.enabled = false }"))
                .enabledProducts()).extracting(RelaySettings.ProductSettings::id).containsExactly("metrics", "logs");
    }

    @Test
    void every_relation_and_range_problem_is_reported_at_once() {
        assertThatThrownBy(() -> load(ca() + "fips-relay { upstream.max-idle-per-host = -5, limits.max-connections-per-listener = 0,"
                + " limits.max-header-fields = -1, relay.low-water-mark = 1MiB }"))
                .satisfies(e -> assertThat(((SettingsException) e).problems()).containsExactlyInAnyOrder(
                        "fips-relay.upstream.max-idle-per-host: -5 is not in 0..4096",
                        "fips-relay.limits.max-connections-per-listener: 0 is not in 1..100000",
                        "fips-relay.limits.max-header-fields: -1 is not in 1..10000",
                        "fips-relay.relay.low-water-mark: 1MiB must be below fips-relay.relay.high-water-mark (256KiB)"));
    }

    @Test
    void a_count_with_a_fraction_is_refused_rather_than_rounded() {
        assertThatThrownBy(() -> load(ca() + "fips-relay.upstream.retries = 2.5"))
                .satisfies(e -> assertThat(((SettingsException) e).problems())
                        .containsExactly("fips-relay.upstream.retries: 2.5 is not a whole number in 0..10"));
    }

    @Test
    void a_wrong_type_names_the_key() {
        assertThatThrownBy(() -> load(ca() + "fips-relay.upstream.port = \"https\""))
                .hasMessageContaining("fips-relay.upstream.port:");
        assertThatThrownBy(() -> load(ca() + "fips-relay.upstream.response-timeout = soon"))
                .hasMessageContaining("fips-relay.upstream.response-timeout:");
    }

    @Test
    void a_port_clash_is_refused() {
        assertThatThrownBy(() -> load(ca() + "fips-relay.products.logs.port = 9804"))
                .hasMessageContaining("fips-relay.products.logs.port: port 9804 clashes with product metrics");
        assertThatThrownBy(() -> load(ca() + "fips-relay.products.metrics.port = 9803"))
                .hasMessageContaining("clashes with the status port");
    }

    @Test
    void an_unreadable_ca_file_is_refused() {
        assertThatThrownBy(() -> load("fips-relay.tls.ca-file = \"" + dir.resolve("missing.pem") + "\""))
                .hasMessageContaining("fips-relay.tls.ca-file: cannot read the CA bundle");
    }

    @Test
    void nothing_outside_the_fips_profile_can_be_configured() {
        assertThatThrownBy(() -> load(ca() + "fips-relay.tls.cipher-suites = [\"TLS_CHACHA20_POLY1305_SHA256\"]"))
                .hasMessageContaining("TLS_CHACHA20_POLY1305_SHA256 is not allowed");
        assertThatThrownBy(() -> load(ca() + "fips-relay.tls.protocols = [\"TLSv1.1\"]"))
                .hasMessageContaining("TLSv1.1 is not allowed");
        assertThatThrownBy(() -> load(ca() + "fips-relay.tls.named-groups = [\"x25519\"]"))
                .hasMessageContaining("x25519 is not allowed");
        assertThatThrownBy(() -> load(ca() + "fips-relay.tls { protocols = [\"TLSv1.2\"], cipher-suites = [\"TLS_AES_128_GCM_SHA256\"] }"))
                .hasMessageContaining("no TLS 1.2 suite");
    }

    @Test
    void keys_outside_the_root_are_refused() {
        assertThatThrownBy(() -> load(ca() + "site = \"ddog-gov.com\""))
                .hasMessageContaining("site: unknown key (every setting lives under fips-relay { })");
    }

    @Test
    void dns_hosts_take_quoted_names_and_must_be_addresses() throws Exception {
        RelaySettings s = load(ca() + "fips-relay.dns.hosts { \"metrics.agent.ddog-gov.com\" = \"10.0.0.5\" }");
        assertThat(s.dns().hosts()).containsEntry("metrics.agent.ddog-gov.com", "10.0.0.5");
        assertThatThrownBy(() -> load(ca() + "fips-relay.dns.hosts { \"a.b\" = \"not-an-ip\" }"))
                .hasMessageContaining("not an IP address");
    }
}
