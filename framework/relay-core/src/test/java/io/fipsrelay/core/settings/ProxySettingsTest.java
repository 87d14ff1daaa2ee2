package io.fipsrelay.core.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import io.fipsrelay.api.Product;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** fips-relay.upstream.proxy: validated at start with key paths, never echoing a password. */
@Timeout(30)
class ProxySettingsTest {

    static final Product METRICS = Product.of("metrics", 1, "metrics.agent");

    @TempDir
    Path dir;

    RelaySettings load(Map<String, String> env, String hocon) throws Exception {
        Path ca = dir.resolve("ca.pem");
        Files.writeString(ca, "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n");
        return SettingsLoader.withCoreDefaults().environment(env)
                .addProducts(List.of(METRICS), ConfigFactory.empty())
                .load(SettingsLoader.parseString("fips-relay.tls.ca-file = \"" + ca + "\"\n" + hocon));
    }

    RelaySettings load(String hocon) throws Exception {
        return load(Map.of(), hocon);
    }

    static String basic(String userColonPassword) {
        return "Basic " + Base64.getEncoder().encodeToString(userColonPassword.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void by_default_every_intake_is_reached_directly() throws Exception {
        ProxySettings p = load("").proxy();
        assertThat(p.enabled()).isFalse();
        assertThat(p.forHost("metrics.agent.ddog-gov.com")).isEmpty();
        assertThat(p).hasToString("direct");
    }

    @Test
    void a_proxy_url_sends_every_intake_through_it_except_the_no_proxy_hosts() throws Exception {
        ProxySettings p = load("fips-relay.upstream.proxy { url = \"http://proxy.corp.example:3128\","
                + " no-proxy = [\".internal.example\", \"10.0.0.0/8\"] }").proxy();
        assertThat(p.enabled()).isTrue();
        ProxyEndpoint e = p.forHost("metrics.agent.ddog-gov.com").orElseThrow();
        assertThat(e.host()).isEqualTo("proxy.corp.example");
        assertThat(e.port()).isEqualTo(3128);
        assertThat(e.hasCredentials()).isFalse();
        assertThat(e.proxyAuthorization()).isNull();
        assertThat(e).hasToString("http://proxy.corp.example:3128");
        assertThat(p.forHost("intake.internal.example")).isEmpty();
        assertThat(p.forHost("10.1.2.3")).isEmpty();
        assertThat(p.origin()).isEqualTo("upstream.proxy.url");
    }

    @Test
    void credentials_become_basic_authorization_and_are_redacted_in_the_only_string_form() throws Exception {
        RelaySettings s = load("fips-relay.upstream.proxy.url = \"http://relay:s3cr%40t@[::1]:8080/\"");
        ProxyEndpoint e = s.proxy().endpoint();
        assertThat(e.host()).isEqualTo("::1");
        assertThat(e.port()).isEqualTo(8080);
        assertThat(e.proxyAuthorization()).isEqualTo(basic("relay:s3cr@t"));
        assertThat(e).hasToString("http://relay:***@[::1]:8080");
        assertThat(s.proxy().toString()).doesNotContain("s3cr");
        assertThat(s.toString()).doesNotContain("s3cr");
    }

    @Test
    void the_password_may_come_from_an_environment_substitution() throws Exception {
        String path = System.getenv("PATH");
        RelaySettings s = load("fips-relay.upstream.proxy.url = \"http://relay:\"${?PATH}\"@proxy.example:3128\"");
        assertThat(s.proxy().endpoint().proxyAuthorization()).isEqualTo(basic("relay:" + path));
        assertThat(s.proxy().endpoint()).hasToString("http://relay:***@proxy.example:3128");
    }

    @Test
    void an_unset_password_variable_is_refused_rather_than_sent_empty() {
        assertThatThrownBy(() -> load("fips-relay.upstream.proxy.url = \"http://relay:\"${?FIPS_RELAY_UNSET_PROXY_PASSWORD}\"@proxy.example:3128\""))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("fips-relay.upstream.proxy.url: empty password in http://relay:***@proxy.example:3128")
                .hasMessageContaining("${?VAR}");
    }

    @Test
    void bad_urls_are_refused_with_the_key_path_and_without_the_password() {
        assertThatThrownBy(() -> load("fips-relay.upstream.proxy.url = \"https://relay:hunter2@proxy.example:3128\""))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("fips-relay.upstream.proxy.url: https:// proxies are not supported (https://relay:***@proxy.example:3128)")
                .hasMessageContaining("use http://")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> load("fips-relay.upstream.proxy.url = \"http://relay:hunter2@proxy.example:99999\""))
                .hasMessageContaining("fips-relay.upstream.proxy.url: port out of range 1..65535")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> load("fips-relay.upstream.proxy.url = \"http://relay:hunter2@proxy.example\""))
                .hasMessageContaining("fips-relay.upstream.proxy.url: no port in http://relay:***@proxy.example")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> load("fips-relay.upstream.proxy.url = \"socks5://proxy.example:1080\""))
                .hasMessageContaining("fips-relay.upstream.proxy.url: not an http:// proxy URL: socks5://proxy.example:1080");
        assertThatThrownBy(() -> load("fips-relay.upstream.proxy.url = \"proxy.example:3128\""))
                .hasMessageContaining("fips-relay.upstream.proxy.url: expected http://host:port");
        assertThatThrownBy(() -> load("fips-relay.upstream.proxy.url = \"http://proxy.example:3128/path\""))
                .hasMessageContaining("fips-relay.upstream.proxy.url: a proxy URL has no path, query or fragment");
        assertThatThrownBy(() -> load("fips-relay.upstream.proxy.url = \"http://relay:100%@proxy.example:3128\""))
                .hasMessageContaining("fips-relay.upstream.proxy.url: the password in http://relay:***@proxy.example:3128 is not percent-encoded")
                .hasMessageNotContaining("100%");
        assertThatThrownBy(() -> load("fips-relay.upstream.proxy.url = \"http://pro xy:3128\""))
                .hasMessageContaining("fips-relay.upstream.proxy.url: not a host name");
        assertThatThrownBy(() -> load("fips-relay.upstream.proxy.url = [\"http://proxy:3128\"]"))
                .hasMessageContaining("fips-relay.upstream.proxy.url: has type LIST rather than STRING");
    }

    @Test
    void an_unparsable_no_proxy_entry_is_refused_with_the_key_path() {
        assertThatThrownBy(() -> load("fips-relay.upstream.proxy { url = \"http://proxy:3128\", no-proxy = [\"10.0.0.0/40\"] }"))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("fips-relay.upstream.proxy.no-proxy: CIDR prefix length out of range 0..32: \"10.0.0.0/40\"");
    }

    @Test
    void the_environment_is_ignored_unless_use_environment_is_true() throws Exception {
        Map<String, String> env = Map.of("HTTPS_PROXY", "http://envproxy.example:3128", "NO_PROXY", ".internal.example");
        assertThat(load(env, "").proxy().enabled()).isFalse();

        ProxySettings p = load(env, "fips-relay.upstream.proxy.use-environment = true").proxy();
        assertThat(p.endpoint()).hasToString("http://envproxy.example:3128");
        assertThat(p.origin()).isEqualTo("HTTPS_PROXY");
        assertThat(p.forHost("intake.internal.example")).isEmpty();
        assertThat(p.forHost("metrics.agent.ddog-gov.com")).isPresent();
    }

    @Test
    void the_lower_case_variables_count_and_a_scheme_less_value_is_taken_as_http() throws Exception {
        ProxySettings p = load(Map.of("https_proxy", "user:pw@envproxy.example:8888", "no_proxy", "localhost, 10.0.0.0/8 ,"),
                "fips-relay.upstream.proxy { use-environment = true, no-proxy = [\".internal.example\"] }").proxy();
        assertThat(p.endpoint()).hasToString("http://user:***@envproxy.example:8888");
        assertThat(p.origin()).isEqualTo("https_proxy");
        assertThat(p.noProxy().entries()).containsExactly(".internal.example", "localhost", "10.0.0.0/8");
    }

    @Test
    void an_explicit_url_wins_over_the_environment() throws Exception {
        ProxySettings p = load(Map.of("HTTPS_PROXY", "http://envproxy.example:3128", "NO_PROXY", "*"),
                "fips-relay.upstream.proxy { use-environment = true, url = \"http://conf.example:3128\" }").proxy();
        assertThat(p.endpoint()).hasToString("http://conf.example:3128");
        assertThat(p.forHost("metrics.agent.ddog-gov.com")).isPresent();
    }

    @Test
    void a_bad_environment_value_is_refused_naming_the_variable_without_the_password() {
        assertThatThrownBy(() -> load(Map.of("HTTPS_PROXY", "https://u:topsecret@envproxy.example:3128"),
                "fips-relay.upstream.proxy.use-environment = true"))
                .hasMessageContaining("environment HTTPS_PROXY (fips-relay.upstream.proxy.use-environment = true): https:// proxies are not supported")
                .hasMessageNotContaining("topsecret");
        assertThatThrownBy(() -> load(Map.of("HTTPS_PROXY", "http://envproxy.example:3128", "NO_PROXY", "a.example:443"),
                "fips-relay.upstream.proxy.use-environment = true"))
                .hasMessageContaining("environment NO_PROXY (fips-relay.upstream.proxy.use-environment = true): not a host name");
    }

    @Test
    void an_unknown_key_in_the_block_is_refused() {
        assertThatThrownBy(() -> load("fips-relay.upstream.proxy.urls = \"http://proxy:3128\""))
                .hasMessageContaining("fips-relay.upstream.proxy.urls: unknown key");
    }
}
