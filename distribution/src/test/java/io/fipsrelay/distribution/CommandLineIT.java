package io.fipsrelay.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** bin/fips-relay plugins and agent-config on the distribution as shipped (its conf/ and plugins/). */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class CommandLineIT {

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
