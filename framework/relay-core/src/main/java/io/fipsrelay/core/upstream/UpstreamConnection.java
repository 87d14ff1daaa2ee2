package io.fipsrelay.core.upstream;

import io.fipsrelay.core.relay.RelayWorker;
import io.fipsrelay.core.relay.RelayWorkers;
import io.fipsrelay.core.settings.HostAndPort;
import io.fipsrelay.core.settings.ProxyEndpoint;
import io.fipsrelay.core.tls.TlsEngineDriver;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import javax.net.ssl.SSLException;
import org.apache.mina.core.session.IoSession;

/**
 * One TLS connection to one intake address, living on one I/O thread (the worker it was opened
 * for): used by one exchange at a time and idle in that worker's pool in between. Every method is
 * called on that thread.
 */
public final class UpstreamConnection {

    private final IoSession session;
    private final TlsEngineDriver tls;
    private final HostAndPort server;
    private final InetSocketAddress address;
    /** Until the handshake completes: who is told how the attempt ended. */
    private ConnectAttempt attempt;
    private UpstreamListener listener;
    private String closeCause;
    long idleSinceNanos;
    /** The address's fall count when this connection was opened (see {@link AddressHealth#falls()}). */
    int fallsAtOpen;
    private int requestsServed;
    private AddressHealth health;
    private String failure;
    /** The egress proxy this connection tunnels through ({@code address} is then the proxy's), or null. */
    private final ProxyEndpoint proxy;

    UpstreamConnection(IoSession session, TlsEngineDriver tls, HostAndPort server, InetSocketAddress address,
                       ConnectAttempt attempt, ProxyEndpoint proxy) {
        this.proxy = proxy;
        this.session = session;
        this.tls = tls;
        this.server = server;
        this.address = address;
        this.attempt = attempt;
    }

    /** Encrypts and queues bytes for the intake. */
    public void write(ByteBuffer plaintext) throws SSLException {
        tls.send(plaintext);
    }

    /** Bytes queued towards the intake and not yet on the socket (encrypted size). */
    public long queuedBytes() {
        return session.getScheduledWriteBytes();
    }

    public void attach(UpstreamListener l) {
        this.listener = l;
        requestsServed++;
    }

    public void detach() {
        this.listener = null;
    }

    UpstreamListener listener() {
        return listener;
    }

    public void suspendReading() {
        session.suspendRead();
    }

    public void resumeReading() {
        session.resumeRead();
    }

    public boolean isOpen() {
        return session.isConnected() && !session.isClosing() && closeCause == null;
    }

    /** Closes with close_notify; the cause is what an exchange still attached will be told. */
    public void close(String cause) {
        if (closeCause == null) {
            closeCause = cause;
        }
        if (session.isConnected() && !session.isClosing() && tls.handshakeFinished()) {
            tls.closeOutbound();
            session.closeOnFlush();
        } else {
            session.closeNow();
        }
    }

    /** {@link #close} from a thread other than the connection's worker (health checks): done on the worker. */
    public void closeFromElsewhere(String cause) {
        RelayWorker w = RelayWorkers.of(session);
        if (w != null && !w.inWorkerThread()) {
            w.execute(() -> close(cause));
        } else {
            close(cause);
        }
    }

    String closeCause() {
        return closeCause;
    }

    void noteCause(String cause) {
        if (closeCause == null) {
            closeCause = cause;
        }
    }

    /** The attempt still waiting for the handshake, taken at most once. */
    ConnectAttempt takeAttempt() {
        ConnectAttempt a = attempt;
        attempt = null;
        return a;
    }

    boolean handshaking() {
        return attempt != null;
    }

    TlsEngineDriver tls() {
        return tls;
    }

    IoSession session() {
        return session;
    }

    public HostAndPort server() {
        return server;
    }

    public InetSocketAddress address() {
        return address;
    }

    /** Exchanges this connection has carried, the current one included: above 1 it came from the pool. */
    public int requestsServed() {
        return requestsServed;
    }

    void health(AddressHealth h) {
        this.health = h;
        this.fallsAtOpen = h.falls();
    }

    AddressHealth health() {
        return health;
    }

    /** Marks an abnormal end (reset, TLS error): the address takes it as a failed check. */
    void failed(String cause) {
        if (failure == null) {
            failure = cause;
        }
        noteCause(cause);
    }

    /** Why the connection failed abnormally, null when it did not. */
    public String failure() {
        return failure;
    }

    public String protocol() {
        return tls.engine().getSession().getProtocol();
    }

    public String cipherSuite() {
        return tls.engine().getSession().getCipherSuite();
    }

    /** Whether this connection is a CONNECT tunnel through the egress proxy. */
    public boolean viaProxy() {
        return proxy != null;
    }

    /** "ip:port" ("[v6]:port") as the audit records write addresses. */
    public static String hostPort(InetSocketAddress address) {
        return SessionChecks.hostPort(address);
    }

    /** "host (ip:port)", or "host via proxy http://user:***@proxy:port (ip:port)", for error causes and logs. */
    public String describe() {
        return describe(server, address, proxy);
    }

    static String describe(HostAndPort server, InetSocketAddress address, ProxyEndpoint proxy) {
        return server.host() + (proxy == null ? "" : " via proxy " + proxy)
                + " (" + address.getAddress().getHostAddress() + ":" + address.getPort() + ")";
    }
}
