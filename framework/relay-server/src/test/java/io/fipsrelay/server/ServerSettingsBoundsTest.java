package io.fipsrelay.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import io.fipsrelay.core.settings.Bound;
import io.fipsrelay.core.settings.SettingsLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The program's own keys are bounded like the core's, and docs/operations.md lists every range
 * exactly as the table the loader reads them through.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ServerSettingsBoundsTest {

    static final String TABLE_START = "<!-- ranges: generated from Bounds; ServerSettingsBoundsTest fails when they differ -->\n";
    static final String TABLE_END = "<!-- end of ranges -->";

    @Test
    void every_number_size_and_duration_the_program_reads_has_a_bound() throws IOException {
        Config reference = mergedReference();
        assertThat(OperatorSettings.BOUNDS.keysWithoutBound(reference)).isEmpty();
        assertThat(OperatorSettings.BOUNDS.boundsWithoutKey(reference)).isEmpty();
    }

    @Test
    void the_scan_interval_comment_states_its_range() {
        Config own = ConfigFactory.parseResources(OperatorSettings.class.getClassLoader(), "reference.conf");
        Bound b = OperatorSettings.BOUNDS.of("plugins.scan-interval").orElseThrow();
        assertThat(String.join(" ", own.getValue(SettingsLoader.ROOT + ".plugins.scan-interval").origin().comments()))
                .contains(b.range());
    }

    @Test
    void the_operations_guide_lists_every_range_as_the_loader_checks_it() throws IOException {
        String guide = Files.readString(repositoryRoot().resolve("docs/operations.md"));
        int start = guide.indexOf(TABLE_START);
        int end = guide.indexOf(TABLE_END);
        assertThat(start).as("docs/operations.md has the ranges table markers").isNotNegative();
        assertThat(end).isGreaterThan(start);
        assertThat(guide.substring(start + TABLE_START.length(), end))
                .as("docs/operations.md ranges table; regenerate it from Bounds").isEqualTo(OperatorSettings.BOUNDS.markdownTable());
    }

    /** Core and server reference.conf (both on this class path) with every plugin's from the source tree. */
    private static Config mergedReference() throws IOException {
        Config merged = ConfigFactory.parseResources(OperatorSettings.class.getClassLoader(), "reference.conf",
                ConfigParseOptions.defaults().setAllowMissing(false));
        try (Stream<Path> plugins = Files.list(repositoryRoot().resolve("plugins"))) {
            List<Path> files = plugins.map(p -> p.resolve("src/main/resources/reference.conf")).filter(Files::isRegularFile).toList();
            assertThat(files).hasSizeGreaterThanOrEqualTo(10);
            for (Path file : files) {
                merged = merged.withFallback(ConfigFactory.parseFile(file.toFile()));
            }
        }
        assertThat(merged.hasPath(SettingsLoader.ROOT + ".plugins.scan-interval")).as("server reference.conf merged").isTrue();
        return merged;
    }

    private static Path repositoryRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("plugins")) && Files.isDirectory(p.resolve("docs"))) {
                return p;
            }
        }
        throw new IllegalStateException("not inside the fips-relay source tree: " + Path.of("").toAbsolutePath());
    }
}
