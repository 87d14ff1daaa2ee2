package io.fipsrelay.api;

import java.util.List;
import org.pf4j.ExtensionPoint;

/**
 * A family of agent products served by one plugin jar.
 *
 * <p>Implementations are annotated with {@code @org.pf4j.Extension} and are purely declarative:
 * they say which products exist, on which port offset, and which intake host serves which path.
 * Everything else (listening, TLS, pooling, metrics) belongs to the relay core.
 */
public interface ProductModule extends ExtensionPoint {

    /** The products this plugin serves; each gets its own listener. */
    List<Product> products();
}
