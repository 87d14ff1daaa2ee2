package io.fipsrelay.core.fips;

import java.security.Provider;
import java.security.Security;
import org.bouncycastle.crypto.CryptoServicesRegistrar;
import org.bouncycastle.crypto.NativeServices;
import org.bouncycastle.crypto.fips.FipsStatus;
import org.bouncycastle.jcajce.provider.BouncyCastleFipsProvider;
import org.bouncycastle.jsse.provider.BouncyCastleJsseProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers the Bouncy Castle FIPS module and its JSSE provider, and refuses to go on unless the
 * module is in approved-only mode and its power-on self-tests passed.
 *
 * <p>Approved-only mode is process-wide and must be set before the module loads, so it comes
 * from the launcher ({@code -Dorg.bouncycastle.fips.approved_only=true}); here it is verified,
 * never switched on late.
 */
public final class FipsBootstrap {

    public static final String APPROVED_ONLY_PROPERTY = "org.bouncycastle.fips.approved_only";
    public static final String FIPS_PROVIDER = "BCFIPS";
    public static final String JSSE_PROVIDER = "BCJSSE";

    /** Where the providers go in the JCA provider list. */
    public enum ProviderOrder {
        /** First and second: production. Any JCA lookup that names no provider lands in the module. */
        PREFERRED,
        /**
         * After the JDK's providers. Only for test JVMs that also run a JDK (SunJSSE) stand-in
         * intake, which cannot work with an approved-only BCFIPS ahead of SunJCE. The relay
         * itself always names BCFIPS/BCJSSE explicitly, so its own traffic is the same either way.
         */
        APPENDED
    }

    private static final Logger LOG = LoggerFactory.getLogger(FipsBootstrap.class);
    private static FipsReport report;

    private FipsBootstrap() {
    }

    /** Installs the providers once per process and returns what was found; throws if not FIPS-ready. */
    public static synchronized FipsReport install(ProviderOrder order) throws FipsNotReadyException {
        if (report != null) {
            return report;
        }
        if (!"true".equalsIgnoreCase(System.getProperty(APPROVED_ONLY_PROPERTY))) {
            throw new FipsNotReadyException("approved-only mode is off: start the JVM with -D" + APPROVED_ONLY_PROPERTY
                    + "=true (bin/fips-relay does); the relay does not run the FIPS module in any other mode");
        }
        long start = System.nanoTime();
        Provider fips = Security.getProvider(FIPS_PROVIDER);
        try {
            if (fips == null) {
                fips = new BouncyCastleFipsProvider();
                add(fips, order, 1);
            }
        } catch (RuntimeException | Error e) {
            throw new FipsNotReadyException("the FIPS module failed to load or its self-tests failed: " + e, e);
        }
        long startupMillis = (System.nanoTime() - start) / 1_000_000;
        if (!FipsStatus.isReady()) {
            throw new FipsNotReadyException("the FIPS module is not ready: " + FipsStatus.getStatusMessage());
        }
        if (!CryptoServicesRegistrar.isInApprovedOnlyMode()) {
            throw new FipsNotReadyException("the FIPS module is not in approved-only mode although -D"
                    + APPROVED_ONLY_PROPERTY + "=true was given: was it loaded before the property was set?");
        }
        Provider jsse = Security.getProvider(JSSE_PROVIDER);
        if (jsse == null) {
            jsse = new BouncyCastleJsseProvider("fips:" + FIPS_PROVIDER);
            add(jsse, order, 2);
        }
        if (!(jsse instanceof BouncyCastleJsseProvider bcjsse) || !bcjsse.isFipsMode()) {
            throw new FipsNotReadyException("the registered BCJSSE provider is not in FIPS mode");
        }
        NativeServices nativeServices = CryptoServicesRegistrar.getNativeServices();
        String variant = nativeServices != null && nativeServices.isEnabled() && nativeServices.getVariant() != null
                ? nativeServices.getVariant() : "java";
        String features = nativeServices != null && nativeServices.isEnabled()
                ? String.join(",", new java.util.TreeSet<>(nativeServices.getFeatureSet())) : "none";
        report = new FipsReport(version(fips), version(jsse), true, FipsStatus.getStatusMessage(),
                variant, features, startupMillis);
        LOG.info("FIPS module ready: bc-fips {} (CMVP {}), bctls-fips {}, approved-only, self-tests {}, native variant {} [{}], loaded in {} ms",
                report.moduleVersion(), FipsReport.CMVP_CERTIFICATE, report.jsseVersion(), report.selfTestStatus(),
                report.nativeVariant(), report.nativeFeatures(), startupMillis);
        return report;
    }

    /** The jar's release number ("2.1.3"); Provider.getVersionStr() gives BC's encoded form ("2.0103"). */
    private static String version(Provider provider) {
        String v = provider.getClass().getPackage().getImplementationVersion();
        return v != null ? v : provider.getVersionStr();
    }

    private static void add(Provider provider, ProviderOrder order, int position) {
        if (order == ProviderOrder.PREFERRED) {
            Security.insertProviderAt(provider, position);
        } else {
            Security.addProvider(provider);
        }
    }
}
