package io.fipsrelay.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** What the packaging and deployment tests share: where the build put things, and running tools. */
final class Packaging {

    private Packaging() {
    }

    /** The build folder (distribution/target). */
    static Path buildDir() {
        return Path.of(required("fips-relay.build-dir"));
    }

    /** The distribution module's folder, where container/, kubernetes/ and ecs/ live. */
    static Path distributionDir() {
        return Path.of(required("fips-relay.distribution-dir"));
    }

    /** bc-fips as Maven resolved it from Central. */
    static Path bcFipsFromMaven() {
        return Path.of(required("bc-fips.jar"));
    }

    /** The one .deb this build made (amd64: it carries the bundled x86_64 runtime). */
    static Path deb() throws IOException {
        return theOne("fips-relay_.+_amd64\\.deb");
    }

    /** The one .rpm this build made. */
    static Path rpm() throws IOException {
        return theOne("fips-relay-.+\\.x86_64\\.rpm");
    }

    private static Path theOne(String namePattern) throws IOException {
        try (Stream<Path> files = Files.list(buildDir())) {
            List<Path> found = files.filter(f -> f.getFileName().toString().matches(namePattern)).toList();
            assertThat(found).as("exactly one file named like " + namePattern + " in " + buildDir()).hasSize(1);
            return found.get(0);
        }
    }

    static String required(String property) {
        String value = System.getProperty(property);
        if (value == null) {
            throw new IllegalStateException("system property " + property + " is not set (run through mvn verify)");
        }
        return value;
    }

    record Result(int exit, String out) {
    }

    /** Runs a command, stdout and stderr together; fails the test if it does not end in 120 s. */
    static Result run(Map<String, String> env, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().putAll(env);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as(String.join(" ", command)).isTrue();
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    static Result run(String... command) throws Exception {
        return run(Map.of(), command);
    }

    /** Runs a command that must succeed; returns its output. */
    static String ok(String... command) throws Exception {
        Result r = run(command);
        assertThat(r.exit()).as(String.join(" ", command) + ":\n" + r.out()).isZero();
        return r.out();
    }

    /**
     * Runs a shell script as root in a throwaway copy of this system: an overlay over / in a private
     * mount namespace, entered with chroot, so that package scripts run as on a host (useradd,
     * systemctl enable) and nothing reaches the real system. systemd does not run there. The files
     * are copied to /root/ inside first. Needs root and overlay mounts; else the test is skipped.
     */
    static Result runInThrowawaySystem(Path work, List<Path> files, String inside) throws Exception {
        org.assertj.core.api.Assumptions.assumeThat(new com.sun.security.auth.module.UnixSystem().getUid())
                .as("root, for mount namespaces").isZero();
        org.assertj.core.api.Assumptions.assumeThat(onPath("unshare") && onPath("chroot")).as("unshare and chroot").isTrue();
        ok("rm", "-rf", work.toString());
        Files.createDirectories(work.resolve("ovl"));
        String ovl = work.resolve("ovl").toString();
        String m = ovl + "/m";
        List<String> outside = new ArrayList<>(List.of(
                "set -e",
                "mount --make-rprivate /",
                "mount -t tmpfs tmpfs " + ovl,
                "mkdir " + ovl + "/u " + ovl + "/w " + m,
                "mount -t overlay overlay -o lowerdir=/,upperdir=" + ovl + "/u,workdir=" + ovl + "/w " + m
                        + " || { echo 'SKIP: no overlay mount'; exit 0; }",
                "mount --rbind /proc " + m + "/proc; mount --rbind /dev " + m + "/dev; mount --rbind /sys " + m + "/sys",
                "mount -t tmpfs tmpfs " + m + "/run; mount -t tmpfs tmpfs " + m + "/tmp"));
        for (Path f : files) {
            outside.add("cp '" + f + "' " + m + "/root/");
        }
        outside.add("exec chroot " + m + " sh -c \"$0\"");
        Result r = run("unshare", "-m", "sh", "-c", String.join("\n", outside), inside);
        org.assertj.core.api.Assumptions.assumeThat(r.out()).as("overlay mounts are permitted here")
                .doesNotContain("SKIP: no overlay mount");
        return r;
    }

    static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    /**
     * A systemd unit file as sections of (key, value) in order; a key may repeat, and an empty
     * assignment ("CapabilityBoundingSet=") is kept as the empty string.
     */
    static Map<String, List<Map.Entry<String, String>>> parseUnit(String text) {
        Map<String, List<Map.Entry<String, String>>> sections = new LinkedHashMap<>();
        List<Map.Entry<String, String>> current = null;
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.startsWith("[") && line.endsWith("]")) {
                current = sections.computeIfAbsent(line.substring(1, line.length() - 1), s -> new ArrayList<>());
                continue;
            }
            int eq = line.indexOf('=');
            assertThat(current).as("directive outside a section: " + line).isNotNull();
            assertThat(eq).as("not a key=value line: " + line).isPositive();
            current.add(Map.entry(line.substring(0, eq).strip(), line.substring(eq + 1).strip()));
        }
        return sections;
    }
}
