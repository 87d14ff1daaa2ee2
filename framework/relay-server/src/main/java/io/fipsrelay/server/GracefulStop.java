package io.fipsrelay.server;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Signals. SIGHUP reloads the configuration. SIGTERM/SIGINT: the first stops accepting and lets exchanges in flight finish for up to
 * {@code shutdown.drain-timeout}, then exits 0; a second one exits at once. The JDK's shutdown
 * hooks cannot tell a first signal from a second, hence the signal handler.
 */
final class GracefulStop {

    private static final Logger LOG = LoggerFactory.getLogger(GracefulStop.class);

    private final RelayServer server;
    private final CountDownLatch stopped;
    private final AtomicInteger signals = new AtomicInteger();
    private volatile boolean closed;

    GracefulStop(RelayServer server, CountDownLatch stopped) {
        this.server = server;
        this.stopped = stopped;
    }

    void installSignalHandlers() {
        Signal.handle(new Signal("TERM"), this::onSignal);
        Signal.handle(new Signal("INT"), this::onSignal);
        // SIGHUP: re-read the configuration (systemctl reload, fips-relay reload).
        Signal.handle(new Signal("HUP"), s -> new Thread(() -> {
            LOG.info("SIGHUP: reloading the configuration");
            server.reload();
        }, "fips-relay-reload").start());
    }

    private void onSignal(Signal signal) {
        if (signals.incrementAndGet() > 1) {
            LOG.warn("second SIG{}: exiting now", signal.getName());
            Runtime.getRuntime().halt(128 + signal.getNumber());
        }
        Thread drain = new Thread(() -> {
            LOG.info("SIG{}: draining for up to {}", signal.getName(), server.settings().shutdown().drainTimeout());
            try {
                server.engine().drain(server.settings().shutdown().drainTimeout());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            stopNow();
            System.exit(0);
        }, "fips-relay-drain");
        drain.start();
    }

    /** Closes everything at once (after a drain, or when the JVM exits for another reason). */
    synchronized void stopNow() {
        if (!closed) {
            closed = true;
            server.close();
            LOG.info("fips-relay stopped");
            stopped.countDown();
        }
    }
}
