package io.fipsrelay.core.relay;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.apache.mina.core.buffer.IoBuffer;

/**
 * The relay's own answers to the agent: a status and a JSON body naming the product, the upstream
 * and the cause, always with {@code Connection: close}. The agent retries on 5xx.
 */
final class ErrorAnswer {

    private ErrorAnswer() {
    }

    static IoBuffer of(int status, String product, String upstream, String cause) {
        return of(status, product, upstream, cause, Set.of());
    }

    /** {@code allowedMethods} makes the Allow field of a 405 (RFC 9110 15.5.6). */
    static IoBuffer of(int status, String product, String upstream, String cause, Set<String> allowedMethods) {
        String body = "{\"error\":" + json(reason(status).toLowerCase(java.util.Locale.ROOT))
                + ",\"product\":" + json(product)
                + ",\"upstream\":" + json(upstream)
                + ",\"cause\":" + json(cause) + "}\n";
        byte[] bodyBytes = body.getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + status + " " + reason(status) + "\r\n"
                + "Content-Type: application/json\r\n"
                + "Content-Length: " + bodyBytes.length + "\r\n"
                + (status == 405 ? "Allow: " + String.join(", ", allowedMethods) + "\r\n" : "")
                + "Connection: close\r\n\r\n";
        byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
        IoBuffer buf = IoBuffer.allocate(headBytes.length + bodyBytes.length);
        buf.put(headBytes).put(bodyBytes).flip();
        return buf;
    }

    static String reason(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 405 -> "Method Not Allowed";
            case 408 -> "Request Timeout";
            case 413 -> "Content Too Large";
            case 414 -> "URI Too Long";
            case 431 -> "Request Header Fields Too Large";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            case 505 -> "HTTP Version Not Supported";
            default -> "Error";
        };
    }

    /** JSON string literal; written by hand because it is the only JSON the core emits. */
    static String json(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
