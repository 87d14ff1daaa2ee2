package io.fipsrelay.core.upstream;

import java.time.Duration;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.session.IoSession;

/**
 * The tunnel step of a new upstream connection that goes through the egress proxy, on its MINA
 * session: when the TCP connection to the proxy opens ({@link #start}) the CONNECT is written;
 * what the proxy sends is fed to the {@link ProxyTunnel} until it says established or failed.
 * Only then does the connector start the FIPS TLS handshake with the intake
 * ({@link Outcome#tunnelEstablished()}); nothing else is written before.
 *
 * <p>The connector's hooks: {@code sessionOpened} -> {@link #start}, {@code messageReceived} ->
 * {@link #received} while {@link #isOpen()} is false, {@code sessionClosed} -> {@link #closed},
 * and its answer deadline ({@code upstream.connect-timeout}) -> {@link #answerDeadlinePassed}.
 * Every call is made on the connection's I/O thread, like every other call on the connection.
 */
public final class ProxyConnectStage {

    /** Where the stage reports, exactly once, on the connection's I/O thread. */
    public interface Outcome {
        /** The tunnel is up: begin the TLS handshake with the intake on the same session. */
        void tunnelEstablished();

        /** The tunnel could not be opened; the session is being closed. */
        void tunnelFailed(UpstreamFailure failure);
    }

    private final ProxyTunnel tunnel;
    private final IoSession session;
    private final Outcome outcome;
    private boolean reported;
    private boolean open;

    public ProxyConnectStage(ProxyTunnel tunnel, IoSession session, Outcome outcome) {
        this.tunnel = tunnel;
        this.session = session;
        this.outcome = outcome;
    }

    /** Writes the CONNECT naming the intake. */
    public void start() {
        session.write(IoBuffer.wrap(tunnel.connectRequest()));
    }

    /** Bytes from the proxy before the tunnel is open (the caller frees the buffer). */
    public void received(IoBuffer in) {
        if (reported) {
            return;
        }
        ProxyTunnel.Result r = tunnel.feed(in.buf());
        switch (r.state()) {
            case NEED_MORE -> {
            }
            case ESTABLISHED -> {
                reported = true;
                open = true;
                outcome.tunnelEstablished();
            }
            case FAILED -> fail(r.failure());
        }
    }

    /** The session closed: before the answer, that is the proxy hanging up. */
    public void closed() {
        if (!reported) {
            fail(tunnel.closedBeforeAnswer());
        }
    }

    /** The proxy had {@code waited} to answer and did not: the agent gets 504. */
    public void answerDeadlinePassed(Duration waited) {
        if (!reported) {
            fail(tunnel.timedOut(waited));
        }
    }

    /** Whether the tunnel is established and the session now carries TLS to the intake. */
    public boolean isOpen() {
        return open;
    }

    private void fail(UpstreamFailure failure) {
        reported = true;
        outcome.tunnelFailed(failure);
        session.closeNow();
    }
}
