package io.fipsrelay.bench;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;

/**
 * The cheapest HTTPS intake that keeps connections alive: reads a request head and its
 * Content-Length body, throws the body away, answers {@code 202 {}}. One thread per connection.
 * Unlike the testkit's RecordingIntake it records nothing, so a benchmark can push gigabytes
 * through it without filling the heap. Bound to 127.0.0.1 only.
 */
final class LoopbackIntake implements AutoCloseable {

    private static final byte[] ANSWER = ("HTTP/1.1 202 Accepted\r\n"
            + "Content-Type: application/json\r\n"
            + "Content-Length: 2\r\n"
            + "\r\n{}").getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_HEAD = 64 * 1024;

    private final ServerSocket server;
    private final Thread acceptor;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong connections = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong bodyBytes = new AtomicLong();
    private volatile boolean closed;

    LoopbackIntake(SSLContext tls) throws IOException {
        this.server = tls.getServerSocketFactory().createServerSocket(0, 256, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::acceptLoop, "intake-accept-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    /** TLS connections accepted so far: with keep-alive reuse this stays near the relay's pool size. */
    long connections() {
        return connections.get();
    }

    long requests() {
        return requests.get();
    }

    long bodyBytes() {
        return bodyBytes.get();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket s = server.accept();
                s.setTcpNoDelay(true);
                connections.incrementAndGet();
                open.add(s);
                Thread t = new Thread(() -> serve(s), "intake-conn-" + s.getPort());
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (!closed) {
                    System.err.println("[intake] accept failed: " + e);
                }
            }
        }
    }

    private void serve(Socket s) {
        byte[] scratch = new byte[64 * 1024];
        try (s) {
            InputStream in = new BufferedInputStream(s.getInputStream(), 64 * 1024);
            OutputStream out = s.getOutputStream();
            while (!closed) {
                String head = readHead(in);
                if (head == null) {
                    return;
                }
                long length = contentLength(head);
                long left = length;
                while (left > 0) {
                    int n = in.read(scratch, 0, (int) Math.min(scratch.length, left));
                    if (n < 0) {
                        throw new EOFException("body ended after " + (length - left) + " of " + length + " bytes");
                    }
                    left -= n;
                }
                requests.incrementAndGet();
                bodyBytes.addAndGet(length);
                out.write(ANSWER);
                out.flush();
            }
        } catch (SocketException | EOFException e) {
            // The relay closed an idle upstream connection, or the benchmark is stopping.
        } catch (IOException e) {
            if (!closed) {
                System.err.println("[intake] connection failed: " + e);
            }
        } finally {
            open.remove(s);
        }
    }

    /** The head up to CRLF CRLF as ISO-8859-1 text, or null at a clean end of stream. */
    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder(1024);
        int state = 0;
        while (state < 4) {
            int b = in.read();
            if (b < 0) {
                if (head.length() == 0) {
                    return null;
                }
                throw new EOFException("head cut off");
            }
            head.append((char) b);
            if (head.length() > MAX_HEAD) {
                throw new IOException("head too large");
            }
            state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
        }
        return head.toString();
    }

    private static long contentLength(String head) throws IOException {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            if (name.equals("transfer-encoding")) {
                throw new IOException("chunked request bodies are not supported by the loopback intake");
            }
            if (name.equals("content-length")) {
                return Long.parseLong(line.substring(colon + 1).trim());
            }
        }
        return 0;
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
