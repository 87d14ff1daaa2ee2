package io.fipsrelay.server;

import io.fipsrelay.core.settings.HostAndPort;
import io.fipsrelay.core.settings.ProxyEndpoint;
import io.fipsrelay.core.settings.ProxySettings;
import io.fipsrelay.core.tls.FipsTlsContext;
import io.fipsrelay.core.upstream.ProxyTunnel;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLSocket;

/**
 * One diagnose probe of one intake server: DNS, then per address a TCP connect, a FIPS TLS
 * handshake with the relay's own profile, and an HTTP request. Each step says PASS or why not.
 *
 * <p>An intake reached through the egress proxy ({@code upstream.proxy}) is probed the way
 * requests go: DNS and TCP are the proxy's, a PROXY step reports the answer to
 * {@code CONNECT <intake>:<port>} (judged by the relay's own {@link ProxyTunnel}), then TLS and
 * HTTP run with the intake inside the tunnel. The proxy is shown with its credentials redacted.
 */
final class IntakeProbe {

    /** What came of one step; a step after a failed one is not run. */
    enum Verdict { PASS, FAIL, NOT_RUN }

    /** One step's verdict and what it found (time taken and what was negotiated, or why it failed). */
    record Step(Verdict verdict, String detail) {
        static final Step NOT_RUN = new Step(Verdict.NOT_RUN, "");

        static Step pass(String detail) {
            return new Step(Verdict.PASS, detail);
        }

        static Step fail(String reason) {
            return new Step(Verdict.FAIL, reason);
        }
    }

    /**
     * The outcome for one address (or for the name, when DNS fails: address "-").
     *
     * @param proxy the PROXY step; not run when the intake is reached directly
     */
    record Result(String product, HostAndPort server, String address, Step dns, Step tcp, Step proxy, Step tls, Step http) {
        /** Every step passed (the last one runs only if all before it passed). */
        boolean pass() {
            return http.verdict() == Verdict.PASS;
        }
    }

    private final FipsTlsContext tls;
    private final Map<String, String> staticHosts;
    private final ProxySettings proxies;
    private final int timeoutMillis;

    IntakeProbe(FipsTlsContext tls, Map<String, String> staticHosts, ProxySettings proxies, int timeoutMillis) {
        this.tls = tls;
        this.staticHosts = staticHosts;
        this.proxies = proxies;
        this.timeoutMillis = timeoutMillis;
    }

    List<Result> probe(String product, HostAndPort server) {
        ProxyEndpoint proxy = proxies.forHost(server.host()).orElse(null);
        List<Result> results = new ArrayList<>();
        List<InetAddress> addresses;
        long t0 = System.nanoTime();
        try {
            // Through the proxy the intake's name is not resolved here: the proxy resolves it.
            addresses = resolve(proxy == null ? server.host() : proxy.host());
        } catch (IOException e) {
            results.add(new Result(product, server, "-", Step.fail((proxy == null ? "" : "proxy " + proxy + ": ") + e.getMessage()),
                    Step.NOT_RUN, Step.NOT_RUN, Step.NOT_RUN, Step.NOT_RUN));
            return results;
        }
        Step dns = Step.pass(ms(t0) + (proxy == null ? "" : " (proxy " + proxy + "; the proxy resolves " + server.host() + ")"));
        for (InetAddress a : addresses) {
            results.add(probe(product, server, a, dns, proxy));
        }
        return results;
    }

