package io.fipsrelay.core.http;

import java.nio.ByteBuffer;

/**
 * Follows chunked framing (RFC 9112 7.1) strictly: hex sizes without overflow, bounded
 * extensions and trailers, CRLF everywhere.
 */
final class ChunkedBody implements BodyFramer {

    static final int MAX_SIZE_DIGITS = 15;
    static final int MAX_EXTENSION = 1024;
    static final int MAX_TRAILERS = 8192;

    private enum State { SIZE, EXTENSION, SIZE_LF, DATA, DATA_CR, DATA_LF, TRAILER, TRAILER_LF, DONE }

    private final int errorStatus;
    private State state = State.SIZE;
    private long size;
    private int digits;
    private int extension;
    private long remaining;
    private int trailerBytes;
    private int trailerLineLength;

    ChunkedBody(int errorStatus) {
        this.errorStatus = errorStatus;
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
                case SIZE -> {
                    int v = hex(b);
                    if (v >= 0) {
                        if (++digits > MAX_SIZE_DIGITS) {
                            throw fail("chunk size too large");
                        }
                        size = size * 16 + v;
                    } else if (digits == 0) {
                        throw fail("malformed chunk size");
                    } else if (b == ';' || b == ' ' || b == '\t') {
                        state = State.EXTENSION;
                        extension = 1;
                    } else if (b == '\r') {
                        state = State.SIZE_LF;
                    } else {
                        throw fail("malformed chunk size");
                    }
                }
                case EXTENSION -> {
                    if (b == '\r') {
                        state = State.SIZE_LF;
                    } else if (++extension > MAX_EXTENSION) {
                        throw fail("chunk extension too long");
                    } else if ((b < 0x20 && b != '\t') || b == 0x7f || b == '\n') {
                        throw fail("invalid character in a chunk extension");
                    }
                }
                case SIZE_LF -> {
                    if (b != '\n') {
                        throw fail("chunk size line not ended by CRLF");
                    }
                    if (size == 0) {
                        state = State.TRAILER;
                        trailerLineLength = 0;
                    } else {
                        remaining = size;
                        state = State.DATA;
                    }
                    size = 0;
                    digits = 0;
                }
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
                case TRAILER -> {
                    if (++trailerBytes > MAX_TRAILERS) {
                        throw fail("trailer section too large");
                    }
                    if (b == '\r') {
                        state = State.TRAILER_LF;
                    } else if (b == '\n' || (b < 0x20 && b != '\t') || b == 0x7f) {
                        throw fail("invalid character in the trailer section");
                    } else {
                        trailerLineLength++;
                    }
                }
                case TRAILER_LF -> {
                    if (b != '\n') {
                        throw fail("trailer line not ended by CRLF");
                    }
                    if (trailerLineLength == 0) {
                        state = State.DONE;
                    } else {
                        trailerLineLength = 0;
                        state = State.TRAILER;
                    }
                }
                default -> throw new IllegalStateException(state.name());
            }
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
