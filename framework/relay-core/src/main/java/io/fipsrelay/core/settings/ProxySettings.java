package io.fipsrelay.core.settings;

import java.util.Optional;

/**
 * The {@code upstream.proxy} block: the egress HTTP proxy every product's intakes are reached
 * through (CONNECT tunnels, FIPS TLS end to end inside), and the hosts reached directly instead.
 *
 * @param endpoint the proxy, or null to connect directly
 * @param noProxy  intake hosts reached directly although a proxy is set
 * @param origin   where the proxy URL came from: "upstream.proxy.url", "HTTPS_PROXY" or "https_proxy"
 *                 (for status pages and diagnose), or null when there is no proxy
 */
public record ProxySettings(ProxyEndpoint endpoint, NoProxyMatcher noProxy, String origin) {

    /** Every intake reached directly. */
    public static ProxySettings direct() {
        return new ProxySettings(null, NoProxyMatcher.none(), null);
    }

    public boolean enabled() {
        return endpoint != null;
    }

    /** The proxy a connection to this intake host goes through, or empty when it goes directly. */
    public Optional<ProxyEndpoint> forHost(String host) {
        return endpoint == null || noProxy.matches(host) ? Optional.empty() : Optional.of(endpoint);
    }

    /** Credentials redacted (the endpoint's only string form). */
    @Override
    public String toString() {
        return endpoint == null ? "direct" : endpoint + " (from " + origin + ", no-proxy " + noProxy + ")";
    }
}
