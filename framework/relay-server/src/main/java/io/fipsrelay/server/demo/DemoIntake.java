package io.fipsrelay.server.demo;

import io.fipsrelay.core.fips.FipsBootstrap;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Collection;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stand-in intake for {@code run --demo}: a BCJSSE (FIPS) HTTPS server on 127.0.0.1 that reads
 * each request whole and answers like the real intakes (202 {} for posts), so the relay, its
 * metrics and the dashboard can be tried on a machine without internet. Not for production.
 */
public final class DemoIntake implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DemoIntake.class);

    private final SSLServerSocket server;
    private final ThrowawayPki pki;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "demo-intake");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong requests = new AtomicLong();

    private DemoIntake(SSLServerSocket server, ThrowawayPki pki) {
        this.server = server;
        this.pki = pki;
    }

    /** Starts with a certificate for every host the relay may send to. */
    public static DemoIntake start(Collection<String> hostNames) throws GeneralSecurityException, IOException {
        ThrowawayPki pki = ThrowawayPki.create(hostNames);
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX", FipsBootstrap.JSSE_PROVIDER);
        kmf.init(pki.serverKeys(), pki.password());
        SSLContext context = SSLContext.getInstance("TLS", FipsBootstrap.JSSE_PROVIDER);
        context.init(kmf.getKeyManagers(), null, java.security.SecureRandom.getInstance("DEFAULT", FipsBootstrap.FIPS_PROVIDER));
        SSLServerSocket socket = (SSLServerSocket) context.getServerSocketFactory()
                .createServerSocket(0, 64, InetAddress.getLoopbackAddress());
        DemoIntake intake = new DemoIntake(socket, pki);
        intake.threads.execute(intake::acceptLoop);
        LOG.warn("DEMO MODE: every product goes to a local stand-in intake on 127.0.0.1:{} (throwaway CA); nothing leaves this host",
                socket.getLocalPort());
        return intake;
    }

    public int port() {
        return server.getLocalPort();
    }

    public java.nio.file.Path writeCa(java.nio.file.Path file) throws IOException, GeneralSecurityException {
        return pki.writeCa(file);
    }

    public long requests() {
        return requests.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                threads.execute(() -> serve((SSLSocket) s));
            } catch (IOException e) {
                if (!server.isClosed()) {
                    LOG.debug("demo intake accept failed: {}", e.toString());
                }
            }
        }
    }

    private void serve(SSLSocket socket) {
        try (socket) {
            socket.setSoTimeout(60_000);
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            while (true) {
                String requestLine = line(in);
                if (requestLine == null) {
                    return;
                }
                long length = 0;
                boolean chunked = false;
                boolean close = false;
                String host = "";
                for (String h = line(in); h != null && !h.isEmpty(); h = line(in)) {
                    String lower = h.toLowerCase(Locale.ROOT);
                    if (lower.startsWith("content-length:")) {
                        length = Long.parseLong(h.substring(15).trim());
                    } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                        chunked = true;
                    } else if (lower.startsWith("connection:") && lower.contains("close")) {
                        close = true;
                    } else if (lower.startsWith("host:")) {
                        host = h.substring(5).trim();
                    }
                }
                long body = chunked ? skipChunked(in) : skip(in, length);
                requests.incrementAndGet();
                LOG.info("demo intake: {} ({} body bytes) for {}", requestLine, body, host);
                String method = requestLine.split(" ")[0];
                String answer = method.equals("HEAD") ? "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
                        : requestLine.contains("/api/v1/validate") ? json("200 OK", "{\"valid\":true}")
                        : json("202 Accepted", "{}");
                out.write(answer.getBytes(StandardCharsets.US_ASCII));
                out.flush();
                if (close) {
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("demo intake connection ended: {}", e.toString());
        }
    }

    private static String json(String status, String body) {
        return "HTTP/1.1 " + status + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
    }

    private static long skip(InputStream in, long n) throws IOException {
        long left = n;
        byte[] buf = new byte[16384];
        while (left > 0) {
            int r = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (r < 0) {
                throw new IOException("body cut short");
            }
            left -= r;
        }
        return n;
    }

    private static long skipChunked(InputStream in) throws IOException {
        long total = 0;
        while (true) {
            String size = line(in);
            if (size == null) {
                throw new IOException("chunked body cut short");
            }
            long n = Long.parseLong(size.split(";")[0].trim(), 16);
            if (n == 0) {
                for (String t = line(in); t != null && !t.isEmpty(); t = line(in)) {
                    // trailers are read and dropped
                }
                return total;
            }
            total += skip(in, n);
            line(in);
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                String s = b.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            b.write(c);
        }
        return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        threads.shutdownNow();
    }
}
