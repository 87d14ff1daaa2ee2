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

    static BodyFramer chunked(int errorStatus) {
        return new ChunkedBody(errorStatus);
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
