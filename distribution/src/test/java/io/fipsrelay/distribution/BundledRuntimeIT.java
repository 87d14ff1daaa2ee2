package io.fipsrelay.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * The Java runtime the distribution brings (runtime/, a jlink image): only the JDK modules the
 * relay needs, no jar of the relay inside it, and the launcher's choice of Java: the bundled one
 * where it can run, else FIPS_RELAY_JAVA, else JAVA_HOME.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class BundledRuntimeIT {

    @TempDir
    Path dir;

    static final Path RUNTIME = Distribution.home().resolve("runtime");

    static String javaHomeOf(Packaging.Result selfTest) {
        assertThat(selfTest.exit()).as(selfTest.out()).isZero();
        Matcher m = Pattern.compile("(?m)^  java +.+ \\((.+)\\)$").matcher(selfTest.out());
        assertThat(m.find()).as("self-test names the java it runs on:\n" + selfTest.out()).isTrue();
        return m.group(1);
    }

    @Test
    void the_runtime_holds_exactly_the_jdk_modules_the_pom_lists_and_nothing_of_bouncy_castle() throws Exception {
        String listed = Packaging.ok(RUNTIME.resolve("bin/java").toString(), "--list-modules");
        List<String> modules = Arrays.stream(listed.split("\n")).map(l -> l.strip().replaceAll("@.*", ""))
                .filter(l -> !l.isEmpty()).toList();
        // The pom's list plus what those modules require (java.desktop -> java.datatransfer ...).
        assertThat(modules).contains("java.base", "java.logging", "java.management", "java.naming", "java.xml",
                "jdk.unsupported", "jdk.zipfs", "jdk.management");
        assertThat(modules).allMatch(m -> m.startsWith("java.") || m.startsWith("jdk."));
        assertThat(modules).as("no compiler, no tools").doesNotContain("jdk.compiler", "jdk.jshell", "jdk.jlink");
        // The FIPS module's boundary is its jar: bc-fips stays in lib/, byte for byte as on Maven Central.
        assertThat(modules).noneMatch(m -> m.startsWith("org.bouncycastle"));
        assertThat(DebianPackageIT.sha256(Distribution.home().resolve("lib").resolve(Packaging.bcFipsFromMaven().getFileName())))
                .isEqualTo(DebianPackageIT.sha256(Packaging.bcFipsFromMaven()));
        assertThat(Files.readString(RUNTIME.resolve("release"))).containsPattern("(?m)^OS_ARCH=\"" + Pattern.quote(uname()) + "\"$");
    }

    @Test
    void every_jdk_module_the_relay_jars_use_is_in_the_runtime() throws Exception {
        // The pom's list is written by hand: this keeps it in step with the code (a revocation
        // checker using java.net.http once started only on the system JDK).
        Path lib = Distribution.home().resolve("lib");
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "jdeps").toString(),
                "--multi-release", "17", "--ignore-missing-deps", "--print-module-deps", "-cp", lib + "/*"));
        try (var jars = Files.list(lib)) {
            jars.filter(j -> j.getFileName().toString().startsWith("relay-")).map(Path::toString).forEach(command::add);
        }
        String needed = Packaging.ok(command.toArray(String[]::new)).strip();
        String listed = Packaging.ok(RUNTIME.resolve("bin/java").toString(), "--list-modules");
        List<String> modules = Arrays.stream(listed.split("\n")).map(l -> l.strip().replaceAll("@.*", "")).toList();
        assertThat(modules).as("jdeps says the relay's jars need " + needed).containsAll(List.of(needed.split(",")));
    }

    @Test
    void the_launcher_runs_the_bundled_runtime_even_with_java_home_set() throws Exception {
        Packaging.Result r = Packaging.run(Map.of("JAVA_HOME", System.getProperty("java.home"),
                "FIPS_RELAY_JAVA", System.getProperty("java.home") + "/bin/java"), Distribution.launcher().toString(), "self-test");
        assertThat(Path.of(javaHomeOf(r))).isEqualTo(RUNTIME.toRealPath());
        assertThat(r.out()).contains("RESULT: FIPS-READY");
    }

    @Test
    void without_a_runtime_for_this_machine_the_launcher_takes_fips_relay_java_then_java_home() throws Exception {
        assumeThat(Set.of("x86_64", "aarch64")).contains(uname());
        // A copy of the folder whose runtime says it is for another architecture (the tarball
        // unpacked on an arm64 host): lib/, plugins/, conf/ and the runtime's files linked, not copied.
        Path home = Files.createDirectories(dir.resolve("fips-relay"));
        Files.createDirectories(home.resolve("bin"));
        Files.copy(Distribution.launcher(), home.resolve("bin/fips-relay"));
        for (String folder : List.of("lib", "plugins", "conf")) {
            Files.createSymbolicLink(home.resolve(folder), Distribution.home().resolve(folder));
        }
        Path runtime = Files.createDirectories(home.resolve("runtime"));
        Files.createSymbolicLink(runtime.resolve("bin"), RUNTIME.resolve("bin"));
        Files.createSymbolicLink(runtime.resolve("lib"), RUNTIME.resolve("lib"));
        String otherArch = uname().equals("x86_64") ? "aarch64" : "x86_64";
        Files.writeString(runtime.resolve("release"), Files.readString(RUNTIME.resolve("release"))
                .replaceAll("(?m)^OS_ARCH=.*$", "OS_ARCH=\"" + otherArch + "\""));
        String launcher = home.resolve("bin/fips-relay").toString();
        String systemJava = System.getProperty("java.home");

        Packaging.Result withVariable = Packaging.run(Map.of("FIPS_RELAY_JAVA", systemJava + "/bin/java", "JAVA_HOME", "/nonexistent"),
                launcher, "self-test");
        assertThat(Path.of(javaHomeOf(withVariable))).isEqualTo(Path.of(systemJava).toRealPath());

        Packaging.Result withJavaHome = Packaging.run(Map.of("JAVA_HOME", systemJava), launcher, "self-test");
        assertThat(Path.of(javaHomeOf(withJavaHome))).isEqualTo(Path.of(systemJava).toRealPath());
    }

    static String uname() throws Exception {
        return Packaging.ok("uname", "-m").strip();
    }
}
