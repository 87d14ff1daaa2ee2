package io.fipsrelay.testkit;

import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds an intake's current {@link Fault} and carries out its connection-level part: the listening
 * port (closed for REFUSE and the down half of FLAP), idle keep-alive connections (closed when the
 * intake goes down or turns to TLS_FAILURE) and the FLAP timer. Request-level faults are read with
 * {@link #current()} by the connection threads. Thread-safe.
 */
final class FaultSwitch implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FaultSwitch.class);

    private final IntakeListener listener;
    private final IdleConnections idle;
    private volatile Fault fault = Fault.NONE;
    private ScheduledExecutorService timer; // created on the first FLAP; guarded by this
    private ScheduledFuture<?> flapping; // guarded by this
    private long generation; // bumped by every set(), so a stale FLAP tick does nothing; guarded by this
    private boolean closed; // guarded by this

    FaultSwitch(IntakeListener listener, IdleConnections idle) {
        this.listener = Objects.requireNonNull(listener, "listener");
        this.idle = Objects.requireNonNull(idle, "idle");
    }

    synchronized void set(Fault next) {
        Objects.requireNonNull(next, "fault");
        if (closed) {
            return;
        }
        stopFlapping();
        generation++;
        fault = next;
        switch (next.mode()) {
            case REFUSE:
                goDown();
                break;
            case FLAP:
                listener.open();
                startFlapping(next);
                break;
            case TLS_FAILURE:
                listener.open();
                idle.closeAll(); // so clients with pooled connections must handshake again
                break;
            default:
                listener.open();
                break;
        }
        LOG.debug("intake port {} fault {}", listener.port(), next);
    }

    Fault current() {
        return fault;
    }

    /** True while the port accepts TCP connections. */
    boolean isUp() {
        return listener.isOpen();
    }

    /** False once a connection should be closed after its current exchange (the intake went down or fails TLS). */
    boolean allowsKeepAlive() {
        return fault.mode() != Fault.Mode.TLS_FAILURE && listener.isOpen();
    }

    @Override
    public synchronized void close() {
        closed = true;
        stopFlapping();
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    private void goDown() {
        listener.refuse(); // first, so connections that turn idle afterwards see allowsKeepAlive() false
        idle.closeAll();
    }

    private void startFlapping(Fault flap) {
        if (timer == null) {
            timer = Executors.newSingleThreadScheduledExecutor(task -> {
                Thread thread = new Thread(task, "intake-" + listener.port() + "-flap");
                thread.setDaemon(true);
                return thread;
            });
        }
        long period = flap.flapPeriod().toNanos();
        long flapGeneration = generation;
        flapping = timer.scheduleAtFixedRate(() -> flip(flapGeneration), period, period, TimeUnit.NANOSECONDS);
    }

    private synchronized void flip(long flapGeneration) {
        if (closed || generation != flapGeneration) {
            return; // a tick that raced with set(): the fault changed meanwhile
        }
        if (listener.isOpen()) {
            goDown();
        } else {
            listener.open();
        }
        LOG.debug("intake port {} flapped {}", listener.port(), listener.isOpen() ? "up" : "down");
    }

    private void stopFlapping() {
        if (flapping != null) {
            flapping.cancel(false);
            flapping = null;
        }
    }
}
