package io.fipsrelay.core.audit;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * One upstream TLS session as the audit log records it: where it went, what was negotiated, whose
 * certificate answered, the revocation decision, and at close the bytes, duration and error.
 * Fields that do not apply to an event are null.
 *
 * @param product the product whose exchange the session was opened for
 * @param server the intake host and port asked for ("metrics.agent.ddog-gov.com:443")
 * @param address the IP address and port connected to
 * @param viaProxy the egress proxy the session was tunnelled through, or null when direct
 * @param sni the server name sent, or null when none
 * @param namedGroup the key-exchange group, or null when the TLS stack does not say
 * @param peerChain the certificates the intake sent, leaf first (not written to the log; expiry and revocation read them)
 * @param revocation the revocation result ("good (OCSP stapled)", "unknown (soft-fail: ...)", "off", ...)
 */
public record SessionRecord(Instant time, String product, String server, String address, String viaProxy, String sni,
                            String protocol, String cipherSuite, String namedGroup, PeerCertificate peer,
                            List<X509Certificate> peerChain, String revocation, Long handshakeMillis,
                            Long bytesOut, Long bytesIn, Long durationMillis, String error) {

    /** A session whose handshake completed. */
    public static SessionRecord opened(String product, String server, String address, String viaProxy, String sni,
                                       SSLSession session, String namedGroup, String revocation, long handshakeMillis) {
        List<X509Certificate> chain = chain(session);
        return new SessionRecord(Instant.now(), product, server, address, viaProxy, sni, session.getProtocol(),
                session.getCipherSuite(), namedGroup, chain.isEmpty() ? null : PeerCertificate.of(chain.get(0)),
                List.copyOf(chain), revocation, handshakeMillis, null, null, null, null);
    }

    /** A connection attempt that failed (connect, handshake or revocation), with its cause in an operator's words. */
    public static SessionRecord failed(String product, String server, String address, String viaProxy, String sni,
                                       List<X509Certificate> peerChain, String revocation, Long handshakeMillis, String error) {
        List<X509Certificate> chain = peerChain == null ? List.of() : List.copyOf(peerChain);
        return new SessionRecord(Instant.now(), product, server, address, viaProxy, sni, null, null, null,
                chain.isEmpty() ? null : PeerCertificate.of(chain.get(0)), chain, revocation, handshakeMillis,
                null, null, null, error);
    }

    /** This opened session, closed after carrying these bytes for this long (error null for a clean close). */
    public SessionRecord closed(long sentBytes, long receivedBytes, long durationMs, String closeError) {
        return new SessionRecord(Instant.now(), product, server, address, viaProxy, sni, protocol, cipherSuite, namedGroup,
                peer, peerChain, revocation, handshakeMillis, sentBytes, receivedBytes, durationMs, closeError);
    }

    private static List<X509Certificate> chain(SSLSession session) {
        List<X509Certificate> chain = new ArrayList<>();
        try {
            for (Certificate c : session.getPeerCertificates()) {
                if (c instanceof X509Certificate x) {
                    chain.add(x);
                }
            }
        } catch (SSLPeerUnverifiedException e) {
            // No certificate (cannot happen after a verified handshake): the record says so by its null peer.
        }
        return chain;
    }
}
