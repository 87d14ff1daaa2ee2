package io.fipsrelay.core.audit;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the data path reports about upstream TLS sessions and relayed exchanges, for the audit log
 * and for whatever else follows them (negotiated-parameter evidence, certificate expiry gauges).
 *
 * <p>Called on the relay's I/O threads: an implementation must return at once (queue, count, set a
 * field) and never throw into the data path.
 */
public interface AuditTrail {

    /** Reports nothing. */
    AuditTrail NONE = new AuditTrail() {
    };

    /** An upstream TLS session completed its handshake (and revocation check) and is about to carry exchanges. */
    default void sessionOpened(SessionRecord session) {
    }

    /** An upstream TLS session that had opened was closed; the record carries bytes, duration and any error. */
    default void sessionClosed(SessionRecord session) {
    }

    /** An upstream connection attempt failed before it could carry an exchange (connect, handshake, revocation). */
    default void sessionFailed(SessionRecord session) {
    }

    /** One relayed exchange (request and answer, or the error the agent got) ended. */
    default void exchangeCompleted(ExchangeRecord exchange) {
    }

    /** Whether {@link #exchangeCompleted} does anything: the data path builds no record for nobody. */
    default boolean recordsExchanges() {
        return false;
    }

    /** Every one of these, in order; one that throws is logged and does not stop the others. */
    static AuditTrail fanOut(List<AuditTrail> trails) {
        List<AuditTrail> all = List.copyOf(trails);
        Logger log = LoggerFactory.getLogger(AuditTrail.class);
        return new AuditTrail() {
            @Override
            public void sessionOpened(SessionRecord session) {
                each(t -> t.sessionOpened(session));
            }

            @Override
            public void sessionClosed(SessionRecord session) {
                each(t -> t.sessionClosed(session));
            }

            @Override
            public void sessionFailed(SessionRecord session) {
                each(t -> t.sessionFailed(session));
            }

            @Override
            public void exchangeCompleted(ExchangeRecord exchange) {
                each(t -> t.exchangeCompleted(exchange));
            }

            @Override
            public boolean recordsExchanges() {
                return all.stream().anyMatch(AuditTrail::recordsExchanges);
            }

            private void each(java.util.function.Consumer<AuditTrail> call) {
                for (AuditTrail t : all) {
                    try {
                        call.accept(t);
                    } catch (RuntimeException e) {
                        log.warn("{} failed to take an audit event: {}", t.getClass().getSimpleName(), e.toString());
                    }
                }
            }
        };
    }
}
