package io.fipsrelay.testkit;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The intake's TCP port on 127.0.0.1, which can be closed for real and opened again with the same number.
 *
 * <p>While refusing, the number is held by a socket that is bound but never listens: the kernel
 * answers a SYN for it with RST, so clients get a genuine "connection refused", and nothing else
 * (say, an outgoing connection picking an ephemeral port) can take the number meanwhile. Every
 * socket here sets SO_REUSEADDR, so binding again works while connections accepted earlier are
 * still open or in TIME_WAIT on that port.
 *
 * <p>Accepted sockets are plain TCP, handed to the callback on the accept thread.
 */
final class IntakeListener implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(IntakeListener.class);
    private static final int BACKLOG = 128;
    private static final long REBIND_TIMEOUT_MILLIS = 5_000;

    private final Consumer<Socket> onAccept;
    private final InetSocketAddress address;
    private ServerSocket server; // non-null while open; guarded by this
    private Socket placeholder; // non-null while refusing; guarded by this
    private Thread acceptor; // accepts on the current server; guarded by this
    private boolean closed; // guarded by this

    private IntakeListener(ServerSocket server, Consumer<Socket> onAccept) {
        this.server = server;
        this.onAccept = onAccept;
        this.address = new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
    }

    /** Listens on a free loopback port; connections queue in the backlog until {@link #open()}. */
    static IntakeListener bindFreePort(Consumer<Socket> onAccept) throws IOException {
        return new IntakeListener(listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)), onAccept);
    }

    int port() {
        return address.getPort();
    }

    /** Listens (again) on the port and accepts; a no-op if already accepting. */
    synchronized void open() {
        if (closed) {
            return;
        }
        if (server == null) {
            closeQuietly(placeholder);
            placeholder = null;
            server = rebind(() -> listen(address));
            LOG.debug("intake port {} open again", port());
        }
        if (acceptor == null) {
            ServerSocket current = server;
            acceptor = new Thread(() -> acceptLoop(current), "intake-" + port() + "-accept");
            acceptor.setDaemon(true);
            acceptor.start();
        }
    }

    /** Stops listening, so connection attempts are refused, but keeps the port number; a no-op if refusing. */
    synchronized void refuse() {
        if (closed || server == null) {
            return;
        }
        closeQuietly(server); // the acceptor's accept() fails and it ends
        server = null;
        acceptor = null;
        placeholder = rebind(this::holdPort);
        LOG.debug("intake port {} refusing connections", port());
    }

    /** True while the port listens. */
    synchronized boolean isOpen() {
        return server != null && !closed;
    }

    /** Frees the port for good. */
    @Override
    public void close() {
        Thread last;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            closeQuietly(server);
            closeQuietly(placeholder);
            last = acceptor;
        }
        if (last != null) {
            try {
                last.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void acceptLoop(ServerSocket listening) {
        while (true) {
            Socket socket;
            try {
                socket = listening.accept();
            } catch (IOException e) {
                if (!listening.isClosed()) {
                    LOG.warn("intake on port {} stopped accepting", port(), e);
                }
                return;
            }
            onAccept.accept(socket);
        }
    }

    private static ServerSocket listen(InetSocketAddress at) throws IOException {
        ServerSocket socket = new ServerSocket();
        try {
            socket.setReuseAddress(true);
            socket.bind(at, BACKLOG);
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    private Socket holdPort() throws IOException {
        Socket socket = new Socket();
        try {
            socket.setReuseAddress(true);
            socket.bind(address); // bind(2) only: no listen(2), so SYNs are answered with RST
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** Binds, retrying briefly: the port was ours a moment ago, so a conflict can only be a short race. */
    private <T> T rebind(Binder<T> binder) {
        long deadline = System.nanoTime() + REBIND_TIMEOUT_MILLIS * 1_000_000L;
        while (true) {
            try {
                return binder.bind();
            } catch (BindException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("intake cannot bind port " + port() + " again", e);
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while binding port " + port(), interrupted);
                }
            } catch (IOException e) {
                throw new IllegalStateException("intake cannot bind port " + port() + " again", e);
            }
        }
    }

    private static void closeQuietly(AutoCloseable socket) {
        if (socket == null) {
            return;
        }
        try {
            socket.close();
        } catch (Exception e) {
            // closing anyway
        }
    }

    @FunctionalInterface
    private interface Binder<T> {
        T bind() throws IOException;
    }
}
