package io.fipsrelay.core.tls;

import java.util.concurrent.TimeUnit;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.codahale.metrics.MetricRegistry;
import io.fipsrelay.core.audit.SessionRecord;
import io.fipsrelay.core.fips.FipsBootstrap;
import io.fipsrelay.testkit.KeyType;
import io.fipsrelay.testkit.ServerIdentity;
import io.fipsrelay.testkit.TestPki;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Expiry of the intake certificates and of the trust anchors they chain to: gauges, listing, a daily warning. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CertificateExpiryTest {

    @TempDir
    static Path dir;
    static TestPki pki;
    static ServerIdentity intake;
    static List<X509Certificate> bundle;

    final AtomicReference<Instant> now = new AtomicReference<>();
    final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    };
    final MetricRegistry registry = new MetricRegistry();
    final ListAppender<ILoggingEvent> log = new ListAppender<>();
    CertificateExpiry expiry;

    @BeforeAll
    static void pki() throws Exception {
        FipsBootstrap.install(FipsBootstrap.ProviderOrder.APPENDED);
        pki = TestPki.create("fips-relay expiry test CA");
        intake = pki.issue(KeyType.EC_P256, "metrics.agent.ddog-gov.com");
        TestPki other = TestPki.create("some other CA");
        Path pem = dir.resolve("bundle.pem");
        java.nio.file.Files.writeString(pem, other.caPem() + pki.caPem());
        bundle = CertificateExpiry.readBundle(pem);
    }

    @BeforeEach
    void start() {
        log.start();
        ((Logger) LoggerFactory.getLogger(CertificateExpiry.class)).addAppender(log);
        expiry = new CertificateExpiry(registry, clock, "bundle.pem", bundle);
    }

    @AfterEach
    void stop() {
        ((Logger) LoggerFactory.getLogger(CertificateExpiry.class)).detachAppender(log);
    }

    @Test
    void each_intake_address_gets_a_gauge_of_its_leaf_not_after_and_the_bundle_one_of_the_earliest_anchor_used() {
        now.set(leafNotAfter().minus(Duration.ofDays(40)));
        assertThat(registry.getGauges().get(CertificateExpiry.BUNDLE_GAUGE).getValue()).as("before any handshake").isNull();

        expiry.sessionOpened(session("10.0.0.5:443"));
        expiry.sessionOpened(session("10.0.0.6:443"));

        String gauge = "fips-relay.tls.intake.metrics.agent.ddog-gov.com:443/10.0.0.5:443.not-after-seconds";
        assertThat(registry.getGauges().get(gauge).getValue()).isEqualTo(leafNotAfter().getEpochSecond());
        assertThat(registry.getGauges().get(CertificateExpiry.BUNDLE_GAUGE).getValue())
                .isEqualTo(pki.caCertificate().getNotAfter().toInstant().getEpochSecond());
        assertThat(expiry.intakes()).extracting(CertificateExpiry.IntakeCertificate::address).containsExactly("10.0.0.5:443", "10.0.0.6:443");
        assertThat(expiry.intakes().get(0).daysLeft()).isEqualTo(40);
        assertThat(expiry.anchorsUsed()).singleElement().extracting(CertificateExpiry.Anchor::subject)
                .isEqualTo("CN=fips-relay expiry test CA");
    }

    @Test
    void under_30_days_a_warning_is_logged_once_a_day_per_certificate() {
        now.set(leafNotAfter().minus(Duration.ofDays(10)));
        expiry.sessionOpened(session("10.0.0.5:443"));
        expiry.sessionOpened(session("10.0.0.5:443"));
        now.set(now.get().plus(Duration.ofHours(23)));
        expiry.sessionOpened(session("10.0.0.5:443"));

        assertThat(warnings()).filteredOn(w -> w.contains("intake metrics.agent.ddog-gov.com:443/10.0.0.5:443")).singleElement()
                .asString().contains("CN=metrics.agent.ddog-gov.com").contains("10 days left").contains("renew it");

        now.set(now.get().plus(Duration.ofHours(2)));
        expiry.sessionOpened(session("10.0.0.5:443"));
        assertThat(warnings()).filteredOn(w -> w.contains("intake ")).hasSize(2);
    }

    @Test
    void with_more_than_30_days_left_nothing_is_logged() {
        now.set(pki.caCertificate().getNotAfter().toInstant().minus(Duration.ofDays(31)).minus(Duration.ofDays(1)));
        expiry.sessionOpened(session("10.0.0.5:443"));
        assertThat(warnings()).isEmpty();
    }

    private List<String> warnings() {
        return log.list.stream().filter(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN)
                .map(ILoggingEvent::getFormattedMessage).toList();
    }

    private static Instant leafNotAfter() {
        return intake.certificate().getNotAfter().toInstant();
    }

    private static SessionRecord session(String address) {
        return new SessionRecord(Instant.now(), "metrics", "metrics.agent.ddog-gov.com:443", address, null, null, "TLSv1.3",
                "TLS_AES_128_GCM_SHA256", null, null, List.of(intake.certificate()), "off", 5L, null, null, null, null);
    }
}
