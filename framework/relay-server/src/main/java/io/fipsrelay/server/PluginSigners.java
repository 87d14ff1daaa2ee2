package io.fipsrelay.server;

import io.fipsrelay.core.fips.FipsBootstrap;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.CodeSigner;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.util.Selector;

/**
 * The operator's trusted plugin signers ({@code fips-relay.plugins.trusted-signers}) and the check
 * that a plugin jar was signed by one of them and not altered since.
 *
 * <p>A jar passes only when all of these hold:
 * <ul>
 *   <li>the JDK's jar verification reads every entry without error: each entry's bytes match the
 *       digest in the manifest and the manifest matches the signature file ({@code META-INF/*.SF});
 *   <li>every entry outside {@code META-INF/} is covered by the signature, and no entry the
 *       manifest lists is missing (nothing was added or removed after signing);
 *   <li>the signature block ({@code META-INF/*.EC|RSA|DSA}, CMS over the .SF file) verifies again
 *       with bcpkix-fips on the FIPS provider, and its signer certificate is one of the trusted
 *       certificates or chains to one (PKIX path building of the FIPS provider).
 * </ul>
 * The JDK's verification is kept for the per-entry digest bookkeeping of the jar format; the
 * decision rests on the FIPS module's signature check and path validation.
 */
final class PluginSigners {

    private static final String PROVIDER = FipsBootstrap.FIPS_PROVIDER;
    private static final List<String> BLOCK_SUFFIXES = List.of(".EC", ".RSA", ".DSA");

    private final Path pem;
    private final Set<X509Certificate> trusted;

    private PluginSigners(Path pem, Set<X509Certificate> trusted) {
        this.pem = pem;
        this.trusted = trusted;
    }

    /** Reads the PEM bundle of trusted signer certificates through the FIPS provider (which must be registered). */
    static PluginSigners load(Path pem) throws IOException {
        if (!Files.isReadable(pem)) {
            throw new IOException("cannot read " + pem);
        }
        try (InputStream in = Files.newInputStream(pem)) {
            Set<X509Certificate> certificates = new HashSet<>();
            for (Certificate c : CertificateFactory.getInstance("X.509", PROVIDER).generateCertificates(in)) {
                certificates.add((X509Certificate) c);
            }
            if (certificates.isEmpty()) {
                throw new IOException("no certificate in " + pem);
            }
            return new PluginSigners(pem, Set.copyOf(certificates));
        } catch (GeneralSecurityException e) {
            throw new IOException(pem + " is not a PEM bundle of certificates: " + e.getMessage(), e);
        }
    }

    Path pem() {
        return pem;
    }

    /** Null when the jar is signed by a trusted signer and intact; otherwise why it is refused. */
    String refusal(Path jar) {
        try (JarFile file = new JarFile(jar.toFile(), true)) {
            Map<String, byte[]> signatureFiles = new HashMap<>();
            Map<String, byte[]> blocks = new HashMap<>();
            List<JarEntry> content = new ArrayList<>();
            Set<String> present = new HashSet<>();
            for (Enumeration<JarEntry> e = file.entries(); e.hasMoreElements(); ) {
                JarEntry entry = e.nextElement();
                present.add(entry.getName());
                if (entry.isDirectory()) {
                    continue;
                }
                byte[] bytes;
                try (InputStream in = file.getInputStream(entry)) {
                    // Reading to the end is what makes the JDK compare the entry with its signed digest.
                    bytes = in.readAllBytes();
                } catch (SecurityException ex) {
                    return "altered after signing: " + ex.getMessage();
                }
                String name = entry.getName().toUpperCase(Locale.ROOT);
                if (isSignatureRelated(name)) {
                    if (name.endsWith(".SF")) {
                        signatureFiles.put(baseName(name), bytes);
                    } else if (BLOCK_SUFFIXES.stream().anyMatch(name::endsWith)) {
                        blocks.put(baseName(name), bytes);
                    }
                } else {
                    content.add(entry);
                }
            }
            if (signatureFiles.isEmpty() || blocks.isEmpty()) {
                return "not signed (no META-INF/*.SF signature file and block): only jars signed by a certificate in "
                        + pem + " are loaded";
            }
            Set<X509Certificate> trustedSigners = new HashSet<>();
            List<String> untrusted = new ArrayList<>();
            for (Map.Entry<String, byte[]> sf : signatureFiles.entrySet()) {
                byte[] block = blocks.get(sf.getKey());
                if (block == null) {
                    return "signature file META-INF/" + sf.getKey() + ".SF has no signature block";
                }
                String problem = verifyBlock(sf.getKey(), sf.getValue(), block, trustedSigners, untrusted);
                if (problem != null) {
                    return problem;
                }
            }
            if (trustedSigners.isEmpty()) {
                return "signed by " + String.join(", ", untrusted) + ", which is not one of the trusted signers in " + pem;
            }
            for (JarEntry entry : content) {
                if (!signedBy(entry.getCodeSigners(), trustedSigners)) {
                    return "entry " + entry.getName() + " is not covered by a trusted signature (added after signing?)";
                }
            }
            if (file.getManifest() != null) {
                for (String listed : file.getManifest().getEntries().keySet()) {
                    if (!present.contains(listed)) {
                        return "entry " + listed + " was signed but is missing (removed after signing)";
                    }
                }
            }
            return null;
        } catch (SecurityException e) {
            return "altered after signing or the signature is invalid: " + e.getMessage();
        } catch (IOException e) {
            return "cannot read it to check its signature: " + e.getMessage();
        }
    }

