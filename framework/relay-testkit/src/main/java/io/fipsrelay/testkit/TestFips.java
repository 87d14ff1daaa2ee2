package io.fipsrelay.testkit;

import java.security.Provider;
import java.security.Security;
import java.util.List;
import org.bouncycastle.jcajce.provider.BouncyCastleFipsProvider;

/** Makes the Bouncy Castle FIPS provider available to testkit code without disturbing the JDK providers. */
public final class TestFips {

    public static final String PROVIDER = "BCFIPS";
    private static final List<String> JDK_PROVIDERS = List.of("SUN", "SunRsaSign", "SunEC", "SunJSSE", "SunJCE");

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

    /**
     * Fails fast, with the fix in the message, if BCFIPS sits ahead of a JDK provider the SunJSSE
     * stand-ins depend on. Even explicitly named JDK services break then: SunEC's EC key generator,
     * for one, looks up "EC" AlgorithmParameters without a provider name and gets approved-only BCFIPS.
     */
    public static void requireJdkProvidersFirst() {
        String problem = misordering(Security.getProviders());
        if (problem != null) {
            throw new IllegalStateException(problem);
        }
    }

    static String misordering(Provider[] providers) {
        int fips = -1;
        for (int i = 0; i < providers.length; i++) {
            String name = providers[i].getName();
            if (PROVIDER.equals(name)) {
                fips = i;
            } else if (fips >= 0 && JDK_PROVIDERS.contains(name)) {
                return "BCFIPS is registered ahead of " + name + ": the testkit's SunJSSE servers and JDK-made test keys"
                        + " need the JDK providers first. Register BCFIPS/BCJSSE appended in tests"
                        + " (Security.addProvider, or TestFips.ensureProvidersAppended() before anything else does).";
            }
        }
        return null;
    }
}
