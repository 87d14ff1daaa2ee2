package io.fipsrelay.core.metrics;

/**
 * The health of one intake address as the relay sees it.
 *
 * @param server the configured server, "host:port"
 * @param address the resolved address, "ip:port"
 * @param up whether requests go to it
 * @param lastCheckMillis duration of the last health check, -1 when none ran yet
 * @param lastError why the last check or request failed, null when it did not
 */
public record UpstreamAddressState(String server, String address, boolean up, long lastCheckMillis, String lastError) {
}
