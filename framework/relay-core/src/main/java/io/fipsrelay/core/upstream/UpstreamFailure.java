package io.fipsrelay.core.upstream;

/**
 * Why an exchange with an intake failed, as the agent will be told: the HTTP status (502, 503 or
 * 504), a short metric-safe kind, and a cause naming the address and the real failure.
 */
public final class UpstreamFailure extends Exception {
    private final int status;
    private final String kind;
    private final java.net.InetSocketAddress address;
    /** For a refusal by the revocation check: the intake's chain and the check's result (audit records). */
    private java.util.List<java.security.cert.X509Certificate> peerChain;
    private String revocation;

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
        return address != null && (kind.equals("connect") || kind.equals("tls") || kind.equals("revoked"));
    }

    /** This failure, carrying the certificate chain and revocation result that caused it. */
    public UpstreamFailure withRevocation(java.util.List<java.security.cert.X509Certificate> chain, String result) {
        this.peerChain = chain == null ? null : java.util.List.copyOf(chain);
        this.revocation = result;
        return this;
    }

    /** The intake's certificates when a revocation check refused them, else null. */
    public java.util.List<java.security.cert.X509Certificate> peerChain() {
        return peerChain;
    }

    /** The revocation result that refused the connection, else null. */
    public String revocation() {
        return revocation;
    }

    public int status() {
        return status;
    }

    /** dns, connect, tls, revoked, timeout, protocol, closed, no-server. */
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
