package io.fipsrelay.testkit;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.cms.jcajce.JcaSignerInfoGeneratorBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/**
 * A code-signing key made at test time, and jar signing with it the way {@code jarsigner} does it:
 * SHA-256 digests of every entry in the manifest, a signature file ({@code META-INF/<ALIAS>.SF})
 * with the digests of the manifest and its sections, and a detached CMS signature over that file
 * ({@code META-INF/<ALIAS>.EC}), all made by the FIPS module (bcpkix-fips over BCFIPS).
 */
public final class PluginJarSigner {

    private static final String SIGNATURE = "SHA256withECDSA";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final PrivateKey key;
    private final List<X509Certificate> chain;

    private PluginJarSigner(PrivateKey key, List<X509Certificate> chain) {
        this.key = key;
        this.chain = List.copyOf(chain);
    }

    /** A signer with a self-signed certificate for {@code CN=name}. */
    public static PluginJarSigner selfSigned(String name) {
        KeyPair pair = keyPair();
        X509Certificate cert = certificate(name, pair, name, pair.getPrivate(), true);
        return new PluginJarSigner(pair.getPrivate(), List.of(cert));
    }

    /** A signer whose certificate this signer issues (this one acting as a code-signing CA). */
    public PluginJarSigner issue(String name) {
        KeyPair pair = keyPair();
        String issuer = chain.get(0).getSubjectX500Principal().getName();
        X509Certificate cert = certificate(name, pair, issuer, key, false);
        List<X509Certificate> longer = new ArrayList<>();
        longer.add(cert);
        longer.addAll(chain);
        return new PluginJarSigner(pair.getPrivate(), longer);
    }

    public X509Certificate certificate() {
        return chain.get(0);
    }

    /** This signer's certificate as PEM, e.g. for {@code fips-relay.plugins.trusted-signers}. */
    public String certificatePem() {
        return Pem.certificate(certificate());
    }