    /** Verifies one CMS signature block over its .SF file; adds its signer to the trusted ones or names it. */
    private String verifyBlock(String name, byte[] signatureFile, byte[] block, Set<X509Certificate> trustedSigners,
                               List<String> untrusted) {
        try {
            CMSSignedData signed = new CMSSignedData(new CMSProcessableByteArray(signatureFile), block);
            JcaX509CertificateConverter converter = new JcaX509CertificateConverter().setProvider(PROVIDER);
            List<X509Certificate> carried = new ArrayList<>();
            for (X509CertificateHolder holder : signed.getCertificates().getMatches(null)) {
                carried.add(converter.getCertificate(holder));
            }
            for (SignerInformation signer : signed.getSignerInfos().getSigners()) {
                @SuppressWarnings("unchecked")
                Collection<X509CertificateHolder> matches = signed.getCertificates().getMatches((Selector<X509CertificateHolder>) signer.getSID());
                if (matches.isEmpty()) {
                    return "signature block of META-INF/" + name + ".SF does not carry its signer's certificate";
                }
                X509CertificateHolder holder = matches.iterator().next();
                if (!signer.verify(new JcaSimpleSignerInfoVerifierBuilder().setProvider(PROVIDER).build(holder))) {
                    return "altered after signing: the signature over META-INF/" + name + ".SF does not verify";
                }
                X509Certificate leaf = converter.getCertificate(holder);
                if (chainsToTrusted(leaf, carried)) {
                    trustedSigners.add(leaf);
                } else {
                    untrusted.add("\"" + leaf.getSubjectX500Principal().getName() + "\"");
                }
            }
            return null;
        } catch (CMSException e) {
            return "altered after signing or not a signature: META-INF/" + name + " block: " + e.getMessage();
        } catch (GeneralSecurityException | OperatorCreationException e) {
            return "cannot check the signature of META-INF/" + name + ".SF with the FIPS provider: " + e.getMessage();
        }
    }

    /** The signer is a trusted certificate itself, or a PKIX path leads from it to one. */
    private boolean chainsToTrusted(X509Certificate leaf, List<X509Certificate> carried) {
        if (trusted.contains(leaf)) {
            return true;
        }
        try {
            Set<TrustAnchor> anchors = new HashSet<>();
            trusted.forEach(t -> anchors.add(new TrustAnchor(t, null)));
            X509CertSelector target = new X509CertSelector();
            target.setCertificate(leaf);
            PKIXBuilderParameters parameters = new PKIXBuilderParameters(anchors, target);
            // A plugin signature is checked offline; revocation of code-signing certificates is the
            // operator's job of taking the certificate out of the bundle.
            parameters.setRevocationEnabled(false);
            List<X509Certificate> store = new ArrayList<>(carried);
            store.add(leaf);
            parameters.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(store), PROVIDER));
            CertPathBuilder.getInstance("PKIX", PROVIDER).build(parameters);
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static boolean signedBy(CodeSigner[] signers, Set<X509Certificate> trustedSigners) {
        if (signers == null) {
            return false;
        }
        for (CodeSigner signer : signers) {
            List<? extends Certificate> path = signer.getSignerCertPath().getCertificates();
            if (!path.isEmpty() && trustedSigners.stream().anyMatch(t -> sameCertificate(t, path.get(0)))) {
                return true;
            }
        }
        return false;
    }

    private static boolean sameCertificate(X509Certificate a, Certificate b) {
        try {
            return java.util.Arrays.equals(a.getEncoded(), b.getEncoded());
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static boolean isSignatureRelated(String upperName) {
        if (!upperName.startsWith("META-INF/") || upperName.indexOf('/', "META-INF/".length()) >= 0) {
            return false;
        }
        return upperName.equals("META-INF/MANIFEST.MF") || upperName.endsWith(".SF")
                || BLOCK_SUFFIXES.stream().anyMatch(upperName::endsWith) || upperName.startsWith("META-INF/SIG-");
    }

    private static String baseName(String upperName) {
        String file = upperName.substring("META-INF/".length());
        return file.substring(0, file.lastIndexOf('.'));
    }
}
