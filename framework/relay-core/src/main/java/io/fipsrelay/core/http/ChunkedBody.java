package io.fipsrelay.core.http;

import java.nio.ByteBuffer;

/**
 * Follows chunked framing (RFC 9112 7.1) strictly: hex sizes without overflow, whitespace after a
 * size only before an extension, bounded extensions and trailers, trailer lines that are field
 * lines, CRLF everywhere, and a cap on the sum of the chunk sizes.
 */
final class ChunkedBody implements BodyFramer {

    static final int MAX_SIZE_DIGITS = 15;
    static final int MAX_EXTENSION = 1024;
    static final int MAX_TRAILERS = 8192;

    private enum State { SIZE, SIZE_BWS, EXTENSION, SIZE_LF, DATA, DATA_CR, DATA_LF, TRAILER, TRAILER_LF, DONE }

    private final int errorStatus;
    private final long maxBody;
    private final int tooLargeStatus;
    private State state = State.SIZE;
    private long size;
    private int digits;
    private int extension;
    private long remaining;
    private long total;
    private int trailerBytes;
    private byte[] trailerLine;
    private int trailerLineLength;

    /**
     * @param errorStatus status for a framing error (400 for requests, 502 for responses)
     * @param maxBody the most data bytes the chunks may carry in all
     * @param tooLargeStatus status when they carry more (413 for requests)
     */
    ChunkedBody(int errorStatus, long maxBody, int tooLargeStatus) {
        this.errorStatus = errorStatus;
        this.maxBody = maxBody;
        this.tooLargeStatus = tooLargeStatus;
    }

    @Override
    public void consume(ByteBuffer in) throws HttpParseException {
        while (in.hasRemaining() && state != State.DONE) {
            if (state == State.DATA) {
                int n = (int) Math.min(remaining, in.remaining());
                in.position(in.position() + n);
                remaining -= n;
                if (remaining == 0) {
                    state = State.DATA_CR;
                }
                continue;
            }
            byte b = in.get();
            switch (state) {
                case SIZE -> size(b);
                case SIZE_BWS -> {
                    if (b == ';') {
                        state = State.EXTENSION;
                    } else if (b != ' ' && b != '\t') {
                        throw fail("whitespace after a chunk size not followed by a chunk extension");
                    }
                    countExtension();
                }
                case EXTENSION -> {
                    if (b == '\r') {
                        state = State.SIZE_LF;
                    } else if (b == '\n' || (b < 0x20 && b != '\t') || b == 0x7f) {
                        throw fail("invalid character in a chunk extension");
                    } else {
                        countExtension();
                    }
                }
                case SIZE_LF -> sizeLineEnd(b);
                case DATA_CR -> {
                    if (b != '\r') {
                        throw fail("chunk data not followed by CRLF");
                    }
                    state = State.DATA_LF;
                }
                case DATA_LF -> {
                    if (b != '\n') {
                        throw fail("chunk data not followed by CRLF");
                    }
                    state = State.SIZE;
                }
                case TRAILER -> trailerByte(b);
                case TRAILER_LF -> trailerLineEnd(b);
                default -> throw new IllegalStateException(state.name());
            }
        }
    }

    private void size(byte b) throws HttpParseException {
        int v = hex(b);
        if (v >= 0) {
            if (++digits > MAX_SIZE_DIGITS) {
                throw fail("chunk size too large");
            }
            size = size * 16 + v;
        } else if (digits == 0) {
            throw fail("malformed chunk size");
        } else if (b == ';') {
            state = State.EXTENSION;
            extension = 1;
        } else if (b == ' ' || b == '\t') {
            state = State.SIZE_BWS;
            extension = 1;
        } else if (b == '\r') {
            state = State.SIZE_LF;
        } else {
            throw fail("malformed chunk size");
        }
    }

    private void countExtension() throws HttpParseException {
        if (++extension > MAX_EXTENSION) {
            throw fail("chunk extension too long");
        }
    }

    private void sizeLineEnd(byte b) throws HttpParseException {
        if (b != '\n') {
            throw fail("chunk size line not ended by CRLF");
        }
        if (size > maxBody - total) {
            // Known from the size line, before any of the chunk's data is read.
            throw new HttpParseException(tooLargeStatus, "chunked body exceeds the limit of " + maxBody + " bytes");
        }
        total += size;
        if (size == 0) {
            state = State.TRAILER;
            trailerLineLength = 0;
        } else {
            remaining = size;
            state = State.DATA;
        }
        size = 0;
        digits = 0;
        extension = 0;
    }

    private void trailerByte(byte b) throws HttpParseException {
        if (++trailerBytes > MAX_TRAILERS) {
            throw fail("trailer section too large");
        }
        if (b == '\r') {
            state = State.TRAILER_LF;
        } else if (b == '\n' || (b < 0x20 && b != '\t') || b == 0x7f) {
            throw fail("invalid character in the trailer section");
        } else {
            if (trailerLine == null) {
                trailerLine = new byte[MAX_TRAILERS]; // only bodies that have trailers pay for the buffer
            }
            trailerLine[trailerLineLength++] = b;
        }
    }

    private void trailerLineEnd(byte b) throws HttpParseException {
        if (b != '\n') {
            throw fail("trailer line not ended by CRLF");
        }
        if (trailerLineLength == 0) {
            state = State.DONE;
            return;
        }
        checkTrailerField();
        trailerLineLength = 0;
        state = State.TRAILER;
    }

    /** A trailer line is a field line (RFC 9112 7.1.2): name token, colon, no folding. */
    private void checkTrailerField() throws HttpParseException {
        int colon = -1;
        for (int i = 0; i < trailerLineLength; i++) {
            if (trailerLine[i] == ':') {
                colon = i;
                break;
            }
        }
        if (colon < 0) {
            throw fail("trailer line without a colon");
        }
        if (!HeadSyntax.isToken(trailerLine, 0, colon)) {
            throw fail("invalid trailer field name");
        }
    }

    @Override
    public boolean complete() {
        return state == State.DONE;
    }

    private HttpParseException fail(String reason) {
        return new HttpParseException(errorStatus, reason);
    }

    private static int hex(byte b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        if (b >= 'a' && b <= 'f') {
            return b - 'a' + 10;
        }
        if (b >= 'A' && b <= 'F') {
            return b - 'A' + 10;
        }
        return -1;
    }
}
