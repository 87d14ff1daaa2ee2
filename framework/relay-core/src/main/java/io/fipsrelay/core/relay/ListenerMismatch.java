package io.fipsrelay.core.relay;

import io.fipsrelay.core.metrics.RelayMetrics;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.mina.core.session.IoSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An agent and a listener that disagree about TLS: the agent's {@code fips.https} against the
 * relay's {@code listen.tls.enabled}. Each connection that shows it is counted
 * ({@code errors.tls-on-plain-port}, {@code errors.plain-http-on-tls-port}); the hint is logged once
 * per product per episode (the episode ends when a connection on that product speaks the listener's
 * protocol again), so a misconfigured agent retrying every few seconds writes one line, not thousands.
 * Touched once per connection, never per request.
 */
final class ListenerMismatch {

    private static final Logger LOG = LoggerFactory.getLogger(ListenerMismatch.class);

    private final RelayMetrics metrics;
    private final Map<String, AtomicBoolean> tlsOnPlain = new ConcurrentHashMap<>();
    private final Map<String, AtomicBoolean> plainOnTls = new ConcurrentHashMap<>();

    ListenerMismatch(RelayMetrics metrics) {
        this.metrics = metrics;
    }

    /** A TLS ClientHello arrived on a plain-HTTP product port. */
    void tlsOnPlainPort(String product, IoSession session) {
        metrics.product(product).error("tls-on-plain-port");
        if (flag(tlsOnPlain, product).compareAndSet(false, true)) {
            LOG.warn("{}: an agent at {} opened TLS on this plain-HTTP port; set fips.https: false in datadog.yaml"
                    + " (DD_FIPS_HTTPS=false), or enable listen.tls", where(product, session),
                    AgentSocket.describe(session.getRemoteAddress()));
        }
    }

    /** Plain HTTP arrived on a TLS product port. */
    void plainOnTlsPort(String product, IoSession session) {
        metrics.product(product).error("plain-http-on-tls-port");
        if (flag(plainOnTls, product).compareAndSet(false, true)) {
            LOG.warn("{}: an agent at {} sent plain HTTP to this TLS port; set fips.https: true in datadog.yaml"
                    + " (DD_FIPS_HTTPS=true), or disable listen.tls", where(product, session),
                    AgentSocket.describe(session.getRemoteAddress()));
        }
    }

    /** A connection on a plain port spoke plain HTTP: a TLS episode there is over. */
    void plainOnPlainPort(String product) {
        endEpisode(tlsOnPlain, product);
    }

    /** A TLS handshake completed on a TLS port: a plain-HTTP episode there is over. */
    void tlsOnTlsPort(String product) {
        endEpisode(plainOnTls, product);
    }

    private static void endEpisode(Map<String, AtomicBoolean> flags, String product) {
        AtomicBoolean f = flags.get(product);
        if (f != null && f.get()) { // a plain read first: no shared write on the ordinary path
            f.set(false);
        }
    }

    private static AtomicBoolean flag(Map<String, AtomicBoolean> flags, String product) {
        return flags.computeIfAbsent(product, k -> new AtomicBoolean());
    }

    private static String where(String product, IoSession session) {
        return product + " (" + AgentSocket.describe(session.getLocalAddress()) + ")";
    }
}
