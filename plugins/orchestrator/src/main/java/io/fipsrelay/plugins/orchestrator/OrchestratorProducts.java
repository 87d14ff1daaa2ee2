package io.fipsrelay.plugins.orchestrator;

import io.fipsrelay.api.DeclaredProducts;
import io.fipsrelay.api.Product;
import org.pf4j.Extension;

/** The orchestrator explorer's port (offset 12): Kubernetes resources and manifests. */
@Extension
public class OrchestratorProducts extends DeclaredProducts {

    public OrchestratorProducts() {
        super(Product.of("orchestrator", 12, "orchestrator"));
    }
}
