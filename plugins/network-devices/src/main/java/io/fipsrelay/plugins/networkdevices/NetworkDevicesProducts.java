package io.fipsrelay.plugins.networkdevices;

import io.fipsrelay.api.DeclaredProducts;
import io.fipsrelay.api.Product;
import org.pf4j.Extension;

/** Network device monitoring (offsets 8, 9 and 15): device metadata, SNMP traps and NetFlow each have their own intake. */
@Extension
public class NetworkDevicesProducts extends DeclaredProducts {

    public NetworkDevicesProducts() {
        super(
                Product.of("ndm", 8, "ndm-intake"),
                Product.of("snmp-traps", 9, "snmp-traps-intake"),
                Product.of("netflow", 15, "ndmflow-intake"));
    }
}
