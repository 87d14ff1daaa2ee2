package io.fipsrelay.core.tls;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import io.fipsrelay.core.audit.AuditTrail;
import io.fipsrelay.core.audit.SessionRecord;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When the certificates the relay depends on expire: each intake address's leaf certificate (as
 * last seen in a handshake) and the trust anchors of the CA bundle that those handshakes actually
 * chained to. Published as gauges, listed on /status.json, and a warning is logged once a day per
 * certificate when one has less than {@link #WARN_BEFORE} left. Expiry is not an outage: health
 * stays as it is.
 *
 * <p>Gauges: {@code fips-relay.tls.intake.<server>/<address>.not-after-seconds} (epoch seconds of
 * the leaf's notAfter) and {@code fips-relay.tls.trust-bundle.earliest-anchor-not-after-seconds}.
 */
public final class CertificateExpiry implements AuditTrail {

    public static final Duration WARN_BEFORE = Duration.ofDays(30);
    static final String INTAKE_PREFIX = "fips-relay.tls.intake.";
    static final String BUNDLE_GAUGE = "fips-relay.tls.trust-bundle.earliest-anchor-not-after-seconds";
    private static final Duration WARN_EVERY = Duration.ofDays(1);
    private static final Logger LOG = LoggerFactory.getLogger(CertificateExpiry.class);

    /** One intake address's leaf certificate. */
    public record IntakeCertificate(String server, String address, String subject, Instant notAfter, long daysLeft) {
    }

    /** A trust anchor that a handshake chained to. */
    public record Anchor(String subject, Instant notAfter, long daysLeft) {
    }

    private final MetricRegistry registry;
    private final Clock clock;
    private final String bundle;
    private final List<X509Certificate> anchors;
    private final Map<String, IntakeCertificate> intakes = new ConcurrentHashMap<>();
    private final Map<String, X509Certificate> usedAnchors = new ConcurrentHashMap<>();
    /** The anchor found for a chain top's issuer name, so a signature is verified once, not per handshake. */
    private final Map<javax.security.auth.x500.X500Principal, java.util.Optional<X509Certificate>> anchorByIssuer =
            new ConcurrentHashMap<>();
    /** Last warning per certificate fingerprint-ish key (subject + notAfter), so each warns once a day. */
    private final Map<String, Instant> warned = new ConcurrentHashMap<>();

    public CertificateExpiry(MetricRegistry registry, Clock clock, String bundle, List<X509Certificate> anchors) {
        this.registry = registry;
        this.clock = clock;
        this.bundle = bundle;
        this.anchors = List.copyOf(anchors);
        registry.gauge(BUNDLE_GAUGE, () -> (Gauge<Long>) () -> earliestAnchor() == null ? null
                : earliestAnchor().notAfter().getEpochSecond());
    }

    /** Reads the anchors of a PEM bundle through the FIPS provider. */
    public static List<X509Certificate> readBundle(Path pem) throws IOException {
        try (InputStream in = Files.newInputStream(pem)) {
            List<X509Certificate> certificates = new ArrayList<>();
            for (Certificate c : CertificateFactory.getInstance("X.509", "BCFIPS").generateCertificates(in)) {
                certificates.add((X509Certificate) c);
            }
            return certificates;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot read the certificates of " + pem + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void sessionOpened(SessionRecord session) {
        List<X509Certificate> chain = session.peerChain();
        if (chain == null || chain.isEmpty()) {
            return;
        }
        X509Certificate leaf = chain.get(0);
        String key = session.server() + "/" + session.address();
        Instant notAfter = leaf.getNotAfter().toInstant();
        IntakeCertificate previous = intakes.put(key, new IntakeCertificate(session.server(), session.address(),
                leaf.getSubjectX500Principal().getName(), notAfter, 0));
        if (previous == null) {
            registry.gauge(INTAKE_PREFIX + key + ".not-after-seconds", () -> (Gauge<Long>) () -> {
                IntakeCertificate c = intakes.get(key);
                return c == null ? null : c.notAfter().getEpochSecond();
            });
        }
        warnIfClose("intake " + key + " certificate " + leaf.getSubjectX500Principal().getName(), notAfter);
        X509Certificate top = chain.get(chain.size() - 1);
        X509Certificate anchor = anchors.contains(top) ? top
                : anchorByIssuer.computeIfAbsent(top.getIssuerX500Principal(), k -> java.util.Optional.ofNullable(anchorOf(chain)))
                        .orElse(null);
        if (anchor != null) {
            usedAnchors.putIfAbsent(anchor.getSubjectX500Principal().getName(), anchor);
            warnIfClose("trust anchor " + anchor.getSubjectX500Principal().getName() + " of " + bundle,
                    anchor.getNotAfter().toInstant());
        }
    }

    private void warnIfClose(String what, Instant notAfter) {
        Instant now = clock.instant();
        if (Duration.between(now, notAfter).compareTo(WARN_BEFORE) >= 0) {
            return;
        }
        String key = what + "@" + notAfter;
        Instant last = warned.get(key);
        if (last != null && Duration.between(last, now).compareTo(WARN_EVERY) < 0) {
            return;
        }
        warned.put(key, now);
        long days = Duration.between(now, notAfter).toDays();
        LOG.warn("{} expires {} ({}): renew it before then", what, notAfter,
                notAfter.isBefore(now) ? "already expired" : days + " days left");
    }

    /** The anchor of the bundle that signed the top of the chain the intake sent (or that is its top). */
    private X509Certificate anchorOf(List<X509Certificate> chain) {
        X509Certificate top = chain.get(chain.size() - 1);
        for (X509Certificate anchor : anchors) {
            if (anchor.equals(top)) {
                return anchor;
            }
        }
        for (X509Certificate anchor : anchors) {
            if (anchor.getSubjectX500Principal().equals(top.getIssuerX500Principal())) {
                try {
                    top.verify(anchor.getPublicKey(), "BCFIPS");
                    return anchor;
                } catch (GeneralSecurityException e) {
                    // Same name, other key (a re-keyed CA): keep looking.
                }
            }
        }
        return null;
    }

    /** Every intake address seen, soonest expiry first. */
    public List<IntakeCertificate> intakes() {
        Instant now = clock.instant();
        return intakes.values().stream()
                .map(c -> new IntakeCertificate(c.server(), c.address(), c.subject(), c.notAfter(),
                        Duration.between(now, c.notAfter()).toDays()))
                .sorted(Comparator.comparing(IntakeCertificate::notAfter)).toList();
    }

    /** The anchors handshakes chained to, soonest expiry first. */
    public List<Anchor> anchorsUsed() {
        Instant now = clock.instant();
        return usedAnchors.values().stream()
                .map(a -> new Anchor(a.getSubjectX500Principal().getName(), a.getNotAfter().toInstant(),
                        Duration.between(now, a.getNotAfter().toInstant()).toDays()))
                .sorted(Comparator.comparing(Anchor::notAfter)).toList();
    }

    /** The soonest-expiring anchor used, or null before any handshake. */
    public Anchor earliestAnchor() {
        List<Anchor> used = anchorsUsed();
        return used.isEmpty() ? null : used.get(0);
    }

    public String bundle() {
        return bundle;
    }
}
