package io.fipsrelay.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.Provider;
import java.security.Security;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.CryptoServicesRegistrar;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TestFipsTest {

    @Test
    void the_test_jvm_runs_the_module_in_approved_only_mode() {
        TestFips.ensureProvidersAppended();

        assertThat(System.getProperty("org.bouncycastle.fips.approved_only")).isEqualTo("true");
        assertThat(CryptoServicesRegistrar.isInApprovedOnlyMode()).isTrue();
    }

    @Test
    void bcfips_is_appended_after_the_jdk_providers() {
        TestFips.ensureProvidersAppended();

        List<String> names = providerNames();
        assertThat(names).contains("BCFIPS");
        assertThat(names.indexOf("BCFIPS"))
                .isGreaterThan(names.indexOf("SUN"))
                .isGreaterThan(names.indexOf("SunEC"))
                .isGreaterThan(names.indexOf("SunJCE"))
                .isGreaterThan(names.indexOf("SunJSSE"));
    }

    @Test
    void appending_is_idempotent_even_when_racing() throws Exception {
        TestFips.ensureProvidersAppended();
        int before = Security.getProviders().length;

        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Provider>> results = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                results.add(pool.submit((Callable<Provider>) TestFips::ensureProvidersAppended));
            }
            for (Future<Provider> result : results) {
                assertThat(result.get().getName()).isEqualTo("BCFIPS");
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(Security.getProviders()).hasSize(before);
        assertThat(providerNames()).containsOnlyOnce("BCFIPS");
    }

    @Test
    void bcfips_ahead_of_the_jdk_providers_is_reported_with_the_fix() {
        TestFips.ensureProvidersAppended();
        Provider fips = Security.getProvider("BCFIPS");
        Provider sunJsse = Security.getProvider("SunJSSE");

        assertThat(TestFips.misordering(new Provider[] {sunJsse, fips})).isNull();
        assertThat(TestFips.misordering(new Provider[] {fips, sunJsse}))
                .contains("ahead of SunJSSE").contains("ensureProvidersAppended");
    }

    private static List<String> providerNames() {
        List<String> names = new ArrayList<>();
        for (Provider provider : Security.getProviders()) {
            names.add(provider.getName());
        }
        return names;
    }
}
