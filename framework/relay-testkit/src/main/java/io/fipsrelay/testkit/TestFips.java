package io.fipsrelay.testkit;

import java.security.Provider;
import java.security.Security;
import org.bouncycastle.jcajce.provider.BouncyCastleFipsProvider;

/** Makes the Bouncy Castle FIPS provider available to testkit code without disturbing the JDK providers. */
public final class TestFips {

    public static final String PROVIDER = "BCFIPS";

    private TestFips() {
    }

    /**
     * Appends BCFIPS (and nothing else) to the end of the provider list if it is not registered yet.
     *
     * <p>Appended, never inserted first: the stand-in intakes run on SunJSSE, whose unnamed JCA
     * lookups (SunJCE ciphers, SunEC key agreement, ...) would otherwise land in an approved-only
     * BCFIPS that refuses them. If the relay registered BCFIPS already, it is left where it is.
     */
    public static synchronized Provider ensureProvidersAppended() {
        Provider existing = Security.getProvider(PROVIDER);
        if (existing != null) {
            return existing;
        }
        Provider fips = new BouncyCastleFipsProvider();
        Security.addProvider(fips);
        // addProvider is a no-op if another thread (e.g. the relay's bootstrap) won a race by name.
        return Security.getProvider(PROVIDER);
    }
}
