package io.fipsrelay.core.upstream;

/**
 * An exchange waiting for an upstream connection (Envoy's pool callbacks): answered once, on the
 * exchange's own worker thread, possibly before {@link WorkerUpstreamPool#acquire} returns.
 */
public interface UpstreamRequester {

    void upstreamReady(UpstreamConnection connection);

    void upstreamFailed(UpstreamFailure failure);

    /** The product the connection is for, named in the session's audit records (null: none). */
    default String product() {
        return null;
    }
}
