package io.fipsrelay.core.tls;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The only TLS parameters the relay will ever offer upstream. Configuration may choose a subset
 * and an order, never anything outside these lists.
 */
public final class FipsTlsProfile {

    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    public static final List<String> CIPHER_SUITES = List.of(
            "TLS_AES_256_GCM_SHA384",
            "TLS_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");

    public static final List<String> NAMED_GROUPS = List.of("secp256r1", "secp384r1");

    /** Where "system" trust comes from on Debian and Ubuntu (ca-certificates). */
    public static final String SYSTEM_CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt";

    /**
     * The OS's PEM bundle of trust anchors in each Linux family's place: "system" trust is the
     * first of these that exists (the list Go's crypto/x509 reads on Linux).
     */
    public static final List<String> SYSTEM_CA_BUNDLES = List.of(
            SYSTEM_CA_BUNDLE,                                      // Debian, Ubuntu, Gentoo
            "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",   // RHEL/CentOS 7+, Fedora, Amazon Linux
            "/etc/pki/tls/certs/ca-bundle.crt",                    // RHEL 6, older Fedora
            "/etc/ssl/ca-bundle.pem",                              // SUSE, openSUSE
            "/etc/pki/tls/cacert.pem",                             // OpenELEC
            "/etc/ssl/cert.pem");                                  // Alpine

    /** The "system" bundle of this host: the first of {@link #SYSTEM_CA_BUNDLES} that exists, else the first. */
    public static Path systemCaBundle() {
        return systemCaBundle(Path.of("/"));
    }

    /** The same under another root folder (tests). */
    static Path systemCaBundle(Path root) {
        for (String bundle : SYSTEM_CA_BUNDLES) {
            Path file = root.resolve(bundle.substring(1));
            if (Files.isRegularFile(file)) {
                return file;
            }
        }
        return root.resolve(SYSTEM_CA_BUNDLE.substring(1));
    }

    private FipsTlsProfile() {
    }
}
