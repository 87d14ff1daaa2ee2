package io.fipsrelay.server;

import io.fipsrelay.core.fips.FipsBootstrap;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Installs the FIPS providers after the JDK's before any test of this module runs. Tests here run
 * commands in-process (which would put BCFIPS first, as in production) next to SunJSSE test
 * intakes, which cannot work behind an approved-only BCFIPS; whichever test ran first used to
 * decide the order for the whole JVM. The relay names BCFIPS/BCJSSE explicitly either way.
 */
public final class FipsProvidersForTests implements LauncherSessionListener {

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        try {
            FipsBootstrap.install(FipsBootstrap.ProviderOrder.APPENDED);
        } catch (Exception e) {
            throw new IllegalStateException("FIPS module not ready in the test JVM: " + e.getMessage(), e);
        }
    }
}
