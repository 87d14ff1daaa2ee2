package io.fipsrelay.core.relay;

import java.nio.ByteBuffer;
import org.apache.mina.core.buffer.IoBuffer;

/**
 * One socket read from an agent: a pooled buffer held by the connection's unread bytes and, while
 * the request may be sent again, by its replay buffer. It goes back to the pool when both are done
 * with it (rule: a pooled buffer has one owner at a time, here counted).
 */
final class AgentRead {

    private final IoBuffer io;
    final ByteBuffer bytes;
    private int holders = 1;

    AgentRead(IoBuffer io) {
        this.io = io;
        this.bytes = io.buf();
    }

    void retain() {
        holders++;
    }

    void release() {
        if (--holders == 0) {
            io.free();
        }
    }
}
