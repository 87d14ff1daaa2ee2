package io.fipsrelay.core.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import io.fipsrelay.api.Product;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * reference.conf and the loader agree. Every number, size and duration an operator can set has a
 * range in {@link Bounds}: the walk over every reference.conf (core and plugins) fails for a key
 * without one, and each range is enforced at both ends with a message naming key, value and range.
 * The "Env:" notes name exactly the variables the loader reads.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SettingsBoundsTest {

    static final Product METRICS = Product.of("metrics", 1, "metrics.agent");

    @Test
    void every_number_size_and_duration_in_every_reference_conf_has_a_bound() throws IOException {
        assertThat(Bounds.CORE.keysWithoutBound(mergedReference())).isEmpty();
    }

    @Test
    void every_bound_names_a_key_of_the_reference() throws IOException {
        assertThat(Bounds.CORE.boundsWithoutKey(mergedReference())).isEmpty();
    }

    @Test
    void a_key_added_later_without_a_bound_is_caught() throws IOException {
        Config withNewKeys = ConfigFactory.parseString("fips-relay.upstream { new-count = 5, new-wait = 3s, new-size = 1MiB,"
                + " new-nullable = null, new-text = \"abc\", new-flag = true }").withFallback(mergedReference());
        assertThat(Bounds.CORE.keysWithoutBound(withNewKeys)).containsExactlyInAnyOrder(
                "fips-relay.upstream.new-count", "fips-relay.upstream.new-wait", "fips-relay.upstream.new-size",
                "fips-relay.upstream.new-nullable");
    }

    @Test
    void every_bounded_key_states_its_range_in_its_comment() throws IOException {
        for (Path file : referenceFiles()) {
            Config reference = ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
            for (Bound b : Bounds.CORE.all()) {
                List<String> keys = b.key().contains("*")
                        ? productIds(reference).stream().map(id -> b.key().replace("*", id)).toList() : List.of(b.key());
                for (String key : keys) {
                    String path = SettingsLoader.ROOT + "." + key;
                    if (reference.hasPathOrNull(path)) {
                        assertThat(String.join(" ", valueAt(reference, path).origin().comments()))
                                .as("comment of %s in %s", path, file).contains(b.range());
                    }
                }
            }
        }
    }

    @Test
    void the_environment_variables_the_loader_reads_are_the_ones_reference_conf_names() throws IOException {
        Config core = ConfigFactory.parseFile(repositoryRoot().resolve("framework/relay-core/src/main/resources/reference.conf").toFile());
        Map<String, String> documented = new TreeMap<>();
        collectEnvNotes(core.root(), List.of(), documented);
        assertThat(documented).isEqualTo(new TreeMap<>(SettingsLoader.ENV_OVERRIDES));
    }

    /** "Env: NAME" in a key's comment: variable -> full key path. */
    private static void collectEnvNotes(ConfigObject object, List<String> parent, Map<String, String> into) {
        Pattern env = Pattern.compile("Env: ([A-Z_]+)");
        object.forEach((key, value) -> {
            List<String> path = new ArrayList<>(parent);
            path.add(key);
            Matcher m = env.matcher(String.join(" ", value.origin().comments()));
            while (m.find()) {
                into.put(m.group(1), ConfigUtil.joinPath(path));
            }
            if (value instanceof ConfigObject child) {
                collectEnvNotes(child, path, into);
            }
        });
    }

    static Stream<Bound> bounds() {
        return Bounds.CORE.all().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bounds")
    void a_value_just_below_the_range_is_refused_naming_key_value_and_range(Bound b) {
        assertRefused(b, b.min() - 1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bounds")
    void a_value_just_above_the_range_is_refused_naming_key_value_and_range(Bound b) {
        assertRefused(b, b.max() + 1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bounds")
    void both_ends_of_the_range_are_accepted_where_no_other_key_objects(Bound b) {
        for (long edge : new long[] {b.min(), b.max()}) {
            try {
                load(assignment(b, edge));
            } catch (SettingsException e) {
                assertThat(e.problems()).as("%s = %s", b.key(), b.format(edge))
                        .noneMatch(p -> p.startsWith(SettingsLoader.ROOT + "." + concreteKey(b) + ": " + b.format(edge) + " is not in"));
            }
        }
    }

    @Test
    void the_message_reads_as_the_operator_wrote_the_value() {
        assertThat(Bounds.CORE.of("upstream.max-idle-per-host").orElseThrow().check(-5)).contains("-5 is not in 0..4096");
        assertThat(Bounds.CORE.of("products.logs.port").orElseThrow().range()).isEqualTo("1..65535");
        assertThat(Bounds.CORE.of("relay.high-water-mark").orElseThrow().range()).isEqualTo("1KiB..64MiB");
        assertThat(Bounds.CORE.of("upstream.connect-timeout").orElseThrow().range()).isEqualTo("100ms..2m");
    }

    private static void assertRefused(Bound b, long value) {
        String expected = SettingsLoader.ROOT + "." + concreteKey(b) + ": " + b.format(value) + " is not in " + b.range();
        assertThatThrownBy(() -> load(assignment(b, value)))
                .isInstanceOf(SettingsException.class)
                .satisfies(e -> assertThat(((SettingsException) e).problems()).contains(expected));
    }

    private static String concreteKey(Bound b) {
        return b.key().replace("*", METRICS.id());
    }

    private static String assignment(Bound b, long value) {
        String written = b.kind() == Bound.Kind.COUNT ? Long.toString(value) : "\"" + b.format(value) + "\"";
        return SettingsLoader.ROOT + "." + concreteKey(b) + " = " + written;
    }

    private static RelaySettings load(String hocon) throws SettingsException {
        return SettingsLoader.withCoreDefaults().environment(Map.of())
                .addProducts(List.of(METRICS), ConfigFactory.parseString("fips-relay.products.metrics { enabled = true, port = null, servers = [] }"))
                .load(SettingsLoader.parseString("fips-relay.tls.ca-file = \"" + caFile() + "\"\n" + hocon));
    }

    /** Any readable file passes the CA check; these tests are not about TLS. */
    private static String caFile() {
        return SettingsLoader.class.getProtectionDomain().getCodeSource().getLocation().getPath() + "reference.conf";
    }

    /** The core's reference.conf with every plugin's, as a relay with all plugins merges them. */
    static Config mergedReference() throws IOException {
        Config merged = ConfigFactory.parseResources(SettingsLoader.class.getClassLoader(), "reference.conf",
                ConfigParseOptions.defaults().setAllowMissing(false));
        for (Path file : pluginReferenceFiles()) {
            merged = merged.withFallback(ConfigFactory.parseFile(file.toFile()));
        }
        return merged;
    }

    private static List<Path> referenceFiles() throws IOException {
        Path core = repositoryRoot().resolve("framework/relay-core/src/main/resources/reference.conf");
        return Stream.concat(Stream.of(core), pluginReferenceFiles().stream()).toList();
    }

    /** Every plugin of the repository, read from the source tree: the relay-core tests have no plugin jars. */
    static List<Path> pluginReferenceFiles() throws IOException {
        try (Stream<Path> plugins = Files.list(repositoryRoot().resolve("plugins"))) {
            List<Path> files = plugins.map(p -> p.resolve("src/main/resources/reference.conf")).filter(Files::isRegularFile).sorted().toList();
            assertThat(files).as("plugin reference.conf files").hasSizeGreaterThanOrEqualTo(10);
            return files;
        }
    }

    private static Path repositoryRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("plugins")) && Files.isDirectory(p.resolve("framework"))) {
                return p;
            }
        }
        throw new IllegalStateException("not inside the fips-relay source tree: " + Path.of("").toAbsolutePath());
    }

    /** The value at a path, null values included (Config.getValue refuses those). */
    private static ConfigValue valueAt(Config reference, String path) {
        List<String> parts = ConfigUtil.splitPath(path);
        ConfigObject parent = reference.getObject(ConfigUtil.joinPath(parts.subList(0, parts.size() - 1)));
        return parent.get(parts.get(parts.size() - 1));
    }

    private static List<String> productIds(Config reference) {
        return reference.hasPath(SettingsLoader.ROOT + ".products")
                ? List.copyOf(reference.getObject(SettingsLoader.ROOT + ".products").keySet()) : List.of();
    }
}