    private Result probe(String product, HostAndPort server, InetAddress ip, Step dns, ProxyEndpoint proxy) {
        int port = proxy == null ? server.port() : proxy.port();
        String address = ip.getHostAddress() + ":" + port; // the proxy's, when there is one (DNS and PROXY name it)
        Socket plain = new Socket();
        long t0 = System.nanoTime();
        try {
            plain.connect(new InetSocketAddress(ip, port), timeoutMillis);
        } catch (IOException e) {
            close(plain);
            return new Result(product, server, address, dns, Step.fail((proxy == null ? "" : "proxy " + proxy + ": ") + reason(e)),
                    Step.NOT_RUN, Step.NOT_RUN, Step.NOT_RUN);
        }
        Step tcp = Step.pass(ms(t0));
        Step tunnel = Step.NOT_RUN;
        if (proxy != null) {
            long tp = System.nanoTime();
            String failure = openTunnel(plain, proxy, server);
            if (failure != null) {
                close(plain);
                return new Result(product, server, address, dns, tcp, Step.fail(failure), Step.NOT_RUN, Step.NOT_RUN);
            }
            tunnel = Step.pass(ms(tp) + " CONNECT " + server + " answered 2xx by proxy " + proxy);
        }
        long t1 = System.nanoTime();
        SSLSocket socket;
        Step tlsResult;
        try {
            plain.setSoTimeout(timeoutMillis);
            socket = tls.newClientSocket(plain, server.host(), server.port());
            socket.startHandshake();
            X509Certificate leaf = (X509Certificate) socket.getSession().getPeerCertificates()[0];
            tlsResult = Step.pass(ms(t1) + " " + socket.getSession().getProtocol() + " " + socket.getSession().getCipherSuite()
                    + " cert " + leaf.getSubjectX500Principal().getName());
        } catch (IOException e) {
            close(plain);
            return new Result(product, server, address, dns, tcp, tunnel,
                    Step.fail(reason(e) + (proxy == null ? "" : " (through proxy " + proxy + ")")), Step.NOT_RUN);
        }
        long t2 = System.nanoTime();
        try (SSLSocket s = socket) {
            OutputStream out = s.getOutputStream();
            out.write(("GET / HTTP/1.1\r\nHost: " + server.hostHeader() + "\r\nUser-Agent: fips-relay-diagnose\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String statusLine = readLine(s.getInputStream());
            if (!statusLine.startsWith("HTTP/1.")) {
                return new Result(product, server, address, dns, tcp, tunnel, tlsResult, Step.fail("not HTTP: " + statusLine));
            }
            return new Result(product, server, address, dns, tcp, tunnel, tlsResult,
                    Step.pass(ms(t2) + " " + statusLine.substring(9).trim()));
        } catch (IOException e) {
            return new Result(product, server, address, dns, tcp, tunnel, tlsResult, Step.fail(reason(e)));
        }
    }

    /**
     * CONNECT on the plain socket, the answer judged by the relay's own {@link ProxyTunnel}; null
     * when the tunnel is open, else the failure (it names the proxy, credentials redacted).
     */
    private String openTunnel(Socket plain, ProxyEndpoint proxy, HostAndPort server) {
        ProxyTunnel tunnel = new ProxyTunnel(proxy, server, null);
        try {
            plain.setSoTimeout(timeoutMillis);
            ByteBuffer request = tunnel.connectRequest();
            OutputStream out = plain.getOutputStream();
            out.write(request.array(), request.arrayOffset() + request.position(), request.remaining());
            out.flush();
            InputStream in = plain.getInputStream();
            byte[] buf = new byte[4096];
            while (true) {
                // A proxy sends nothing after its 2xx head before our ClientHello, so a whole read is safe.
                int n = in.read(buf);
                if (n < 0) {
                    return tunnel.closedBeforeAnswer().getMessage();
                }
                ProxyTunnel.Result r = tunnel.feed(ByteBuffer.wrap(buf, 0, n));
                if (r.state() == ProxyTunnel.State.ESTABLISHED) {
                    return null;
                }
                if (r.state() == ProxyTunnel.State.FAILED) {
                    return r.failure().getMessage();
                }
            }
        } catch (java.net.SocketTimeoutException e) {
            return tunnel.timedOut(Duration.ofMillis(timeoutMillis)).getMessage();
        } catch (IOException e) {
            return "proxy " + proxy + ": " + reason(e);
        }
    }

    private List<InetAddress> resolve(String host) throws IOException {
        String fixed = staticHosts.get(host);
        for (int dot = host.indexOf('.'); fixed == null && dot >= 0; dot = host.indexOf('.', dot + 1)) {
            fixed = staticHosts.get("*" + host.substring(dot));
        }
        if (fixed != null) {
            return List.of(InetAddress.getByName(fixed));
        }
        return List.of(InetAddress.getAllByName(host));
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\n' && sb.length() < 200) {
            if (c != '\r') {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }

    private static String reason(Exception e) {
        String m = io.fipsrelay.core.upstream.UpstreamFailure.describe(e);
        if (e instanceof java.net.ConnectException) {
            return "connection refused";
        }
        if (e instanceof java.net.SocketTimeoutException) {
            return "timed out";
        }
        String lower = m.toLowerCase(java.util.Locale.ROOT);
        if (lower.contains("subject alternative name") || lower.contains("does not match") || lower.contains("hostname")) {
            return "certificate does not match host (" + m + ")";
        }
        if (lower.contains("certification path") || lower.contains("certificate_unknown") || lower.contains("trust anchor")) {
            return "certificate not trusted (" + m + ")";
        }
        return m;
    }

    private static String ms(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000 + " ms";
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // Nothing to do: the probe already failed.
        }
    }
}
