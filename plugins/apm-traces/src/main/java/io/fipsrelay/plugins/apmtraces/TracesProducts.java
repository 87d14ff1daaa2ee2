package io.fipsrelay.plugins.apmtraces;

import io.fipsrelay.api.DeclaredProducts;
import io.fipsrelay.api.Product;
import org.pf4j.Extension;

/** The trace agent's port (offset 2): traces and APM stats. */
@Extension
public class TracesProducts extends DeclaredProducts {

    public TracesProducts() {
        super(Product.of("traces", 2, "trace.agent"));
    }
}
