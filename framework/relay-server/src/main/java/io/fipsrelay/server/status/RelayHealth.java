package io.fipsrelay.server.status;

import io.fipsrelay.core.fips.FipsReadiness;
import io.fipsrelay.core.settings.RelaySettings;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** Healthy means: the FIPS module is ready in approved-only mode and every enabled product's listener is bound. */
public final class RelayHealth {

    /** The outcome, with one line per reason it is not healthy. */
    public record Verdict(boolean healthy, List<String> reasons) {
    }

    private final Supplier<List<RelaySettings.ProductSettings>> expected;
    private final Supplier<Map<String, InetSocketAddress>> bound;

    public RelayHealth(Supplier<List<RelaySettings.ProductSettings>> expected, Supplier<Map<String, InetSocketAddress>> bound) {
        this.expected = expected;
        this.bound = bound;
    }

    public Verdict check() {
        List<String> reasons = new ArrayList<>();
        FipsReadiness.problem().ifPresent(reasons::add);
        Map<String, InetSocketAddress> listening = bound.get();
        for (RelaySettings.ProductSettings p : expected.get()) {
            if (!listening.containsKey(p.id())) {
                reasons.add("product " + p.id() + " is enabled but nothing listens on its port " + p.port());
            }
        }
        return new Verdict(reasons.isEmpty(), List.copyOf(reasons));
    }
}
