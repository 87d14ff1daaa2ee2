package io.fipsrelay.server.status;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.mina.core.buffer.IoBuffer;

/**
 * One answer of the status port: status, content type, body, extra header fields. Every answer
 * carries its length (so connections can be kept), is never cached (the figures are live) and is
 * never content-sniffed.
 */
public record StatusResponse(int status, String contentType, byte[] body, Map<String, String> headers) {

    public static final String JSON = "application/json";
    public static final String TEXT = "text/plain; charset=utf-8";

    public static StatusResponse of(int status, String contentType, byte[] body) {
        return new StatusResponse(status, contentType, body, Map.of());
    }

    public static StatusResponse text(int status, String text) {
        return of(status, TEXT, (text + "\n").getBytes(StandardCharsets.UTF_8));
    }

    public StatusResponse withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new StatusResponse(status, contentType, body, Map.copyOf(more));
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** The bytes on the wire: the body is left out for HEAD, Connection: close when the exchange ends the connection. */
    IoBuffer toWire(boolean includeBody, boolean close) {
        StringBuilder head = new StringBuilder(256)
                .append("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n")
                .append("Content-Type: ").append(contentType).append("\r\n")
                .append("Content-Length: ").append(body.length).append("\r\n")
                .append("Cache-Control: no-store\r\n")
                .append("X-Content-Type-Options: nosniff\r\n");
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        if (close) {
            head.append("Connection: close\r\n");
        }
        head.append("\r\n");
        byte[] headBytes = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        IoBuffer buf = IoBuffer.allocate(headBytes.length + (includeBody ? body.length : 0));
        buf.put(headBytes);
        if (includeBody) {
            buf.put(body);
        }
        return buf.flip();
    }

    static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 413 -> "Content Too Large";
            case 414 -> "URI Too Long";
            case 431 -> "Request Header Fields Too Large";
            case 500 -> "Internal Server Error";
            case 503 -> "Service Unavailable";
            case 505 -> "HTTP Version Not Supported";
            default -> "Status " + status;
        };
    }
}
