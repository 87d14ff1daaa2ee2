package io.fipsrelay.core.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.mina.core.service.IoHandlerAdapter;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.transport.socket.nio.NioSocketAcceptor;
import org.apache.mina.transport.socket.nio.NioSocketConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The I/O threads: a session's worker runs the tasks and timers given to it on its own thread, and
 * a connector session told its worker lives on it, beside the accepted session that asked.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RelayWorkerTest {

    private final RelayWorkers workers = new RelayWorkers(2);
    private final NioSocketAcceptor acceptor = new NioSocketAcceptor(workers);
    private final NioSocketConnector connector = new NioSocketConnector(workers);

    @AfterEach
    void stop() {
        connector.dispose(true);
        acceptor.dispose(true);
        workers.dispose();
    }

    @Test
    void an_upstream_session_opened_for_an_accepted_one_shares_its_thread() throws Exception {
        AtomicReference<Thread> acceptedOn = new AtomicReference<>();
        AtomicReference<Thread> upstreamOn = new AtomicReference<>();
        AtomicReference<RelayWorker> acceptedWorker = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        connector.setHandler(new IoHandlerAdapter() {
            @Override
            public void sessionOpened(IoSession session) {
                upstreamOn.set(Thread.currentThread());
                done.countDown();
            }
        });
        acceptor.setHandler(new IoHandlerAdapter() {
            @Override
            public void sessionOpened(IoSession session) {
                if (acceptedWorker.get() != null) {
                    return; // the connector's own connection arriving here
                }
                acceptedOn.set(Thread.currentThread());
                RelayWorker w = RelayWorkers.of(session);
                acceptedWorker.set(w);
                connector.connect((InetSocketAddress) session.getLocalAddress(),
                        (s, f) -> s.setAttribute(RelayWorkers.WORKER, w));
            }
        });
        acceptor.bind(new InetSocketAddress("127.0.0.1", 0));
        // Several agents, so that both workers get one: each one's upstream follows it.
        try (java.net.Socket agent = new java.net.Socket("127.0.0.1", acceptor.getLocalAddress().getPort())) {
            assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(upstreamOn.get()).isSameAs(acceptedOn.get());
        }
    }

    @Test
    void tasks_from_other_threads_and_timers_run_on_the_worker_thread_in_deadline_order() throws Exception {
        AtomicReference<RelayWorker> worker = new AtomicReference<>();
        AtomicReference<Thread> ioThread = new AtomicReference<>();
        CountDownLatch opened = new CountDownLatch(1);
        acceptor.setHandler(new IoHandlerAdapter() {
            @Override
            public void sessionOpened(IoSession session) {
                worker.set(RelayWorkers.of(session));
                ioThread.set(Thread.currentThread());
                opened.countDown();
            }
        });
        acceptor.bind(new InetSocketAddress("127.0.0.1", 0));
        try (java.net.Socket agent = new java.net.Socket("127.0.0.1", acceptor.getLocalAddress().getPort())) {
            assertThat(opened.await(10, TimeUnit.SECONDS)).isTrue();
            List<String> ran = new CopyOnWriteArrayList<>();
            List<Thread> threads = new CopyOnWriteArrayList<>();
            CountDownLatch all = new CountDownLatch(3);
            worker.get().execute(() -> {
                threads.add(Thread.currentThread());
                worker.get().schedule(TimeUnit.MILLISECONDS.toNanos(200), () -> {
                    ran.add("late");
                    threads.add(Thread.currentThread());
                    all.countDown();
                });
                RelayWorker.Timeout cancelled = worker.get().schedule(TimeUnit.MILLISECONDS.toNanos(50), () -> ran.add("cancelled"));
                worker.get().schedule(TimeUnit.MILLISECONDS.toNanos(100), () -> {
                    ran.add("early");
                    threads.add(Thread.currentThread());
                    all.countDown();
                });
                cancelled.cancel();
                all.countDown();
            });
            assertThat(all.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(ran).containsExactly("early", "late");
            assertThat(threads).allMatch(t -> t == ioThread.get());
        }
    }
}
