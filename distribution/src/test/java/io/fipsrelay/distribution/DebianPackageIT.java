package io.fipsrelay.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The .deb as dpkg sees it: what it installs where, with which modes, and what its scripts do. */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class DebianPackageIT {

    /** One line of {@code dpkg-deb -c}. */
    record Entry(String mode, String owner, String path, String linkTarget) {
    }

    static Map<String, Entry> contents;
    @TempDir
    static Path work;
    static Path control;
    static Path root;

    @BeforeAll
    static void inspect() throws Exception {
        Path deb = Packaging.deb();
        contents = new HashMap<>();
        Pattern line = Pattern.compile("^(\\S+)\\s+(\\S+)\\s+\\d+\\s+\\S+\\s+\\S+\\s+\\.(/\\S*?)/?(?: -> (\\S+))?$");
        for (String l : Packaging.ok("dpkg-deb", "-c", deb.toString()).split("\n")) {
            Matcher m = line.matcher(l.strip());
            assertThat(m.matches()).as("dpkg-deb -c line: " + l).isTrue();
            contents.put(m.group(3), new Entry(m.group(1), m.group(2), m.group(3), m.group(4)));
        }
        control = work.resolve("control");
        Packaging.ok("dpkg-deb", "-e", deb.toString(), control.toString());
        root = work.resolve("root");
        Packaging.ok("dpkg", "-x", deb.toString(), root.toString());
    }

    static Entry entry(String path) {
        assertThat(contents).as("the package contains " + path).containsKey(path);
        return contents.get(path);
    }

    static String field(String name) throws Exception {
        return Packaging.ok("dpkg-deb", "-f", Packaging.deb().toString(), name).strip();
    }

    @Test
    void the_relay_installs_under_opt_with_an_executable_launcher_and_root_owned_files() {
        assertThat(entry("/opt/fips-relay/bin/fips-relay").mode()).isEqualTo("-rwxr-xr-x");
        assertThat(contents.values().stream().filter(e -> e.path().startsWith("/opt/"))).allSatisfy(e -> {
            assertThat(e.owner()).as(e.path()).isEqualTo("root/root");
            assertThat(e.mode()).as(e.path() + " is not writable by group or others").matches(".....-..-.");
        });
        // The launcher finds conf/fips-relay.conf as in the tarball: conf is the /etc folder.
        assertThat(entry("/opt/fips-relay/conf").linkTarget()).isEqualTo("/etc/fips-relay");
    }

    @Test
    void the_configuration_is_a_conffile_readable_by_root_and_the_service_group_only() throws Exception {
        assertThat(entry("/etc/fips-relay/fips-relay.conf").mode()).isEqualTo("-rw-r-----");
        assertThat(entry("/etc/fips-relay").mode()).isEqualTo("drwxr-x---");
        assertThat(Files.readAllLines(control.resolve("conffiles"))).containsExactly("/etc/fips-relay/fips-relay.conf");
        // The group only exists once postinst made it: a stat override, which dpkg keeps on upgrades.
        assertThat(Files.readString(control.resolve("postinst")))
                .contains("dpkg-statoverride --update --add root fips-relay 0640 /etc/fips-relay/fips-relay.conf")
                .contains("dpkg-statoverride --update --add root fips-relay 0750 /etc/fips-relay");
        // It is the tarball's default configuration: US1-FED on loopback.
        assertThat(Files.readString(root.resolve("etc/fips-relay/fips-relay.conf")))
                .isEqualTo(Files.readString(ConfiguredRelay.dist().resolve("conf/fips-relay.conf")));
    }

    @Test
    void the_systemd_unit_and_the_operations_guide_are_installed() {
        assertThat(entry("/usr/lib/systemd/system/fips-relay.service").mode()).isEqualTo("-rw-r--r--");
        assertThat(entry("/usr/share/doc/fips-relay/operations.md").mode()).isEqualTo("-rw-r--r--");
    }

    @Test
    void every_jar_of_the_assembled_relay_ships_in_lib_and_plugins() throws Exception {
        for (String folder : List.of("lib", "plugins")) {
            try (Stream<Path> jars = Files.list(ConfiguredRelay.dist().resolve(folder))) {
                List<String> expected = jars.map(j -> "/opt/fips-relay/" + folder + "/" + j.getFileName()).toList();
                assertThat(expected).isNotEmpty();
                assertThat(contents.keySet()).containsAll(expected);
            }
        }
        assertThat(contents.keySet()).anyMatch(p -> p.matches("/opt/fips-relay/plugins/plugin-metrics-.+\\.jar"));
    }

    @Test
    void bc_fips_ships_as_its_own_unmodified_jar_and_no_other_jar_carries_its_classes() throws Exception {
        Path shipped = root.resolve("opt/fips-relay/lib").resolve(Packaging.bcFipsFromMaven().getFileName());
        assertThat(shipped).as("lib/" + shipped.getFileName()).exists();
        assertThat(sha256(shipped)).as("the jar as published on Maven Central, byte for byte")
                .isEqualTo(sha256(Packaging.bcFipsFromMaven()));
        try (ZipFile jar = new ZipFile(shipped.toFile())) {
            assertThat(jar.getEntry("META-INF/HMAC.SHA256")).as("the module's integrity HMAC").isNotNull();
            assertThat(jar.stream().map(e -> e.getName()).filter(n -> n.matches("META-INF/[^/]+\\.SF"))).isNotEmpty();
        }
        try (Stream<Path> all = Stream.concat(Files.list(root.resolve("opt/fips-relay/lib")),
                Files.list(root.resolve("opt/fips-relay/plugins")))) {
            for (Path other : all.filter(j -> !j.equals(shipped)).toList()) {
                try (ZipFile jar = new ZipFile(other.toFile())) {
                    assertThat(jar.stream().map(e -> e.getName()))
                            .as(other.getFileName() + " does not repackage the FIPS module")
                            .noneMatch(n -> n.startsWith("org/bouncycastle/crypto/fips/"));
                }
            }
        }
    }

    @Test
    void control_says_amd64_and_needs_no_java_on_the_host() throws Exception {
        assertThat(field("Package")).isEqualTo("fips-relay");
        assertThat(field("Architecture")).isEqualTo("amd64");
        assertThat(field("Version")).startsWith("0.").doesNotContain("-SNAPSHOT");
        // The bundled runtime (/opt/fips-relay/runtime) runs the relay: no Java package is needed.
        assertThat(field("Depends")).contains("adduser").contains("ca-certificates").doesNotContain("java").doesNotContain("jre")
                // The glibc the runtime's native code was linked against: an older host refuses the package.
                .contains("libc6 (>= " + Packaging.required("runtime.glibc") + ")");
        String info = Packaging.ok("dpkg-deb", "-I", Packaging.deb().toString());
        assertThat(info).contains("postinst").contains("prerm").contains("postrm").contains("conffiles");
    }

    @Test
    void the_bundled_runtime_ships_with_its_executables_executable() {
        assertThat(entry("/opt/fips-relay/runtime/bin/java").mode()).isEqualTo("-rwxr-xr-x");
        assertThat(entry("/opt/fips-relay/runtime/lib/jspawnhelper").mode()).isEqualTo("-rwxr-xr-x");
        assertThat(entry("/opt/fips-relay/runtime/lib/modules").mode()).isEqualTo("-rw-r--r--");
        assertThat(entry("/opt/fips-relay/runtime/lib/server/libjvm.so").mode()).isEqualTo("-rw-r--r--");
    }

    @Test
    void maintainer_scripts_are_valid_shell_and_executable() throws Exception {
        for (String script : List.of("postinst", "prerm", "postrm")) {
            Path file = control.resolve(script);
            assertThat(Files.isExecutable(file)).as(script + " is executable").isTrue();
            assertThat(Files.readString(file)).as(script).startsWith("#!/bin/sh\n").contains("set -e");
            Packaging.ok("sh", "-n", file.toString());
        }
    }

    @Test
    void postinst_creates_the_system_user_and_starts_the_unit_without_failing_the_installation() throws Exception {
        String postinst = Files.readString(control.resolve("postinst"));
        assertThat(postinst).contains("adduser --system --group --no-create-home")
                .contains("systemctl daemon-reload")
                .contains("systemctl enable fips-relay.service")
                // Only when systemd runs (not in a chroot or a container build).
                .contains("if [ -d /run/systemd/system ]")
                // A failed start (a port already taken) is reported, not fatal to dpkg.
                .containsPattern("systemctl \"\\$action\" fips-relay.service \\|\\|");
    }

    @Test
    void the_user_and_the_configuration_go_only_on_purge() throws Exception {
        String postrm = Files.readString(control.resolve("postrm"));
        String purge = postrm.substring(postrm.indexOf("  purge)"));
        purge = purge.substring(0, purge.indexOf(";;"));
        assertThat(purge).contains("deluser --system").contains("rm -rf /etc/fips-relay /var/cache/fips-relay")
                .contains("dpkg-statoverride --remove");
        String beforePurge = postrm.substring(0, postrm.indexOf("  purge)"));
        assertThat(beforePurge).doesNotContain("deluser").doesNotContain("rm -rf");
        assertThat(Files.readString(control.resolve("prerm"))).contains("systemctl stop fips-relay.service");
    }

    /** The unit's own FIPS_RELAY_NATIVE_DIR, moved under the throwaway root. */
    static Path nativeDirOfTheUnit() throws IOException {
        String unit = Files.readString(root.resolve("usr/lib/systemd/system/fips-relay.service"));
        Matcher m = Pattern.compile("(?m)^Environment=FIPS_RELAY_NATIVE_DIR=(\\S+)$").matcher(unit);
        assertThat(m.find()).as("the unit sets FIPS_RELAY_NATIVE_DIR").isTrue();
        return root.resolve(m.group(1).substring(1));
    }

    static Packaging.Result selfTestFromTheExtractedPackage(Path nativeDir) throws Exception {
        return Packaging.run(Map.of("FIPS_RELAY_NATIVE_DIR", nativeDir.toString()),
                root.resolve("opt/fips-relay/bin/fips-relay").toString(), "self-test",
                "--config", root.resolve("etc/fips-relay/fips-relay.conf").toString());
    }

    @Test
    void the_extracted_package_is_fips_ready_with_native_code_from_the_units_native_dir() throws Exception {
        Path nativeDir = nativeDirOfTheUnit();
        Packaging.Result r = selfTestFromTheExtractedPackage(nativeDir);
        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out()).contains("approved-only      yes").contains("RESULT: FIPS-READY");
        assumeThat(Set.of("amd64", "x86_64")).as("bc-fips ships native code for Linux x86_64 only")
                .contains(System.getProperty("os.arch"));
        assertThat(r.out()).containsPattern("native variant +(?!java)\\w+ \\[.*AES/GCM");
        try (Stream<Path> files = Files.walk(nativeDir)) {
            assertThat(files.map(f -> f.getFileName().toString())).contains("libbc-probe.so");
        }
    }

    @Test
    void a_native_library_left_from_another_cpu_variant_does_not_push_the_module_to_pure_java() throws Exception {
        assumeThat(Set.of("amd64", "x86_64")).as("bc-fips ships native code for Linux x86_64 only")
                .contains(System.getProperty("os.arch"));
        Path nativeDir = nativeDirOfTheUnit();
        String version = Packaging.bcFipsFromMaven().getFileName().toString().replaceAll("bc-fips-(.+)\\.jar", "$1");
        Path stale = nativeDir.resolve(version).resolve("libbc-fips-some-other-variant.so");
        Files.createDirectories(stale.getParent());
        Files.write(stale, new byte[] {0x7f, 'E', 'L', 'F'});
        Packaging.Result r = selfTestFromTheExtractedPackage(nativeDir);
        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out()).containsPattern("native variant +(?!java)\\w+ \\[");
        assertThat(stale).doesNotExist();
    }

    static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
