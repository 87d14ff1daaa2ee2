package io.fipsrelay.core.tls;

import java.nio.ByteBuffer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.session.IoSession;

/**
 * Drives one {@link SSLEngine} over one MINA session: handshake, record decryption of what
 * arrives, encryption of what is sent. Every call comes from the session's own I/O thread, so
 * nothing here is locked. Client engines (upstream connections) start the handshake; a server
 * engine (an agent on a {@code listen.tls} listener) waits for the ClientHello in {@link #receive},
 * its deadline and the cap on handshakes in progress being the caller's.
 *
 * <p>Hand-written instead of MINA's SslFilter: that filter queues at most 64 writes before the
 * handshake and throws past that, serialises engine setup on a filter-wide lock, has no handshake
 * deadline, and allocates two to eight packet buffers per wrap although BCJSSE fills one record
 * per call. Here nothing is written before the handshake completes, the deadline is the
 * connector's, records are written into pooled buffers (MINA gives them back once written), and
 * decryption reads straight from the socket buffer, copying only a record split across reads.
 */
public final class TlsEngineDriver {

    /**
     * What one batch of network bytes turned into. {@code plaintext} is a view of the I/O thread's
     * scratch buffer: valid until the next {@link #receive} on this thread, so consume or copy it at once.
     */
    public record Received(ByteBuffer plaintext, boolean handshakeFinished, boolean closed) {
    }

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    /** Records per output buffer: three fill a 64 KiB pooled buffer (three packets of 16,911 bytes). */
    private static final int RECORDS_PER_WRITE = 3;
    /** One decryption buffer per I/O thread, big enough for a whole socket read (64 KiB) and a split record. */
    private static final ThreadLocal<ByteBuffer> SCRATCH = ThreadLocal.withInitial(() -> ByteBuffer.allocate(96 * 1024));

    private final SSLEngine engine;
    private final IoSession session;
    private final int packetSize;
    private final int appBufferSize;
    /** The start of a record whose rest has not arrived yet; null while nothing is held. */
    private ByteBuffer netIn;
    private boolean handshakeFinished;
    private boolean finishedSinceLastReceive;

    public TlsEngineDriver(SSLEngine engine, IoSession session) {
        this.engine = engine;
        this.session = session;
        this.packetSize = engine.getSession().getPacketBufferSize();
        this.appBufferSize = engine.getSession().getApplicationBufferSize();
    }

    public void beginHandshake() throws SSLException {
        engine.beginHandshake();
        advanceHandshake();
    }

    /** Decrypts what arrived; returns the plaintext (or null) and whether the handshake just finished. */
    public Received receive(IoBuffer net) throws SSLException {
        ByteBuffer in = net.buf();
        if (netIn != null && netIn.position() > 0) {
            // A record was split across reads: join the rest to its start.
            if (netIn.remaining() < in.remaining()) {
                ByteBuffer bigger = ByteBuffer.allocate(netIn.position() + in.remaining());
                netIn.flip();
                bigger.put(netIn);
                netIn = bigger;
            }
            netIn.put(in);
            netIn.flip();
            in = netIn;
        }
        ByteBuffer out = SCRATCH.get();
        out.clear();
        boolean closed = false;
        try {
            while (in.hasRemaining()) {
                if (out.remaining() < appBufferSize) {
                    out = grow(out, Math.max(in.remaining(), appBufferSize));
                }
                SSLEngineResult result = engine.unwrap(in, out);
                noteFinished(result.getHandshakeStatus());
                if (result.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                    out = grow(out, appBufferSize);
                    continue;
                }
                if (result.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW) {
                    break;
                }
                if (result.getStatus() == SSLEngineResult.Status.CLOSED) {
                    closed = true;
                    break;
                }
                advanceHandshake();
                if (result.bytesConsumed() == 0 && result.bytesProduced() == 0
                        && engine.getHandshakeStatus() != HandshakeStatus.NEED_UNWRAP) {
                    break;
                }
            }
        } finally {
            keepRest(in);
        }
        boolean finished = finishedSinceLastReceive;
        finishedSinceLastReceive = false;
        out.flip();
        return new Received(out.hasRemaining() ? out : null, finished, closed);
    }

    /** Keeps the bytes of an incomplete record for the next read. */
    private void keepRest(ByteBuffer in) {
        if (in == netIn) {
            netIn.compact();
            if (netIn.position() == 0 && netIn.capacity() > packetSize) {
                netIn = null; // a burst grew it: give the memory back once drained
            }
            return;
        }
        if (in.hasRemaining()) {
            if (netIn == null || netIn.remaining() < in.remaining()) {
                netIn = ByteBuffer.allocate(Math.max(packetSize, in.remaining()));
            }
            netIn.put(in);
        }
    }

    /** Encrypts and writes application bytes; only after the handshake finished. */
    public void send(ByteBuffer app) throws SSLException {
        if (!handshakeFinished) {
            throw new IllegalStateException("no application data before the TLS handshake completes");
        }
        while (app.hasRemaining()) {
            int records = Math.min(RECORDS_PER_WRITE, (app.remaining() + 16383) / 16384);
            IoBuffer out = IoBuffer.allocate(records * packetSize);
            ByteBuffer dst = out.buf();
            while (app.hasRemaining() && dst.remaining() >= packetSize) {
                SSLEngineResult result = engine.wrap(app, dst);
                if (result.getStatus() == SSLEngineResult.Status.CLOSED) {
                    out.free();
                    throw new SSLException("TLS connection closed while sending");
                }
                if (result.getStatus() != SSLEngineResult.Status.OK) {
                    break;
                }
            }
            out.flip();
            session.write(out);
        }
    }

    /** Sends close_notify (best effort) before the socket is closed. */
    public void closeOutbound() {
        engine.closeOutbound();
        try {
            wrapHandshake();
        } catch (SSLException ignored) {
            // The peer is gone or the engine failed: nothing more to say to it.
        }
    }

    public boolean handshakeFinished() {
        return handshakeFinished;
    }

    public SSLEngine engine() {
        return engine;
    }

    private void advanceHandshake() throws SSLException {
        while (true) {
            HandshakeStatus hs = engine.getHandshakeStatus();
            if (hs == HandshakeStatus.NEED_TASK) {
                Runnable task;
                while ((task = engine.getDelegatedTask()) != null) {
                    task.run();
                }
            } else if (hs == HandshakeStatus.NEED_WRAP) {
                if (wrapHandshake() == SSLEngineResult.Status.CLOSED) {
                    return;
                }
            } else {
                return;
            }
        }
    }

    private SSLEngineResult.Status wrapHandshake() throws SSLException {
        IoBuffer out = IoBuffer.allocate(packetSize);
        SSLEngineResult result = engine.wrap(EMPTY, out.buf());
        noteFinished(result.getHandshakeStatus());
        out.flip();
        if (out.hasRemaining()) {
            session.write(out);
        } else {
            out.free();
        }
        return result.getStatus();
    }

    private void noteFinished(HandshakeStatus hs) {
        if (hs == HandshakeStatus.FINISHED && !handshakeFinished) {
            handshakeFinished = true;
            finishedSinceLastReceive = true;
        }
    }

    private static ByteBuffer grow(ByteBuffer out, int extra) {
        ByteBuffer bigger = ByteBuffer.allocate(out.position() + extra);
        out.flip();
        bigger.put(out);
        return bigger;
    }
}
