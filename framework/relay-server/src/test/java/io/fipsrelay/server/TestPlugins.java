package io.fipsrelay.server;

import io.fipsrelay.api.ProductModule;
import io.fipsrelay.testkit.PluginJarBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import org.pf4j.Extension;

/** Plugin jars made in the test from sources outside the build, compiled against relay-api and pf4j only. */
public final class TestPlugins {

    private TestPlugins() {
    }

    /** A plugin with one product on {@code <hostPrefix>.<site>}, its reference.conf included. */
    public static Path oneProduct(Path jar, String pluginId, String productId, int offset, String hostPrefix) {
        return products(jar, pluginId, "Product.of(\"" + productId + "\", " + offset + ", \"" + hostPrefix + "\")",
                "fips-relay.products." + productId + " { enabled = true, port = null, servers = [] }\n");
    }

    /** A plugin declaring these products (Java expressions over Product and Route). */
    public static Path products(Path jar, String pluginId, String productExpressions, String referenceConf) {
        return products(jar, pluginId, "1.0.0", productExpressions, referenceConf);
    }

    /** The same with the Plugin-Version its manifest declares. */
    public static Path products(Path jar, String pluginId, String version, String productExpressions, String referenceConf) {
        String pkg = "test.plugins." + pluginId.replaceAll("[^a-z0-9]", "").toLowerCase(Locale.ROOT);
        String source = """
                package %s;

                import io.fipsrelay.api.DeclaredProducts;
                import io.fipsrelay.api.Product;
                import io.fipsrelay.api.Route;
                import org.pf4j.Extension;

                @Extension
                public class Products extends DeclaredProducts {
                    public Products() {
                        super(%s);
                    }
                }
                """.formatted(pkg, productExpressions);
        return PluginJarBuilder.plugin(pluginId).version(version)
                .classpath(jarOf(ProductModule.class), jarOf(Extension.class))
                .source(pkg + ".Products", source)
                .resource("reference.conf", referenceConf)
                .build(jar);
    }

    /** Bytes that are no jar at all. */
    public static Path garbage(Path jar) {
        try {
            return Files.write(jar, "this is not a zip file\n".repeat(50).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Copies a jar into the folder the way an operator's cp does: written in place, not renamed. */
    public static Path copyInto(Path jar, Path folder) {
        try {
            return Files.copy(jar, folder.resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Where a class was loaded from: relay-api's and pf4j's jar (or class folder in an IDE). */
    static Path jarOf(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
