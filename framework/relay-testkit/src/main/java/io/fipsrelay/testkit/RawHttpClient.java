package io.fipsrelay.testkit;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PushbackInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A tiny blocking HTTP/1.1 client that writes exactly the bytes it is given, for talking to the
 * relay's plain-HTTP side in ways a real client would not (odd framing, pipelining, half requests).
 */
public final class RawHttpClient implements AutoCloseable {

    static final int READ_TIMEOUT_MILLIS = 30_000;

    private final Socket socket;
    private final PushbackInputStream in;
    private final OutputStream out;

    private RawHttpClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new PushbackInputStream(new BufferedInputStream(socket.getInputStream(), 16 * 1024), 1);
        this.out = socket.getOutputStream();
    }

    /** Connects to 127.0.0.1:{@code port} with a 30 s read timeout. */
    public static RawHttpClient connect(int port) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), READ_TIMEOUT_MILLIS);
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            socket.setTcpNoDelay(true);
            return new RawHttpClient(socket);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** Wraps an already connected socket, e.g. an {@code SSLSocket} to a TLS server. */
    public static RawHttpClient over(Socket socket) throws IOException {
        return new RawHttpClient(socket);
    }

    /** One request, one response, connection closed: for single-shot checks. Interim 1xx responses are skipped. */
    public static RawResponse exchange(int port, String rawRequest) throws IOException {
        try (RawHttpClient client = connect(port)) {
            client.send(rawRequest);
            boolean head = rawRequest.startsWith("HEAD ");
            RawResponse response = client.readResponse(head);
            while (response.status() >= 100 && response.status() < 200) {
                response = client.readResponse(head);
            }
            return response;
        }
    }

    public Socket socket() {
        return socket;
    }

    public RawHttpClient send(byte[] raw) throws IOException {
        out.write(raw);
        out.flush();
        return this;
    }

    /** Sends the text as ISO-8859-1 bytes, exactly (write the CRLFs yourself). */
    public RawHttpClient send(String raw) throws IOException {
        return send(raw.getBytes(StandardCharsets.ISO_8859_1));
    }

    /**
     * Writes a well-formed POST with {@code Host: localhost:<port>} (unless given) and
     * Content-Length (unless given), leaving the connection open for the response.
     */
    public RawHttpClient post(String path, Map<String, String> headers, byte[] body) throws IOException {
        StringBuilder head = new StringBuilder(256);
        head.append("POST ").append(path).append(" HTTP/1.1\r\n");
        boolean hasHost = headers.keySet().stream().anyMatch("Host"::equalsIgnoreCase);
        boolean hasLength = headers.keySet().stream().anyMatch("Content-Length"::equalsIgnoreCase);
        if (!hasHost) {
            head.append("Host: localhost:").append(socket.getPort()).append("\r\n");
        }
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        if (!hasLength) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("\r\n");
        ByteArrayOutputStream request = new ByteArrayOutputStream(head.length() + body.length);
        request.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        request.writeBytes(body);
        return send(request.toByteArray());
    }

    /** Reads the next response (an interim 1xx is returned as such). */
    public RawResponse readResponse() throws IOException {
        return readResponse(false);
    }

    /** Reads the next response; {@code headRequest} says it answers a HEAD, so it has no body whatever its headers say. */
    public RawResponse readResponse(boolean headRequest) throws IOException {
        String statusLine = HttpWire.readLine(in);
        if (statusLine == null) {
            throw new SocketException("connection closed by peer before a response");
        }
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
            throw new IOException("not an HTTP status line: " + statusLine);
        }
        int status;
        try {
            status = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IOException("bad status code in: " + statusLine, e);
        }
        String reason = parts.length > 2 ? parts[2] : "";
        List<HttpHeader> headers = HttpWire.readHeaders(in);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        HttpWire.Sink sink = body::write;
        List<HttpHeader> trailers = List.of();
        boolean chunked = false;
        boolean noBody = headRequest || status < 200 || status == 204 || status == 304;
        if (!noBody) {
            if (HttpWire.isChunked(headers)) {
                chunked = true;
                trailers = HttpWire.readChunked(in, sink);
            } else {
                long length = HttpWire.contentLength(headers);
                if (length >= 0) {
                    HttpWire.copyExactly(in, length, sink);
                } else {
                    HttpWire.copyToEnd(in, sink);
                }
            }
        }
        return new RawResponse(parts[0], status, reason, headers, trailers, body.toByteArray(), chunked);
    }

    /**
     * True if the peer closes the connection (EOF or reset) within {@code wait}. Bytes that arrive
     * instead are kept for the next {@link #readResponse()} and the answer is false.
     */
    public boolean isClosedByPeer(Duration wait) throws IOException {
        int previous = socket.getSoTimeout();
        socket.setSoTimeout((int) Math.max(1, wait.toMillis()));
        try {
            int b = in.read();
            if (b < 0) {
                return true;
            }
            in.unread(b);
            return false;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true; // connection reset counts as closed
        } finally {
            if (!socket.isClosed()) {
                socket.setSoTimeout(previous);
            }
        }
    }

    /** Half-close: signals end of request bytes while still reading the response. */
    public void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
