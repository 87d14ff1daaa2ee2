package io.fipsrelay.core.upstream;

/**
 * Why an exchange with an intake failed, as the agent will be told: the HTTP status (502, 503 or
 * 504), a short metric-safe kind, and a cause naming the address and the real failure.
 */
public final class UpstreamFailure extends Exception {
    private final int status;
    private final String kind;
    private final java.net.InetSocketAddress address;

    public UpstreamFailure(int status, String kind, String cause) {
        this(status, kind, cause, null);
    }

    public UpstreamFailure(int status, String kind, String cause, java.net.InetSocketAddress address) {
        super(cause, null, false, false);
        this.status = status;
        this.kind = kind;
        this.address = address;
    }

    /** The intake address that failed, when the failure is one address's (connect, TLS). */
    public java.net.InetSocketAddress address() {
        return address;
    }

    /** Whether another address may succeed where this one failed (nothing was sent). */
    public boolean retryable() {
        return address != null && (kind.equals("connect") || kind.equals("tls"));
    }

    public int status() {
        return status;
    }

    /** dns, connect, tls, timeout, protocol, closed, no-server. */
    public String kind() {
        return kind;
    }

    /** Unwraps CompletableFuture wrappers to the failure, or describes an unexpected exception as a 502. */
    public static UpstreamFailure of(Throwable t) {
        Throwable e = t;
        while ((e instanceof java.util.concurrent.CompletionException || e instanceof java.util.concurrent.ExecutionException)
                && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof UpstreamFailure f) {
            return f;
        }
        return new UpstreamFailure(502, "internal", "relay error: " + describe(e));
    }

    /** A one-line description of an exception chain without repeating messages. */
    public static String describe(Throwable t) {
        StringBuilder sb = new StringBuilder();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (Throwable e = t; e != null && seen.size() < 5; e = e.getCause()) {
            String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            if (seen.add(m)) {
                if (sb.length() > 0) {
                    sb.append(": ");
                }
                sb.append(m);
            }
        }
        return sb.toString();
    }
}
