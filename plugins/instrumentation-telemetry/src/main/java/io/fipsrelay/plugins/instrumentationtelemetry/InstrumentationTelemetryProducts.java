package io.fipsrelay.plugins.instrumentationtelemetry;

import io.fipsrelay.api.DeclaredProducts;
import io.fipsrelay.api.Product;
import org.pf4j.Extension;

/** The tracing libraries' telemetry port (offset 10), relayed by the trace agent. */
@Extension
public class InstrumentationTelemetryProducts extends DeclaredProducts {

    public InstrumentationTelemetryProducts() {
        super(Product.of("instrumentation-telemetry", 10, "instrumentation-telemetry-intake"));
    }
}
