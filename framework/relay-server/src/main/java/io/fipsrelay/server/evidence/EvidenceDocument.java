package io.fipsrelay.server.evidence;

import io.fipsrelay.core.audit.NegotiatedParameters;
import java.util.List;

/**
 * The compliance report (docs/compliance.md): everything an assessor asks about the relay's
 * cryptography in one document, served as /evidence.json and printed by {@code fips-relay evidence}.
 */
public record EvidenceDocument(String generatedAt, String relayVersion, String producedBy, Module module,
                               List<JarFacts> companionJars, Platform platform, TlsProfile tls, List<Plugin> plugins,
                               Configuration configuration, Live live) {

    /**
     * The validated module as loaded.
     *
     * @param version the bc-fips jar's own version
     * @param policyModuleVersion the version the certificate's security policy names (differs for a patched jar)
     * @param selfTest the module's status after its power-on self-tests
     */
    public record Module(String name, String version, String cmvpCertificate, String policyModuleVersion, String standard,
                         String jarPath, String jarSha256, boolean approvedOnly, String selfTest, String nativeVariant,
                         String nativeFeatures) {
    }

    public record Platform(String jvmVendor, String jvmVersion, String jvmRuntime, String os, String kernel, String arch,
                           String distribution) {
    }

    /** The TLS profile as configured. */
    public record TlsProfile(List<String> protocols, List<String> cipherSuites, List<String> namedGroups,
                             String trustSource, String trustBundleSha256, String revocation) {
    }

    public record Plugin(String id, String jar, String sha256, List<String> products) {
    }

    /** The configuration file in force ({@code file} "(none: defaults)" when there is none). */
    public record Configuration(String file, String sha256) {
    }

    /**
     * What the running relay negotiated since it started.
     *
     * @param source where the figures come from (this process, or the status port read), or why there are none
     * @param negotiated per product: protocol, suite, group and session count; null when no relay was reachable
     */
    public record Live(String source, String runningSince, List<NegotiatedParameters.Negotiated> negotiated) {
    }
}
