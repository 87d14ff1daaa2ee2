package io.fipsrelay.core.audit;

import java.time.Instant;

/**
 * One relayed exchange as the audit log records it. The path comes through {@link RedactedTarget},
 * so API keys the agent put in the query never reach a record; headers are not part of it at all.
 *
 * @param agentAddress the agent's address and port
 * @param path the request target with api-key query values replaced by ***
 * @param status the status the agent got (0 when the connection closed before any answer)
 * @param bytesIn request bytes from the agent (head and body)
 * @param bytesOut answer bytes to the agent (head and body)
 * @param upstreamAddress the intake address that answered (or was last tried), null when none was reached
 * @param attempts connection attempts it took (1 without retries)
 * @param error why it failed, in an operator's words, or null
 */
public record ExchangeRecord(Instant time, String product, String agentAddress, String method, String path, int status,
                             long bytesIn, long bytesOut, long durationMillis, String upstreamAddress, int attempts,
                             String error) {

    /** The record for an exchange; the target is redacted here. */
    public static ExchangeRecord of(String product, String agentAddress, String method, String target, int status,
                                    long bytesIn, long bytesOut, long durationMillis, String upstreamAddress, int attempts,
                                    String error) {
        return new ExchangeRecord(Instant.now(), product, agentAddress, method, RedactedTarget.of(target), status,
                bytesIn, bytesOut, durationMillis, upstreamAddress, attempts, error);
    }
}
