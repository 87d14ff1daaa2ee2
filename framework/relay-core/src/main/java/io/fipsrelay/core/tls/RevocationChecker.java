package io.fipsrelay.core.tls;

import com.codahale.metrics.MetricRegistry;
import io.fipsrelay.core.settings.ProxyEndpoint;
import io.fipsrelay.core.settings.ProxySettings;
import io.fipsrelay.core.settings.RelaySettings;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.asn1.DERIA5String;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.X509ObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPException;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.SingleResp;
import org.bouncycastle.operator.DigestCalculatorProvider;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Revocation status of an intake's certificate chain (NIST SP 800-52), learned from the OCSP
 * response the intake stapled to its handshake, or fetched from the certificate's OCSP responder
 * or CRL. Runs after the handshake and before the connection carries a request, on a small
 * executor of its own and the JDK HTTP client's asynchronous I/O: the relay's I/O threads never
 * wait for it.
 *
 * <p>All cryptography goes through the FIPS module: OCSP responses are parsed by bcpkix-fips and
 * their signatures verified with BCFIPS (by the issuer, or by a responder certificate the issuer
 * signed for OCSP signing), CRLs are parsed and verified by BCFIPS. The certificate path itself was
 * validated by BCJSSE's PKIX trust manager (over BCFIPS) during the handshake. Good and revoked
 * answers are cached per certificate for {@code cache}, never past the answer's nextUpdate; an
 * answer whose nextUpdate has passed is stale and counts as unknown.
 */
