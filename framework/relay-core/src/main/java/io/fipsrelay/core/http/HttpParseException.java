package io.fipsrelay.core.http;

/** A message broke the HTTP policy: answer with {@link #status()} and close the connection. */
public final class HttpParseException extends Exception {
    private final int status;

    public HttpParseException(int status, String reason) {
        super(reason, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
