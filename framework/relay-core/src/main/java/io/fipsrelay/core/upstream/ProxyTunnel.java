package io.fipsrelay.core.upstream;

import io.fipsrelay.core.http.HeadScanner;
import io.fipsrelay.core.http.HttpParseException;
import io.fipsrelay.core.http.ResponseHead;
import io.fipsrelay.core.settings.HostAndPort;
import io.fipsrelay.core.settings.ProxyEndpoint;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The CONNECT exchange that opens a tunnel to one intake through the egress proxy, as a state
 * machine without I/O of its own: the caller writes {@link #connectRequest()} on its fresh TCP
 * connection to the proxy, feeds what the proxy answers into {@link #feed(ByteBuffer)} until the
 * tunnel is {@link State#ESTABLISHED} or {@link State#FAILED}, and only then starts the FIPS TLS
 * handshake with the intake (SNI and host name checks against the intake's name, unchanged).
 *
 * <p>The proxy's answer head is held to the same strict parser as intake answers. A 2xx with
 * bytes after its head is refused: nothing may arrive before the intake's TLS ServerHello, which
 * cannot come before our ClientHello. Every failure becomes an {@link UpstreamFailure} whose kind
 * is a metric-safe {@link Cause} and whose text names the proxy (credentials redacted) and the
 * intake; none is retryable, so a 407 is answered once, never retried in a loop.
 */
public final class ProxyTunnel {

    /** Largest CONNECT answer head accepted; proxies answer with a few short fields. */
    private static final int MAX_ANSWER_HEAD = 16 * 1024;
    private static final int MAX_ANSWER_FIELDS = 100;
    private static final int MAX_REASON = 80;

    public enum State { NEED_MORE, ESTABLISHED, FAILED }

    /** Why a tunnel could not be opened; {@link #kind} is the metric name (errors.&lt;kind&gt;). */
    public enum Cause {
        /** The proxy's port refused the TCP connection. */
        REFUSED("proxy-refused", 502),
        /** The proxy could not be reached (connect timeout, no route). */
        UNREACHABLE("proxy-unreachable", 502),
        /** The proxy took the connection but did not answer the CONNECT within connect-timeout. */
        TIMEOUT("proxy-timeout", 504),
        /** 407 (or 401, tinyproxy's answer to wrong credentials): the proxy wants (other) credentials. */
        AUTH_REQUIRED("proxy-auth", 502),
        /** 403: the proxy's rules refuse this intake or port. */
        FORBIDDEN("proxy-forbidden", 502),
        /** Any other non-2xx answer (the proxy's own 502/503/504 when it cannot reach the intake...). */
        REJECTED("proxy-status", 502),
        /** An answer that breaks HTTP, or bytes after the 2xx head. */
        PROTOCOL("proxy-protocol", 502),
        /** The proxy closed the connection before answering. */
        CLOSED("proxy-closed", 502);

        public final String kind;
        public final int status;

        Cause(String kind, int status) {
            this.kind = kind;
            this.status = status;
        }

        /** The cause of a failure of this kind, or null when the failure is not the proxy's. */
        public static Cause of(UpstreamFailure f) {
            for (Cause c : values()) {
                if (c.kind.equals(f.kind())) {
                    return c;
                }
            }
            return null;
        }
    }

    /** What one {@link #feed} made of the answer so far. */
    public record Result(State state, UpstreamFailure failure) {
        static final Result NEED_MORE = new Result(State.NEED_MORE, null);
        static final Result ESTABLISHED = new Result(State.ESTABLISHED, null);
    }

    private final ProxyEndpoint proxy;
    private final HostAndPort intake;
    private final InetSocketAddress failureAddress;
    private final HeadScanner scanner = HeadScanner.forResponses(MAX_ANSWER_HEAD, MAX_ANSWER_HEAD);
    private boolean requested;
    private Result result = Result.NEED_MORE;

    /**
     * @param failureAddress the address failures are reported against (the pool's key for this
     *                       intake through the proxy); may be null
     */
    public ProxyTunnel(ProxyEndpoint proxy, HostAndPort intake, InetSocketAddress failureAddress) {
        this.proxy = proxy;
        this.intake = intake;
        this.failureAddress = failureAddress;
    }

    /** The request to write first: CONNECT naming the intake (the proxy resolves it), with credentials if any. */
    public ByteBuffer connectRequest() {
        if (requested) {
            throw new IllegalStateException("CONNECT already written for " + intake);
        }
        requested = true;
        String authority = intake.toString();
        StringBuilder sb = new StringBuilder(160)
                .append("CONNECT ").append(authority).append(" HTTP/1.1\r\n")
                .append("Host: ").append(authority).append("\r\n");
        String authorization = proxy.proxyAuthorization();
        if (authorization != null) {
            sb.append("Proxy-Authorization: ").append(authorization).append("\r\n");
        }
        sb.append("\r\n");
        return ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    /**
     * Consumes the proxy's bytes. Interim 1xx answers are skipped; a 2xx establishes the tunnel;
     * anything else fails it. Once established or failed, the outcome does not change.
     */
    public Result feed(ByteBuffer in) {
        if (!requested) {
            throw new IllegalStateException("the CONNECT request has not been written yet");
        }
        while (result.state() == State.NEED_MORE && in.hasRemaining()) {
            try {
                if (!scanner.feed(in)) {
                    return result;
                }
                byte[] head = scanner.head();
                ResponseHead answer = ResponseHead.parse(head, false, MAX_ANSWER_FIELDS);
                int status = answer.status();
                if (answer.interim()) {
                    scanner.reset();
                    continue;
                }
                if (status >= 200 && status < 300) {
                    result = in.hasRemaining()
                            ? fail(Cause.PROTOCOL, "proxy " + proxy + " sent " + in.remaining()
                                    + " bytes after its " + status + " answer to CONNECT " + intake
                                    + ", before the intake's TLS handshake began")
                            : Result.ESTABLISHED;
                } else if (status == 407 || status == 401) {
                    // tinyproxy answers wrong credentials with 401, missing ones with 407.
                    result = fail(Cause.AUTH_REQUIRED, "proxy authentication required: proxy " + proxy
                            + " answered CONNECT " + intake + " with " + statusLine(head)
                            + (proxy.hasCredentials() ? " (it refused the credentials in upstream.proxy.url)"
                                    : " (upstream.proxy.url has no user:password)"));
                } else if (status == 403) {
                    result = fail(Cause.FORBIDDEN, "proxy " + proxy + " refused CONNECT " + intake + " with "
                            + statusLine(head) + " (its access rules do not allow this host or port)");
                } else {
                    result = fail(Cause.REJECTED, "proxy " + proxy + " answered CONNECT " + intake + " with "
                            + statusLine(head));
                }
            } catch (HttpParseException e) {
                result = fail(Cause.PROTOCOL, "proxy " + proxy + " sent a malformed answer to CONNECT " + intake
                        + ": " + e.getMessage());
            }
        }
        return result;
    }

    public State state() {
        return result.state();
    }

    /** The TCP connection to the proxy could not be made: {@code refused} when its port said so. */
    public UpstreamFailure connectFailed(boolean refused, String reason) {
        return (refused ? fail(Cause.REFUSED, "proxy " + proxy + " refused the connection (" + reason
                + ") for CONNECT " + intake)
                : fail(Cause.UNREACHABLE, "cannot reach proxy " + proxy + " for CONNECT " + intake + ": " + reason))
                .failure();
    }

    /** The proxy did not answer the CONNECT in time (the agent gets 504). */
    public UpstreamFailure timedOut(Duration waited) {
        result = fail(Cause.TIMEOUT, "proxy " + proxy + " did not answer CONNECT " + intake + " within "
                + waited.toMillis() + " ms");
        return result.failure();
    }

    /** The proxy closed the connection before the tunnel was established. */
    public UpstreamFailure closedBeforeAnswer() {
        result = fail(Cause.CLOSED, "proxy " + proxy + " closed the connection before answering CONNECT " + intake);
        return result.failure();
    }

    private Result fail(Cause cause, String text) {
        return new Result(State.FAILED, new UpstreamFailure(cause.status, cause.kind, text, failureAddress));
    }

    /** "407 Proxy Authentication Required": the status and the proxy's reason phrase, printable and short. */
    private static String statusLine(byte[] head) {
        int end = 0;
        while (end + 1 < head.length && !(head[end] == '\r' && head[end + 1] == '\n')) {
            end++;
        }
        String line = new String(head, 0, end, StandardCharsets.ISO_8859_1);
        String statusAndReason = line.length() > 9 ? line.substring(9) : line;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < statusAndReason.length() && sb.length() < MAX_REASON; i++) {
            char c = statusAndReason.charAt(i);
            sb.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return sb.toString().trim();
    }
}
