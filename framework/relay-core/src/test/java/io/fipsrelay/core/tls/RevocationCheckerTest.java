package io.fipsrelay.core.tls;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import io.fipsrelay.core.fips.FipsBootstrap;
import io.fipsrelay.core.settings.NoProxyMatcher;
import io.fipsrelay.core.settings.ProxyEndpoint;
import io.fipsrelay.core.settings.ProxySettings;
import io.fipsrelay.core.settings.RelaySettings;
import io.fipsrelay.core.settings.RelaySettings.Revocation.Mode;
import io.fipsrelay.testkit.RevocationPki;
import io.fipsrelay.testkit.ServerIdentity;
import io.fipsrelay.testkit.TinyproxyServer;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Revocation checking against a real OCSP responder and CRL served over HTTP on loopback by a test
 * CA, and against responses stapled the way an intake sends them.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RevocationCheckerTest {

    RevocationPki pki;
    ServerIdentity good;
    ServerIdentity revoked;
    MetricRegistry metrics;
    RevocationChecker checker;

    @BeforeAll
    static void fips() throws Exception {
        FipsBootstrap.install(FipsBootstrap.ProviderOrder.APPENDED);
    }

    @BeforeEach
    void pki() {
        pki = RevocationPki.start("fips-relay revocation test CA");
        good = pki.issue("good.ddog-gov.com");
        revoked = pki.issue("revoked.ddog-gov.com");
        pki.revoke(revoked.certificate());
        metrics = new MetricRegistry();
    }

    @AfterEach
    void stop() {
        if (checker != null) {
            checker.close();
        }
        pki.close();
    }

    @Test
    void a_good_certificate_is_good_by_its_ocsp_responder_and_the_answer_is_cached() {
        RevocationChecker.Result first = check(Mode.SOFT_FAIL, true, good, List.of());
        assertThat(first.status()).isEqualTo(RevocationChecker.Status.GOOD);
        assertThat(first.describe()).isEqualTo("good (OCSP)");
        assertThat(first.refused()).isFalse();

        RevocationChecker.Result second = check(good, List.of());
        assertThat(second.describe()).isEqualTo("good (OCSP (cached))");
        assertThat(pki.ocspRequests()).isEqualTo(1);
        assertThat(metrics.meter("fips-relay.tls.revocation.good").getCount()).isEqualTo(2);
    }

    @Test
    void a_revoked_certificate_is_refused_by_ocsp_even_in_soft_fail() {
        RevocationChecker.Result r = check(Mode.SOFT_FAIL, true, revoked, List.of());
        assertThat(r.status()).isEqualTo(RevocationChecker.Status.REVOKED);
        assertThat(r.refused()).isTrue();
        assertThat(r.refusalCause()).isEqualTo("certificate revoked (OCSP)");
        assertThat(r.describe()).isEqualTo("revoked (OCSP)");
        assertThat(metrics.meter("fips-relay.tls.revocation.refused").getCount()).isEqualTo(1);
    }

    @Test
    void a_certificate_with_only_a_crl_is_checked_against_the_crl() {
        ServerIdentity crlOnly = pki.issue(EnumSet.of(RevocationPki.Source.CRL), "crl.ddog-gov.com");
        pki.revoke(crlOnly.certificate());
        RevocationChecker.Result r = check(Mode.SOFT_FAIL, true, crlOnly, List.of());
        assertThat(r.refusalCause()).isEqualTo("certificate revoked (CRL)");
        assertThat(pki.ocspRequests()).isZero();
        assertThat(pki.crlRequests()).isEqualTo(1);

        ServerIdentity fine = pki.issue(EnumSet.of(RevocationPki.Source.CRL), "fine.ddog-gov.com");
        assertThat(check(fine, List.of()).describe()).isEqualTo("good (CRL)");
    }

    @Test
    void a_stapled_response_is_used_without_asking_anyone() {
        RevocationChecker.Result r = check(Mode.HARD_FAIL, false, good, List.of(pki.ocspResponse(good.certificate())));
        assertThat(r.describe()).isEqualTo("good (OCSP stapled)");
        assertThat(r.refused()).isFalse();
        RevocationChecker.Result bad = check(revoked, List.of(pki.ocspResponse(revoked.certificate())));
        assertThat(bad.refusalCause()).isEqualTo("certificate revoked (OCSP)");
        assertThat(pki.ocspRequests() + pki.crlRequests()).isZero();
    }

    @Test
    void with_the_responder_and_crl_down_soft_fail_accepts_and_hard_fail_refuses_and_off_does_not_ask() {
        pki.stopServing();
        RevocationChecker.Result soft = check(Mode.SOFT_FAIL, true, good, List.of());
        assertThat(soft.status()).isEqualTo(RevocationChecker.Status.UNKNOWN);
        assertThat(soft.refused()).isFalse();
        assertThat(soft.describe()).startsWith("unknown (soft-fail: no stapled OCSP response; OCSP responder " + pki.ocspUrl()
                + " unreachable: ").contains("CRL " + pki.crlUrl() + " unreachable");
        checker.close();

        RevocationChecker.Result hard = check(Mode.HARD_FAIL, true, good, List.of());
        assertThat(hard.refused()).isTrue();
        assertThat(hard.refusalCause()).startsWith("certificate revocation status unknown (hard-fail): ");
        checker.close();

        RevocationChecker.Result off = check(Mode.OFF, true, revoked, List.of());
        assertThat(off.describe()).isEqualTo("off");
        assertThat(off.refused()).isFalse();
    }

    @Test
    void stale_answers_count_as_unknown_and_a_stale_staple_falls_back_to_a_fresh_fetch() {
        byte[] staleStaple;
        pki.stale(true);
        staleStaple = pki.ocspResponse(good.certificate());
        RevocationChecker.Result stale = check(Mode.HARD_FAIL, true, good, List.of());
        assertThat(stale.refused()).isTrue();
        assertThat(stale.detail()).contains("OCSP response is stale (nextUpdate").contains("CRL " + pki.crlUrl() + " is stale");
        checker.close();

        pki.stale(false);
        RevocationChecker.Result fresh = check(Mode.HARD_FAIL, true, good, List.of(staleStaple));
        assertThat(fresh.describe()).isEqualTo("good (OCSP)");
    }

    @Test
    void an_unknown_status_is_kept_a_minute_so_a_failing_responder_is_not_asked_for_every_connection() {
        pki.stale(true);
        RevocationChecker.Result first = check(Mode.SOFT_FAIL, true, good, List.of());
        int asked = pki.ocspRequests() + pki.crlRequests();
        RevocationChecker.Result second = check(good, List.of());
        assertThat(first.status()).isEqualTo(RevocationChecker.Status.UNKNOWN);
        assertThat(second.status()).isEqualTo(RevocationChecker.Status.UNKNOWN);
        assertThat(pki.ocspRequests() + pki.crlRequests()).isEqualTo(asked);
        pki.stale(false);
        assertThat(check(good, List.of(pki.ocspResponse(good.certificate()))).describe())
                .as("a staple still decides").isEqualTo("good (OCSP stapled)");
    }

    @Test
    void a_response_signed_by_another_ca_is_not_believed() {
        try (RevocationPki other = RevocationPki.start("someone else's CA")) {
            byte[] forged = other.ocspResponse(revoked.certificate());
            RevocationChecker.Result r = check(Mode.SOFT_FAIL, false, revoked, List.of(forged));
            assertThat(r.status()).isEqualTo(RevocationChecker.Status.UNKNOWN);
            assertThat(r.detail()).contains("not signed by the issuer");
        }
    }

    @Test
    void responders_are_asked_through_the_egress_proxy_with_its_credentials() throws Exception {
        try (TinyproxyServer proxy = TinyproxyServer.builder().connectPort(443).basicAuth("relay", "s3cret").start()) {
            checker = new RevocationChecker(settings(Mode.SOFT_FAIL), List.of(pki.caCertificate()), metrics, Clock.systemUTC(),
                    new ProxySettings(ProxyEndpoint.parse(proxy.url("relay:s3cret"), false), NoProxyMatcher.none(), "test"));
            assertThat(check(good, List.of()).status()).isEqualTo(RevocationChecker.Status.GOOD);
            assertThat(check(revoked, List.of()).status()).isEqualTo(RevocationChecker.Status.REVOKED);
            assertThat(pki.ocspRequests()).isEqualTo(2);
        }
    }

    @Test
    void with_the_egress_proxy_unreachable_the_responder_is_not_reached_and_no_proxy_hosts_go_direct() throws Exception {
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        ProxyEndpoint nowhere = ProxyEndpoint.parse("http://127.0.0.1:" + closed, false);
        checker = new RevocationChecker(settings(Mode.SOFT_FAIL), List.of(pki.caCertificate()), metrics, Clock.systemUTC(),
                new ProxySettings(nowhere, NoProxyMatcher.none(), "test"));
        assertThat(check(good, List.of()).status()).isEqualTo(RevocationChecker.Status.UNKNOWN);
        assertThat(pki.ocspRequests()).isZero();
        checker.close();

        checker = new RevocationChecker(settings(Mode.SOFT_FAIL), List.of(pki.caCertificate()), metrics, Clock.systemUTC(),
                new ProxySettings(nowhere, NoProxyMatcher.parse(List.of("127.0.0.1")), "test"));
        assertThat(check(good, List.of()).status()).isEqualTo(RevocationChecker.Status.GOOD);
        assertThat(pki.ocspRequests()).isEqualTo(1);
    }

    private static RelaySettings.Revocation settings(Mode mode) {
        return new RelaySettings.Revocation(mode, true, true, Duration.ofSeconds(3), Duration.ofHours(1));
    }

    private RevocationChecker.Result check(Mode mode, boolean fetch, ServerIdentity id, List<byte[]> stapled) {
        checker = new RevocationChecker(new RelaySettings.Revocation(mode, true, fetch, Duration.ofSeconds(3), Duration.ofHours(1)),
                List.of(pki.caCertificate()), metrics, Clock.systemUTC());
        return check(id, stapled);
    }

    private RevocationChecker.Result check(ServerIdentity id, List<byte[]> stapled) {
        List<X509Certificate> chain = List.of(id.certificate());
        try {
            return checker.check(chain, stapled).toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
