package io.fipsrelay.core.http;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/** A parsed, policy-checked request head. */
public final class RequestHead {

    private final byte[] raw;
    private final String method;
    private final String originTarget;
    private final String path;
    private final int minorVersion;
    private final List<HeaderField> fields;
    private final long contentLength;
    private final boolean chunked;
    private final long maxBody;

    private RequestHead(byte[] raw, String method, String originTarget, String path, int minorVersion,
                        List<HeaderField> fields, long contentLength, boolean chunked, long maxBody) {
        this.raw = raw;
        this.method = method;
        this.originTarget = originTarget;
        this.path = path;
        this.minorVersion = minorVersion;
        this.fields = fields;
        this.contentLength = contentLength;
        this.chunked = chunked;
        this.maxBody = maxBody;
    }

    /** Parses a complete head (as collected by {@link HeadScanner}) under the policy. */
    public static RequestHead parse(byte[] head, RequestPolicy policy) throws HttpParseException {
        List<int[]> lines = HeadSyntax.lines(head);
        int ls = lines.get(0)[0];
        int le = lines.get(0)[1];
        int sp1 = indexOf(head, ls, le, (byte) ' ');
        int sp2 = sp1 < 0 ? -1 : indexOf(head, sp1 + 1, le, (byte) ' ');
        if (sp1 < 0 || sp2 < 0 || indexOf(head, sp2 + 1, le, (byte) ' ') >= 0) {
            throw new HttpParseException(400, "malformed request line (method SP target SP version)");
        }
        if (!HeadSyntax.isToken(head, ls, sp1)) {
            throw new HttpParseException(400, "invalid method");
        }
        int minor = version(head, sp2 + 1, le);
        String method = new String(head, ls, sp1 - ls, StandardCharsets.US_ASCII);
        if (sp2 == sp1 + 1) {
            throw new HttpParseException(400, "empty request target");
        }
        String target = new String(head, sp1 + 1, sp2 - sp1 - 1, StandardCharsets.US_ASCII);
        List<HeaderField> fields = HeadSyntax.fields(head, lines, policy.maxHeaderFields(), 400, 431);

        if (!policy.allowedMethods().contains(method)) {
            throw new HttpParseException(405, "method " + method + " is not allowed");
        }
        String origin = RequestTarget.originForm(method, target);
        int hosts = HeadSyntax.count(fields, "host");
        if (hosts > 1) {
            throw new HttpParseException(400, "several Host fields");
        }
        if (minor == 1 && hosts == 0) {
            throw new HttpParseException(400, "HTTP/1.1 request without Host");
        }
        // Checked although never forwarded (the intake's Host replaces it): RFC 9112 3.2 requires a 400.
        if (hosts == 1 && !UriSyntax.isHostAndPort(HeadSyntax.first(fields, "host").value())) {
            throw new HttpParseException(400, "invalid Host field value");
        }
        boolean chunked = HeadSyntax.chunked(fields, 400);
        long length = HeadSyntax.contentLength(fields, 400);
        if (chunked && length >= 0) {
            throw new HttpParseException(400, "both Content-Length and Transfer-Encoding");
        }
        if (chunked && minor == 0) {
            throw new HttpParseException(400, "Transfer-Encoding in an HTTP/1.0 request");
        }
        if (length > policy.maxBody()) {
            throw new HttpParseException(413, "body of " + length + " bytes exceeds the limit of " + policy.maxBody());
        }
        int q = origin.indexOf('?');
        String path = q < 0 ? origin : origin.substring(0, q);
        return new RequestHead(head, method, origin, path, minor, List.copyOf(fields), Math.max(length, 0), chunked,
                policy.maxBody());
    }

    /** HTTP-version: only 1.0 and 1.1 are served (505 for other versions, 400 for garbage). */
    static int version(byte[] b, int from, int to) throws HttpParseException {
        if (to - from != 8 || b[from] != 'H' || b[from + 1] != 'T' || b[from + 2] != 'T' || b[from + 3] != 'P'
                || b[from + 4] != '/' || !digit(b[from + 5]) || b[from + 6] != '.' || !digit(b[from + 7])) {
            throw new HttpParseException(400, "malformed HTTP version");
        }
        if (b[from + 5] != '1' || (b[from + 7] != '0' && b[from + 7] != '1')) {
            throw new HttpParseException(505, "HTTP version " + (char) b[from + 5] + "." + (char) b[from + 7] + " is not supported");
        }
        return b[from + 7] - '0';
    }

    private static boolean digit(byte c) {
        return c >= '0' && c <= '9';
    }

    private static int indexOf(byte[] b, int from, int to, byte c) {
        for (int i = from; i < to; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The head sent upstream: HTTP/1.1, origin-form target, {@code Host} set to the intake, hop-by-hop
     * fields dropped, every other field copied byte for byte in its order.
     */
    public ByteBuffer upstreamHead(String hostHeader) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length + 64);
        write(out, method);
        out.write(' ');
        write(out, originTarget);
        write(out, " HTTP/1.1\r\nHost: ");
        write(out, hostHeader);
        write(out, "\r\n");
        Set<String> drop = HeadSyntax.hopByHop(fields);
        for (HeaderField f : fields) {
            if (!f.lowerName().equals("host") && !drop.contains(f.lowerName())) {
                out.write(raw, f.start(), f.end() - f.start());
                write(out, "\r\n");
            }
        }
        write(out, "\r\n");
        return ByteBuffer.wrap(out.toByteArray());
    }

    static void write(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        out.write(b, 0, b.length);
    }

    /** Whether the client wants the connection kept after this exchange. */
    public boolean keepAlive() {
        if (minorVersion == 0) {
            return HeadSyntax.connectionHas(fields, "keep-alive");
        }
        return !HeadSyntax.connectionHas(fields, "close");
    }

    public String method() {
        return method;
    }

    public String originTarget() {
        return originTarget;
    }

    public String path() {
        return path;
    }

    public int minorVersion() {
        return minorVersion;
    }

    public List<HeaderField> fields() {
        return fields;
    }

    public String header(String name) {
        HeaderField f = HeadSyntax.first(fields, name.toLowerCase(java.util.Locale.ROOT));
        return f == null ? null : f.value();
    }

    public boolean chunked() {
        return chunked;
    }

    public long contentLength() {
        return contentLength;
    }

    /** A fresh framer for this request's body; a chunked body is held to {@code limits.max-body} too (413). */
    public BodyFramer bodyFramer() {
        return chunked ? BodyFramer.chunked(400, maxBody, 413) : BodyFramer.length(contentLength);
    }

    public boolean hasBody() {
        return chunked || contentLength > 0;
    }

    public boolean isHead() {
        return method.equals("HEAD");
    }
}
