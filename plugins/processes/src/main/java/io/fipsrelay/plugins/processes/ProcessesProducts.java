package io.fipsrelay.plugins.processes;

import io.fipsrelay.api.DeclaredProducts;
import io.fipsrelay.api.Product;
import org.pf4j.Extension;

/** The process agent's port (offset 4): live processes and containers. */
@Extension
public class ProcessesProducts extends DeclaredProducts {

    public ProcessesProducts() {
        super(Product.of("processes", 4, "process"));
    }
}
