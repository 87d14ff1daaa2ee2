package io.fipsrelay.plugins.runtimesecurity;

import io.fipsrelay.api.DeclaredProducts;
import io.fipsrelay.api.Product;
import org.pf4j.Extension;

/** The security agent's runtime events port (offset 13). */
@Extension
public class RuntimeSecurityProducts extends DeclaredProducts {

    public RuntimeSecurityProducts() {
        super(Product.of("runtime-security", 13, "runtime-security-http-intake.logs"));
    }
}
