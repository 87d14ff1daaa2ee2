package io.fipsrelay.core.upstream;

/**
 * How a new upstream connection reports back, on the I/O thread of the connection (the worker it
 * was opened for): once, either ready to carry an exchange or failed.
 */
public interface ConnectCallback {

    /** TCP connected and the FIPS TLS handshake completed (certificate and host name verified). */
    void connected(UpstreamConnection connection);

    /** The connect or the handshake failed, or did not complete in time. */
    void connectFailed(UpstreamFailure failure);
}
