package io.fipsrelay.core.relay;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.mina.core.service.IoProcessor;
import org.apache.mina.core.session.AttributeKey;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.core.write.WriteRequest;
import org.apache.mina.transport.socket.nio.NioSession;

/**
 * The relay's I/O threads as one MINA processor for the acceptor and the connector. Where MINA's
 * {@code SimpleIoProcessorPool} places a session by its id, this places an accepted agent
 * connection on the next worker in turn and an upstream connection on the worker named by its
 * {@link #WORKER} attribute, set by the connector's session initializer before the session is
 * added: the agent's own worker, so the pair shares one thread.
 */
public final class RelayWorkers implements IoProcessor<NioSession> {

    /** The worker a session lives on; set before {@link #add} to choose it. */
    public static final AttributeKey WORKER = new AttributeKey(RelayWorkers.class, "worker");

    private final RelayWorker[] workers;
    private final ExecutorService threads;
    private final AtomicInteger turn = new AtomicInteger();
    private volatile boolean disposing;

    public RelayWorkers(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("at least one I/O thread is needed, not " + count);
        }
        AtomicInteger n = new AtomicInteger();
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fips-relay-io-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.workers = new RelayWorker[count];
        for (int i = 0; i < count; i++) {
            workers[i] = new RelayWorker(threads, i);
        }
    }

    public int size() {
        return workers.length;
    }

    public RelayWorker get(int index) {
        return workers[index];
    }

    /** The worker a session lives on (null before it was added). */
    public static RelayWorker of(IoSession session) {
        return (RelayWorker) session.getAttribute(WORKER);
    }

    /** The next worker in turn, for work that has no agent connection behind it (health checks). */
    public RelayWorker next() {
        return workers[Math.floorMod(turn.getAndIncrement(), workers.length)];
    }

    private RelayWorker worker(NioSession session) {
        RelayWorker w = of(session);
        if (w == null) {
            w = next();
            session.setAttribute(WORKER, w);
        }
        return w;
    }

    @Override
    public void add(NioSession session) {
        worker(session).add(session);
    }

    @Override
    public void flush(NioSession session) {
        worker(session).flush(session);
    }

    @Override
    public void write(NioSession session, WriteRequest writeRequest) {
        worker(session).write(session, writeRequest);
    }

    @Override
    public void remove(NioSession session) {
        worker(session).remove(session);
    }

    @Override
    public void updateTrafficControl(NioSession session) {
        worker(session).updateTrafficControl(session);
    }

    @Override
    public boolean isDisposing() {
        return disposing;
    }

    @Override
    public boolean isDisposed() {
        for (RelayWorker w : workers) {
            if (!w.isDisposed()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void dispose() {
        disposing = true;
        for (RelayWorker w : workers) {
            w.dispose();
        }
        threads.shutdown();
    }
}
