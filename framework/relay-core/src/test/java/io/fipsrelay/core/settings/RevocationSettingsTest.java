package io.fipsrelay.core.settings;

import java.util.concurrent.TimeUnit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** tls.revocation: its defaults, and wrong values refused with their key path. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RevocationSettingsTest {

    private static RelaySettings load(String hocon) throws SettingsException {
        return SettingsLoader.withCoreDefaults().environment(Map.of()).load(SettingsLoader.parseString(hocon));
    }

    @Test
    void the_default_is_soft_fail_with_stapling_and_fetching_a_5s_timeout_and_an_hour_of_cache() throws Exception {
        RelaySettings.Revocation r = load("").revocation();
        assertThat(r.mode()).isEqualTo(RelaySettings.Revocation.Mode.SOFT_FAIL);
        assertThat(r.ocspStapling()).isTrue();
        assertThat(r.fetch()).isTrue();
        assertThat(r.timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(r.cache()).isEqualTo(Duration.ofHours(1));
        assertThat(r.describe()).isEqualTo("soft-fail (stapled OCSP, fetched OCSP/CRL, timeout 5000 ms, cache 3600 s)");
    }

    @Test
    void an_unknown_mode_is_refused_naming_the_key_and_the_choices() {
        assertThatThrownBy(() -> load("fips-relay.tls.revocation.mode = \"strict\""))
                .hasMessageContaining("fips-relay.tls.revocation.mode: must be off, soft-fail or hard-fail: strict");
    }

    @Test
    void hard_fail_with_no_source_at_all_is_refused() {
        assertThatThrownBy(() -> load("fips-relay.tls.revocation { mode = \"hard-fail\", ocsp-stapling = false, fetch = false }"))
                .hasMessageContaining("would refuse every intake");
    }

    @Test
    void a_misspelt_key_is_refused() {
        assertThatThrownBy(() -> load("fips-relay.tls.revocation.moed = \"off\""))
                .hasMessageContaining("fips-relay.tls.revocation.moed: unknown key");
    }
}
