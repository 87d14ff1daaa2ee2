package io.fipsrelay.plugins.metrics;

import io.fipsrelay.api.DeclaredProducts;
import io.fipsrelay.api.Product;
import io.fipsrelay.api.Route;
import org.pf4j.Extension;

/** The agent's metrics port (offset 1): API key validation and flares go to their own hosts. */
@Extension
public class MetricsProducts extends DeclaredProducts {

    public MetricsProducts() {
        super(Product.of("metrics", 1, "metrics.agent")
                .withRoute(Route.exact("/api/v1/validate", "api"))
                .withRoute(Route.pathAndBelow("/support/flare", "flare")));
    }
}
