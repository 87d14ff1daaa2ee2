package io.fipsrelay.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Which jars of a folder load, and the reason given for each one that does not; the others always load. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PluginCatalogTest {

    @TempDir
    static Path built;
    @TempDir
    Path folder;
    static Path good;

    @BeforeAll
    static void buildGoodPlugin() {
        good = TestPlugins.products(built.resolve("good.jar"), "good",
                "Product.of(\"good\", 1, \"good-intake\").withRoute(Route.exact(\"/api/v1/validate\", \"api\"))",
                "fips-relay.products.good { enabled = true, port = null, servers = [] }\n");
    }

    @Test
    void a_plugin_loads_with_its_products_and_its_own_reference_conf() throws IOException {
        TestPlugins.copyInto(good, folder);
        try (PluginCatalog catalog = PluginCatalog.load(folder)) {
            assertThat(catalog.refused()).isEmpty();
            PluginCatalog.LoadedPlugin plugin = catalog.plugins().get(0);
            assertThat(plugin.pluginId()).isEqualTo("good");
            assertThat(plugin.products()).singleElement().satisfies(p -> {
                assertThat(p.id()).isEqualTo("good");
                assertThat(p.hostPrefixFor("/api/v1/validate")).isEqualTo("api");
            });
            assertThat(plugin.reference().hasPath("fips-relay.products.good.enabled")).isTrue();
            assertThat(plugin.reference().hasPath("fips-relay.site")).as("not the core's reference.conf").isFalse();
        }
    }

    @Test
    void garbage_bytes_named_jar_are_refused_as_not_a_jar_file() throws IOException {
        assertRefused(TestPlugins.garbage(folder.resolve("x.jar")), "not a jar file");
    }

    @Test
    void a_jar_without_plugin_id_is_refused() throws IOException {
        assertRefused(jarWithManifest(folder.resolve("library.jar"), null), "no Plugin-Id in its manifest");
    }

    @Test
    void a_plugin_without_a_product_module_extension_is_refused() throws IOException {
        assertRefused(jarWithManifest(folder.resolve("empty.jar"), "empty"), "plugin empty has no ProductModule extension");
    }

    @Test
    void a_second_plugin_with_the_same_plugin_id_is_refused() throws IOException {
        Path twin = TestPlugins.oneProduct(built.resolve("zz-twin.jar"), "good", "twin", 2, "twin-intake");
        assertRefused(TestPlugins.copyInto(twin, folder), "plugin id good is already loaded from good.jar");
    }

    @Test
    void a_plugin_declaring_a_product_id_already_served_is_refused() throws IOException {
        Path same = TestPlugins.oneProduct(built.resolve("zz-same-product.jar"), "other", "good", 3, "other-intake");
        assertRefused(TestPlugins.copyInto(same, folder), "product id good is already served by plugin good");
    }

    @Test
    void a_plugin_declaring_a_port_offset_already_taken_is_refused() throws IOException {
        Path clash = TestPlugins.oneProduct(built.resolve("zz-clash.jar"), "clash", "clash", 1, "clash-intake");
        assertRefused(TestPlugins.copyInto(clash, folder), "port offset 1 of product clash is already taken by good/good");
    }

    /** The jar is refused with this reason and the good plugin, loaded first by name, is unaffected. */
    private void assertRefused(Path jar, String reason) throws IOException {
        TestPlugins.copyInto(good, folder);
        try (PluginCatalog catalog = PluginCatalog.load(folder)) {
            assertThat(catalog.refused()).singleElement().satisfies(r -> {
                assertThat(r.jar()).isEqualTo(jar);
                assertThat(r.reason()).contains(reason);
            });
            assertThat(catalog.plugins()).extracting(PluginCatalog.LoadedPlugin::pluginId).containsExactly("good");
        }
    }

    /** A jar with a manifest (and Plugin-Id when given) and no classes. */
    private static Path jarWithManifest(Path jar, String pluginId) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (pluginId != null) {
            manifest.getMainAttributes().putValue("Plugin-Id", pluginId);
            manifest.getMainAttributes().putValue("Plugin-Version", "1.0.0");
        }
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest)) {
            out.putNextEntry(new JarEntry("readme.txt"));
            out.write("nothing here".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.closeEntry();
        }
        return jar;
    }
}
