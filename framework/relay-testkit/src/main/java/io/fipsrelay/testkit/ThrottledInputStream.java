package io.fipsrelay.testkit;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;

/**
 * Reads at most {@code bytesPerSecond} on average, in small slices with sleeps in between, so a
 * sender sees a slow reader (full TCP window) rather than one long pause.
 */
final class ThrottledInputStream extends FilterInputStream {

    private static final int MAX_SLICE = 8 * 1024;

    private final long bytesPerSecond;
    private final int slice;
    private final long start = System.nanoTime();
    private long total;

    ThrottledInputStream(InputStream in, long bytesPerSecond) {
        super(in);
        this.bytesPerSecond = bytesPerSecond;
        // At least ~10 slices per second so low rates do not turn into multi-second stalls.
        this.slice = (int) Math.max(1, Math.min(MAX_SLICE, bytesPerSecond / 10));
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            pace(1);
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, Math.min(length, slice));
        if (n > 0) {
            pace(n);
        }
        return n;
    }

    private void pace(int n) throws IOException {
        total += n;
        long due = start + total * 1_000_000_000L / bytesPerSecond;
        long wait = due - System.nanoTime();
        if (wait > 0) {
            try {
                Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while throttling");
            }
        }
    }
}
