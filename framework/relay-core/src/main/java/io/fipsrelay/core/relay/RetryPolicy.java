package io.fipsrelay.core.relay;

import io.fipsrelay.core.settings.RelaySettings;
import io.fipsrelay.core.upstream.UpstreamFailure;
import java.util.Set;

/**
 * When a failed attempt is tried again (OkHttp's {@code recover()}): pure decisions from what
 * failed, what was sent and the settings. Everything else gets the agent a 5xx, which it retries.
 */
final class RetryPolicy {

    /** RFC 9110 9.2.2. */
    private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE");

    private RetryPolicy() {
    }

    /** A connection attempt failed before anything was sent: another address may do. */
    static boolean tryAnotherAddress(UpstreamFailure failure, int attempts, RelaySettings.Upstream settings) {
        return failure.retryable() && attempts < settings.retries();
    }

    /**
     * A kept-alive connection turned out dead before answering: send it all again on a new one,
     * but only if the intake cannot have acted on it (it never had the whole request, or doing it
     * twice is harmless), unless the operator accepted a possible second delivery
     * ({@code upstream.resend-unanswered-posts}). A POST the intake fully received gets a 502 instead.
     */
    static boolean resendOnNewConnection(boolean pooledConnection, boolean intakeAnswered, boolean replayIntact,
                                         int attempts, boolean requestSentWhole, String method,
                                         RelaySettings.Upstream settings) {
        if (!pooledConnection || intakeAnswered || !replayIntact || attempts >= settings.retries()) {
            return false;
        }
        return !requestSentWhole || IDEMPOTENT.contains(method) || settings.resendUnansweredPosts();
    }
}
