package io.fipsrelay.plugins.apmprofiles;

import io.fipsrelay.api.DeclaredProducts;
import io.fipsrelay.api.Product;
import org.pf4j.Extension;

/** The profiler's port (offset 3): profile uploads relayed by the trace agent. */
@Extension
public class ProfilesProducts extends DeclaredProducts {

    public ProfilesProducts() {
        super(Product.of("profiles", 3, "intake.profile"));
    }
}
