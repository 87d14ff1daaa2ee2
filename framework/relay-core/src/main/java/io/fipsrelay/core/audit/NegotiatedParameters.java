package io.fipsrelay.core.audit;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What was actually negotiated with the intakes since start, per product: protocol, cipher suite
 * and group, with how many sessions used each. The compliance report lists it (issue 13 section 4).
 */
public final class NegotiatedParameters implements AuditTrail {

    /** One combination and its session count. */
    public record Negotiated(String product, String protocol, String cipherSuite, String namedGroup, long sessions) {
    }

    private record Key(String product, String protocol, String cipherSuite, String namedGroup) {
    }

    private final Map<Key, LongAdder> counts = new ConcurrentHashMap<>();

    @Override
    public void sessionOpened(SessionRecord session) {
        counts.computeIfAbsent(new Key(session.product(), session.protocol(), session.cipherSuite(),
                session.namedGroup() == null ? "not reported by the TLS stack" : session.namedGroup()),
                k -> new LongAdder()).increment();
    }

    /** Every combination seen so far, by product, then most used first. */
    public List<Negotiated> snapshot() {
        List<Negotiated> all = new ArrayList<>();
        counts.forEach((k, n) -> all.add(new Negotiated(k.product(), k.protocol(), k.cipherSuite(), k.namedGroup(), n.sum())));
        all.sort(Comparator.comparing(Negotiated::product).thenComparing(Comparator.comparingLong(Negotiated::sessions).reversed())
                .thenComparing(Negotiated::protocol).thenComparing(Negotiated::cipherSuite));
        return all;
    }
}
