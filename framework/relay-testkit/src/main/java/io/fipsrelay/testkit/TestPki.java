package io.fipsrelay.testkit;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A throw-away PKI made at test time: one EC P-256 CA that issues server certificates.
 *
 * <p>Certificates are built and signed by the FIPS module (bcpkix-fips over BCFIPS, approved
 * SHA256withECDSA), but server key pairs come from the JDK providers so that a SunJSSE stand-in
 * intake can use them. Nothing is written to disk unless asked.
 */
public final class TestPki {

    private static final Logger LOG = LoggerFactory.getLogger(TestPki.class);
    private static final String SIGNATURE = "SHA256withECDSA";
    private static final Duration BACKDATE = Duration.ofHours(1);
    private static final Duration LIFETIME = Duration.ofDays(2);
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private final PrivateKey caKey;
    private final X509Certificate caCertificate;
    private final Date notBefore;
    private final Date notAfter;
    private final SecureRandom serials = new SecureRandom();

    private TestPki(PrivateKey caKey, X509Certificate caCertificate, Date notBefore, Date notAfter) {
        this.caKey = caKey;
        this.caCertificate = caCertificate;
        this.notBefore = notBefore;
        this.notAfter = notAfter;
    }

    /** A new self-signed CA called {@code caName} (a plain name becomes {@code CN=caName}; a DN is used as is). */
    public static TestPki create(String caName) {
        TestFips.ensureProvidersAppended();
        TestFips.requireJdkProvidersFirst();
        Instant now = Instant.now();
        Date notBefore = Date.from(now.minus(BACKDATE));
        Date notAfter = Date.from(now.plus(LIFETIME));
        try {
            // The CA key lives in BCFIPS: it only ever signs inside the module, which approved-only mode allows.
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", TestFips.PROVIDER);
            generator.initialize(new ECGenParameterSpec("P-256"));
            KeyPair ca = generator.generateKeyPair();
            X500Name subject = new X500Name(caName.contains("=") ? caName : "CN=" + caName);
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial(new SecureRandom()),
                    notBefore, notAfter, subject, ca.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            extensions.createSubjectKeyIdentifier(ca.getPublic()));
            X509Certificate certificate = toJdk(builder.build(signer(ca.getPrivate())));
            LOG.debug("test CA created: {}", certificate.getSubjectX500Principal());
            return new TestPki(ca.getPrivate(), certificate, notBefore, notAfter);
        } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot create test CA " + caName, e);
        }
    }

    /**
     * A server certificate for {@code names} (DNS names, or IPv4/IPv6 literals which become iPAddress
     * SANs), with EKU serverAuth, signed by this CA. The first name is also the subject CN.
     */
    public ServerIdentity issue(KeyType type, String... names) {
        return issue(type, KeyPurposeId.id_kp_serverAuth, notBefore, notAfter, names);
    }

    /** A server certificate for {@code names} that expired an hour ago (refusal tests). */
    public ServerIdentity issueExpired(KeyType type, String... names) {
        Instant now = Instant.now();
        return issue(type, KeyPurposeId.id_kp_serverAuth, Date.from(now.minus(Duration.ofDays(2))),
                Date.from(now.minus(Duration.ofHours(1))), names);
    }

    /**
     * A client certificate (EKU clientAuth) for {@code name}, signed by this CA: what an agent
     * presents to a relay that requires client certificates (mTLS).
     */
    public ServerIdentity issueClient(KeyType type, String name) {
        return issue(type, KeyPurposeId.id_kp_clientAuth, notBefore, notAfter, name);
    }

    private ServerIdentity issue(KeyType type, KeyPurposeId purpose, Date validFrom, Date validTo, String... names) {
        if (names == null || names.length == 0) {
            throw new IllegalArgumentException("a server certificate needs at least one DNS name or IP address");
        }
        try {
            KeyPair pair = jdkKeyPair(type);
            List<GeneralName> sans = new ArrayList<>();
            for (String name : names) {
                sans.add(isIpLiteral(name) ? new GeneralName(GeneralName.iPAddress, name)
                        : new GeneralName(GeneralName.dNSName, name));
            }
            int usage = KeyUsage.digitalSignature | (type == KeyType.RSA_2048 ? KeyUsage.keyEncipherment : 0);
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(caCertificate, serial(serials),
                    validFrom, validTo, new X500Name("CN=" + names[0]), pair.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(usage))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose))
                    .addExtension(Extension.subjectAlternativeName, false,
                            new GeneralNames(sans.toArray(new GeneralName[0])))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            extensions.createSubjectKeyIdentifier(pair.getPublic()))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            extensions.createAuthorityKeyIdentifier(caCertificate));
            X509Certificate leaf = toJdk(builder.build(signer(caKey)));
            LOG.debug("issued {} server certificate for {}", type, List.of(names));
            return new ServerIdentity(type, List.of(names), pair.getPrivate(), leaf, caCertificate);
        } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot issue " + type + " certificate for " + List.of(names), e);
        }
    }

    public X509Certificate caCertificate() {
        return caCertificate;
    }

    /** The CA certificate as PEM ("CERTIFICATE"), e.g. for the relay's trust configuration. */
    public String caPem() {
        return Pem.certificate(caCertificate);
    }

    public Path writeCaPem(Path file) {
        return Pem.write(file, caPem());
    }

    /** An in-memory trust store holding only this CA (alias "test-ca"). */
    public KeyStore trustStore() {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12", "SUN");
            store.load(null, null);
            store.setCertificateEntry("test-ca", caCertificate);
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build trust store", e);
        }
    }

    /** A SunJSSE client context trusting only this CA, for JDK clients talking to test servers. */
    public SSLContext clientSslContext() {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX", "SunJSSE");
            tmf.init(trustStore());
            SSLContext context = SSLContext.getInstance("TLS", "SunJSSE");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build client SSLContext", e);
        }
    }

    private static KeyPair jdkKeyPair(KeyType type) throws GeneralSecurityException {
        // JDK providers on purpose: SunJSSE must be able to sign handshakes with these keys.
        switch (type) {
            case EC_P256: {
                KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", "SunEC");
                generator.initialize(new ECGenParameterSpec("secp256r1"));
                return generator.generateKeyPair();
            }
            case RSA_2048: {
                KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA", "SunRsaSign");
                generator.initialize(2048);
                return generator.generateKeyPair();
            }
            default:
                throw new IllegalArgumentException("unsupported key type " + type);
        }
    }

    private static ContentSigner signer(PrivateKey key) throws OperatorCreationException {
        return new JcaContentSignerBuilder(SIGNATURE).setProvider(TestFips.PROVIDER).build(key);
    }

    private static X509Certificate toJdk(X509CertificateHolder holder) throws GeneralSecurityException, IOException {
        // The JDK's own certificate objects, so SunJSSE and PKIX never see a BC class.
        return (X509Certificate) CertificateFactory.getInstance("X.509", "SUN")
                .generateCertificate(new ByteArrayInputStream(holder.getEncoded()));
    }

    private static BigInteger serial(SecureRandom random) {
        return new BigInteger(63, random).add(BigInteger.ONE);
    }

    static boolean isIpLiteral(String name) {
        if (IPV4.matcher(name).matches()) {
            return true;
        }
        if (!name.contains(":")) {
            return false;
        }
        try {
            // Contains ':' so it can only be an IPv6 literal; getByName does not resolve literals.
            InetAddress.getByName(name);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
