package io.fipsrelay.core.http;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Collects one message head (start line and fields, up to the empty line) from a byte stream,
 * enforcing CRLF line endings and the size limits as the bytes arrive, so a hostile sender is
 * answered as soon as it breaks a rule instead of when it stops sending.
 */
public final class HeadScanner {

    private static final int MAX_LEADING_EMPTY_LINES = 4;

    private final int maxStartLine;
    private final int startLineStatus;
    private final int maxHead;
    private final int headStatus;
    private final int syntaxStatus;
    private byte[] buf = new byte[512];
    private int len;
    private int lineStart;
    private boolean sawCR;
    private boolean inStartLine = true;
    private int leadingEmptyLines;

    /**
     * @param startLineStatus status for an over-long start line
     * @param headStatus status for an over-large head
     * @param syntaxStatus status for a broken line ending or a control byte in the start line
     */
    private HeadScanner(int maxStartLine, int startLineStatus, int maxHead, int headStatus, int syntaxStatus) {
        this.maxStartLine = maxStartLine;
        this.startLineStatus = startLineStatus;
        this.maxHead = maxHead;
        this.headStatus = headStatus;
        this.syntaxStatus = syntaxStatus;
    }

    /** An agent's request head: 414 for the request line, 431 for the header section, 400 for syntax. */
    public static HeadScanner forRequests(int maxRequestLine, int maxHeaderSection) {
        return new HeadScanner(maxRequestLine, 414, maxHeaderSection, 431, 400);
    }

    /** An intake's response head: whatever is wrong with it, the agent gets a 502. */
    public static HeadScanner forResponses(int maxStatusLine, int maxHeaderSection) {
        return new HeadScanner(maxStatusLine, 502, maxHeaderSection, 502, 502);
    }

    /** Consumes bytes up to the end of the head; true once it is complete (the rest stays in {@code in}). */
    public boolean feed(ByteBuffer in) throws HttpParseException {
        while (in.hasRemaining()) {
            byte b = in.get();
            if (sawCR) {
                if (b != '\n') {
                    throw new HttpParseException(syntaxStatus, "bare CR in the header section");
                }
                sawCR = false;
                append(b);
                int lineLength = len - 2 - lineStart;
                if (lineLength == 0) {
                    if (inStartLine) {
                        // RFC 9112 2.2: empty lines before the start line are ignored (a few, not forever).
                        if (++leadingEmptyLines > MAX_LEADING_EMPTY_LINES) {
                            throw new HttpParseException(syntaxStatus, "empty lines instead of a message");
                        }
                        len = lineStart;
                        continue;
                    }
                    return true;
                }
                inStartLine = false;
                lineStart = len;
                continue;
            }
            if (b == '\r') {
                sawCR = true;
                append(b);
                continue;
            }
            if (b == '\n') {
                throw new HttpParseException(syntaxStatus, "bare LF line ending (CRLF required)");
            }
            if (inStartLine && isControl(b)) {
                // Refused on arrival, not at the end of the line: a TLS ClientHello or other binary
                // sent to a plain-HTTP port starts with one, and may never send a CRLF.
                throw new HttpParseException(syntaxStatus, "control character in the start line");
            }
            append(b);
            if (inStartLine && len - lineStart > maxStartLine) {
                throw new HttpParseException(startLineStatus, "start line longer than " + maxStartLine + " bytes");
            }
            if (len > maxHead) {
                throw new HttpParseException(headStatus, "header section larger than " + maxHead + " bytes");
            }
        }
        return false;
    }

    /** Whether any byte of a message has arrived (leading empty lines do not count). */
    public boolean started() {
        return len > 0;
    }

    /** The complete head, CRLF CRLF included. */
    public byte[] head() {
        return Arrays.copyOf(buf, len);
    }

    public void reset() {
        if (buf.length > 4096) {
            buf = new byte[512];
        }
        len = 0;
        lineStart = 0;
        sawCR = false;
        inStartLine = true;
        leadingEmptyLines = 0;
    }

    private static boolean isControl(byte b) {
        return (b >= 0 && b < 0x20 && b != '\t') || b == 0x7f;
    }

    private void append(byte b) {
        if (len == buf.length) {
            buf = Arrays.copyOf(buf, buf.length * 2);
        }
        buf[len++] = b;
    }
}
