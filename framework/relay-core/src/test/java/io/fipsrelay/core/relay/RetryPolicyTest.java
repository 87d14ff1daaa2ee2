package io.fipsrelay.core.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.fipsrelay.core.settings.RelaySettings;
import io.fipsrelay.core.upstream.UpstreamFailure;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** When the relay tries a request again, and when the agent gets a 5xx instead. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RetryPolicyTest {

    private static final InetSocketAddress ADDRESS = new InetSocketAddress("127.0.0.1", 443);

    private static RelaySettings.Upstream upstream(int retries, boolean resendUnansweredPosts) {
        return new RelaySettings.Upstream(443, Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofSeconds(50),
                32, retries, resendUnansweredPosts, 1 << 20, 64L << 20,
                new RelaySettings.Health(Duration.ofSeconds(10), 3, 2, 6));
    }

    @Test
    void a_failed_connect_or_handshake_moves_to_another_address_while_retries_last() {
        UpstreamFailure refused = new UpstreamFailure(502, "connect", "connection refused", ADDRESS);
        UpstreamFailure handshake = new UpstreamFailure(502, "tls", "handshake failed", ADDRESS);
        assertThat(RetryPolicy.tryAnotherAddress(refused, 0, upstream(3, false))).isTrue();
        assertThat(RetryPolicy.tryAnotherAddress(handshake, 2, upstream(3, false))).isTrue();
        assertThat(RetryPolicy.tryAnotherAddress(refused, 3, upstream(3, false))).isFalse();
    }

    @Test
    void failures_that_another_address_cannot_mend_are_answered_at_once() {
        assertThat(RetryPolicy.tryAnotherAddress(new UpstreamFailure(503, "no-server", "all DOWN"), 0, upstream(3, false)))
                .isFalse();
        assertThat(RetryPolicy.tryAnotherAddress(new UpstreamFailure(503, "dns", "cannot resolve"), 0, upstream(3, false)))
                .isFalse();
    }

    @Test
    void a_dead_pooled_connection_that_never_had_the_whole_request_is_resent() {
        assertThat(RetryPolicy.resendOnNewConnection(true, false, true, 0, false, "POST", upstream(3, false))).isTrue();
    }

    @Test
    void a_post_the_dead_connection_took_whole_is_not_resent_unless_the_operator_accepts_a_second_delivery() {
        assertThat(RetryPolicy.resendOnNewConnection(true, false, true, 0, true, "POST", upstream(3, false))).isFalse();
        assertThat(RetryPolicy.resendOnNewConnection(true, false, true, 0, true, "POST", upstream(3, true))).isTrue();
    }

    @Test
    void an_idempotent_request_is_resent_even_when_sent_whole() {
        assertThat(RetryPolicy.resendOnNewConnection(true, false, true, 0, true, "GET", upstream(3, false))).isTrue();
        assertThat(RetryPolicy.resendOnNewConnection(true, false, true, 0, true, "HEAD", upstream(3, false))).isTrue();
    }

    @Test
    void nothing_is_resent_once_the_intake_answered_or_the_body_is_no_longer_held_or_retries_ran_out() {
        assertThat(RetryPolicy.resendOnNewConnection(true, true, true, 0, false, "GET", upstream(3, false))).isFalse();
        assertThat(RetryPolicy.resendOnNewConnection(true, false, false, 0, false, "GET", upstream(3, false))).isFalse();
        assertThat(RetryPolicy.resendOnNewConnection(true, false, true, 3, false, "GET", upstream(3, false))).isFalse();
    }

    @Test
    void a_fresh_connection_that_fails_is_not_resent() {
        // A new connection failing says something about the intake, not about a stale keep-alive.
        assertThat(RetryPolicy.resendOnNewConnection(false, false, true, 0, false, "GET", upstream(3, false))).isFalse();
    }
}
