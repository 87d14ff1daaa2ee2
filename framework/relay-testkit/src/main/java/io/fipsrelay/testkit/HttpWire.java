package io.fipsrelay.testkit;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/** The few HTTP/1.1 framing rules the stand-ins need, shared by the intake and the raw client. Lenient on purpose. */
final class HttpWire {

    static final int MAX_LINE = 64 * 1024;
    static final int MAX_HEADERS = 1000;
    private static final int COPY_BUFFER = 8 * 1024;

    /** Where decoded body bytes go. */
    interface Sink {
        void write(byte[] bytes, int offset, int length) throws IOException;
    }

    private HttpWire() {
    }

    /**
     * One line ending in LF (a CR before it is dropped), decoded as ISO-8859-1.
     * Null if the stream ended before the first byte; {@link EOFException} if it ended mid-line.
     */
    static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder(64);
        int b = in.read();
        if (b < 0) {
            return null;
        }
        while (b != '\n') {
            if (b < 0) {
                throw new EOFException("stream ended mid-line after: " + line);
            }
            if (line.length() >= MAX_LINE) {
                throw new IOException("line longer than " + MAX_LINE + " bytes");
            }
            line.append((char) b);
            b = in.read();
        }
        int end = line.length();
        if (end > 0 && line.charAt(end - 1) == '\r') {
            line.setLength(end - 1);
        }
        return line.toString();
    }

    /** Header lines up to and including the empty line; a line without ':' is skipped rather than failing. */
    static List<HttpHeader> readHeaders(InputStream in) throws IOException {
        List<HttpHeader> headers = new ArrayList<>();
        while (true) {
            String line = readLine(in);
            if (line == null) {
                throw new EOFException("stream ended inside the header block");
            }
            if (line.isEmpty()) {
                return headers;
            }
            if (headers.size() >= MAX_HEADERS) {
                throw new IOException("more than " + MAX_HEADERS + " header lines");
            }
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.add(new HttpHeader(line.substring(0, colon).trim(), line.substring(colon + 1).trim()));
            }
        }
    }

    /** True if any {@code name} header lists {@code token} (comma-separated, case-insensitive). */
    static boolean hasToken(List<HttpHeader> headers, String name, String token) {
        for (String value : HttpHeader.all(headers, name)) {
            for (String part : value.split(",")) {
                if (part.trim().equalsIgnoreCase(token)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Chunked if the last transfer coding is "chunked" (RFC 9112 6.3), which then wins over Content-Length. */
    static boolean isChunked(List<HttpHeader> headers) {
        List<String> values = HttpHeader.all(headers, "Transfer-Encoding");
        if (values.isEmpty()) {
            return false;
        }
        String[] codings = values.get(values.size() - 1).split(",");
        return codings[codings.length - 1].trim().equalsIgnoreCase("chunked");
    }

    /** The Content-Length value, or -1 if absent. */
    static long contentLength(List<HttpHeader> headers) throws IOException {
        String value = HttpHeader.first(headers, "Content-Length");
        if (value == null) {
            return -1;
        }
        try {
            // "5, 5" (a duplicated field folded by a proxy) is tolerated by taking the first element.
            long length = Long.parseLong(value.split(",")[0].trim());
            if (length < 0) {
                throw new IOException("negative Content-Length: " + value);
            }
            return length;
        } catch (NumberFormatException e) {
            throw new IOException("invalid Content-Length: " + value, e);
        }
    }

    /** Copies exactly {@code length} bytes, or throws {@link EOFException}. */
    static void copyExactly(InputStream in, long length, Sink sink) throws IOException {
        byte[] buffer = new byte[(int) Math.min(COPY_BUFFER, Math.max(1, length))];
        long left = length;
        while (left > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                throw new EOFException("stream ended with " + left + " of " + length + " body bytes missing");
            }
            sink.write(buffer, 0, n);
            left -= n;
        }
    }

    /** Copies until the peer closes. */
    static void copyToEnd(InputStream in, Sink sink) throws IOException {
        byte[] buffer = new byte[COPY_BUFFER];
        int n;
        while ((n = in.read(buffer)) >= 0) {
            sink.write(buffer, 0, n);
        }
    }

    /** De-chunks a chunked body into {@code sink} and returns its trailer fields (possibly empty). */
    static List<HttpHeader> readChunked(InputStream in, Sink sink) throws IOException {
        while (true) {
            String sizeLine = readLine(in);
            if (sizeLine == null) {
                throw new EOFException("stream ended before a chunk size line");
            }
            int semicolon = sizeLine.indexOf(';');
            String hex = (semicolon >= 0 ? sizeLine.substring(0, semicolon) : sizeLine).trim();
            long size;
            try {
                size = Long.parseLong(hex, 16);
            } catch (NumberFormatException e) {
                throw new IOException("invalid chunk size line: " + sizeLine, e);
            }
            if (size < 0) {
                throw new IOException("negative chunk size: " + sizeLine);
            }
            if (size == 0) {
                return readHeaders(in);
            }
            copyExactly(in, size, sink);
            String end = readLine(in);
            if (end == null) {
                throw new EOFException("stream ended after chunk data");
            }
            if (!end.isEmpty()) {
                throw new IOException("chunk data not followed by CRLF");
            }
        }
    }
}
