package io.fipsrelay.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.X509ObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.cert.ocsp.BasicOCSPRespBuilder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPReq;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.OCSPRespBuilder;
import org.bouncycastle.cert.ocsp.Req;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.jcajce.JcaBasicOCSPRespBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.DigestCalculatorProvider;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/**
 * A test CA that also runs what revocation checking talks to: a real OCSP responder and a CRL,
 * both served over HTTP on loopback by {@link HttpServer}, both built and signed by the FIPS module
 * (bcpkix-fips over BCFIPS). Server certificates it issues point at them (authority information
 * access, CRL distribution point) as public CAs' certificates do.
 */
public final class RevocationPki implements AutoCloseable {

    /** Where an issued certificate says its revocation status can be learned. */
    public enum Source { OCSP, CRL }

    private static final String SIGNATURE = "SHA256withECDSA";
    private static final Duration LIFETIME = Duration.ofDays(2);

    private final PrivateKey caKey;
    private final X509Certificate ca;
    private final HttpServer http;
    private final Map<BigInteger, Instant> revoked = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final AtomicInteger ocspRequests = new AtomicInteger();
    private final AtomicInteger crlRequests = new AtomicInteger();
    private volatile boolean stale;

    private RevocationPki(PrivateKey caKey, X509Certificate ca, HttpServer http) {
        this.caKey = caKey;
        this.ca = ca;
        this.http = http;
    }

