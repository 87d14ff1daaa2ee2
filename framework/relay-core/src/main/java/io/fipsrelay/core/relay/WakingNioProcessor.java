package io.fipsrelay.core.relay;

import java.util.concurrent.Executor;
import org.apache.mina.transport.socket.nio.NioProcessor;
import org.apache.mina.transport.socket.nio.NioSession;

/**
 * A MINA I/O processor whose read suspend/resume also works when called from another processor's
 * thread, as the relay does (the upstream side resumes the client side and the other way round).
 *
 * <p>MINA 2.2 changes the selection key's interest set from the calling thread and does not wake
 * the selector that owns it; measured here, a client session resumed from the upstream's thread
 * was never read again. This queues the change to the owning processor as well (MINA's own
 * {@code updateTrafficMask}), which re-applies it on its thread and wakes its selector.
 */
public final class WakingNioProcessor extends NioProcessor {

    private volatile Thread selectorThread;

    public WakingNioProcessor(Executor executor) {
        super(executor);
    }

    @Override
    protected int select(long timeout) throws Exception {
        selectorThread = Thread.currentThread();
        return super.select(timeout);
    }

    @Override
    public void updateTrafficControl(NioSession session) {
        super.updateTrafficControl(session);
        if (Thread.currentThread() != selectorThread) {
            updateTrafficMask(session);
        }
    }
}
