package io.fipsrelay.server.evidence;

import java.util.Map;

/**
 * What the CMVP certificate says about a bc-fips release: the certificate number and the module
 * version its security policy names. A patched jar keeps the certificate but carries a later
 * version number than the policy (bc-fips 2.1.3 is "a patched version of BC-FJA-2.1.2, interim FIPS
 * Certificate #4943", its POM says), and an assessor needs both.
 *
 * <p>A table rather than something read from the jar: the jar carries neither the certificate
 * number nor the policy's version (only its own Bundle-Version). Sources: the POM descriptions on
 * Maven Central and docs/compliance.md.
 */
public record ValidatedModule(String name, String cmvpCertificate, String policyModuleVersion, String standard) {

    private static final String NAME = "Bouncy Castle FIPS Java API (BC-FJA)";
    private static final Map<String, ValidatedModule> KNOWN = Map.of(
            "2.1.0", new ValidatedModule(NAME, "#4943", "2.1.0", "FIPS 140-3 level 1"),
            "2.1.2", new ValidatedModule(NAME, "#4943", "2.1.2", "FIPS 140-3 level 1"),
            "2.1.3", new ValidatedModule(NAME, "#4943", "2.1.2", "FIPS 140-3 level 1"));

    /** The entry for a bc-fips version, or one that says it is not known to this relay. */
    public static ValidatedModule forVersion(String bcFipsVersion) {
        ValidatedModule known = KNOWN.get(bcFipsVersion);
        if (known != null) {
            return known;
        }
        String unknown = "unknown for bc-fips " + bcFipsVersion + " (not in this relay's table; see the certificate on csrc.nist.gov)";
        return new ValidatedModule(NAME, unknown, unknown, "unknown");
    }
}
