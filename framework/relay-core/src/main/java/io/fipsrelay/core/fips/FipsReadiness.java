package io.fipsrelay.core.fips;

import java.util.Optional;
import org.bouncycastle.crypto.CryptoServicesRegistrar;
import org.bouncycastle.crypto.fips.FipsStatus;

/**
 * Whether the FIPS module can serve right now. The bootstrap checks once at start; health checks
 * and gauges ask again on every look, because the module can go into its error state later (a
 * failed conditional self-test) and from then on every TLS handshake fails.
 */
public final class FipsReadiness {

    private FipsReadiness() {
    }

    /** Why the module is not ready, or empty when it is ready and in approved-only mode. */
    public static Optional<String> problem() {
        if (!FipsStatus.isReady()) {
            return Optional.of("FIPS module not ready: " + FipsStatus.getStatusMessage());
        }
        if (!CryptoServicesRegistrar.isInApprovedOnlyMode()) {
            return Optional.of("FIPS module is not in approved-only mode");
        }
        return Optional.empty();
    }

    public static boolean ready() {
        return problem().isEmpty();
    }
}
