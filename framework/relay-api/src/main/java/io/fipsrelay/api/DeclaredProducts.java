package io.fipsrelay.api;

import java.util.List;

/**
 * A {@link ProductModule} that only declares its products, which is what a product plugin is:
 * the plugin class names its products in its constructor and nothing else.
 *
 * <pre>{@code
 * @Extension
 * public class TracesProducts extends DeclaredProducts {
 *     public TracesProducts() {
 *         super(Product.of("traces", 2, "trace.agent"));
 *     }
 * }
 * }</pre>
 *
 * <p>PF4J instantiates the subclass through its public no-argument constructor.
 */
public abstract class DeclaredProducts implements ProductModule {

    private final List<Product> products;

    protected DeclaredProducts(Product... products) {
        if (products.length == 0) {
            throw new IllegalArgumentException(getClass().getName() + " declares no product");
        }
        this.products = List.of(products);
    }

    @Override
    public final List<Product> products() {
        return products;
    }
}
