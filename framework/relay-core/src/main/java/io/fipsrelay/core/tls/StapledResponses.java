package io.fipsrelay.core.tls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import org.bouncycastle.jsse.BCExtendedSSLSession;
import org.bouncycastle.jsse.BCSSLEngine;

/**
 * Keeps the OCSP responses an intake stapled to its handshake until the revocation check reads
 * them. BCJSSE exposes them only on the handshake session, while the trust manager runs; once the
 * handshake is over the session no longer carries them. So the relay's trust manager is BCJSSE's
 * own PKIX one with this around it: it delegates every decision and notes the responses by engine.
 */
public final class StapledResponses extends X509ExtendedTrustManager {

    /** Engines whose check has not read them yet; weak so an engine that never got that far is not held. */
    private static final Map<SSLEngine, List<byte[]>> PENDING = new WeakHashMap<>();

    private final X509ExtendedTrustManager delegate;

    StapledResponses(X509ExtendedTrustManager delegate) {
        this.delegate = delegate;
    }

    /** The responses stapled in this engine's handshake, taken once (empty when none). */
    public static List<byte[]> take(SSLEngine engine) {
        synchronized (PENDING) {
            List<byte[]> responses = PENDING.remove(engine);
            return responses == null ? List.of() : responses;
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        delegate.checkServerTrusted(chain, authType, engine);
        if (engine instanceof BCSSLEngine bc) {
            BCExtendedSSLSession handshake = bc.getBCHandshakeSession();
            List<byte[]> responses = handshake == null ? null : handshake.getStatusResponses();
            if (responses != null && !responses.isEmpty()) {
                synchronized (PENDING) {
                    PENDING.put(engine, List.copyOf(responses));
                }
            }
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        delegate.checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        delegate.checkServerTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        delegate.checkClientTrusted(chain, authType, engine);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        delegate.checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        delegate.checkClientTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return delegate.getAcceptedIssuers();
    }

    /** BCJSSE's trust managers, each noting stapled responses as above. */
    static javax.net.ssl.TrustManager[] around(javax.net.ssl.TrustManager[] managers) {
        javax.net.ssl.TrustManager[] wrapped = managers.clone();
        for (int i = 0; i < wrapped.length; i++) {
            if (wrapped[i] instanceof X509ExtendedTrustManager x) {
                wrapped[i] = new StapledResponses(x);
            }
        }
        return wrapped;
    }
}