public final class RevocationChecker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RevocationChecker.class);
    private static final String PROVIDER = "BCFIPS";
    /** Clock difference tolerated between the relay and a responder. */
    private static final Duration SKEW = Duration.ofMinutes(5);
    /** How long an "unknown" is kept before the responder is asked again. */
    static final Duration UNKNOWN_FOR = Duration.ofMinutes(1);

    public enum Status { GOOD, REVOKED, UNKNOWN, NOT_CHECKED }

    /**
     * The decision for one chain.
     *
     * @param source "OCSP stapled", "OCSP", "CRL" (with " (cached)" when it came from the cache), or "off"
     * @param detail why the status is unknown, or what answered
     * @param refused whether the connection must be refused under the configured mode
     */
    public record Result(Status status, String source, String detail, boolean refused, RelaySettings.Revocation.Mode mode) {

        /** The audit log's revocation field: "good (OCSP stapled)", "revoked (CRL)", "unknown (soft-fail: ...)", "off". */
        public String describe() {
            return switch (status) {
                case GOOD -> "good (" + source + ")";
                case REVOKED -> "revoked (" + source + ")";
                case UNKNOWN -> "unknown (" + mode.setting() + ": " + detail + ")";
                case NOT_CHECKED -> "off";
            };
        }

        /** The cause the agent's 502 and the logs give for a refused connection. */
        public String refusalCause() {
            if (status == Status.REVOKED) {
                return "certificate revoked (" + (source.startsWith("CRL") ? "CRL" : "OCSP") + ")";
            }
            return "certificate revocation status unknown (hard-fail): " + detail;
        }
    }

    /** One certificate's answer, kept until {@code until}. */
    private record Answer(Status status, String source, String detail, Instant until) {
    }

    private final RelaySettings.Revocation settings;
    private final List<X509Certificate> anchors;
    private final MetricRegistry metrics;
    private final Clock clock;
    private final ExecutorService executor;
    private final HttpClient http;
    private final ProxySettings proxy;
    private final Map<String, Answer> cache = new ConcurrentHashMap<>();
    private final DigestCalculatorProvider digests;

    public RevocationChecker(RelaySettings.Revocation settings, List<X509Certificate> anchors, MetricRegistry metrics, Clock clock) {
        this(settings, anchors, metrics, clock, ProxySettings.direct());
    }

    /**
     * @param proxy the egress proxy ({@code upstream.proxy}): responders and CRL distribution points
     *              are asked through it, as the intakes are, unless {@code no-proxy} names their host
     */
    public RevocationChecker(RelaySettings.Revocation settings, List<X509Certificate> anchors, MetricRegistry metrics,
                             Clock clock, ProxySettings proxy) {
        this.proxy = proxy;
        this.settings = settings;
        this.anchors = List.copyOf(anchors);
        this.metrics = metrics;
        this.clock = clock;
        AtomicInteger n = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "fips-relay-revocation-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.http = HttpClient.newBuilder().executor(executor).connectTimeout(settings.timeout())
                .version(HttpClient.Version.HTTP_1_1).followRedirects(HttpClient.Redirect.NEVER)
                .proxy(new EgressProxySelector(proxy)).build();
        try {
            this.digests = new JcaDigestCalculatorProviderBuilder().setProvider(PROVIDER).build();
        } catch (org.bouncycastle.operator.OperatorCreationException e) {
            throw new IllegalStateException("the FIPS module offers no digest calculators", e);
        }
    }

    public RelaySettings.Revocation settings() {
        return settings;
    }

    /**
     * Checks a chain as the intake sent it (leaf first) with what it stapled (empty when nothing);
     * completes on the checker's own threads, never exceptionally.
     */
    public CompletionStage<Result> check(List<X509Certificate> chain, List<byte[]> stapled) {
        if (settings.mode() == RelaySettings.Revocation.Mode.OFF) {
            return CompletableFuture.completedFuture(new Result(Status.NOT_CHECKED, "off", "revocation checking is off", false,
                    settings.mode()));
        }
        List<CompletableFuture<Answer>> answers = new ArrayList<>();
        for (int i = 0; i < chain.size(); i++) {
            X509Certificate certificate = chain.get(i);
            if (isAnchor(certificate)) {
                break;
            }
            X509Certificate issuer = issuerOf(chain, i);
            if (issuer == null) {
                answers.add(CompletableFuture.completedFuture(new Answer(Status.UNKNOWN, "none",
                        "no issuer certificate for " + certificate.getSubjectX500Principal().getName(), null)));
                continue;
            }
            byte[] staple = i == 0 && settings.ocspStapling() && stapled != null && !stapled.isEmpty() ? stapled.get(0) : null;
            answers.add(checkOne(certificate, issuer, staple));
        }
        return CompletableFuture.allOf(answers.toArray(new CompletableFuture[0]))
                .thenApply(done -> decide(answers.stream().map(CompletableFuture::join).toList()))
                .exceptionally(e -> decide(List.of(new Answer(Status.UNKNOWN, "none", "check failed: " + e, null))));
    }

    private Result decide(List<Answer> answers) {
        Answer decisive = null;
        for (Answer a : answers) {
            if (a.status() == Status.REVOKED) {
                decisive = a;
                break;
            }
            if (a.status() != Status.GOOD && decisive == null) {
                decisive = a;
            }
        }
        if (decisive == null) {
            decisive = answers.isEmpty() ? new Answer(Status.UNKNOWN, "none", "no certificate to check", null) : answers.get(0);
        }
        boolean refused = decisive.status() == Status.REVOKED
                || decisive.status() == Status.UNKNOWN && settings.mode() == RelaySettings.Revocation.Mode.HARD_FAIL;
        Result result = new Result(decisive.status(), decisive.source(), decisive.detail(), refused, settings.mode());
        metrics.meter("fips-relay.tls.revocation." + decisive.status().name().toLowerCase(Locale.ROOT)).mark();
        if (refused) {
            metrics.meter("fips-relay.tls.revocation.refused").mark();
        }
        return result;
    }

    private CompletableFuture<Answer> checkOne(X509Certificate certificate, X509Certificate issuer, byte[] staple) {
        String key = issuer.getSubjectX500Principal().getName() + "#" + certificate.getSerialNumber().toString(16);
        Answer cached = cache.get(key);
        if (cached != null && cached.until().isAfter(clock.instant())) {
            Answer hit = new Answer(cached.status(), cached.source() + " (cached)", cached.detail(), cached.until());
            if (definite(cached) || staple == null) {
                return CompletableFuture.completedFuture(hit);
            }
            // A recent "unknown": no new fetch, but a staple of this handshake may still decide.
            return CompletableFuture.supplyAsync(() -> {
                Answer stapled = evaluateOcsp(staple, certificate, issuer, "OCSP stapled");
                return definite(stapled) ? remember(key, stapled) : hit;
            }, executor);
        }
        CompletableFuture<Answer> first = staple == null
                ? CompletableFuture.completedFuture(new Answer(Status.UNKNOWN, "none",
                        settings.ocspStapling() ? "no stapled OCSP response" : "stapled responses not used", null))
                : CompletableFuture.supplyAsync(() -> evaluateOcsp(staple, certificate, issuer, "OCSP stapled"), executor);
        return first.thenCompose(a -> definite(a) || !settings.fetch() ? done(a, a.detail() + (settings.fetch() ? "" : "; fetch = false"))
                        : fetchOcsp(certificate, issuer, a.detail()))
                .thenCompose(a -> definite(a) || !settings.fetch() ? done(a, a.detail()) : fetchCrl(certificate, issuer, a.detail()))
                .thenApply(a -> remember(key, a));
    }

    /**
     * Caches an answer: good and revoked for {@code cache}, never past nextUpdate; unknown for at most
     * {@link #UNKNOWN_FOR}, so that an unreachable responder costs one timeout per certificate per
     * minute rather than one per new connection.
     */
    private Answer remember(String key, Answer a) {
        Instant now = clock.instant();
        Instant limit = now.plus(definite(a) ? settings.cache() : min(settings.cache(), UNKNOWN_FOR));
        Instant until = a.until() == null || a.until().isAfter(limit) ? limit : a.until();
        if (until.isAfter(now)) {
            cache.put(key, new Answer(a.status(), a.source(), a.detail(), until));
        }
        return a;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static boolean definite(Answer a) {
        return a.status() == Status.GOOD || a.status() == Status.REVOKED;
    }

    private static CompletableFuture<Answer> done(Answer a, String detail) {
        return CompletableFuture.completedFuture(new Answer(a.status(), a.source(), detail, a.until()));
    }

    private CompletableFuture<Answer> fetchOcsp(X509Certificate certificate, X509Certificate issuer, String before) {
        String url = ocspUrl(certificate);
        if (url == null) {
            return CompletableFuture.completedFuture(new Answer(Status.UNKNOWN, "none", before + "; no OCSP responder in the certificate", null));
        }
        if (!url.startsWith("http://")) {
            return CompletableFuture.completedFuture(new Answer(Status.UNKNOWN, "none", before + "; OCSP responder " + url
                    + " is not plain http (not supported)", null));
        }
        byte[] request;
        try {
            CertificateID id = new CertificateID(digests.get(CertificateID.HASH_SHA1), new JcaX509CertificateHolder(issuer),
                    certificate.getSerialNumber());
            request = new OCSPReqBuilder().addRequest(id).build().getEncoded();
        } catch (Exception e) {
            return CompletableFuture.completedFuture(new Answer(Status.UNKNOWN, "none", before + "; cannot build an OCSP request: " + e, null));
        }
        HttpRequest post = viaProxy(HttpRequest.newBuilder(URI.create(url)), url).timeout(settings.timeout())
                .header("Content-Type", "application/ocsp-request")
                .POST(HttpRequest.BodyPublishers.ofByteArray(request)).build();
        return http.sendAsync(post, HttpResponse.BodyHandlers.ofByteArray())
                .orTimeout(settings.timeout().toMillis(), TimeUnit.MILLISECONDS)
                .thenApplyAsync(r -> r.statusCode() == 200 ? evaluateOcsp(r.body(), certificate, issuer, "OCSP")
                        : new Answer(Status.UNKNOWN, "none", "OCSP responder " + url + " answered HTTP " + r.statusCode(), null), executor)
                .exceptionally(e -> new Answer(Status.UNKNOWN, "none", "OCSP responder " + url + " unreachable: " + reason(e), null))
                .thenApply(a -> definite(a) ? a : new Answer(a.status(), a.source(), before + "; " + a.detail(), null));
    }

    private CompletableFuture<Answer> fetchCrl(X509Certificate certificate, X509Certificate issuer, String before) {
        String url = crlUrl(certificate);
        if (url == null) {
            return CompletableFuture.completedFuture(new Answer(Status.UNKNOWN, "none", before + "; no CRL distribution point in the certificate", null));
        }
        if (!url.startsWith("http://")) {
            return CompletableFuture.completedFuture(new Answer(Status.UNKNOWN, "none", before + "; CRL " + url + " is not plain http (not supported)", null));
        }
        HttpRequest get = viaProxy(HttpRequest.newBuilder(URI.create(url)), url).timeout(settings.timeout()).GET().build();
        return http.sendAsync(get, HttpResponse.BodyHandlers.ofByteArray())
                .orTimeout(settings.timeout().toMillis(), TimeUnit.MILLISECONDS)
                .thenApplyAsync(r -> r.statusCode() == 200 ? evaluateCrl(r.body(), certificate, issuer, url)
                        : new Answer(Status.UNKNOWN, "none", "CRL " + url + " answered HTTP " + r.statusCode(), null), executor)
                .exceptionally(e -> new Answer(Status.UNKNOWN, "none", "CRL " + url + " unreachable: " + reason(e), null))
                .thenApply(a -> definite(a) ? a : new Answer(a.status(), a.source(), before + "; " + a.detail(), null));
    }

    /** An OCSP response about this certificate, verified, fresh and matched, or why it cannot be used. */
    Answer evaluateOcsp(byte[] encoded, X509Certificate certificate, X509Certificate issuer, String source) {
        try {
            OCSPResp response = new OCSPResp(encoded);
            if (response.getStatus() != OCSPResp.SUCCESSFUL) {
                return new Answer(Status.UNKNOWN, source, source + " response status " + response.getStatus(), null);
            }
            if (!(response.getResponseObject() instanceof BasicOCSPResp basic)) {
                return new Answer(Status.UNKNOWN, source, source + " response is not a basic OCSP response", null);
            }
            if (!signedByIssuerOrItsResponder(basic, issuer)) {
                return new Answer(Status.UNKNOWN, source, source + " response not signed by the issuer or a responder it authorised", null);
            }
            X509CertificateHolder issuerHolder = new JcaX509CertificateHolder(issuer);
            Instant now = clock.instant();
            for (SingleResp single : basic.getResponses()) {
                CertificateID id = single.getCertID();
                if (!id.getSerialNumber().equals(certificate.getSerialNumber()) || !id.matchesIssuer(issuerHolder, digests)) {
                    continue;
                }
                Instant thisUpdate = single.getThisUpdate().toInstant();
                Instant nextUpdate = single.getNextUpdate() == null ? null : single.getNextUpdate().toInstant();
                if (thisUpdate.isAfter(now.plus(SKEW))) {
                    return new Answer(Status.UNKNOWN, source, source + " response not valid yet (thisUpdate " + thisUpdate + ")", null);
                }
                if (nextUpdate != null && nextUpdate.plus(SKEW).isBefore(now)) {
                    return new Answer(Status.UNKNOWN, source, source + " response is stale (nextUpdate " + nextUpdate + " has passed)", null);
                }
                CertificateStatus status = single.getCertStatus();
                if (status == CertificateStatus.GOOD) {
                    return new Answer(Status.GOOD, source, "good", nextUpdate);
                }
                if (status instanceof RevokedStatus revoked) {
                    return new Answer(Status.REVOKED, source, "revoked at " + revoked.getRevocationTime().toInstant(), nextUpdate);
                }
                return new Answer(Status.UNKNOWN, source, source + " responder does not know the certificate", null);
            }
            return new Answer(Status.UNKNOWN, source, source + " response is about another certificate", null);
        } catch (IOException | OCSPException | GeneralSecurityException | RuntimeException e) {
            return new Answer(Status.UNKNOWN, source, source + " response unreadable: " + reason(e), null);
        }
    }

    private boolean signedByIssuerOrItsResponder(BasicOCSPResp basic, X509Certificate issuer) throws OCSPException {
        try {
            JcaContentVerifierProviderBuilder verifiers = new JcaContentVerifierProviderBuilder().setProvider(PROVIDER);
            if (basic.isSignatureValid(verifiers.build(issuer.getPublicKey()))) {
                return true;
            }
            Instant now = clock.instant();
            for (X509CertificateHolder responder : basic.getCerts()) {
                boolean delegated = responder.isSignatureValid(verifiers.build(issuer.getPublicKey()))
                        && responder.isValidOn(java.util.Date.from(now))
                        && responder.getExtensions() != null
                        && org.bouncycastle.asn1.x509.ExtendedKeyUsage.fromExtensions(responder.getExtensions()) != null
                        && org.bouncycastle.asn1.x509.ExtendedKeyUsage.fromExtensions(responder.getExtensions())
                                .hasKeyPurposeId(KeyPurposeId.id_kp_OCSPSigning);
                if (delegated && basic.isSignatureValid(verifiers.build(responder))) {
                    return true;
                }
            }
            return false;
        } catch (org.bouncycastle.operator.OperatorCreationException | org.bouncycastle.cert.CertException
                 | java.security.cert.CertificateException e) {
            return false;
        }
    }

    /** A CRL from the certificate's distribution point, verified and fresh, or why it cannot be used. */
    Answer evaluateCrl(byte[] encoded, X509Certificate certificate, X509Certificate issuer, String url) {
        try {
            X509CRL crl = (X509CRL) CertificateFactory.getInstance("X.509", PROVIDER).generateCRL(new ByteArrayInputStream(encoded));
            if (!crl.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
                return new Answer(Status.UNKNOWN, "CRL", "CRL " + url + " is issued by " + crl.getIssuerX500Principal().getName()
                        + ", not by the certificate's issuer", null);
            }
            crl.verify(issuer.getPublicKey(), PROVIDER);
            Instant now = clock.instant();
            Instant nextUpdate = crl.getNextUpdate() == null ? null : crl.getNextUpdate().toInstant();
            if (crl.getThisUpdate().toInstant().isAfter(now.plus(SKEW))) {
                return new Answer(Status.UNKNOWN, "CRL", "CRL " + url + " not valid yet", null);
            }
            if (nextUpdate != null && nextUpdate.plus(SKEW).isBefore(now)) {
                return new Answer(Status.UNKNOWN, "CRL", "CRL " + url + " is stale (nextUpdate " + nextUpdate + " has passed)", null);
            }
            if (crl.getRevokedCertificate(certificate.getSerialNumber()) != null) {
                return new Answer(Status.REVOKED, "CRL", "listed on " + url, nextUpdate);
            }
            return new Answer(Status.GOOD, "CRL", "not listed on " + url, nextUpdate);
        } catch (GeneralSecurityException | RuntimeException e) {
            return new Answer(Status.UNKNOWN, "CRL", "CRL " + url + " unusable: " + reason(e), null);
        }
    }

    private boolean isAnchor(X509Certificate certificate) {
        return anchors.contains(certificate);
    }

    /** The certificate that issued chain[i]: the next one in the chain, or the trust anchor that signed it. */
    private X509Certificate issuerOf(List<X509Certificate> chain, int i) {
        X509Certificate certificate = chain.get(i);
        if (i + 1 < chain.size()) {
            return chain.get(i + 1);
        }
        for (X509Certificate anchor : anchors) {
            if (anchor.getSubjectX500Principal().equals(certificate.getIssuerX500Principal())) {
                try {
                    certificate.verify(anchor.getPublicKey(), PROVIDER);
                    return anchor;
                } catch (GeneralSecurityException e) {
                    // Same name, another key: keep looking.
                }
            }
        }
        return null;
    }

    static String ocspUrl(X509Certificate certificate) {
        byte[] value = certificate.getExtensionValue(Extension.authorityInfoAccess.getId());
        if (value == null) {
            return null;
        }
        try {
            AuthorityInformationAccess aia = AuthorityInformationAccess.getInstance(
                    org.bouncycastle.asn1.ASN1OctetString.getInstance(value).getOctets());
            for (AccessDescription d : aia.getAccessDescriptions()) {
                if (d.getAccessMethod().equals(X509ObjectIdentifiers.ocspAccessMethod)
                        && d.getAccessLocation().getTagNo() == GeneralName.uniformResourceIdentifier) {
                    return DERIA5String.getInstance(d.getAccessLocation().getName()).getString();
                }
            }
        } catch (RuntimeException e) {
            LOG.debug("unreadable authority information access in {}", certificate.getSubjectX500Principal(), e);
        }
        return null;
    }

    static String crlUrl(X509Certificate certificate) {
        byte[] value = certificate.getExtensionValue(Extension.cRLDistributionPoints.getId());
        if (value == null) {
            return null;
        }
        try {
            CRLDistPoint points = CRLDistPoint.getInstance(org.bouncycastle.asn1.ASN1OctetString.getInstance(value).getOctets());
            for (DistributionPoint point : points.getDistributionPoints()) {
                if (point.getDistributionPoint() != null && point.getDistributionPoint().getName() instanceof GeneralNames names) {
                    for (GeneralName name : names.getNames()) {
                        if (name.getTagNo() == GeneralName.uniformResourceIdentifier) {
                            String url = DERIA5String.getInstance(name.getName()).getString();
                            if (url.startsWith("http://")) {
                                return url;
                            }
                        }
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.debug("unreadable CRL distribution points in {}", certificate.getSubjectX500Principal(), e);
        }
        return null;
    }

    private static String reason(Throwable e) {
        Throwable t = e;
        while ((t instanceof java.util.concurrent.CompletionException || t instanceof java.util.concurrent.ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof java.util.concurrent.TimeoutException || t instanceof java.net.http.HttpTimeoutException) {
            return "no answer within the timeout";
        }
        if (t instanceof java.net.ConnectException) {
            return "connection refused";
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }

    /** Credentials for the egress proxy go with a request it will carry (plain HTTP is proxied as is, no tunnel). */
    private HttpRequest.Builder viaProxy(HttpRequest.Builder request, String url) {
        String host = URI.create(url).getHost();
        proxy.forHost(host).filter(ProxyEndpoint::hasCredentials)
                .ifPresent(p -> request.header("Proxy-Authorization", p.proxyAuthorization()));
        return request;
    }

    /** Responders and CRL points through the egress proxy, except the hosts {@code no-proxy} names. */
    private static final class EgressProxySelector extends ProxySelector {
        private final ProxySettings proxy;

        EgressProxySelector(ProxySettings proxy) {
            this.proxy = proxy;
        }

        @Override
        public List<Proxy> select(URI uri) {
            return proxy.forHost(uri.getHost())
                    .map(p -> List.of(new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved(p.host(), p.port()))))
                    .orElse(List.of(Proxy.NO_PROXY));
        }

        @Override
        public void connectFailed(URI uri, SocketAddress address, IOException failure) {
            // The fetch fails with the same exception and the check reports it; nothing to remember here.
        }
    }
}
