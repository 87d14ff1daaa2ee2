package io.fipsrelay.core.upstream;

import io.fipsrelay.core.audit.AuditTrail;
import io.fipsrelay.core.audit.SessionRecord;
import io.fipsrelay.core.relay.RelayWorker;
import io.fipsrelay.core.relay.RelayWorkers;
import io.fipsrelay.core.settings.HostAndPort;
import io.fipsrelay.core.settings.ProxyEndpoint;
import io.fipsrelay.core.tls.RevocationChecker;
import java.net.InetSocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import org.apache.mina.core.session.AttributeKey;
import org.apache.mina.core.session.IoSession;
import org.bouncycastle.jsse.BCSSLEngine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens to an upstream TLS session between its handshake and its first exchange, and at
 * its end (issue 13): the revocation check of the intake's certificate chain, which runs on the
 * checker's own threads while the I/O thread goes on, then back on the connection's worker either
 * the connection is refused ("certificate revoked (OCSP)") or the attempt succeeds; and the audit
 * trail's session records (open, close, failed). Kept apart from {@link FipsTlsConnector} so that
 * the connector's data path has three call sites for all of it.
 */
final class SessionChecks {

    private static final Logger LOG = LoggerFactory.getLogger(SessionChecks.class);
    private static final AttributeKey PRODUCT = new AttributeKey(SessionChecks.class, "product");
    private static final AttributeKey STARTED = new AttributeKey(SessionChecks.class, "started");
    private static final AttributeKey OPENED = new AttributeKey(SessionChecks.class, "opened");
    private static final AttributeKey PENDING = new AttributeKey(SessionChecks.class, "pending");
    /** Product named in the records of connections a health check opened. */
    static final String HEALTH_CHECK = "(health check)";

    private final RevocationChecker revocation;
    private final AuditTrail audit;

    SessionChecks(RevocationChecker revocation, AuditTrail audit) {
        this.revocation = revocation;
        this.audit = audit == null ? AuditTrail.NONE : audit;
    }

    /** Notes who the session is for and when its connect began (the session initializer calls this). */
    static void started(IoSession session, String product) {
        session.setAttribute(PRODUCT, product == null ? HEALTH_CHECK : product);
        session.setAttribute(STARTED, System.nanoTime());
    }

    /** The attempt waiting for a revocation check of this session, taken at most once. */
    static ConnectAttempt pendingCheck(IoSession session) {
        return (ConnectAttempt) session.removeAttribute(PENDING);
    }

    /** The callback, with a "failed" session record for every attempt that does not succeed. */
    ConnectCallback auditFailures(String product, HostAndPort server, InetSocketAddress address, ProxyEndpoint proxy,
                                  ConnectCallback callback) {
        String viaProxy = proxy == null ? null : proxy.toString(); // the redacted form: no password
        return new ConnectCallback() {
            @Override
            public void connected(UpstreamConnection connection) {
                callback.connected(connection);
            }

            @Override
            public void connectFailed(UpstreamFailure failure) {
                audit.sessionFailed(SessionRecord.failed(product == null ? HEALTH_CHECK : product, server.toString(),
                        hostPort(address), viaProxy, null, failure.peerChain(), failure.revocation(), null, failure.getMessage()));
                callback.connectFailed(failure);
            }
        };
    }

