package io.fipsrelay.core.http;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** What the parser fuzz tests share: plain checks (cheap per execution) and ways to split input into reads. */
final class FuzzChecks {

    private FuzzChecks() {
    }

    static void check(boolean condition, Supplier<String> failure) {
        if (!condition) {
            throw new AssertionError(failure.get());
        }
    }

    /** The input as one read. */
    static List<ByteBuffer> oneRead(byte[] input) {
        return List.of(ByteBuffer.wrap(input));
    }

    /** The input as if every byte arrived in a read of its own: the worst split a socket can produce. */
    static List<ByteBuffer> byteReads(byte[] input) {
        List<ByteBuffer> reads = new ArrayList<>(input.length);
        for (int i = 0; i < input.length; i++) {
            reads.add(ByteBuffer.wrap(input, i, 1));
        }
        return reads;
    }

    static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
