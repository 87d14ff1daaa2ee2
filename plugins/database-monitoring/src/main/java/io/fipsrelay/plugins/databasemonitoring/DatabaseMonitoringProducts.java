package io.fipsrelay.plugins.databasemonitoring;

import io.fipsrelay.api.DeclaredProducts;
import io.fipsrelay.api.Product;
import org.pf4j.Extension;

/** Database monitoring (offsets 6 and 7): query metrics and query samples go to separate intakes. */
@Extension
public class DatabaseMonitoringProducts extends DeclaredProducts {

    public DatabaseMonitoringProducts() {
        super(
                Product.of("dbm-metrics", 6, "dbm-metrics-intake"),
                Product.of("dbm-samples", 7, "dbquery-intake"));
    }
}
