package io.fipsrelay.testkit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/** One complete request as the stand-in intake received it, plus the TLS facts of its connection. Immutable. */
public final class RecordedRequest {

    /**
     * A header a test client may set to a unique value per logical request, so the intake can count
     * deliveries per request ({@link RecordingIntake#deliveriesById()}) across relay retries.
     */
    public static final String REQUEST_ID_HEADER = "X-Test-Request-Id";

    private final String method;
    private final String target;
    private final String protocol;
    private final List<HttpHeader> headers;
    private final List<HttpHeader> trailers;
    private final byte[] body;
    private final long bodyLength;
    private final String bodySha256;
    private final boolean chunked;
    private final String sni;
    private final String tlsProtocol;
    private final String cipherSuite;
    private final long connectionId;

    RecordedRequest(String method, String target, String protocol, List<HttpHeader> headers,
            List<HttpHeader> trailers, byte[] body, long bodyLength, String bodySha256, boolean chunked,
            String sni, String tlsProtocol, String cipherSuite, long connectionId) {
        this.method = method;
        this.target = target;
        this.protocol = protocol;
        this.headers = List.copyOf(headers);
        this.trailers = List.copyOf(trailers);
        this.body = body;
        this.bodyLength = bodyLength;
        this.bodySha256 = bodySha256;
        this.chunked = chunked;
        this.sni = sni;
        this.tlsProtocol = tlsProtocol;
        this.cipherSuite = cipherSuite;
        this.connectionId = connectionId;
    }

    public String method() {
        return method;
    }

    /** The request-target exactly as sent, e.g. "/api/v2/series?x=1". */
    public String target() {
        return target;
    }

    /** The target up to '?'. */
    public String path() {
        int q = target.indexOf('?');
        return q < 0 ? target : target.substring(0, q);
    }

    /** The part after '?', or null if there is none. */
    public String query() {
        int q = target.indexOf('?');
        return q < 0 ? null : target.substring(q + 1);
    }

    /** The HTTP version from the request line, e.g. "HTTP/1.1". */
    public String protocol() {
        return protocol;
    }

    /** Header fields in wire order, names as sent. */
    public List<HttpHeader> headers() {
        return headers;
    }

    /** First value of a header (case-insensitive name), or null. */
    public String header(String name) {
        return HttpHeader.first(headers, name);
    }

    /** The {@link #REQUEST_ID_HEADER} value the client set, or null. */
    public String requestId() {
        return header(REQUEST_ID_HEADER);
    }

    /** Every value of a header (case-insensitive name), in wire order. */
    public List<String> headers(String name) {
        return HttpHeader.all(headers, name);
    }

    /** Trailer fields of a chunked body (empty otherwise). */
    public List<HttpHeader> trailers() {
        return trailers;
    }

    public boolean chunked() {
        return chunked;
    }

    /** False if the body was larger than the keep limit and only its length and digest were kept. */
    public boolean bodyKept() {
        return body != null;
    }

    /** The de-chunked body (a copy). Throws if only length and digest were kept for a large body. */
    public byte[] body() {
        if (body == null) {
            throw new IllegalStateException("the " + bodyLength + "-byte body was not kept (only bodyLength() and "
                    + "bodySha256()); build the intake with keepLargeBodies(true) to keep it");
        }
        return body.clone();
    }

    public String bodyText() {
        return new String(body(), StandardCharsets.UTF_8);
    }

    public long bodyLength() {
        return bodyLength;
    }

    /** Lowercase hex SHA-256 of the de-chunked body; always available. */
    public String bodySha256() {
        return bodySha256;
    }

    /** SNI host name the client sent, or null. */
    public String sni() {
        return sni;
    }

    public String tlsProtocol() {
        return tlsProtocol;
    }

    public String cipherSuite() {
        return cipherSuite;
    }

    /** 1, 2, 3... per TLS connection the intake accepted; equal ids mean the connection was reused. */
    public long connectionId() {
        return connectionId;
    }

    /** Lowercase hex SHA-256, to compare with {@link #bodySha256()}. */
    public static String sha256Hex(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256", "SUN").digest(data));
        } catch (NoSuchAlgorithmException | java.security.NoSuchProviderException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return method + " " + target + " " + protocol + " (conn " + connectionId + ", " + tlsProtocol + ", sni="
                + sni + ", body " + bodyLength + " bytes" + (chunked ? " chunked" : "") + ")";
    }
}
