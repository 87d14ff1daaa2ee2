package io.fipsrelay.core.upstream;

import io.fipsrelay.core.settings.HostAndPort;
import io.fipsrelay.core.settings.ProxyEndpoint;
import io.fipsrelay.core.tls.TlsEngineDriver;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLException;
import org.apache.mina.core.session.IoSession;

/** One TLS connection to one intake address; used by one exchange at a time, pooled in between. */
public final class UpstreamConnection {

    private final IoSession session;
    private final TlsEngineDriver tls;
    private final HostAndPort server;
    private final InetSocketAddress address;
    final CompletableFuture<UpstreamConnection> ready = new CompletableFuture<>();
    private volatile UpstreamListener listener;
    private volatile String closeCause;
    volatile long idleSinceNanos;
    private volatile int requestsServed;
    private volatile AddressHealth health;
    private volatile String failure;
    private final ProxyEndpoint proxy;

    /** @param proxy the egress proxy this connection tunnels through (address is then the proxy's), or null */
    UpstreamConnection(IoSession session, TlsEngineDriver tls, HostAndPort server, InetSocketAddress address,
                       ProxyEndpoint proxy) {
        this.proxy = proxy;
        this.session = session;
        this.tls = tls;
        this.server = server;
        this.address = address;
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

    String closeCause() {
        return closeCause;
    }

    void noteCause(String cause) {
        if (closeCause == null) {
            closeCause = cause;
        }
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

    /** "host (ip:port)", or "host via proxy http://user:***@proxy:port (ip:port)", for error causes and logs. */
    public String describe() {
        return server.host() + (proxy == null ? "" : " via proxy " + proxy)
                + " (" + address.getAddress().getHostAddress() + ":" + address.getPort() + ")";
    }
}
