package io.fipsrelay.bench;

import io.fipsrelay.core.http.BodyFramer;
import io.fipsrelay.core.http.HttpParseException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Finding the end of a 256 KiB request body while it streams through, as the relay does for each
 * request: chunked framing (RFC 9112 7.1, checked strictly) against a plain Content-Length body.
 * The body arrives in 64 KiB reads, the relay's socket read size. One operation is one whole body.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Dorg.bouncycastle.fips.approved_only=true", "-Xms512m", "-Xmx512m"})
public class ChunkedBodyBenchmark {

    static final int BODY_BYTES = 256 * 1024;
    static final int READ_BYTES = 64 * 1024;

    /** Payload bytes per chunk (the agent's Go client flushes 4-32 KiB; 1 KiB is a chatty sender). */
    @Param({"1024", "16384"})
    public int chunkBytes;

    private ByteBuffer[] chunkedReads;
    private ByteBuffer[] plainReads;

    @Setup
    public void setup() {
        byte[] payload = new byte[BODY_BYTES];
        new Random(42).nextBytes(payload);
        ByteArrayOutputStream wire = new ByteArrayOutputStream(BODY_BYTES + BODY_BYTES / chunkBytes * 16 + 16);
        for (int off = 0; off < BODY_BYTES; off += chunkBytes) {
            int n = Math.min(chunkBytes, BODY_BYTES - off);
            wire.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            wire.write(payload, off, n);
            wire.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        wire.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        chunkedReads = slices(wire.toByteArray());
        plainReads = slices(payload);
    }

    private static ByteBuffer[] slices(byte[] bytes) {
        int count = (bytes.length + READ_BYTES - 1) / READ_BYTES;
        ByteBuffer[] out = new ByteBuffer[count];
        for (int i = 0; i < count; i++) {
            int off = i * READ_BYTES;
            out[i] = ByteBuffer.wrap(bytes, off, Math.min(READ_BYTES, bytes.length - off)).slice();
        }
        return out;
    }

    @Benchmark
    public boolean chunked() throws HttpParseException {
        return frame(BodyFramer.chunked(400), chunkedReads);
    }

    /** The baseline: a Content-Length body only needs counting. */
    @Benchmark
    public boolean contentLength() throws HttpParseException {
        return frame(BodyFramer.length(BODY_BYTES), plainReads);
    }

    private static boolean frame(BodyFramer framer, ByteBuffer[] reads) throws HttpParseException {
        for (ByteBuffer read : reads) {
            read.rewind();
            framer.consume(read);
            if (read.hasRemaining()) {
                throw new IllegalStateException("body ended early");
            }
        }
        if (!framer.complete()) {
            throw new IllegalStateException("body not complete");
        }
        return true;
    }
}
