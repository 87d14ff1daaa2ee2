package io.fipsrelay.testkit;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the stand-in intake sends back. Immutable; the with* methods return copies.
 *
 * <p>Content-Length is added when the response has neither it nor Transfer-Encoding; a
 * "Transfer-Encoding: chunked" header makes the body go out as one chunk. {@link #raw(byte[])}
 * bypasses all of that for tests of how a client copes with a broken or hostile server.
 */
public final class CannedResponse {

    private static final Map<Integer, String> REASONS = Map.ofEntries(
            Map.entry(200, "OK"), Map.entry(202, "Accepted"), Map.entry(204, "No Content"),
            Map.entry(400, "Bad Request"), Map.entry(401, "Unauthorized"), Map.entry(403, "Forbidden"),
            Map.entry(404, "Not Found"), Map.entry(408, "Request Timeout"), Map.entry(413, "Payload Too Large"),
            Map.entry(429, "Too Many Requests"), Map.entry(500, "Internal Server Error"),
            Map.entry(502, "Bad Gateway"), Map.entry(503, "Service Unavailable"), Map.entry(504, "Gateway Timeout"));

    private static final CannedResponse DROP = new CannedResponse(0, "", List.of(), new byte[0], true);

    private final int status;
    private final String reason;
    private final List<HttpHeader> headers;
    private final byte[] body;
    private final boolean dropConnection;
    private final byte[] rawBytes;

    private CannedResponse(int status, String reason, List<HttpHeader> headers, byte[] body, boolean dropConnection) {
        this(status, reason, headers, body, dropConnection, null);
    }

    private CannedResponse(int status, String reason, List<HttpHeader> headers, byte[] body, boolean dropConnection,
            byte[] rawBytes) {
        this.status = status;
        this.reason = reason;
        this.headers = List.copyOf(headers);
        this.body = body;
        this.dropConnection = dropConnection;
        this.rawBytes = rawBytes;
    }

    /** The intake's default answer: 202 Accepted, Content-Type application/json, body "{}". */
    public static CannedResponse accepted() {
        return of(202).withHeader("Content-Type", "application/json").withBody("{}");
    }

    /** A status with its usual reason phrase and no headers or body. */
    public static CannedResponse of(int status) {
        return of(status, REASONS.getOrDefault(status, "Status " + status));
    }

    public static CannedResponse of(int status, String reason) {
        return new CannedResponse(status, reason, List.of(), new byte[0], false);
    }

    /** A JSON response with the given body. */
    public static CannedResponse json(int status, String json) {
        return of(status).withHeader("Content-Type", "application/json").withBody(json);
    }

    /** Not a response at all: the intake closes the connection without answering. */
    public static CannedResponse dropConnection() {
        return DROP;
    }

    /**
     * Exactly these bytes as the answer, however malformed: nothing is added or checked. The intake
     * then keeps the connection open for the next request (unless the request asked to close), so a
     * client that wrongly reuses it after a broken answer can be caught doing so.
     */
    public static CannedResponse raw(byte[] bytes) {
        return new CannedResponse(0, "", List.of(), new byte[0], false, bytes.clone());
    }

    /** {@link #raw(byte[])} of the text as ISO-8859-1 bytes (write the CRLFs yourself). */
    public static CannedResponse raw(String text) {
        return raw(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    public CannedResponse withHeader(String name, String value) {
        List<HttpHeader> copy = new ArrayList<>(headers);
        copy.add(new HttpHeader(name, value));
        return new CannedResponse(status, reason, copy, body, dropConnection);
    }

    public CannedResponse withBody(byte[] bytes) {
        return new CannedResponse(status, reason, headers, bytes.clone(), dropConnection);
    }

    public CannedResponse withBody(String text) {
        return withBody(text.getBytes(StandardCharsets.UTF_8));
    }

    public int status() {
        return status;
    }

    public String reason() {
        return reason;
    }

    public List<HttpHeader> headers() {
        return headers;
    }

    public String header(String name) {
        return HttpHeader.first(headers, name);
    }

    public byte[] body() {
        return body.clone();
    }

    public boolean dropsConnection() {
        return dropConnection;
    }

    /** Whether this is a {@link #raw(byte[])} answer. */
    public boolean isRaw() {
        return rawBytes != null;
    }

    byte[] rawUnsafe() {
        return rawBytes;
    }

    byte[] bodyUnsafe() {
        return body;
    }

    @Override
    public String toString() {
 if (rawBytes != null) {
            return "CannedResponse[raw, " + rawBytes.length + " bytes]";
        }
        return dropConnection ? "CannedResponse[drop connection]"
                : "CannedResponse[" + status + " " + reason + ", " + headers + ", " + body.length + " bytes]";
    }
}
