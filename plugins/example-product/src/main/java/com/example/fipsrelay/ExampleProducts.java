package com.example.fipsrelay;

import io.fipsrelay.api.DeclaredProducts;
import io.fipsrelay.api.Product;
import org.pf4j.Extension;

/**
 * One product, "example": plain HTTP on listen.port-range-start + 20 (9823 by default) is relayed
 * over FIPS TLS to example-intake.&lt;site&gt;. Offsets 1..15 belong to the agent's products; a
 * plugin of your own takes one the relay does not use yet (16..64).
 */
@Extension
public class ExampleProducts extends DeclaredProducts {

    public ExampleProducts() {
        super(Product.of("example", 20, "example-intake"));
    }
}
