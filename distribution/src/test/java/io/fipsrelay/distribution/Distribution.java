package io.fipsrelay.distribution;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** The assembled distribution folder (bin/ lib/ plugins/ conf/) the build made, as an operator unpacks it. */
final class Distribution {

    private Distribution() {
    }

    static Path home() {
        String dist = System.getProperty("fips-relay.dist");
        if (dist == null) {
            throw new IllegalStateException("system property fips-relay.dist is not set: run the ITs through Maven (failsafe)");
        }
        Path home = Path.of(dist);
        if (!Files.isExecutable(home.resolve("bin/fips-relay"))) {
            throw new IllegalStateException(home + " holds no bin/fips-relay: package the distribution first");
        }
        return home;
    }

    static Path launcher() {
        return home().resolve("bin/fips-relay");
    }

    static Path plugins() {
        return home().resolve("plugins");
    }

    static Path defaultConfig() {
        return home().resolve("conf/fips-relay.conf");
    }

    /** The one jar in lib/ whose name starts with {@code prefix + "-"}, e.g. "relay-api". */
    static Path libJar(String prefix) {
        try (Stream<Path> jars = Files.list(home().resolve("lib"))) {
            return jars.filter(j -> j.getFileName().toString().matches(java.util.regex.Pattern.quote(prefix) + "-[0-9].*\\.jar"))
                    .reduce((a, b) -> {
                        throw new IllegalStateException("two " + prefix + " jars in lib/: " + a + ", " + b);
                    }).orElseThrow(() -> new IllegalStateException("no " + prefix + " jar in lib/"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
