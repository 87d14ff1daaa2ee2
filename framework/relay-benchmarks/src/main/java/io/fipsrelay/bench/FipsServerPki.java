package io.fipsrelay.bench;

import io.fipsrelay.core.fips.FipsBootstrap;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A CA and one server identity made entirely inside the FIPS module (EC P-256 keys from BCFIPS,
 * ECDSA-SHA256 signatures, keys held in a BCFKS keystore), so that a BCJSSE server in FIPS mode
 * can present it: the server side of the record-encryption benchmark runs the same module as the
 * relay's client side.
 */
final class FipsServerPki {

    private final X509Certificate ca;
    private final KeyStore serverKeys;
    private final char[] password;

    private FipsServerPki(X509Certificate ca, KeyStore serverKeys, char[] password) {
        this.ca = ca;
        this.serverKeys = serverKeys;
        this.password = password;
    }

    /** A CA and a server certificate for {@code dnsNames} (the first is also the CN); the FIPS providers must be installed. */
    static FipsServerPki create(String... dnsNames) throws GeneralSecurityException {
        String fips = FipsBootstrap.FIPS_PROVIDER;
        SecureRandom random = SecureRandom.getInstance("DEFAULT", fips);
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", fips);
        generator.initialize(new ECGenParameterSpec("secp256r1"), random);
        KeyPair caKeys = generator.generateKeyPair();
        KeyPair serverKeyPair = generator.generateKeyPair();
        Instant now = Instant.now();
        Date from = Date.from(now.minus(Duration.ofHours(1)));
        Date to = Date.from(now.plus(Duration.ofDays(2)));
        X500Name caName = new X500Name("CN=fips-relay benchmark CA");
        try {
            JcaContentSignerBuilder signer = new JcaContentSignerBuilder("SHA256withECDSA").setProvider(fips);
            JcaX509CertificateConverter converter = new JcaX509CertificateConverter().setProvider(fips);
            X509Certificate caCert = converter.getCertificate(new JcaX509v3CertificateBuilder(caName,
                    new BigInteger(64, random), from, to, caName, caKeys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .build(signer.build(caKeys.getPrivate())));
            X509Certificate leaf = converter.getCertificate(new JcaX509v3CertificateBuilder(caName,
                    new BigInteger(64, random), from, to, new X500Name("CN=" + dnsNames[0]), serverKeyPair.getPublic())
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(java.util.Arrays.stream(dnsNames)
                            .map(n -> new GeneralName(GeneralName.dNSName, n)).toArray(GeneralName[]::new)))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .build(signer.build(caKeys.getPrivate())));
            byte[] secret = new byte[24];
            random.nextBytes(secret);
            char[] password = java.util.HexFormat.of().formatHex(secret).toCharArray();
            KeyStore keys = KeyStore.getInstance("BCFKS", fips);
            keys.load(null, null);
            keys.setKeyEntry("server", serverKeyPair.getPrivate(), password, new X509Certificate[] {leaf, caCert});
            return new FipsServerPki(caCert, keys, password);
        } catch (OperatorCreationException | IOException e) {
            throw new GeneralSecurityException("cannot create the benchmark PKI", e);
        }
    }

    /** A BCJSSE (FIPS mode) server context presenting the server identity; KeyManagerFactory "PKIX". */
    SSLContext serverContext() throws GeneralSecurityException {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX", FipsBootstrap.JSSE_PROVIDER);
        kmf.init(serverKeys, password);
        SSLContext context = SSLContext.getInstance("TLS", FipsBootstrap.JSSE_PROVIDER);
        context.init(kmf.getKeyManagers(), null, SecureRandom.getInstance("DEFAULT", FipsBootstrap.FIPS_PROVIDER));
        return context;
    }

    /** The CA as a PEM file, for the relay client's tls.ca-file. */
    Path writeCaPem(Path file) throws IOException, GeneralSecurityException {
        String pem = "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(ca.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
        return Files.writeString(file, pem);
    }
}
