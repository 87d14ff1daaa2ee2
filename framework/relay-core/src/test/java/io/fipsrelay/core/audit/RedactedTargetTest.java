package io.fipsrelay.core.audit;

import java.util.concurrent.TimeUnit;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Query values that carry Datadog keys never reach a record; everything else of the target stays as sent. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RedactedTargetTest {

    @Test
    void every_api_key_parameter_value_is_replaced_whatever_its_case_or_encoding() {
        assertThat(RedactedTarget.of("/api/v1/series?api_key=abc123&x=1&APIKEY=k2&application_key=k3&DD-API-KEY=k4&dd%2Dapi%2Dkey=k5"))
                .isEqualTo("/api/v1/series?api_key=***&x=1&APIKEY=***&application_key=***&DD-API-KEY=***&dd%2Dapi%2Dkey=***");
    }

    @Test
    void a_target_without_secrets_is_kept_byte_for_byte() {
        assertThat(RedactedTarget.of("/api/v2/logs?ddsource=java&service=a%20b&&flag")).isEqualTo("/api/v2/logs?ddsource=java&service=a%20b&&flag");
        assertThat(RedactedTarget.of("/intake/")).isEqualTo("/intake/");
    }

    @Test
    void parameters_that_only_contain_a_key_name_are_not_touched() {
        assertThat(RedactedTarget.of("/x?my_api_key_id=7&api_keys=8#api_key=9")).isEqualTo("/x?my_api_key_id=7&api_keys=8#api_key=9");
    }
}
