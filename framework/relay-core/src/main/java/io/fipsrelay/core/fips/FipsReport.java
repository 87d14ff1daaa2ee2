package io.fipsrelay.core.fips;

/**
 * What the FIPS bootstrap found: the facts an operator or auditor asks for.
 *
 * @param moduleVersion bc-fips provider version
 * @param jsseVersion bctls-fips (BCJSSE) provider version
 * @param approvedOnly whether the module runs in approved-only mode (always true once started)
 * @param selfTestStatus {@code FipsStatus} message after the power-on self-tests
 * @param nativeVariant the native library variant in use, or "java" when none
 * @param nativeFeatures the native services available (AES/GCM, DRBG, ...)
 * @param startupMillis how long provider construction (with its self-tests) took
 */
public record FipsReport(
        String moduleVersion,
        String jsseVersion,
        boolean approvedOnly,
        String selfTestStatus,
        String nativeVariant,
        String nativeFeatures,
        long startupMillis) {

    /** The CMVP certificate of the bc-fips 2.1.x line (FIPS 140-3). */
    public static final String CMVP_CERTIFICATE = "#4943";
}
