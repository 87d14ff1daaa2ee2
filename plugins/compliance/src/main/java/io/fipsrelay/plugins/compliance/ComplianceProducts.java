package io.fipsrelay.plugins.compliance;

import io.fipsrelay.api.DeclaredProducts;
import io.fipsrelay.api.Product;
import org.pf4j.Extension;

/** The security agent's compliance port (offset 14): CSPM findings. */
@Extension
public class ComplianceProducts extends DeclaredProducts {

    public ComplianceProducts() {
        super(Product.of("compliance", 14, "cspm-intake"));
    }
}
