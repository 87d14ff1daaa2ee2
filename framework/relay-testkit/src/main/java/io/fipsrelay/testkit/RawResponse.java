package io.fipsrelay.testkit;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** A response as {@link RawHttpClient} read it off the wire. Immutable. */
public final class RawResponse {

    private final String protocol;
    private final int status;
    private final String reason;
    private final List<HttpHeader> headers;
    private final List<HttpHeader> trailers;
    private final byte[] body;
    private final boolean chunked;

    RawResponse(String protocol, int status, String reason, List<HttpHeader> headers, List<HttpHeader> trailers,
            byte[] body, boolean chunked) {
        this.protocol = protocol;
        this.status = status;
        this.reason = reason;
        this.headers = List.copyOf(headers);
        this.trailers = List.copyOf(trailers);
        this.body = body;
        this.chunked = chunked;
    }

    /** e.g. "HTTP/1.1". */
    public String protocol() {
        return protocol;
    }

    public int status() {
        return status;
    }

    public String reason() {
        return reason;
    }

    /** Header fields in wire order. */
    public List<HttpHeader> headers() {
        return headers;
    }

    /** First value of a header (case-insensitive name), or null. */
    public String header(String name) {
        return HttpHeader.first(headers, name);
    }

    public List<String> headers(String name) {
        return HttpHeader.all(headers, name);
    }

    public List<HttpHeader> trailers() {
        return trailers;
    }

    /** Whether the body came chunked (it is returned de-chunked). */
    public boolean chunked() {
        return chunked;
    }

    public byte[] body() {
        return body.clone();
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return protocol + " " + status + " " + reason + " " + headers + " (" + body.length + " body bytes)";
    }
}
