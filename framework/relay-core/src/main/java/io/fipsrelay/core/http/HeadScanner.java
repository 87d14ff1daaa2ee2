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
    private byte[] buf = new byte[512];
    private int len;
    private int lineStart;
    private boolean sawCR;
    private boolean inStartLine = true;
    private int leadingEmptyLines;

    /**
     * @param startLineStatus status for an over-long start line (414 for requests)
     * @param headStatus status for an over-large head (431 for requests)
     */
    public HeadScanner(int maxStartLine, int startLineStatus, int maxHead, int headStatus) {
        this.maxStartLine = maxStartLine;
        this.startLineStatus = startLineStatus;
        this.maxHead = maxHead;
        this.headStatus = headStatus;
    }

    /** Consumes bytes up to the end of the head; true once it is complete (the rest stays in {@code in}). */
    public boolean feed(ByteBuffer in) throws HttpParseException {
        while (in.hasRemaining()) {
            byte b = in.get();
            if (sawCR) {
                if (b != '\n') {
                    throw new HttpParseException(400, "bare CR in the header section");
                }
                sawCR = false;
                append(b);
                int lineLength = len - 2 - lineStart;
                if (lineLength == 0) {
                    if (inStartLine) {
                        // RFC 9112 2.2: empty lines before the start line are ignored (a few, not forever).
                        if (++leadingEmptyLines > MAX_LEADING_EMPTY_LINES) {
                            throw new HttpParseException(400, "empty lines instead of a request");
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
                throw new HttpParseException(400, "bare LF line ending (CRLF required)");
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

    private void append(byte b) {
        if (len == buf.length) {
            buf = Arrays.copyOf(buf, buf.length * 2);
        }
        buf[len++] = b;
    }
}
