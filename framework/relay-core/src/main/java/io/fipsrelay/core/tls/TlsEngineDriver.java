package io.fipsrelay.core.tls;

import java.nio.ByteBuffer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.session.IoSession;

/**
 * Drives one client {@link SSLEngine} over one MINA session: handshake, record decryption of what
 * arrives, encryption of what is sent.
 *
 * <p>Hand-written instead of MINA's SslFilter: that filter queues at most 64 writes before the
 * handshake and throws past that, serialises engine setup on a filter-wide lock, and has no
 * handshake deadline. Here nothing is written before the handshake completes, the deadline is the
 * connector's, and every engine call is serialised on this object only.
 */
public final class TlsEngineDriver {

    /** What one batch of network bytes turned into. */
    public record Received(ByteBuffer plaintext, boolean handshakeFinished, boolean closed) {
    }

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    private static final int BULK_RECORDS = 5;
    private static final int MAX_SPARE = 4;
    private final java.util.ArrayDeque<ByteBuffer> spare = new java.util.ArrayDeque<>(MAX_SPARE);

    private final SSLEngine engine;
    private final IoSession session;
    private final int packetSize;
    private ByteBuffer netIn;
    private boolean handshakeFinished;
    private boolean finishedSinceLastReceive;

    public TlsEngineDriver(SSLEngine engine, IoSession session) {
        this.engine = engine;
        this.session = session;
        this.packetSize = engine.getSession().getPacketBufferSize();
        this.netIn = ByteBuffer.allocate(packetSize);
    }

    public synchronized void beginHandshake() throws SSLException {
        engine.beginHandshake();
        advanceHandshake();
    }

    /** Decrypts what arrived; returns the plaintext (or null) and whether the handshake just finished. */
    public synchronized Received receive(IoBuffer net) throws SSLException {
        ByteBuffer in = net.buf();
        if (netIn.remaining() < in.remaining()) {
            ByteBuffer bigger = ByteBuffer.allocate(netIn.position() + in.remaining() + packetSize);
            netIn.flip();
            bigger.put(netIn);
            netIn = bigger;
        }
        netIn.put(in);
        netIn.flip();
        ByteBuffer out = null;
        boolean closed = false;
        try {
            while (netIn.hasRemaining()) {
                if (out == null || out.remaining() < engine.getSession().getApplicationBufferSize()) {
                    out = grow(out, Math.max(netIn.remaining(), engine.getSession().getApplicationBufferSize()));
                }
                SSLEngineResult result = engine.unwrap(netIn, out);
                noteFinished(result.getHandshakeStatus());
                if (result.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                    out = grow(out, engine.getSession().getApplicationBufferSize());
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
            netIn.compact();
        }
        if (netIn.capacity() > 4 * packetSize && netIn.position() < packetSize) {
            // A burst grew the buffer: give the memory back once it has drained.
            ByteBuffer small = ByteBuffer.allocate(packetSize);
            netIn.flip();
            small.put(netIn);
            netIn = small;
        }
        boolean finished = finishedSinceLastReceive;
        finishedSinceLastReceive = false;
        if (out != null) {
            out.flip();
            if (!out.hasRemaining()) {
                out = null;
            }
        }
        return new Received(out, finished, closed);
    }

    /** Encrypts and writes application bytes; only after the handshake finished. */
    public synchronized void send(ByteBuffer app) throws SSLException {
        if (!handshakeFinished) {
            throw new IllegalStateException("no application data before the TLS handshake completes");
        }
        while (app.hasRemaining()) {
            ByteBuffer out = app.remaining() > 2 * 16384 ? takeRecordBuffer()
                    : ByteBuffer.allocate((app.remaining() / 16384 + 1) * packetSize);
            while (app.hasRemaining() && out.remaining() >= packetSize) {
                SSLEngineResult result = engine.wrap(app, out);
                if (result.getStatus() == SSLEngineResult.Status.CLOSED) {
                    throw new SSLException("TLS connection closed while sending");
                }
                if (result.getStatus() != SSLEngineResult.Status.OK) {
                    break;
                }
            }
            out.flip();
            session.write(IoBuffer.wrap(out));
        }
    }

    /**
     * Output buffers for bulk data are reused once MINA has written them: a relay streaming
     * megabytes would otherwise allocate one per 64 KiB sent (about a tenth of its garbage,
     * measured with JFR; most of the rest is inside BCJSSE).
     */
    private ByteBuffer takeRecordBuffer() {
        ByteBuffer b = spare.pollFirst();
        return b != null ? b : ByteBuffer.allocate(BULK_RECORDS * packetSize);
    }

    /** Called when MINA has written a buffer this driver made: keeps a few bulk ones for reuse. */
    public synchronized void written(IoBuffer sent) {
        ByteBuffer b = sent.buf();
        if (b.capacity() == BULK_RECORDS * packetSize && spare.size() < MAX_SPARE && !b.isReadOnly()) {
            b.clear();
            spare.addFirst(b);
        }
    }

    /** Sends close_notify (best effort) before the socket is closed. */
    public synchronized void closeOutbound() {
        engine.closeOutbound();
        try {
            ByteBuffer out = ByteBuffer.allocate(packetSize);
            engine.wrap(EMPTY, out);
            out.flip();
            if (out.hasRemaining()) {
                session.write(IoBuffer.wrap(out));
            }
        } catch (SSLException ignored) {
            // The peer is gone or the engine failed: nothing more to say to it.
        }
    }

    public synchronized boolean handshakeFinished() {
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
                ByteBuffer out = ByteBuffer.allocate(packetSize);
                SSLEngineResult result = engine.wrap(EMPTY, out);
                noteFinished(result.getHandshakeStatus());
                out.flip();
                if (out.hasRemaining()) {
                    session.write(IoBuffer.wrap(out));
                }
                if (result.getStatus() == SSLEngineResult.Status.CLOSED) {
                    return;
                }
            } else {
                return;
            }
        }
    }

    private void noteFinished(HandshakeStatus hs) {
        if (hs == HandshakeStatus.FINISHED && !handshakeFinished) {
            handshakeFinished = true;
            finishedSinceLastReceive = true;
        }
    }

    private static ByteBuffer grow(ByteBuffer out, int extra) {
        if (out == null) {
            return ByteBuffer.allocate(extra);
        }
        ByteBuffer bigger = ByteBuffer.allocate(out.position() + extra);
        out.flip();
        bigger.put(out);
        return bigger;
    }
}
