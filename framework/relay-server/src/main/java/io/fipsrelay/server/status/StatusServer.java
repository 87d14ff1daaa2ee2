package io.fipsrelay.server.status;

import java.io.IOException;
import java.net.InetSocketAddress;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.service.IoHandlerAdapter;
import org.apache.mina.core.session.AttributeKey;
import org.apache.mina.core.session.IdleStatus;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.transport.socket.nio.NioSocketAcceptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The status port's HTTP server: a MINA acceptor with one I/O thread of its own, so that a slow
 * scrape or a page render never shares a thread with relayed traffic. Pages are rendered on that
 * thread; they take milliseconds and there is one operator, not a crowd.
 */
public final class StatusServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StatusServer.class);
    private static final AttributeKey CONNECTION = new AttributeKey(StatusServer.class, "connection");
    /** Browsers keep idle connections for minutes; the relay drops them sooner. */
    private static final int IDLE_SECONDS = 30;

    private final NioSocketAcceptor acceptor = new NioSocketAcceptor(1);
    private volatile InetSocketAddress bound;

    public StatusServer(StatusRouter router) {
        acceptor.setReuseAddress(true);
        acceptor.getSessionConfig().setTcpNoDelay(true);
        acceptor.getSessionConfig().setIdleTime(IdleStatus.BOTH_IDLE, IDLE_SECONDS);
        acceptor.setHandler(new IoHandlerAdapter() {
            @Override
            public void sessionCreated(IoSession session) {
                session.setAttribute(CONNECTION, new StatusConnection(session, router));
            }

            @Override
            public void messageReceived(IoSession session, Object message) {
                ((StatusConnection) session.getAttribute(CONNECTION)).received((IoBuffer) message);
            }

            @Override
            public void sessionIdle(IoSession session, IdleStatus status) {
                session.closeNow();
            }

            @Override
            public void exceptionCaught(IoSession session, Throwable cause) {
                LOG.debug("status connection {} failed: {}", session.getRemoteAddress(), cause.toString());
                session.closeNow();
            }
        });
    }

    /** Binds the port; the server answers from then on. */
    public InetSocketAddress bind(String address, int port) throws IOException {
        acceptor.bind(new InetSocketAddress(address, port));
        bound = acceptor.getLocalAddress();
        return bound;
    }

    public InetSocketAddress boundAddress() {
        return bound;
    }

    @Override
    public void close() {
        acceptor.unbind();
        acceptor.dispose(true);
    }
}
