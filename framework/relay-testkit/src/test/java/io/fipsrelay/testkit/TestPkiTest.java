package io.fipsrelay.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.CryptoServicesRegistrar;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TestPkiTest {

    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static TestPki pki;

    @BeforeAll
    static void createPki() {
        pki = TestPki.create("testkit CA");
    }

    @Test
    void is_created_under_approved_only_mode() {
        assertThat(CryptoServicesRegistrar.isInApprovedOnlyMode()).isTrue();
        assertThat(pki.caCertificate()).isNotNull();
    }

    @Test
    void the_ca_is_a_self_signed_p256_ca_valid_from_an_hour_ago_for_two_days() throws Exception {
        X509Certificate ca = pki.caCertificate();

        assertThat(ca.getSubjectX500Principal().getName()).isEqualTo("CN=testkit CA");
        assertThat(ca.getIssuerX500Principal()).isEqualTo(ca.getSubjectX500Principal());
        assertThat(ca.getBasicConstraints()).isGreaterThanOrEqualTo(0);
        boolean[] keyUsage = ca.getKeyUsage();
        assertThat(keyUsage[5]).as("keyCertSign").isTrue();
        assertThat(keyUsage[6]).as("cRLSign").isTrue();
        assertThat(keyUsage[0]).as("digitalSignature").isFalse();
        assertThat(ca.getSigAlgName()).isEqualTo("SHA256withECDSA");
        assertThat(ca.getPublicKey().getAlgorithm()).isEqualTo("EC");
        ca.verify(ca.getPublicKey());
        Instant now = Instant.now();
        assertThat(ca.getNotBefore().toInstant()).isBetween(now.minus(Duration.ofMinutes(61)), now.minus(Duration.ofMinutes(59)));
        assertThat(ca.getNotAfter().toInstant()).isBetween(now.plus(Duration.ofHours(47)), now.plus(Duration.ofHours(49)));
    }

    @Test
    void an_ec_server_certificate_names_its_dns_and_ip_sans_and_chains_to_the_ca() throws Exception {
        ServerIdentity server = pki.issue(KeyType.EC_P256, "intake.test", "localhost", "127.0.0.1", "::1");
        X509Certificate leaf = server.certificate();

        assertThat(leaf.getSubjectAlternativeNames()).containsExactlyInAnyOrder(
                List.of(2, "intake.test"), List.of(2, "localhost"), List.of(7, "127.0.0.1"), List.of(7, "0:0:0:0:0:0:0:1"));
        assertThat(leaf.getExtendedKeyUsage()).containsExactly(SERVER_AUTH);
        assertThat(leaf.getKeyUsage()[0]).as("digitalSignature").isTrue();
        assertThat(leaf.getKeyUsage()[2]).as("keyEncipherment").isFalse();
        assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
        assertThat(leaf.getSigAlgName()).isEqualTo("SHA256withECDSA");
        assertThat(server.chain()).containsExactly(leaf, pki.caCertificate());
        assertPkixValid(server);
    }

    @Test
    void an_rsa_server_certificate_also_allows_key_encipherment() throws Exception {
        ServerIdentity server = pki.issue(KeyType.RSA_2048, "localhost");
        X509Certificate leaf = server.certificate();

        assertThat(((RSAPublicKey) leaf.getPublicKey()).getModulus().bitLength()).isEqualTo(2048);
        assertThat(leaf.getKeyUsage()[0]).as("digitalSignature").isTrue();
        assertThat(leaf.getKeyUsage()[2]).as("keyEncipherment").isTrue();
        assertPkixValid(server);
    }

    @Test
    void server_keys_come_from_the_jdk_providers_so_sunjsse_can_use_them() {
        assertThat(pki.issue(KeyType.EC_P256, "localhost").privateKey().getClass().getName()).startsWith("sun.security.");
        assertThat(pki.issue(KeyType.RSA_2048, "localhost").privateKey().getClass().getName()).startsWith("sun.security.");
    }

    @Test
    void pem_files_read_back_as_the_same_certificate_and_key(@TempDir Path dir) throws Exception {
        ServerIdentity server = pki.issue(KeyType.EC_P256, "localhost");

        Path caFile = pki.writeCaPem(dir.resolve("ca.pem"));
        Path certFile = server.writeCertPem(dir.resolve("sub/cert.pem"));
        Path keyFile = server.writeKeyPem(dir.resolve("key.pem"));

        assertThat(pki.caPem()).startsWith("-----BEGIN CERTIFICATE-----\n").endsWith("-----END CERTIFICATE-----\n");
        assertThat(readCertificate(caFile)).isEqualTo(pki.caCertificate());
        assertThat(readCertificate(certFile)).isEqualTo(server.certificate());
        String keyPem = Files.readString(keyFile);
        assertThat(keyPem).startsWith("-----BEGIN PRIVATE KEY-----\n").endsWith("-----END PRIVATE KEY-----\n");
        byte[] der = Base64.getMimeDecoder().decode(keyPem.replaceAll("-----[A-Z ]+-----", ""));
        assertThat(KeyFactory.getInstance("EC", "SunEC").generatePrivate(new PKCS8EncodedKeySpec(der)))
                .isEqualTo(server.privateKey());
    }

    @Test
    void a_certificate_needs_at_least_one_name() {
        assertThatThrownBy(() -> pki.issue(KeyType.EC_P256)).isInstanceOf(IllegalArgumentException.class);
    }

    private static void assertPkixValid(ServerIdentity server) throws Exception {
        server.certificate().verify(pki.caCertificate().getPublicKey());
        CertificateFactory factory = CertificateFactory.getInstance("X.509", "SUN");
        PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(pki.caCertificate(), null)));
        parameters.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX", "SUN")
                .validate(factory.generateCertPath(List.of(server.certificate())), parameters);
    }

    private static X509Certificate readCertificate(Path file) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509", "SUN")
                .generateCertificate(new ByteArrayInputStream(Files.readString(file).getBytes(StandardCharsets.US_ASCII)));
    }
}
