package io.fipsrelay.core.http;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;

/** A parsed upstream response head, checked as strictly as requests (any breach is a 502). */
public final class ResponseHead {

    /** How the response body is delimited. */
    public enum Framing { NONE, LENGTH, CHUNKED, UNTIL_CLOSE }

    private final byte[] raw;
    private final int statusLineEnd;
    private final int status;
    private final List<HeaderField> fields;
    private final Framing framing;
    private final long contentLength;
    private final int minorVersion;

    private ResponseHead(byte[] raw, int statusLineEnd, int status, List<HeaderField> fields, Framing framing,
                         long contentLength, int minorVersion) {
        this.raw = raw;
        this.minorVersion = minorVersion;
        this.statusLineEnd = statusLineEnd;
        this.status = status;
        this.fields = fields;
        this.framing = framing;
        this.contentLength = contentLength;
    }

    /** Parses a complete head; {@code requestWasHead} decides the framing of a HEAD answer. */
    public static ResponseHead parse(byte[] head, boolean requestWasHead, int maxFields) throws HttpParseException {
        List<int[]> lines = HeadSyntax.lines(head);
        int ls = lines.get(0)[0];
        int le = lines.get(0)[1];
        if (le - ls < 12 || head[ls + 8] != ' ' || head[ls + 12] != ' ' && le - ls > 12) {
            throw new HttpParseException(502, "malformed status line");
        }
        int minor;
        try {
            minor = RequestHead.version(head, ls, ls + 8);
        } catch (HttpParseException e) {
            throw new HttpParseException(502, "status line: " + e.getMessage());
        }
        int status = 0;
        for (int i = ls + 9; i < ls + 12; i++) {
            if (head[i] < '0' || head[i] > '9') {
                throw new HttpParseException(502, "malformed status code");
            }
            status = status * 10 + head[i] - '0';
        }
        if (status < 100 || status > 599) {
            throw new HttpParseException(502, "status code out of range: " + status);
        }
        for (int i = ls + 12; i < le; i++) {
            int c = head[i] & 0xff;
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                throw new HttpParseException(502, "control character in the reason phrase");
            }
        }
        List<HeaderField> fields = HeadSyntax.fields(head, lines, maxFields, 502, 502);
        boolean chunked = HeadSyntax.chunked(fields, 502);
        long length = HeadSyntax.contentLength(fields, 502);
        if (chunked && length >= 0) {
            throw new HttpParseException(502, "both Content-Length and Transfer-Encoding in the response");
        }
        if (chunked && minor == 0) {
            // RFC 9112 6.1: Transfer-Encoding in an HTTP/1.0 message means faulty framing.
            throw new HttpParseException(502, "Transfer-Encoding in an HTTP/1.0 response");
        }
        Framing framing;
        if (requestWasHead || status < 200 || status == 204 || status == 304) {
            framing = Framing.NONE;
        } else if (chunked) {
            framing = Framing.CHUNKED;
        } else if (length >= 0) {
            framing = length == 0 ? Framing.NONE : Framing.LENGTH;
        } else {
            framing = Framing.UNTIL_CLOSE;
        }
        return new ResponseHead(head, le, status, List.copyOf(fields), framing, Math.max(length, 0), minor);
    }

    /**
     * The head sent to the agent: status line and end-to-end fields as received, hop-by-hop fields
     * dropped, and a Connection field when the relay will close or an HTTP/1.0 client keeps alive.
     */
    public ByteBuffer clientHead(boolean close, boolean http10KeepAlive) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length + 32);
        out.write(raw, 0, statusLineEnd);
        RequestHead.write(out, "\r\n");
        Set<String> drop = HeadSyntax.hopByHop(fields);
        for (HeaderField f : fields) {
            if (!drop.contains(f.lowerName())) {
                out.write(raw, f.start(), f.end() - f.start());
                RequestHead.write(out, "\r\n");
            }
        }
        if (status >= 200) {
            if (close) {
                RequestHead.write(out, "Connection: close\r\n");
            } else if (http10KeepAlive) {
                RequestHead.write(out, "Connection: keep-alive\r\n");
            }
        }
        RequestHead.write(out, "\r\n");
        return ByteBuffer.wrap(out.toByteArray());
    }

    /** Whether the intake keeps the connection for another request (RFC 9112 9.3). */
    public boolean keepAlive() {
        if (framing == Framing.UNTIL_CLOSE) {
            return false;
        }
        if (minorVersion == 0) {
            return HeadSyntax.connectionHas(fields, "keep-alive");
        }
        return !HeadSyntax.connectionHas(fields, "close");
    }

    public int status() {
        return status;
    }

    public boolean interim() {
        return status < 200;
    }

    public Framing framing() {
        return framing;
    }

    public long contentLength() {
        return contentLength;
    }

    List<HeaderField> fields() {
        return fields;
    }

    public String header(String name) {
        HeaderField f = HeadSyntax.first(fields, name.toLowerCase(java.util.Locale.ROOT));
        return f == null ? null : f.value();
    }
}