    /** Writes {@code unsigned}, signed under {@code alias}, to {@code signed}. */
    public Path sign(Path unsigned, Path signed, String alias) {
        try {
            Map<String, byte[]> entries = new LinkedHashMap<>();
            Manifest manifest;
            try (JarFile in = new JarFile(unsigned.toFile(), false)) {
                manifest = in.getManifest() != null ? in.getManifest() : new Manifest();
                for (JarEntry e : java.util.Collections.list(in.entries())) {
                    if (!e.isDirectory() && !e.getName().equalsIgnoreCase(JarFile.MANIFEST_NAME)) {
                        try (InputStream s = in.getInputStream(e)) {
                            entries.put(e.getName(), s.readAllBytes());
                        }
                    }
                }
            }
            if (manifest.getMainAttributes().getValue(Attributes.Name.MANIFEST_VERSION) == null) {
                manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
            }
            // The manifest written by hand, section by section, because the .SF holds a digest of each section's bytes.
            ByteArrayOutputStream manifestBytes = new ByteArrayOutputStream();
            Manifest mainOnly = new Manifest();
            mainOnly.getMainAttributes().putAll(manifest.getMainAttributes());
            mainOnly.write(manifestBytes);
            StringBuilder signatureFile = new StringBuilder();
            Map<String, byte[]> sections = new LinkedHashMap<>();
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                byte[] section = (line("Name: " + e.getKey()) + line("SHA-256-Digest: " + digest(e.getValue())) + "\r\n")
                        .getBytes(StandardCharsets.UTF_8);
                sections.put(e.getKey(), section);
                manifestBytes.write(section);
            }
            byte[] manifestFile = manifestBytes.toByteArray();
            signatureFile.append(line("Signature-Version: 1.0"))
                    .append(line("SHA-256-Digest-Manifest: " + digest(manifestFile)))
                    .append(line("Created-By: fips-relay testkit")).append("\r\n");
            for (Map.Entry<String, byte[]> s : sections.entrySet()) {
                signatureFile.append(line("Name: " + s.getKey())).append(line("SHA-256-Digest: " + digest(s.getValue()))).append("\r\n");
            }
            byte[] sf = signatureFile.toString().getBytes(StandardCharsets.UTF_8);
            byte[] block = signatureBlock(sf);
            String upper = alias.toUpperCase(java.util.Locale.ROOT);
            try (OutputStream file = Files.newOutputStream(signed); JarOutputStream out = new JarOutputStream(file)) {
                put(out, JarFile.MANIFEST_NAME, manifestFile);
                put(out, "META-INF/" + upper + ".SF", sf);
                put(out, "META-INF/" + upper + ".EC", block);
                for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                    put(out, e.getKey(), e.getValue());
                }
            }
            return signed;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot sign " + unsigned, e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot sign " + unsigned, e);
        }
    }

    /**
     * A copy of a jar with one entry's bytes replaced and everything else, signature included, kept:
     * what someone altering a signed plugin after signing produces.
     */
    public static Path tamper(Path jar, Path altered, String entryName, byte[] newContent) {
        try (JarFile in = new JarFile(jar.toFile(), false);
             OutputStream file = Files.newOutputStream(altered); JarOutputStream out = new JarOutputStream(file)) {
            boolean found = false;
            for (JarEntry e : java.util.Collections.list(in.entries())) {
                byte[] bytes;
                try (InputStream s = in.getInputStream(e)) {
                    bytes = s.readAllBytes();
                }
                if (e.getName().equals(entryName)) {
                    bytes = newContent;
                    found = true;
                }
                put(out, e.getName(), bytes);
            }
            if (!found) {
                throw new IllegalArgumentException("no entry " + entryName + " in " + jar);
            }
            return altered;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot alter " + jar, e);
        }
    }

    /** A copy of a jar with one more entry, not covered by its signature. */
    public static Path withExtraEntry(Path jar, Path altered, String entryName, byte[] content) {
        try (JarFile in = new JarFile(jar.toFile(), false);
             OutputStream file = Files.newOutputStream(altered); JarOutputStream out = new JarOutputStream(file)) {
            for (JarEntry e : java.util.Collections.list(in.entries())) {
                try (InputStream s = in.getInputStream(e)) {
                    put(out, e.getName(), s.readAllBytes());
                }
            }
            put(out, entryName, content);
            return altered;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot alter " + jar, e);
        }
    }

    private byte[] signatureBlock(byte[] signatureFile) throws Exception {
        CMSSignedDataGenerator generator = new CMSSignedDataGenerator();
        generator.addSignerInfoGenerator(new JcaSignerInfoGeneratorBuilder(
                new JcaDigestCalculatorProviderBuilder().setProvider(TestFips.PROVIDER).build())
                .build(new JcaContentSignerBuilder(SIGNATURE).setProvider(TestFips.PROVIDER).build(key), chain.get(0)));
        generator.addCertificates(new JcaCertStore(chain));
        return generator.generate(new CMSProcessableByteArray(signatureFile), false).getEncoded();
    }

    private static void put(JarOutputStream out, String name, byte[] bytes) throws IOException {
        out.putNextEntry(new JarEntry(name));
        out.write(bytes);
        out.closeEntry();
    }

    /** One manifest line, folded at 72 bytes as the jar format requires. */
    private static String line(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= 70) {
            return text + "\r\n";
        }
        StringBuilder folded = new StringBuilder();
        int i = 0;
        int width = 72;
        while (i < text.length()) {
            int end = Math.min(text.length(), i + width);
            folded.append(i == 0 ? "" : " ").append(text, i, end).append("\r\n");
            i = end;
            width = 71;
        }
        return folded.toString();
    }

    private static String digest(byte[] bytes) throws GeneralSecurityException {
        return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256", TestFips.PROVIDER).digest(bytes));
    }

    private static KeyPair keyPair() {
        TestFips.ensureProvidersAppended();
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", TestFips.PROVIDER);
            generator.initialize(new ECGenParameterSpec("P-256"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot make a code-signing key", e);
        }
    }

    private static X509Certificate certificate(String name, KeyPair subject, String issuer, PrivateKey issuerKey, boolean ca) {
        try {
            Instant now = Instant.now();
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    new X500Name(issuer.contains("=") ? issuer : "CN=" + issuer), new BigInteger(63, RANDOM).add(BigInteger.ONE),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(2))),
                    new X500Name("CN=" + name), subject.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(ca
                    ? KeyUsage.keyCertSign | KeyUsage.digitalSignature : KeyUsage.digitalSignature));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_codeSigning));
            byte[] der = builder.build(new JcaContentSignerBuilder(SIGNATURE).setProvider(TestFips.PROVIDER).build(issuerKey)).getEncoded();
            return (X509Certificate) CertificateFactory.getInstance("X.509", "SUN").generateCertificate(new ByteArrayInputStream(der));
        } catch (Exception e) {
            throw new IllegalStateException("cannot make a code-signing certificate for " + name, e);
        }
    }
}
