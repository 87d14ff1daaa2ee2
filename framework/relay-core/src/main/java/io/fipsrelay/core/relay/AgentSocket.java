package io.fipsrelay.core.relay;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.session.IoSession;

/**
 * The agent's end of the wire as an {@link AgentConnection} sees it: plain HTTP over the MINA
 * session ({@link PlainAgentSocket}) or the same HTTP inside TLS ({@link TlsAgentSocket}). Network
 * bytes go in through {@link #received}, which hands the connection plaintext in pooled buffers it
 * owns; everything the connection writes goes out through here. Worker thread only.
 */
interface AgentSocket {

    /** Network bytes from the agent; the buffer is the caller's pooled read, owned from here on. */
    void received(IoBuffer net);

    /** Writes {@code bytes} now or later; the caller may reuse them once this returns. */
    void writeCopy(ByteBuffer bytes);

    /** Writes {@code bytes}, which the caller does not touch again (they are not copied on the plain path). */
    void write(ByteBuffer bytes);

    /** Writes and releases a pooled buffer the caller owned. */
    void writeOwned(IoBuffer buffer);

    /** Bytes written and not yet taken by the socket (backpressure towards the agent). */
    long queuedBytes();

    void suspendRead();

    void resumeRead();

    /** Closes once what was written has gone out (over TLS: after close_notify). */
    void closeOnFlush();

    void closeNow();

    /** The socket closed: timers and counts held for it are released. */
    void closed();

    IoSession session();

    /** "address:port" of the listener and of the agent, as the hints name them. */
    static String describe(Object address) {
        if (address instanceof InetSocketAddress a) {
            String host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
        }
        return String.valueOf(address);
    }
}
