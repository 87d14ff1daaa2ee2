package io.fipsrelay.plugins.logs;

import io.fipsrelay.api.DeclaredProducts;
import io.fipsrelay.api.Product;
import org.pf4j.Extension;

/** The logs agent's port (offset 5): log batches over HTTP, up to 5 MB each. */
@Extension
public class LogsProducts extends DeclaredProducts {

    public LogsProducts() {
        super(Product.of("logs", 5, "agent-http-intake.logs"));
    }
}
