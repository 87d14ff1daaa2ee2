package io.fipsrelay.core.tls;

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

    /** Where "system" trust comes from (Debian/Ubuntu layout; RHEL links the same path). */
    public static final String SYSTEM_CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt";

    private FipsTlsProfile() {
    }
}
