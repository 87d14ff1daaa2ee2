package io.fipsrelay.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The operator's plugins, agent-config and check-config commands: exit codes and the words operators grep for. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FipsRelayCommandTest {

    @TempDir
    static Path plugins;
    @TempDir
    Path dir;

    @BeforeAll
    static void twoPlugins() {
        TestPlugins.products(plugins.resolve("alpha.jar"), "alpha-plugin",
                "Product.of(\"alpha\", 1, \"alpha.agent\").withRoute(Route.pathAndBelow(\"/support/flare\", \"flare\"))",
                "fips-relay.products.alpha { enabled = true, port = null, servers = [] }\n");
        TestPlugins.products(plugins.resolve("beta.jar"), "beta-plugin",
                "Product.of(\"beta\", 5, \"beta-intake\"), Product.of(\"gamma\", 15, \"gamma-intake\")",
                "fips-relay.products.beta { enabled = true, port = null, servers = [] }\n"
                        + "fips-relay.products.gamma { enabled = true, port = null, servers = [] }\n");
    }

    @Test
    void plugins_lists_every_product_with_its_plugin_port_state_and_upstream_servers() throws IOException {
        Result r = run("plugins", "--config", conf("""
                fips-relay {
                  listen.port-range-start = 20000
                  products.alpha.servers = ["10.0.0.5:8443", "10.0.0.6:8443"]
                  products.beta.enabled = false
                }
                """), "--plugins-dir", plugins.toString());

        assertThat(r.exit).isZero();
        assertThat(r.out.lines()).first().asString().matches("PRODUCT +PLUGIN +PORT +STATE +UPSTREAM");
        assertThat(r.out).containsPattern("(?m)^alpha +alpha-plugin +20001 +enabled +10\\.0\\.0\\.5:8443 10\\.0\\.0\\.6:8443,"
                        + " /support/flare\\[/\\.\\.\\.\\] -> flare\\.ddog-gov\\.com:443$")
                .containsPattern("(?m)^beta +beta-plugin +20005 +disabled +beta-intake\\.ddog-gov\\.com:443$")
                .containsPattern("(?m)^gamma +beta-plugin +20015 +enabled +gamma-intake\\.ddog-gov\\.com:443$")
                .contains("3 products from 2 plugins in " + plugins)
                .doesNotContain("refused");
    }

    @Test
    void plugins_follows_the_site_for_every_intake_host() throws IOException {
        Result r = run("plugins", "--config", conf("fips-relay.site = \"datadoghq.com\""), "--plugins-dir", plugins.toString());

        assertThat(r.exit).isZero();
        assertThat(r.out).containsPattern("(?m)^alpha .* 9804 +enabled +alpha\\.agent\\.datadoghq\\.com:443, /support/flare\\[/\\.\\.\\.\\] -> flare\\.datadoghq\\.com:443$")
                .containsPattern("(?m)^beta .* 9808 +enabled +beta-intake\\.datadoghq\\.com:443$");
    }

    @Test
    void plugins_names_the_egress_proxy_with_its_password_redacted() throws IOException {
        Result r = run("plugins", "--config", conf("""
                fips-relay.upstream.proxy {
                  url = "http://relay:pl4in-pw@proxy.corp.example:3128"
                  no-proxy = [".internal.example"]
                }
                """), "--plugins-dir", plugins.toString());

        assertThat(r.exit).isZero();
        assertThat(r.out).contains("intakes reached through the egress proxy http://relay:***@proxy.corp.example:3128"
                        + " (from upstream.proxy.url); directly: [.internal.example]")
                .doesNotContain("pl4in-pw");
        assertThat(r.err).doesNotContain("pl4in-pw");
    }

    @Test
    void check_config_refuses_an_https_proxy_naming_the_key_without_the_password() throws IOException {
        Result r = run("check-config", "--config", conf("fips-relay.upstream.proxy.url = \"https://relay:ch3ck-pw@proxy:3128\""),
                "--plugins-dir", plugins.toString());

        assertThat(r.exit).isEqualTo(2);
        assertThat(r.err).contains("fips-relay.upstream.proxy.url: https:// proxies are not supported (https://relay:***@proxy:3128)");
        assertThat(r.out + r.err).doesNotContain("ch3ck-pw");
    }

    @Test
    void plugins_names_each_refused_jar_with_its_reason_and_exits_1() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("plugins"));
        TestPlugins.copyInto(plugins.resolve("alpha.jar"), folder);
        Path garbage = TestPlugins.garbage(folder.resolve("x.jar"));

        Result r = run("plugins", "--config", conf(""), "--plugins-dir", folder.toString());

        assertThat(r.exit).isEqualTo(1);
        assertThat(r.out).containsPattern("(?m)^alpha +alpha-plugin +9804 +enabled ")
                .contains("refused " + garbage + ": not a jar file");
    }

    @Test
    void plugins_with_a_bad_configuration_names_the_key_and_exits_2() throws IOException {
        Result r = run("plugins", "--config", conf("fips-relay.products.alpha.prot = 1"), "--plugins-dir", plugins.toString());

        assertThat(r.exit).isEqualTo(2);
        assertThat(r.err).contains("fips-relay.products.alpha.prot: unknown key");
        assertThat(r.out).isEmpty();
    }

    @Test
    void plugins_with_a_missing_plugins_folder_says_so_and_exits_2() throws IOException {
        Result r = run("plugins", "--config", conf(""), "--plugins-dir", dir.resolve("nowhere").toString());

        assertThat(r.exit).isEqualTo(2);
        assertThat(r.err).contains("plugins folder " + dir.resolve("nowhere") + " does not exist");
    }

    @Test
    void agent_config_prints_the_datadog_yaml_fips_block_and_the_same_as_environment_variables() throws IOException {
        Result r = run("agent-config", "--config", conf("fips-relay.listen { port-range-start = 19803, address = \"127.0.0.2\" }"),
                "--plugins-dir", plugins.toString());

        assertThat(r.exit).isZero();
        assertThat(r.out).contains("""
                fips:
                  enabled: true
                  port_range_start: 19803
                  https: false
                  local_address: 127.0.0.2
                """).contains("""
                DD_FIPS_ENABLED=true
                DD_FIPS_PORT_RANGE_START=19803
                DD_FIPS_HTTPS=false
                DD_FIPS_LOCAL_ADDRESS=127.0.0.2
                """).doesNotContain("warning");
        assertThat(r.out.lines().filter(l -> !l.isBlank() && !l.startsWith("#") && !l.startsWith("DD_")))
                .as("everything else is the YAML block").hasSize(5);
    }

    @Test
    void agent_config_warns_where_the_agent_and_this_configuration_would_not_meet() throws IOException {
        Result r = run("agent-config", "--config", conf("""
                fips-relay {
                  listen.address = "0.0.0.0"
                  products.alpha.port = 9900
                  products.gamma.enabled = false
                }
                """), "--plugins-dir", plugins.toString());

        assertThat(r.exit).isZero();
        assertThat(r.out).contains("local_address: 127.0.0.1")
                .contains("# note: listen.address 0.0.0.0 accepts on every interface")
                .contains("# warning: product alpha listens on 9900 but the agent sends it to 9804 (port_range_start + 1).")
                .contains("# warning: product gamma is disabled here");
    }

    @Test
    void agent_config_quotes_an_ipv6_address_in_yaml() throws IOException {
        Result r = run("agent-config", "--config", conf("fips-relay.listen.address = \"::1\""), "--plugins-dir", plugins.toString());

        assertThat(r.exit).isZero();
        assertThat(r.out).contains("  local_address: \"::1\"").contains("DD_FIPS_LOCAL_ADDRESS=::1");
    }

    @Test
    void agent_config_with_a_bad_configuration_exits_2() throws IOException {
        Result r = run("agent-config", "--config", conf("fips-relay.listen.port-range-start = \"soon\""), "--plugins-dir", plugins.toString());

        assertThat(r.exit).isEqualTo(2);
        assertThat(r.err).contains("fips-relay.listen.port-range-start");
    }

    @Test
    void check_config_refuses_a_non_positive_scan_interval_naming_the_key() throws IOException {
        Result r = run("check-config", "--config", conf("fips-relay.plugins.scan-interval = 0s"), "--plugins-dir", plugins.toString());

        assertThat(r.exit).isEqualTo(2);
        assertThat(r.err).contains("fips-relay.plugins.scan-interval: 0s is not in 10ms..1m");
    }

    @Test
    void check_config_accepts_the_hot_plug_keys() throws IOException {
        Result r = run("check-config", "--config", conf("fips-relay.plugins { hot-plug = false, scan-interval = 2s }"),
                "--plugins-dir", plugins.toString());

        assertThat(r.exit).isZero();
        assertThat(r.out).startsWith("configuration OK");
    }

    /** An operator file with this content; its path as the command line takes it. */
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
