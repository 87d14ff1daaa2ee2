package io.fipsrelay.core.tls;

import io.fipsrelay.core.fips.FipsBootstrap;
import io.fipsrelay.core.settings.RelaySettings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.jsse.BCSNIHostName;
import org.bouncycastle.jsse.BCSNIServerName;
import org.bouncycastle.jsse.BCSSLEngine;
import org.bouncycastle.jsse.BCSSLParameters;

/**
 * The one BCJSSE client {@link SSLContext} of the relay and the engines it makes: FIPS protocols,
 * suites and groups only, SNI always sent, chain and host name always verified.
 */
public final class FipsTlsContext {

    private final SSLContext context;
    private final RelaySettings.Tls settings;
    private final int trustAnchors;

    private FipsTlsContext(SSLContext context, RelaySettings.Tls settings, int trustAnchors) {
        this.context = context;
        this.settings = settings;
        this.trustAnchors = trustAnchors;
    }

    /** Builds the context; the FIPS providers must have been installed by {@link FipsBootstrap}. */
    public static FipsTlsContext create(RelaySettings.Tls settings) throws GeneralSecurityException, IOException {
        List<X509Certificate> anchors = loadCaBundle(settings.caFile());
        KeyStore trust = KeyStore.getInstance("BCFKS", FipsBootstrap.FIPS_PROVIDER);
        trust.load(null, null);
        for (int i = 0; i < anchors.size(); i++) {
            trust.setCertificateEntry("ca-" + i, anchors.get(i));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX", FipsBootstrap.JSSE_PROVIDER);
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS", FipsBootstrap.JSSE_PROVIDER);
        // One DRBG for the whole context: per-connection SecureRandoms would each seed from the entropy source.
        SecureRandom random = SecureRandom.getInstance("DEFAULT", FipsBootstrap.FIPS_PROVIDER);
        // BCJSSE's PKIX trust manager decides; the wrapper only keeps stapled OCSP responses for the revocation check.
        context.init(null, StapledResponses.around(tmf.getTrustManagers()), random);
        checkSupported(context, settings);
        return new FipsTlsContext(context, settings, anchors.size());
    }

    /** Reads every certificate of a PEM bundle through the FIPS module. */
    public static List<X509Certificate> loadCaBundle(Path file) throws GeneralSecurityException, IOException {
        CertificateFactory cf = CertificateFactory.getInstance("X.509", FipsBootstrap.FIPS_PROVIDER);
        List<X509Certificate> out = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file)) {
            Collection<? extends Certificate> certs = cf.generateCertificates(in);
            for (Certificate c : certs) {
                out.add((X509Certificate) c);
            }
        }
        if (out.isEmpty()) {
            throw new GeneralSecurityException("no certificate in CA bundle " + file);
        }
        return out;
    }

    private static void checkSupported(SSLContext context, RelaySettings.Tls settings) throws GeneralSecurityException {
        List<String> supported = List.of(context.getSupportedSSLParameters().getCipherSuites());
        for (String suite : settings.cipherSuites()) {
            if (!supported.contains(suite)) {
                throw new GeneralSecurityException("cipher suite " + suite + " is not available from BCJSSE in FIPS mode");
            }
        }
        List<String> protocols = List.of(context.getSupportedSSLParameters().getProtocols());
        for (String protocol : settings.protocols()) {
            if (!protocols.contains(protocol)) {
                throw new GeneralSecurityException("protocol " + protocol + " is not available from BCJSSE in FIPS mode");
            }
        }
    }

    /** A client engine for one connection to {@code host}: the name is sent as SNI and checked against the certificate. */
    public SSLEngine newClientEngine(String host, int port) {
        SSLEngine engine = context.createSSLEngine(host, port);
        engine.setUseClientMode(true);
        BCSSLEngine bc = (BCSSLEngine) engine;
        bc.setParameters(clientParameters(bc.getParameters(), host));
        return engine;
    }

    /**
     * A blocking client socket with the same profile, for one-off probes (diagnose): layered on an
     * already connected plain socket so that connect and handshake can be timed apart.
     */
    public javax.net.ssl.SSLSocket newClientSocket(java.net.Socket connected, String host, int port) throws IOException {
        javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) context.getSocketFactory()
                .createSocket(connected, host, port, true);
        socket.setUseClientMode(true);
        org.bouncycastle.jsse.BCSSLSocket bc = (org.bouncycastle.jsse.BCSSLSocket) socket;
        bc.setParameters(clientParameters(bc.getParameters(), host));
        return socket;
    }

    private BCSSLParameters clientParameters(BCSSLParameters p, String host) {
        p.setProtocols(settings.protocols().toArray(String[]::new));
        p.setCipherSuites(settings.cipherSuites().toArray(String[]::new));
        p.setNamedGroups(settings.namedGroups().toArray(String[]::new));
        p.setEndpointIdentificationAlgorithm("HTTPS");
        if (!isIpLiteral(host)) {
            // BCJSSE leaves SNI out for dot-less names (e.g. "localhost") unless it is set explicitly.
            List<BCSNIServerName> names = List.of(new BCSNIHostName(host));
            p.setServerNames(names);
        }
        return p;
    }

    static boolean isIpLiteral(String host) {
        return host.indexOf(':') >= 0 || host.matches("[0-9.]+");
    }

    public int trustAnchors() {
        return trustAnchors;
    }

    public RelaySettings.Tls settings() {
        return settings;
    }
}
