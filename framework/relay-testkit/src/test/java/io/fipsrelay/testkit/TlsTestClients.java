package io.fipsrelay.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/** JDK (SunJSSE) clients for the testkit's own tests. */
final class TlsTestClients {

    private TlsTestClients() {
    }

    /** java.net.http over HTTP/1.1, trusting only the test CA. */
    static HttpClient httpClient(TestPki pki) {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .sslContext(pki.clientSslContext())
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    /**
     * A raw TLS connection to 127.0.0.1:port, handshake done, hostname checked against
     * {@code sni} (null: no SNI and no hostname check).
     */
    static RawHttpClient rawTls(TestPki pki, int port, String sni) throws IOException {
        Socket tcp = new Socket();
        tcp.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
        SSLSocket tls = (SSLSocket) pki.clientSslContext().getSocketFactory()
                .createSocket(tcp, sni == null ? "127.0.0.1" : sni, port, true);
        SSLParameters parameters = tls.getSSLParameters();
        if (sni != null) {
            parameters.setServerNames(List.of(new SNIHostName(sni)));
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
        } else {
            parameters.setServerNames(List.of());
        }
        tls.setSSLParameters(parameters);
        tls.setSoTimeout(30_000);
        tls.startHandshake();
        return RawHttpClient.over(tls);
    }
}
