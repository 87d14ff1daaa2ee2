package io.fipsrelay.server.demo;

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
import java.util.Collection;
import java.util.Date;
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
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A CA and a server certificate made at start for demo mode only, with the FIPS module (EC P-256,
 * ECDSA SHA-256): the demo intake is verified exactly like a real one, nothing is switched off.
 */
final class ThrowawayPki {

    private final X509Certificate ca;
    private final KeyStore serverKeys;
    private final char[] password;

    private ThrowawayPki(X509Certificate ca, KeyStore serverKeys, char[] password) {
        this.ca = ca;
        this.serverKeys = serverKeys;
        this.password = password;
    }

    static ThrowawayPki create(Collection<String> hostNames) throws GeneralSecurityException, IOException {
        try {
            SecureRandom random = SecureRandom.getInstance("DEFAULT", FipsBootstrap.FIPS_PROVIDER);
            KeyPairGenerator gen = KeyPairGenerator.getInstance("EC", FipsBootstrap.FIPS_PROVIDER);
            gen.initialize(new ECGenParameterSpec("secp256r1"), random);
            KeyPair caKeys = gen.generateKeyPair();
            KeyPair serverKeyPair = gen.generateKeyPair();
            Instant now = Instant.now();
            Date from = Date.from(now.minus(Duration.ofHours(1)));
            Date to = Date.from(now.plus(Duration.ofDays(2)));
            X500Name caName = new X500Name("CN=fips-relay demo CA (throwaway)");
            JcaContentSignerBuilder signer = new JcaContentSignerBuilder("SHA256withECDSA").setProvider(FipsBootstrap.FIPS_PROVIDER);
            JcaX509CertificateConverter converter = new JcaX509CertificateConverter().setProvider(FipsBootstrap.FIPS_PROVIDER);
            X509Certificate ca = converter.getCertificate(new JcaX509v3CertificateBuilder(caName,
                    new BigInteger(64, random), from, to, caName, caKeys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .build(signer.build(caKeys.getPrivate())));
            GeneralName[] sans = hostNames.stream().map(h -> new GeneralName(GeneralName.dNSName, h)).toArray(GeneralName[]::new);
            X509Certificate leaf = converter.getCertificate(new JcaX509v3CertificateBuilder(caName,
                    new BigInteger(64, random), from, to, new X500Name("CN=fips-relay demo intake"), serverKeyPair.getPublic())
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .build(signer.build(caKeys.getPrivate())));
            // The key never leaves memory; the keystore only wants a password strong enough not to warn.
            byte[] secret = new byte[24];
            random.nextBytes(secret);
            char[] password = java.util.HexFormat.of().formatHex(secret).toCharArray();
            KeyStore keys = KeyStore.getInstance("BCFKS", FipsBootstrap.FIPS_PROVIDER);
            keys.load(null, null);
            keys.setKeyEntry("intake", serverKeyPair.getPrivate(), password, new X509Certificate[] {leaf, ca});
            return new ThrowawayPki(ca, keys, password);
        } catch (org.bouncycastle.operator.OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    char[] password() {
        return password;
    }

    KeyStore serverKeys() {
        return serverKeys;
    }

    /** Writes the CA as PEM for the relay's tls.ca-file. */
    Path writeCa(Path file) throws IOException, GeneralSecurityException {
        String pem = "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(ca.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
        return Files.writeString(file, pem);
    }
}
