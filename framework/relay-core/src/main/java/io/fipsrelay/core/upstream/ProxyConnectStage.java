package io.fipsrelay.core.upstream;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.session.IoSession;

/**
 * The tunnel step of a new upstream connection that goes through the egress proxy, on its MINA
 * session: when the TCP connection to the proxy opens ({@link #start}) the CONNECT is written and
 * the answer deadline armed; what the proxy sends is fed to the {@link ProxyTunnel} until it says
 * established or failed. Only then does the connector start the FIPS TLS handshake with the intake
 * (on {@link Outcome#tunnelEstablished()}); nothing else is written before.
 *
 * <p>The connector's hooks: {@code sessionOpened} -> {@link #start}, {@code messageReceived} ->
 * {@link #received} while {@link #isOpen()} is false, {@code sessionClosed} -> {@link #closed}.
 * Entered from the I/O thread and the timer; serialised on this object (once per new connection,
 * never per request).
 */
public final class ProxyConnectStage {

    /** Where the stage reports, exactly once. */
    public interface Outcome {
        /** The tunnel is up: begin the TLS handshake with the intake on the same session. */
        void tunnelEstablished();

        /** The tunnel could not be opened; the session is being closed. */
        void tunnelFailed(UpstreamFailure failure);
    }

    private final ProxyTunnel tunnel;
    private final IoSession session;
    private final Outcome outcome;
    private ScheduledFuture<?> deadline;
    private boolean reported;
    private boolean open;

    public ProxyConnectStage(ProxyTunnel tunnel, IoSession session, Outcome outcome) {
        this.tunnel = tunnel;
        this.session = session;
        this.outcome = outcome;
    }

    /** Writes the CONNECT and gives the proxy {@code answerTimeout} to answer it (else 504). */
    public synchronized void start(ScheduledExecutorService timer, Duration answerTimeout) {
        session.write(IoBuffer.wrap(tunnel.connectRequest()));
        deadline = timer.schedule(() -> timedOut(answerTimeout), answerTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Bytes from the proxy before the tunnel is open. */
    public synchronized void received(IoBuffer in) {
        if (reported) {
            return;
        }
        ProxyTunnel.Result r = tunnel.feed(in.buf());
        switch (r.state()) {
            case NEED_MORE -> {
            }
            case ESTABLISHED -> {
                open = true;
                report();
                outcome.tunnelEstablished();
            }
            case FAILED -> fail(r.failure());
        }
    }

    /** The session closed: before the answer, that is the proxy hanging up. */
    public synchronized void closed() {
        if (!reported) {
            fail(tunnel.closedBeforeAnswer());
        }
    }

    /** Whether the tunnel is established and the session now carries TLS to the intake. */
    public synchronized boolean isOpen() {
        return open;
    }

    private synchronized void timedOut(Duration waited) {
        if (!reported) {
            fail(tunnel.timedOut(waited));
        }
    }

    private void fail(UpstreamFailure failure) {
        report();
        outcome.tunnelFailed(failure);
        session.closeNow();
    }

    private void report() {
        reported = true;
        if (deadline != null) {
            deadline.cancel(false);
        }
    }
}
