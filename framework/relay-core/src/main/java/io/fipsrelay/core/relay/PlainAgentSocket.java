package io.fipsrelay.core.relay;

import java.nio.ByteBuffer;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.session.IoSession;

/**
 * Plain HTTP from the agent straight over the MINA session. The first read is looked at once: a
 * TLS record there is an agent left on {@code fips.https: true}, which gets a hint in the log
 * ({@link ListenerMismatch}) instead of a 400 it cannot read.
 */
final class PlainAgentSocket implements AgentSocket {

    private final IoSession session;
    private final ListenerMismatch mismatch;
    private AgentConnection connection;
    private boolean firstRead = true;

    PlainAgentSocket(IoSession session, ListenerMismatch mismatch) {
        this.session = session;
        this.mismatch = mismatch;
    }

    void attach(AgentConnection connection) {
        this.connection = connection;
    }

    @Override
    public void received(IoBuffer net) {
        if (firstRead) {
            firstRead = false;
            if (TlsRecords.startsWithHandshake(net.buf())) {
                net.free();
                mismatch.tlsOnPlainPort(connection.productId(), session);
                connection.closed();
                session.closeNow();
                return;
            }
            mismatch.plainOnPlainPort(connection.productId());
        }
        connection.received(net);
    }

    @Override
    public void writeCopy(ByteBuffer bytes) {
        IoBuffer out = IoBuffer.allocate(bytes.remaining());
        out.put(bytes);
        out.flip();
        session.write(out);
    }

    @Override
    public void write(ByteBuffer bytes) {
        session.write(IoBuffer.wrap(bytes));
    }

    @Override
    public void writeOwned(IoBuffer buffer) {
        session.write(buffer);
    }

    @Override
    public long queuedBytes() {
        return session.getScheduledWriteBytes();
    }

    @Override
    public void suspendRead() {
        session.suspendRead();
    }

    @Override
    public void resumeRead() {
        session.resumeRead();
    }

    @Override
    public void closeOnFlush() {
        session.closeOnFlush();
    }

    @Override
    public void closeNow() {
        session.closeNow();
    }

    @Override
    public void closed() {
    }

    @Override
    public IoSession session() {
        return session;
    }
}
