package io.fipsrelay.core.metrics;

/**
 * The health of one intake address as the relay sees it.
 *
 * @param server the configured server, "host:port"
 * @param address the resolved address, "ip:port"
 * @param up whether requests go to it
 * @param lastCheckMillis duration of the last health check, -1 when none ran yet
 * @param lastError why the last check or request failed, null when it did not
 * @param via the egress proxy the server is reached through ("http://user:***@host:port", the
 *            address is then the proxy's), null when it is reached directly
 */
public record UpstreamAddressState(String server, String address, boolean up, long lastCheckMillis, String lastError,
                                   String via) {

    /** A server reached directly. */
    public UpstreamAddressState(String server, String address, boolean up, long lastCheckMillis, String lastError) {
        this(server, address, up, lastCheckMillis, lastError, null);
    }
}
