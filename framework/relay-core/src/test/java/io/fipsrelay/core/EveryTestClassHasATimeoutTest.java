package io.fipsrelay.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A hang fails in seconds, not at the CI limit: every test class of the repository carries a
 * class-level {@code @Timeout}, so a class added later cannot leave it out.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class EveryTestClassHasATimeoutTest {

    private static final Pattern TEST_METHOD = Pattern.compile("@(Test|ParameterizedTest|FuzzTest|TestFactory|RepeatedTest)\\b");
    private static final Pattern CLASS_TIMEOUT = Pattern.compile("(?m)^@Timeout\\(");

    @Test
    void every_test_class_of_every_module_has_a_class_level_timeout() throws IOException {
        List<Path> testClasses = testSources().filter(p -> TEST_METHOD.matcher(read(p)).find()).toList();
        assertThat(testClasses).as("test classes found").hasSizeGreaterThan(40);
        assertThat(testClasses).filteredOn(p -> !CLASS_TIMEOUT.matcher(read(p)).find())
                .as("test classes without @Timeout on the class").isEmpty();
    }

    private static Stream<Path> testSources() throws IOException {
        Path root = repositoryRoot();
        try (Stream<Path> all = Files.walk(root)) {
            return all.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> root.relativize(p).toString().contains("src/test/java/"))
                    .filter(p -> !root.relativize(p).toString().contains("/target/"))
                    .toList().stream();
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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
}