    /** A new CA named {@code CN=caName} with its responder and CRL listening on 127.0.0.1. */
    public static RevocationPki start(String caName) {
        TestFips.ensureProvidersAppended();
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", TestFips.PROVIDER);
            generator.initialize(new ECGenParameterSpec("P-256"));
            KeyPair pair = generator.generateKeyPair();
            X500Name name = new X500Name("CN=" + caName);
            Instant now = Instant.now();
            org.bouncycastle.cert.X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now.toEpochMilli()),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(LIFETIME)), name, pair.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature))
                    .addExtension(Extension.subjectKeyIdentifier, false, new JcaX509ExtensionUtils().createSubjectKeyIdentifier(pair.getPublic()));
            X509Certificate ca = toJdk(builder.build(signer(pair.getPrivate())));
            HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
            RevocationPki pki = new RevocationPki(pair.getPrivate(), ca, http);
            http.createContext("/ocsp", pki::answerOcsp);
            http.createContext("/crl", pki::answerCrl);
            http.start();
            return pki;
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the revocation test CA", e);
        }
    }

    /** A server certificate for these names naming the given revocation sources, with a JDK key (for SunJSSE intakes). */
    public ServerIdentity issue(Set<Source> sources, String... names) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", "SunEC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair pair = generator.generateKeyPair();
            Instant now = Instant.now();
            List<GeneralName> sans = new ArrayList<>();
            for (String n : names) {
                sans.add(TestPki.isIpLiteral(n) ? new GeneralName(GeneralName.iPAddress, n) : new GeneralName(GeneralName.dNSName, n));
            }
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            org.bouncycastle.cert.X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(ca, new BigInteger(63, random).add(BigInteger.ONE),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(LIFETIME)), new X500Name("CN=" + names[0]),
                    pair.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(new GeneralName[0])))
                    .addExtension(Extension.authorityKeyIdentifier, false, extensions.createAuthorityKeyIdentifier(ca));
            if (sources.contains(Source.OCSP)) {
                builder.addExtension(Extension.authorityInfoAccess, false, new AuthorityInformationAccess(
                        new AccessDescription(X509ObjectIdentifiers.ocspAccessMethod,
                                new GeneralName(GeneralName.uniformResourceIdentifier, ocspUrl()))));
            }
            if (sources.contains(Source.CRL)) {
                builder.addExtension(Extension.cRLDistributionPoints, false, new CRLDistPoint(new DistributionPoint[] {
                        new DistributionPoint(new DistributionPointName(new GeneralNames(
                                new GeneralName(GeneralName.uniformResourceIdentifier, crlUrl()))), null, null)}));
            }
            X509Certificate leaf = toJdk(builder.build(signer(caKey)));
            return new ServerIdentity(KeyType.EC_P256, List.of(names), pair.getPrivate(), leaf, ca);
        } catch (Exception e) {
            throw new IllegalStateException("cannot issue a certificate for " + List.of(names), e);
        }
    }

    /** As {@link #issue(Set, String...)} naming both an OCSP responder and a CRL. */
    public ServerIdentity issue(String... names) {
        return issue(EnumSet.allOf(Source.class), names);
    }

    /** From now on the responder and the CRL say this certificate is revoked. */
    public void revoke(X509Certificate certificate) {
        revoked.put(certificate.getSerialNumber(), Instant.now().minus(Duration.ofMinutes(5)));
    }

    /** true: answers whose nextUpdate lies a day in the past (a responder or CRL that stopped being refreshed). */
    public void stale(boolean on) {
        stale = on;
    }

    /** The OCSP response the responder would give for this certificate (what an intake staples). */
    public byte[] ocspResponse(X509Certificate certificate) {
        try {
            DigestCalculatorProvider digests = new JcaDigestCalculatorProviderBuilder().setProvider(TestFips.PROVIDER).build();
            CertificateID id = new CertificateID(digests.get(CertificateID.HASH_SHA1), new JcaX509CertificateHolder(ca),
                    certificate.getSerialNumber());
            return respond(List.of(id));
        } catch (Exception e) {
            throw new IllegalStateException("cannot build an OCSP response", e);
        }
    }

    /** Stops answering: connections to the responder and CRL are refused from now on. */
    public void stopServing() {
        http.stop(0);
    }

    public String ocspUrl() {
        return "http://127.0.0.1:" + http.getAddress().getPort() + "/ocsp";
    }

    public String crlUrl() {
        return "http://127.0.0.1:" + http.getAddress().getPort() + "/crl";
    }

    public int ocspRequests() {
        return ocspRequests.get();
    }

    public int crlRequests() {
        return crlRequests.get();
    }

    public X509Certificate caCertificate() {
        return ca;
    }

    public Path writeCaPem(Path file) {
        return Pem.write(file, Pem.certificate(ca));
    }

    @Override
    public void close() {
        http.stop(0);
    }

    private void answerOcsp(HttpExchange exchange) throws IOException {
        ocspRequests.incrementAndGet();
        try (exchange) {
            byte[] body;
            if ("POST".equals(exchange.getRequestMethod())) {
                body = exchange.getRequestBody().readAllBytes();
            } else {
                String path = exchange.getRequestURI().getRawPath();
                body = java.util.Base64.getDecoder().decode(java.net.URLDecoder.decode(
                        path.substring(path.lastIndexOf('/') + 1), java.nio.charset.StandardCharsets.US_ASCII));
            }
            List<CertificateID> ids = new ArrayList<>();
            for (Req req : new OCSPReq(body).getRequestList()) {
                ids.add(req.getCertID());
            }
            send(exchange, "application/ocsp-response", respond(ids));
        } catch (Exception e) {
            exchange.sendResponseHeaders(500, -1);
        }
    }

    private byte[] respond(List<CertificateID> ids) throws Exception {
        Instant now = Instant.now();
        Instant thisUpdate = stale ? now.minus(Duration.ofDays(2)) : now.minus(Duration.ofMinutes(1));
        Instant nextUpdate = stale ? now.minus(Duration.ofDays(1)) : now.plus(Duration.ofHours(2));
        DigestCalculatorProvider digests = new JcaDigestCalculatorProviderBuilder().setProvider(TestFips.PROVIDER).build();
        BasicOCSPRespBuilder builder = new JcaBasicOCSPRespBuilder(ca.getPublicKey(), digests.get(CertificateID.HASH_SHA1));
        for (CertificateID id : ids) {
            Instant when = revoked.get(id.getSerialNumber());
            CertificateStatus status = when == null ? CertificateStatus.GOOD : new RevokedStatus(Date.from(when), CRLReason.keyCompromise);
            builder.addResponse(id, status, Date.from(thisUpdate), Date.from(nextUpdate));
        }
        X509CertificateHolder[] chain = {new JcaX509CertificateHolder(ca)};
        return new OCSPRespBuilder().build(OCSPRespBuilder.SUCCESSFUL, builder.build(signer(caKey), chain, Date.from(now))).getEncoded();
    }

    private void answerCrl(HttpExchange exchange) throws IOException {
        crlRequests.incrementAndGet();
        try (exchange) {
            Instant now = Instant.now();
            Instant thisUpdate = stale ? now.minus(Duration.ofDays(2)) : now.minus(Duration.ofMinutes(1));
            Instant nextUpdate = stale ? now.minus(Duration.ofDays(1)) : now.plus(Duration.ofHours(2));
            X509v2CRLBuilder crl = new X509v2CRLBuilder(new JcaX509CertificateHolder(ca).getSubject(), Date.from(thisUpdate));
            crl.setNextUpdate(Date.from(nextUpdate));
            revoked.forEach((serial, when) -> crl.addCRLEntry(serial, Date.from(when), CRLReason.keyCompromise));
            crl.addExtension(Extension.authorityKeyIdentifier, false, new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(ca));
            crl.addExtension(Extension.cRLNumber, false, new org.bouncycastle.asn1.x509.CRLNumber(BigInteger.valueOf(now.toEpochMilli())));
            send(exchange, "application/pkix-crl", crl.build(signer(caKey)).getEncoded());
        } catch (Exception e) {
            exchange.sendResponseHeaders(500, -1);
        }
    }

    private static void send(HttpExchange exchange, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static ContentSigner signer(PrivateKey key) throws Exception {
        return new JcaContentSignerBuilder(SIGNATURE).setProvider(TestFips.PROVIDER).build(key);
    }

    private static X509Certificate toJdk(X509CertificateHolder holder) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509", "SUN").generateCertificate(new ByteArrayInputStream(holder.getEncoded()));
    }
}
