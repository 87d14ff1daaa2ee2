package io.fipsrelay.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;

/**
 * The {@link Fault#RESET_MID_REQUEST} fault: takes part of a request body, then resets the TCP
 * connection without answering, as a crashing intake or a middlebox would. The client sees
 * "connection reset" while still sending, the worst moment for a relay that streams bodies.
 */
final class MidRequestReset {

    /** Half of at most this much of a body is read before the reset. */
    static final int WINDOW = 64 * 1024;

    private MidRequestReset() {
    }

    /**
     * Reads half of the first {@link #WINDOW} bytes of the body (de-chunked for a chunked one, or
     * up to its end if it is shorter); returns how many body bytes were read.
     */
    static long readPart(InputStream in, boolean chunked, long contentLength) throws IOException {
        long target = (chunked ? WINDOW : Math.min(Math.max(contentLength, 0), WINDOW)) / 2;
        Counter counter = new Counter(target);
        try {
            if (chunked) {
                HttpWire.readChunked(in, counter);
            } else {
                HttpWire.copyExactly(in, target, counter);
            }
        } catch (Enough enough) {
            // read as much as intended
        }
        return counter.count;
    }

    /** Resets the connection: with SO_LINGER 0, close sends RST and drops unsent and unread data. */
    static void reset(Socket tcp) {
        try {
            tcp.setSoLinger(true, 0);
        } catch (IOException | RuntimeException e) {
            // close anyway; without linger 0 unread input still makes the kernel send RST
        }
        try {
            tcp.close();
        } catch (IOException | RuntimeException e) {
            // already closed
        }
    }

    /** Counts body bytes and stops the read once there are enough. */
    private static final class Counter implements HttpWire.Sink {
        private final long target;
        private long count;

        Counter(long target) {
            this.target = target;
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws Enough {
            count += length;
            if (count >= target) {
                throw new Enough();
            }
        }
    }

    /** Not a failure: ends a chunked read early. */
    private static final class Enough extends IOException {
        private static final long serialVersionUID = 1L;

        Enough() {
            super("read enough of the body");
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this; // control flow, no stack trace needed
        }
    }
}
