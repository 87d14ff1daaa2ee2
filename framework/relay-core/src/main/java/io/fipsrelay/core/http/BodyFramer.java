package io.fipsrelay.core.http;

import java.nio.ByteBuffer;

/**
 * Finds where a message body ends in a byte stream without changing it: the relay forwards bodies
 * with the framing they arrived with, and only needs to know which bytes belong to this message.
 */
public interface BodyFramer {

    /** Advances {@code in} over the bytes that belong to the body; stops at its end. */
    void consume(ByteBuffer in) throws HttpParseException;

    boolean complete();

    static BodyFramer none() {
        return new LengthBody(0);
    }

    static BodyFramer length(long n) {
        return new LengthBody(n);
    }

    /** Chunked framing without a size cap (responses: the intake's answer is streamed, whatever its size). */
    static BodyFramer chunked(int errorStatus) {
        return new ChunkedBody(errorStatus, Long.MAX_VALUE, errorStatus);
    }

    /** Chunked framing whose chunks may carry at most {@code maxBody} bytes in all. */
    static BodyFramer chunked(int errorStatus, long maxBody, int tooLargeStatus) {
        return new ChunkedBody(errorStatus, maxBody, tooLargeStatus);
    }

    /**
     * Runs a fresh framer over the bytes already received, without consuming them. The relay
     * calls it before it contacts an intake, so a framing error in a body that arrived with its
     * head is refused before any byte of that request goes upstream. (Bytes that arrive later are
     * checked as they are forwarded; an error then aborts the upstream connection mid-request.)
     */
    static void checkAhead(BodyFramer fresh, Iterable<ByteBuffer> received) throws HttpParseException {
        for (ByteBuffer b : received) {
            if (fresh.complete()) {
                return;
            }
            fresh.consume(b.duplicate());
        }
    }

    static BodyFramer untilClose() {
        return new BodyFramer() {
            @Override
            public void consume(ByteBuffer in) {
                in.position(in.limit());
            }

            @Override
            public boolean complete() {
                return false;
            }
        };
    }

    /** A body of a known length. */
    final class LengthBody implements BodyFramer {
        private long remaining;

        LengthBody(long length) {
            this.remaining = length;
        }

        @Override
        public void consume(ByteBuffer in) {
            int n = (int) Math.min(remaining, in.remaining());
            in.position(in.position() + n);
            remaining -= n;
        }

        @Override
        public boolean complete() {
            return remaining == 0;
        }
    }
}
