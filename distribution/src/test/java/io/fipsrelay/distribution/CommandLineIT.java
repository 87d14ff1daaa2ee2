package io.fipsrelay.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** bin/fips-relay plugins and agent-config on the distribution as shipped (its conf/ and plugins/). */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class CommandLineIT {

    @TempDir
    Path dir;

    @Test
    void the_answering_commands_print_their_answer_alone_and_the_log_only_with_verbose() {
        for (String command : java.util.List.of("plugins", "agent-config", "check-config", "self-test")) {
            RelayProcess.Finished quiet = RelayProcess.run(command);
            assertThat(quiet.exit()).as(command + ": " + quiet.err()).isZero();
            assertThat(quiet.err()).as(command + " without --verbose logs nothing").isEmpty();
            assertThat(quiet.out()).as(command).isNotEmpty();
        }
        RelayProcess.Finished verbose = RelayProcess.run("plugins", "--verbose");
        assertThat(verbose.exit()).isZero();
        assertThat(verbose.err()).contains("INFO  PluginCatalog - plugin metrics loaded from plugin-metrics-");
    }

    @Test
    void with_stderr_on_the_journal_log_lines_carry_a_syslog_priority_instead_of_a_time() throws Exception {
        // JOURNAL_STREAM names stderr's device and inode, as systemd sets it; here stderr is a file.
        Path log = dir.resolve("stderr.log");
        String script = "exec 2>\"$0\"; JOURNAL_STREAM=$(stat -L -c '%d:%i' /proc/self/fd/2) exec \"$1\" plugins --verbose";
        Packaging.Result r = Packaging.run(Map.of("JAVA_HOME", System.getProperty("java.home")), "sh", "-c", script,
                log.toString(), Distribution.launcher().toString());
        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(Files.readString(log)).containsPattern("(?m)^<6>INFO  PluginCatalog - plugin metrics loaded")
                .doesNotContainPattern("(?m)^\\d{4}-\\d{2}-\\d{2}T");

        // The variable inherited by a process whose stderr is elsewhere does not count.
        Packaging.Result elsewhere = Packaging.run(Map.of("JOURNAL_STREAM", "0:1"), Distribution.launcher().toString(),
                "plugins", "--verbose");
        assertThat(elsewhere.out()).containsPattern("(?m)^\\d{4}-\\d{2}-\\d{2}T[0-9:.]+\\S* INFO  PluginCatalog - plugin metrics");
    }

    @Test
    void plugins_lists_every_shipped_product_with_its_plugin_port_and_intake_host() {
        RelayProcess.Finished r = RelayProcess.run("plugins");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("PRODUCT").doesNotContain("refused")
                .contains(AgentPortMap.PRODUCTS.size() + " products from 11 plugins in " + Distribution.plugins());
        for (AgentPortMap.Entry e : AgentPortMap.PRODUCTS) {
            assertThat(r.out()).containsPattern("(?m)^" + Pattern.quote(e.productId()) + " +" + Pattern.quote(e.pluginId())
                    + " +" + (9803 + e.offset()) + " +enabled +" + Pattern.quote(e.host("ddog-gov.com") + ":443") + "(,|$)");
        }
    }

    @Test
    void agent_config_prints_the_fips_block_matching_the_shipped_configuration() {
        RelayProcess.Finished r = RelayProcess.run("agent-config");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("""
                fips:
                  enabled: true
                  port_range_start: 9803
                  https: false
                  local_address: 127.0.0.1""")
                .contains("DD_FIPS_ENABLED=true", "DD_FIPS_PORT_RANGE_START=9803", "DD_FIPS_HTTPS=false",
                        "DD_FIPS_LOCAL_ADDRESS=127.0.0.1")
                .doesNotContain("warning");
    }
}
