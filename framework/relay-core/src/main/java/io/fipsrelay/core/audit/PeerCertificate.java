package io.fipsrelay.core.audit;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.HexFormat;

/**
 * The facts about an intake's certificate an assessor asks for (NIST SP 800-53 AU-3): who it names,
 * who issued it, which one it is, until when, and its fingerprint.
 *
 * @param sha256 SHA-256 over the DER encoding, lower-case hex (computed by the FIPS module)
 */
public record PeerCertificate(String subject, String issuer, String serial, Instant notAfter, String sha256) {

    public static PeerCertificate of(X509Certificate certificate) {
        return new PeerCertificate(certificate.getSubjectX500Principal().getName(),
                certificate.getIssuerX500Principal().getName(),
                certificate.getSerialNumber().toString(16),
                certificate.getNotAfter().toInstant(),
                sha256(certificate));
    }

    static String sha256(X509Certificate certificate) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256", "BCFIPS").digest(certificate.getEncoded()));
        } catch (GeneralSecurityException e) {
            return "unavailable (" + e.getMessage() + ")";
        }
    }
}
