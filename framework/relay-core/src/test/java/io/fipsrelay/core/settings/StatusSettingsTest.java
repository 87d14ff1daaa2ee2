package io.fipsrelay.core.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The status.* keys: defaults as reference.conf documents them, and refusals with the key path. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class StatusSettingsTest {

    private static RelaySettings load(String hocon) throws SettingsException {
        return SettingsLoader.withCoreDefaults().environment(Map.of()).addProducts(List.of(), com.typesafe.config.ConfigFactory.empty())
                .load(SettingsLoader.parseString("fips-relay.tls.ca-file = \"" + caFile() + "\"\n" + hocon));
    }

    /** Any readable file passes the CA check; these tests are not about TLS. */
    private static String caFile() {
        return SettingsLoader.class.getProtectionDomain().getCodeSource().getLocation().getPath() + "reference.conf";
    }

    @Test
    void defaults_serve_the_status_port_with_jmx_and_fifteen_minutes_of_five_second_samples() throws Exception {
        RelaySettings.Status status = load("").status();
        assertThat(status.enabled()).isTrue();
        assertThat(status.jmx()).isTrue();
        assertThat(status.sampleInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(status.history()).isEqualTo(Duration.ofMinutes(15));
        assertThat(status.historySamples()).isEqualTo(180);
    }

    @Test
    void jmx_and_the_history_can_be_changed() throws Exception {
        RelaySettings.Status status = load("fips-relay.status { jmx = false, sample-interval = 2s, history = 1h }").status();
        assertThat(status.jmx()).isFalse();
        assertThat(status.historySamples()).isEqualTo(1800);
    }

    @Test
    void a_sample_interval_outside_one_second_to_a_minute_is_refused() {
        assertThatThrownBy(() -> load("fips-relay.status.sample-interval = 200ms"))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("fips-relay.status.sample-interval: 200ms is not in 1s..1m");
    }

    @Test
    void a_history_shorter_than_one_sample_or_longer_than_ten_thousand_is_refused() {
        assertThatThrownBy(() -> load("fips-relay.status { sample-interval = 10s, history = 5s }"))
                .hasMessageContaining("fips-relay.status.history: must hold 1 .. 10000 samples");
        assertThatThrownBy(() -> load("fips-relay.status { sample-interval = 1s, history = 3h }"))
                .hasMessageContaining("fips-relay.status.history: must hold 1 .. 10000 samples");
    }

    @Test
    void a_misspelt_status_key_is_refused_with_a_suggestion() {
        assertThatThrownBy(() -> load("fips-relay.status.jxm = false"))
                .hasMessageContaining("fips-relay.status.jxm: unknown key (did you mean fips-relay.status.jmx?)");
    }
}
