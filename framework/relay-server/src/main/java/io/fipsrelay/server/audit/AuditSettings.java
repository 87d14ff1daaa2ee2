package io.fipsrelay.server.audit;

import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code fips-relay.audit}: where audit records go and which ones are written.
 *
 * @param file the JSON-lines file (already resolved against the install folder), empty for stdout or none
 * @param stdout whether records go to standard output instead of a file
 * @param maxFileSize bytes after which the file is rotated
 * @param maxHistory rotated files kept (1..20, logback's fixed window)
 * @param sessions one record per upstream TLS session (open, close, failed)
 * @param requests one record per relayed exchange
 * @param queueSize records waiting to be written, at most; beyond, records are dropped and counted
 */
public record AuditSettings(Optional<Path> file, boolean stdout, long maxFileSize, int maxHistory, boolean sessions,
                            boolean requests, int queueSize) {

    /** No audit records at all. */
    public static AuditSettings off() {
        return new AuditSettings(Optional.empty(), false, 0, 1, false, false, 1);
    }

    public boolean enabled() {
        return (file.isPresent() || stdout) && (sessions || requests);
    }

    /** Where records go, in an operator's words. */
    public String destination() {
        return stdout ? "stdout" : file.map(Path::toString).orElse("none");
    }
}
