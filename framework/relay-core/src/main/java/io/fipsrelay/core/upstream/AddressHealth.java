package io.fipsrelay.core.upstream;

import io.fipsrelay.core.metrics.UpstreamAddressState;
import io.fipsrelay.core.settings.HostAndPort;
import io.fipsrelay.core.settings.ProxyEndpoint;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * UP/DOWN state of one intake address with HAProxy's fall/rise hysteresis. Active checks and live
 * traffic both report here; only changes of state are logged, once.
 */
public final class AddressHealth {

    private static final Logger LOG = LoggerFactory.getLogger(AddressHealth.class);

    private final HostAndPort server;
    private final InetSocketAddress address;
    private final int fall;
    private final int rise;
    /** Read on every request by every worker without a lock; written under this object's lock. */
    private volatile boolean up = true;
    /** Times this address went DOWN: idle connections opened before the last fall are not reused. */
    private volatile int falls;
    /** Set once DNS no longer lists the address: its idle connections are closed when next seen. */
    private volatile boolean retired;
    private int failures;
    private int successes;
    private volatile String lastError;
    private volatile long lastCheckMillis = -1;
    private volatile long lastSuccessNanos;
    private int checks;
    private final ProxyEndpoint proxy;

    /** @param proxy the egress proxy the server is reached through ({@code address} is then the proxy's), or null */
    AddressHealth(HostAndPort server, InetSocketAddress address, int fall, int rise, ProxyEndpoint proxy) {
        this.proxy = proxy;
        this.server = server;
        this.address = address;
        this.fall = fall;
        this.rise = rise;
    }

    /** A check or a live connection succeeded. */
    public synchronized void success() {
        lastSuccessNanos = System.nanoTime();
        failures = 0;
        successes++;
        if (!up && successes >= rise) {
            up = true;
            LOG.info("intake {} is UP again after {} successful checks", describe(), successes);
        }
    }

    /** A check or a live connection failed; the cause is what operators will read. */
    public synchronized void failure(String cause) {
        lastError = cause;
        successes = 0;
        failures++;
        if (up && failures >= fall) {
            up = false;
            falls++;
            LOG.warn("intake {} is DOWN after {} failures: {}", describe(), failures, cause);
        }
    }

    public boolean isUp() {
        return up;
    }

    int falls() {
        return falls;
    }

    void retire() {
        retired = true;
    }

    boolean retired() {
        return retired;
    }

    void checked(long millis) {
        lastCheckMillis = millis;
    }

    /** Counts active checks; true when this one should be a full TLS handshake. */
    synchronized boolean nextCheckIsTls(int tlsEvery) {
        return checks++ % tlsEvery == 0;
    }

    long lastSuccessNanos() {
        return lastSuccessNanos;
    }

    public HostAndPort server() {
        return server;
    }

    public InetSocketAddress address() {
        return address;
    }

    String describe() {
        return server.host() + (proxy == null ? "" : " via proxy " + proxy)
                + " (" + address.getAddress().getHostAddress() + ":" + address.getPort() + ")";
    }

    /** For status pages: the address ("ip:port", the proxy's when there is one) and the proxy, credentials redacted. */
    public UpstreamAddressState state() {
        return new UpstreamAddressState(server.toString(), address.getAddress().getHostAddress() + ":" + address.getPort(),
                isUp(), lastCheckMillis, lastError, proxy == null ? null : proxy.toString());
    }
}