    /** The handshake completed on the connection's worker: check revocation, then open or refuse. */
    void afterHandshake(UpstreamConnection c, ConnectAttempt attempt) {
        long handshakeMillis = (System.nanoTime() - (Long) c.session().getAttribute(STARTED, System.nanoTime())) / 1_000_000;
        SSLEngine engine = c.tls().engine();
        List<X509Certificate> chain = chain(engine.getSession());
        if (revocation == null) {
            open(c, attempt, chain, "off", handshakeMillis);
            return;
        }
        List<byte[]> stapled = stapled(engine);
        c.session().setAttribute(PENDING, attempt);
        RelayWorker worker = RelayWorkers.of(c.session());
        revocation.check(chain, stapled).whenComplete((result, error) -> {
            Runnable decide = () -> {
                if (c.session().removeAttribute(PENDING) == null) {
                    return; // closed meanwhile: the attempt was failed by sessionClosed
                }
                if (attempt.isDone()) {
                    c.close("revocation check completed after the handshake deadline");
                    return;
                }
                if (error != null) {
                    // check() never completes exceptionally; if it did, the connection is not trusted.
                    refuse(c, attempt, chain, "revocation check failed: " + error, "unknown (check failed)");
                } else if (result.refused()) {
                    refuse(c, attempt, chain, result.refusalCause(), result.describe());
                } else {
                    open(c, attempt, chain, result.describe(), handshakeMillis);
                }
            };
            if (worker != null) {
                worker.execute(decide);
            } else {
                decide.run();
            }
        });
    }

    private void open(UpstreamConnection c, ConnectAttempt attempt, List<X509Certificate> chain, String revocationResult,
                      long handshakeMillis) {
        SSLSession session = c.tls().engine().getSession();
        SessionRecord opened = SessionRecord.opened((String) c.session().getAttribute(PRODUCT), c.server().toString(),
                hostPort(c.address()), c.proxyDescription(), sni(c.tls().engine()), session, null, revocationResult, handshakeMillis);
        c.session().setAttribute(OPENED, opened);
        c.session().setAttribute(STARTED, System.nanoTime());
        audit.sessionOpened(opened);
        attempt.succeed(c);
    }

    private void refuse(UpstreamConnection c, ConnectAttempt attempt, List<X509Certificate> chain, String cause,
                        String revocationResult) {
        String message = cause + ": " + c.describe();
        LOG.warn("intake {} refused: {}", c.describe(), cause);
        c.noteCause(message);
        attempt.fail(new UpstreamFailure(502, "revoked", message, c.address()).withRevocation(chain, revocationResult));
        c.close(message);
    }

    /** The session ended: its close record, for a session that had opened. */
    void closed(UpstreamConnection c, String cause) {
        SessionRecord opened = (SessionRecord) c.session().removeAttribute(OPENED);
        if (opened == null) {
            return;
        }
        long since = (Long) c.session().getAttribute(STARTED, System.nanoTime());
        audit.sessionClosed(opened.closed(c.session().getWrittenBytes(), c.session().getReadBytes(),
                (System.nanoTime() - since) / 1_000_000, c.failure() != null ? c.failure() : null));
    }

    private static List<X509Certificate> chain(SSLSession session) {
        List<X509Certificate> chain = new ArrayList<>();
        try {
            for (Certificate cert : session.getPeerCertificates()) {
                if (cert instanceof X509Certificate x) {
                    chain.add(x);
                }
            }
        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
            // Cannot happen after a verified handshake; an empty chain is checked as "unknown".
        }
        return chain;
    }

    /** What the intake stapled to its handshake (kept by the trust manager, see StapledResponses). */
    private static List<byte[]> stapled(SSLEngine engine) {
        return io.fipsrelay.core.tls.StapledResponses.take(engine);
    }

    /** The server name sent (FipsTlsContext sets it on BCJSSE's own parameters, not the JSSE ones). */
    private static String sni(SSLEngine engine) {
        if (engine instanceof BCSSLEngine bc && bc.getParameters().getServerNames() != null) {
            for (org.bouncycastle.jsse.BCSNIServerName n : bc.getParameters().getServerNames()) {
                if (n instanceof org.bouncycastle.jsse.BCSNIHostName host) {
                    return host.getAsciiName();
                }
            }
        }
        List<SNIServerName> names = engine.getSSLParameters().getServerNames();
        if (names != null) {
            for (SNIServerName n : names) {
                if (n instanceof SNIHostName host) {
                    return host.getAsciiName();
                }
            }
        }
        return null;
    }

    static String hostPort(InetSocketAddress address) {
        String ip = address.getAddress().getHostAddress();
        return (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + address.getPort();
    }
}
