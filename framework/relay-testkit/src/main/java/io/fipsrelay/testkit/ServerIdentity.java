package io.fipsrelay.testkit;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;

/** A server's private key and certificate chain (leaf, CA), issued by a {@link TestPki}. */
public final class ServerIdentity {

    private final KeyType keyType;
    private final List<String> names;
    private final PrivateKey privateKey;
    private final X509Certificate certificate;
    private final X509Certificate caCertificate;

    ServerIdentity(KeyType keyType, List<String> names, PrivateKey privateKey, X509Certificate certificate,
            X509Certificate caCertificate) {
        this.keyType = keyType;
        this.names = List.copyOf(names);
        this.privateKey = privateKey;
        this.certificate = certificate;
        this.caCertificate = caCertificate;
    }

    public KeyType keyType() {
        return keyType;
    }

    /** The DNS names and IP literals the certificate was issued for, in the order given. */
    public List<String> names() {
        return names;
    }

    public PrivateKey privateKey() {
        return privateKey;
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** Leaf first, then the CA. */
    public List<X509Certificate> chain() {
        return List.of(certificate, caCertificate);
    }

    /** The leaf certificate alone as PEM (what {@code openssl s_server -cert} expects). */
    public Path writeCertPem(Path file) {
        return Pem.write(file, Pem.certificate(certificate));
    }

    /** Leaf then CA as PEM, for servers that read a whole chain from one file. */
    public Path writeChainPem(Path file) {
        return Pem.write(file, Pem.certificate(certificate) + Pem.certificate(caCertificate));
    }

    /** The private key as unencrypted PKCS#8 PEM ("PRIVATE KEY"), readable by {@code openssl s_server -key}. */
    public Path writeKeyPem(Path file) {
        return Pem.write(file, Pem.encode("PRIVATE KEY", privateKey.getEncoded()));
    }

    /**
     * A SunJSSE server context presenting this identity. If {@code protocols} are given, every server
     * socket and engine it creates is limited to them (e.g. "TLSv1.2"); otherwise the JDK defaults apply.
     */
    public SSLContext sslContext(String... protocols) {
        try {
            SSLContext context = SSLContext.getInstance("TLS", "SunJSSE");
            context.init(new KeyManager[] {new SingleKeyManager(privateKey, chain())}, null, null);
            if (protocols == null || protocols.length == 0) {
                return context;
            }
            return new ProtocolPinnedSslContext(context, protocols);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build SunJSSE server context for " + names, e);
        }
    }

    /**
     * A SunJSSE context presenting this identity as a client certificate and trusting {@code trust}:
     * an agent-side client for servers that require client certificates (mTLS).
     */
    public SSLContext clientSslContext(java.security.KeyStore trust) {
        try {
            javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance("PKIX", "SunJSSE");
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance("TLS", "SunJSSE");
            context.init(new KeyManager[] {new SingleKeyManager(privateKey, chain(), true)}, tmf.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build SunJSSE client context for " + names, e);
        }
    }

    @Override
    public String toString() {
        return "ServerIdentity[" + keyType + " " + names + "]";
    }
}
