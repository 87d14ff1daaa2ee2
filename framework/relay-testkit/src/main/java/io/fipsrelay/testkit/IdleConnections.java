package io.fipsrelay.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * Knows which keep-alive connections are between requests, so that an intake going down can close
 * them the way a restarting server does, without cutting an exchange in progress.
 *
 * <p>Each connection flips between busy and idle with compare-and-set; closing only wins against an
 * idle connection. A request whose first byte arrives just as its connection is closed is lost before
 * the intake read anything of it: to the client that is a pooled connection that turned out dead.
 */
final class IdleConnections {

    private static final int BUSY = 0;
    private static final int IDLE = 1;
    private static final int CLOSED = 2;

    private final Set<Entry> entries = ConcurrentHashMap.newKeySet();

    /** Tracks a connection, busy from the start (it is about to read its first request). */
    Entry register(Socket socket) {
        Entry entry = new Entry(socket);
        entries.add(entry);
        return entry;
    }

    /** Closes every connection that is waiting for its next request. */
    void closeAll() {
        for (Entry entry : entries) {
            entry.closeIfIdle();
        }
    }

    /** One connection's state. */
    final class Entry implements AutoCloseable {
        private final Socket socket;
        private final AtomicInteger state = new AtomicInteger(BUSY);

        private Entry(Socket socket) {
            this.socket = socket;
        }

        /**
         * Waits, marked idle, for the first byte of the next request and leaves it unread. False if the
         * peer closed, if {@code stayOpen} says the intake is going down, or if the intake closed the
         * connection meanwhile. {@code in} must support mark/reset.
         */
        boolean awaitRequest(InputStream in, BooleanSupplier stayOpen) throws IOException {
            if (!state.compareAndSet(BUSY, IDLE)) {
                return false;
            }
            // Checked after turning idle: a closeAll() racing with us either sees us idle or ran before this check.
            if (!stayOpen.getAsBoolean()) {
                closeIfIdle();
                return false;
            }
            in.mark(1);
            if (in.read() < 0) {
                return false;
            }
            in.reset();
            return state.compareAndSet(IDLE, BUSY);
        }

        private void closeIfIdle() {
            if (state.compareAndSet(IDLE, CLOSED)) {
                try {
                    socket.close();
                } catch (IOException | RuntimeException e) {
                    // closing anyway
                }
            }
        }

        /** Stops tracking (the connection ended). */
        @Override
        public void close() {
            entries.remove(this);
        }
    }
}
