package io.fipsrelay.core.tls;

import io.fipsrelay.core.fips.FipsBootstrap;
import io.fipsrelay.core.settings.RelaySettings;
import io.fipsrelay.core.settings.SettingsLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.jsse.BCSSLEngine;
import org.bouncycastle.jsse.BCSSLParameters;

/**
 * The BCJSSE server {@link SSLContext} the product listeners present to agents ({@code listen.tls}):
 * FIPS mode BCJSSE over BCFIPS, the protocols, suites and groups of the {@code tls} block (the
 * upstream policy), the relay's certificate chain and key read through the FIPS module, and with
 * {@code client-ca-file} a client certificate required (mTLS). Immutable: a reload builds a new one,
 * and connections keep the engine they were accepted with.
 */
public final class FipsServerTlsContext {

    private static final String PREFIX = SettingsLoader.ROOT + ".listen.tls.";
    private static final Pattern PRIVATE_KEY = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

    private final SSLContext context;
    private final RelaySettings.Tls policy;
    private final boolean mutual;
    private final X509Certificate certificate;

    private FipsServerTlsContext(SSLContext context, RelaySettings.Tls policy, boolean mutual, X509Certificate certificate) {
        this.context = context;
        this.policy = policy;
        this.mutual = mutual;
        this.certificate = certificate;
    }

    /**
     * Reads the files of {@code listen.tls} and builds the context; a file that is missing, unreadable,
     * expired, or a key that does not belong to the certificate is refused with its key path.
     */
    public static FipsServerTlsContext create(RelaySettings.AgentTls agent, RelaySettings.Tls policy)
            throws GeneralSecurityException, IOException {
        List<X509Certificate> chain = readChain(agent.certFile());
        PrivateKey key = readKey(agent.keyFile(), chain.get(0));
        checkKeyMatches(key, chain.get(0), agent);
        char[] password = "listen.tls".toCharArray(); // the store lives in memory only; BCFKS wants a password
        KeyStore keys = KeyStore.getInstance("BCFKS", FipsBootstrap.FIPS_PROVIDER);
        keys.load(null, null);
        keys.setKeyEntry("relay", key, password, chain.toArray(X509Certificate[]::new));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX", FipsBootstrap.JSSE_PROVIDER);
        kmf.init(keys, password);
        TrustManagerFactory tmf = null;
        if (agent.clientCaFile() != null) {
            List<X509Certificate> anchors;
            try {
                anchors = FipsTlsContext.loadCaBundle(agent.clientCaFile());
            } catch (GeneralSecurityException | IOException e) {
                throw new GeneralSecurityException(PREFIX + "client-ca-file: " + agent.clientCaFile() + ": " + e.getMessage(), e);
            }
            KeyStore trust = KeyStore.getInstance("BCFKS", FipsBootstrap.FIPS_PROVIDER);
            trust.load(null, null);
            for (int i = 0; i < anchors.size(); i++) {
                trust.setCertificateEntry("ca-" + i, anchors.get(i));
            }
            tmf = TrustManagerFactory.getInstance("PKIX", FipsBootstrap.JSSE_PROVIDER);
            tmf.init(trust);
        }
        SSLContext context = SSLContext.getInstance("TLS", FipsBootstrap.JSSE_PROVIDER);
        context.init(kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(),
                SecureRandom.getInstance("DEFAULT", FipsBootstrap.FIPS_PROVIDER));
        return new FipsServerTlsContext(context, policy, tmf != null, chain.get(0));
    }

    private static List<X509Certificate> readChain(Path file) throws GeneralSecurityException {
        List<X509Certificate> chain;
        try {
            chain = FipsTlsContext.loadCaBundle(file);
        } catch (GeneralSecurityException | IOException e) {
            throw new GeneralSecurityException(PREFIX + "cert-file: cannot read a PEM certificate chain from " + file + ": "
                    + e.getMessage(), e);
        }
        for (X509Certificate c : chain) {
            try {
                c.checkValidity();
            } catch (CertificateExpiredException | CertificateNotYetValidException e) {
                throw new GeneralSecurityException(PREFIX + "cert-file: " + file + ": certificate " + c.getSubjectX500Principal()
                        + " is not valid now (valid " + c.getNotBefore().toInstant() + " .. " + c.getNotAfter().toInstant() + ")", e);
            }
        }
        return chain;
    }

    private static PrivateKey readKey(Path file, X509Certificate leaf) throws GeneralSecurityException {
        String pem;
        try {
            pem = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new GeneralSecurityException(PREFIX + "key-file: cannot read " + file + ": " + e.getMessage(), e);
        }
        Matcher m = PRIVATE_KEY.matcher(pem);
        if (!m.find()) {
            throw new GeneralSecurityException(PREFIX + "key-file: " + file + " holds no unencrypted PKCS#8 key"
                    + " (-----BEGIN PRIVATE KEY-----); convert with: openssl pkcs8 -topk8 -nocrypt -in KEY -out " + file);
        }
        byte[] der = Base64.getMimeDecoder().decode(m.group(1));
        try {
            return KeyFactory.getInstance(leaf.getPublicKey().getAlgorithm(), FipsBootstrap.FIPS_PROVIDER)
                    .generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new GeneralSecurityException(PREFIX + "key-file: " + file + " is not a " + leaf.getPublicKey().getAlgorithm()
                    + " key usable with the certificate of cert-file: " + e.getMessage(), e);
        }
    }

    /** Signs and verifies a test message: the only check that the key really belongs to the certificate. */
    private static void checkKeyMatches(PrivateKey key, X509Certificate leaf, RelaySettings.AgentTls agent)
            throws GeneralSecurityException {
        String algorithm = "EC".equals(leaf.getPublicKey().getAlgorithm()) ? "SHA256withECDSA" : "SHA256withRSA";
        byte[] message = "fips-relay listen.tls key check".getBytes(StandardCharsets.US_ASCII);
        boolean matches;
        try {
            Signature signer = Signature.getInstance(algorithm, FipsBootstrap.FIPS_PROVIDER);
            signer.initSign(key);
            signer.update(message);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm, FipsBootstrap.FIPS_PROVIDER);
            verifier.initVerify(leaf.getPublicKey());
            verifier.update(message);
            matches = verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            matches = false;
        }
        if (!matches) {
            throw new GeneralSecurityException(PREFIX + "key-file: " + agent.keyFile() + " does not belong to the certificate "
                    + leaf.getSubjectX500Principal() + " of " + PREFIX + "cert-file " + agent.certFile());
        }
    }

    /** A server engine for one accepted agent connection. */
    public SSLEngine newServerEngine() {
        SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(false);
        BCSSLEngine bc = (BCSSLEngine) engine;
        BCSSLParameters p = bc.getParameters();
        p.setProtocols(policy.protocols().toArray(String[]::new));
        p.setCipherSuites(policy.cipherSuites().toArray(String[]::new));
        p.setNamedGroups(policy.namedGroups().toArray(String[]::new));
        p.setUseCipherSuitesOrder(true);
        if (mutual) {
            p.setNeedClientAuth(true);
        }
        bc.setParameters(p);
        return engine;
    }

    public boolean mutual() {
        return mutual;
    }

    /** The relay's own certificate shown to agents. */
    public X509Certificate certificate() {
        return certificate;
    }
}
