package io.fipsrelay.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * The .rpm as the real rpm tool sees it (Debian's rpm package, the same rpm as RHEL's and SUSE's):
 * header, files with owners and modes, %config(noreplace), scriptlets, changelog, requirements;
 * rpmlint with the explained exceptions; and an install, an upgrade to the next release keeping a
 * local edit of the configuration, and an erase, for real in a throwaway copy of this system.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class RpmPackageIT {

    /** One file of the package: mode, owner, group, path, link target. */
    record Entry(String mode, String owner, String group, String path, String linkTarget) {
    }

    static Map<String, Entry> contents;

    @BeforeAll
    static void list() throws Exception {
        contents = new HashMap<>();
        // One line per file: mode, owner, group, path, link target (owner and group names whole,
        // which rpm -qlv cuts to 8 characters).
        for (String l : rpm("-qp", "--qf", "[%{FILEMODES:perms} %{FILEUSERNAME} %{FILEGROUPNAME} %{FILENAMES} %{FILELINKTOS}\\n]")
                .split("\n")) {
            if (l.isBlank()) {
                continue;
            }
            String[] f = l.strip().split(" ");
            assertThat(f.length).as("rpm --qf line: " + l).isBetween(4, 5);
            contents.put(f[3], new Entry(f[0], f[1], f[2], f[3], f.length == 5 ? f[4] : null));
        }
    }

    static String rpm(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("rpm"));
        command.addAll(List.of(args));
        command.add(Packaging.rpm().toString());
        return Packaging.ok(command.toArray(String[]::new));
    }

    static Entry entry(String path) {
        assertThat(contents).as("the package contains " + path).containsKey(path);
        return contents.get(path);
    }

    @Test
    void the_header_names_an_x86_64_package_of_this_version() throws Exception {
        String info = rpm("-qip");
        assertThat(info).containsPattern("(?m)^Name +: fips-relay$").containsPattern("(?m)^Architecture: x86_64$")
                .containsPattern("(?m)^Version +: 0\\.[0-9.]+(~SNAPSHOT)?$").containsPattern("(?m)^Release +: 1$")
                .containsPattern("(?m)^License +: Apache-2.0$").contains("Bouncy Castle FIPS");
        assertThat(Packaging.rpm().getFileName().toString()).matches("fips-relay-0\\.[0-9.]+(~SNAPSHOT)?-1\\.x86_64\\.rpm");
    }

    @Test
    void the_layout_is_the_debs_with_the_configuration_root_and_group_fips_relay() throws Exception {
        assertThat(entry("/opt/fips-relay/bin/fips-relay")).extracting(Entry::mode, Entry::owner, Entry::group)
                .containsExactly("-rwxr-xr-x", "root", "root");
        assertThat(entry("/opt/fips-relay/runtime/bin/java").mode()).isEqualTo("-rwxr-xr-x");
        assertThat(entry("/opt/fips-relay/runtime/lib/modules").mode()).isEqualTo("-rw-r--r--");
        assertThat(entry("/etc/fips-relay")).extracting(Entry::mode, Entry::owner, Entry::group)
                .containsExactly("drwxr-x---", "root", "fips-relay");
        assertThat(entry("/etc/fips-relay/fips-relay.conf")).extracting(Entry::mode, Entry::owner, Entry::group)
                .containsExactly("-rw-r-----", "root", "fips-relay");
        assertThat(entry("/opt/fips-relay/conf").linkTarget()).isEqualTo("../../etc/fips-relay");
        assertThat(entry("/usr/lib/systemd/system/fips-relay.service").mode()).isEqualTo("-rw-r--r--");
        assertThat(entry("/usr/share/doc/fips-relay/operations.md").mode()).isEqualTo("-rw-r--r--");
        assertThat(contents.values()).filteredOn(e -> e.path().startsWith("/opt/") && !e.mode().startsWith("l")).allSatisfy(e -> {
            assertThat(e.owner()).as(e.path()).isEqualTo("root");
            assertThat(e.mode()).as(e.path() + " is not writable by group or others").matches(".....-..-.");
        });
        // Every jar and every file of the runtime the build assembled.
        for (String folder : List.of("lib", "plugins", "runtime")) {
            Path base = ConfiguredRelay.dist().resolve(folder);
            try (Stream<Path> files = Files.walk(base)) {
                List<String> expected = files.filter(Files::isRegularFile)
                        .map(f -> "/opt/fips-relay/" + folder + "/" + base.relativize(f)).toList();
                assertThat(contents.keySet()).containsAll(expected);
            }
        }
        // The unit is the .deb's, byte for byte.
        assertThat(Files.readString(Packaging.distributionDir().resolve("src/deb/systemd/fips-relay.service")))
                .contains("CacheDirectory=fips-relay").contains("ProtectSystem=strict");
    }

    @Test
    void the_configuration_is_config_noreplace() throws Exception {
        assertThat(rpm("-qp", "--configfiles").strip()).isEqualTo("/etc/fips-relay/fips-relay.conf");
        String flags = rpm("-qp", "--qf", "[%{FILEFLAGS:fflags} %{FILENAMES}\\n]");
        assertThat(flags).containsPattern("(?m)^cn /etc/fips-relay/fips-relay\\.conf$");
    }

    @Test
    void the_scriptlets_make_the_user_reload_systemd_restart_on_upgrade_and_stop_on_erase() throws Exception {
        String scripts = rpm("-qp", "--scripts");
        String pre = section(scripts, "preinstall");
        assertThat(pre).contains("groupadd -r fips-relay").contains("useradd -r -g fips-relay -M -d /nonexistent -s /sbin/nologin");
        assertThat(section(scripts, "postinstall")).contains("systemctl daemon-reload").contains("systemctl preset fips-relay.service");
        String preun = section(scripts, "preuninstall");
        assertThat(preun).contains("if [ \"$1\" -eq 0 ]").contains("systemctl stop fips-relay.service")
                .contains("disable fips-relay.service");
        String postun = section(scripts, "postuninstall");
        assertThat(postun).contains("if [ \"$1\" -ge 1 ]").contains("systemctl try-restart fips-relay.service")
                .contains("systemctl daemon-reload").contains("rm -rf /var/cache/fips-relay");
        for (String name : List.of("preinstall", "postinstall", "preuninstall", "postuninstall")) {
            Path file = Files.createTempFile("scriptlet", ".sh");
            Files.writeString(file, section(scripts, name));
            Packaging.ok("sh", "-n", file.toString());
            Files.delete(file);
        }
    }

    @Test
    void it_has_a_changelog_and_needs_no_java_on_the_host() throws Exception {
        assertThat(rpm("-qp", "--changelog")).containsPattern("(?m)^\\* \\w{3} \\w{3} \\d{1,2} \\d{4} .+ - 0\\.[0-9.]+-\\d+$")
                .contains("bundled Java runtime");
        String requires = rpm("-qp", "--requires");
        assertThat(requires).contains("libc.so.6(GLIBC_" + Packaging.required("runtime.glibc") + ")(64bit)")
                .contains("ca-certificates").contains("/usr/sbin/useradd").doesNotContainIgnoringCase("java");
    }

    @Test
    void rpmlint_finds_nothing_but_the_explained_exceptions() throws Exception {
        Packaging.Result r = Packaging.run("rpmlint", "-r",
                Packaging.distributionDir().resolve("src/rpm/fips-relay.rpmlintrc").toString(), Packaging.rpm().toString());
        assertThat(r.out()).as(r.out()).contains("0 errors, 0 warnings");
        assertThat(r.exit()).as(r.out()).isZero();
    }

    @Test
    void install_upgrade_keeping_a_local_edit_and_erase_in_a_throwaway_system() throws Exception {
        Path work = Packaging.buildDir().resolve("rpm-lifecycle-it");
        Path next = Packaging.buildDir().resolve("rpm-next-release");
        Path nextRpm = buildRelease(next, 2);
        String realUserBefore = Packaging.run("getent", "passwd", "fips-relay").out();
        String rpm = "rpm --dbpath /var/lib/rpm-it --nodeps";
        String inside = String.join("\n",
                "set -e",
                "echo '== install'; " + rpm + " -i /root/" + Packaging.rpm().getFileName(),
                "echo \"user: $(getent passwd fips-relay)\"",
                "stat -c 'mode: %a %U:%G %n' /etc/fips-relay /etc/fips-relay/fips-relay.conf /opt/fips-relay/bin/fips-relay",
                "echo \"conf link: $(readlink -f /opt/fips-relay/conf)\"",
                "echo '== as the service user'",
                "runuser -u fips-relay -- /opt/fips-relay/bin/fips-relay check-config 2>&1 | tail -n 1",
                "mkdir -p /var/cache/fips-relay/native",
                "echo '== upgrade with a local edit'; echo '# local edit' >> /etc/fips-relay/fips-relay.conf",
                rpm + " -U /root/" + nextRpm.getFileName(),
                "echo \"installed: $(rpm --dbpath /var/lib/rpm-it -q fips-relay)\"",
                "echo \"after upgrade: $(tail -n 1 /etc/fips-relay/fips-relay.conf)\"",
                "stat -c 'mode after upgrade: %a %U:%G' /etc/fips-relay/fips-relay.conf",
                "if [ -d /var/cache/fips-relay ]; then echo 'after upgrade: cache kept'; fi",
                "echo '== erase'; " + rpm + " -e fips-relay",
                "if getent passwd fips-relay >/dev/null; then echo 'after erase: user kept'; fi",
                "if [ ! -e /opt/fips-relay ]; then echo 'after erase: /opt/fips-relay gone'; fi",
                "if [ -f /etc/fips-relay/fips-relay.conf.rpmsave ]; then echo 'after erase: edited conf saved as .rpmsave'; fi",
                "if [ ! -e /var/cache/fips-relay ]; then echo 'after erase: cache gone'; fi");
        Packaging.Result r = Packaging.runInThrowawaySystem(work, List.of(Packaging.rpm(), nextRpm), inside);
        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out())
                .containsPattern("user: fips-relay:x:\\d+:\\d+:fips-relay:/nonexistent:/sbin/nologin")
                .contains("mode: 750 root:fips-relay /etc/fips-relay")
                .contains("mode: 640 root:fips-relay /etc/fips-relay/fips-relay.conf")
                .contains("mode: 755 root:root /opt/fips-relay/bin/fips-relay")
                .contains("conf link: /etc/fips-relay")
                // The service user reads its configuration through the group and the conf link.
                .contains("configuration OK: /opt/fips-relay/conf/fips-relay.conf")
                .containsPattern("installed: fips-relay-0\\.[0-9.]+(~SNAPSHOT)?-2\\.x86_64")
                .contains("after upgrade: # local edit")
                .contains("mode after upgrade: 640 root:fips-relay")
                .contains("after upgrade: cache kept")
                .contains("after erase: user kept").contains("after erase: /opt/fips-relay gone")
                .contains("after erase: edited conf saved as .rpmsave").contains("after erase: cache gone");
        assertThat(Packaging.run("getent", "passwd", "fips-relay").out()).as("the real system's users are untouched")
                .isEqualTo(realUserBefore);
    }

    /** The same package as a later release, written by the build's own program (src/build/RpmPackage.java). */
    static Path buildRelease(Path out, int release) throws Exception {
        Packaging.ok("rm", "-rf", out.toString());
        Path dist = Packaging.distributionDir();
        String classpath = Files.readString(Packaging.buildDir().resolve("rpm-builder.classpath")).strip();
        String version = Packaging.rpm().getFileName().toString().replaceAll("fips-relay-(.+)-1\\.x86_64\\.rpm", "$1");
        Packaging.ok(System.getProperty("java.home") + "/bin/java", "-cp", classpath, Packaging.required("rpm-builder.source"),
                "folder=" + ConfiguredRelay.dist(), "version=" + version, "release=" + release, "out=" + out,
                "unit=" + dist.resolve("src/deb/systemd/fips-relay.service"), "doc=" + dist.resolve("../docs/operations.md"),
                "scripts=" + dist.resolve("src/rpm"), "changelog=" + dist.resolve("src/rpm/changelog"),
                "glibc=" + Packaging.required("runtime.glibc"));
        try (Stream<Path> files = Files.list(out)) {
            return files.filter(f -> f.toString().endsWith("-" + release + ".x86_64.rpm")).findFirst().orElseThrow();
        }
    }

    /** One scriptlet of {@code rpm -qp --scripts}: from its "<name> scriptlet" line to the next. */
    static String section(String scripts, String name) {
        Matcher m = Pattern.compile("(?ms)^" + name + " scriptlet \\(using /bin/sh\\):\\n(.*?)(?=^\\w+ scriptlet |\\z)").matcher(scripts);
        assertThat(m.find()).as(name + " scriptlet in:\n" + scripts).isTrue();
        return m.group(1);
    }
}
