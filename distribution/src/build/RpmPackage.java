package io.fipsrelay.build;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.eclipse.packager.rpm.FileFlags;
import org.eclipse.packager.rpm.RpmTag;
import org.eclipse.packager.rpm.RpmVersion;
import org.eclipse.packager.rpm.build.BuilderContext;
import org.eclipse.packager.rpm.build.BuilderOptions;
import org.eclipse.packager.rpm.build.FileInformationProvider;
import org.eclipse.packager.rpm.build.RpmBuilder;
import org.eclipse.packager.rpm.deps.RpmDependencyFlags;

/**
 * Writes the fips-relay .rpm in plain Java (no rpmbuild on the build machine) with the Eclipse
 * Packager RPM library, from the assembled folder: the same layout as the .deb. Run by
 * distribution/pom.xml at package as a single-file program ({@code java RpmPackage.java key=value ...}).
 *
 * <p>Written here rather than configured in the rpm-builder Maven plugin (de.dentrassi.maven:rpm,
 * which wraps the same library) because its released versions (up to 1.13.0) cannot write a
 * changelog; the library can, through the header.
 */
public final class RpmPackage {

    /** key=value arguments: folder, version, release, out, unit, doc, scripts, changelog, glibc. */
    public static void main(String[] args) throws IOException {
        Map<String, String> a = new LinkedHashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq < 1) {
                throw new IllegalArgumentException("not key=value: " + arg);
            }
            a.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        Path rpm = new RpmPackage(a).write();
        System.out.println("[rpm] wrote " + rpm);
    }

    private static final String OPT = "/opt/fips-relay";
    private static final String ETC = "/etc/fips-relay";
    private final Map<String, String> args;

    private RpmPackage(Map<String, String> args) {
        this.args = args;
    }

    private String arg(String key) {
        String value = args.get(key);
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("missing argument " + key + "=...");
        }
        return value;
    }

    private Path path(String key) {
        return Path.of(arg(key));
    }

    Path write() throws IOException {
        Path folder = path("folder");
        // 0.1.0-SNAPSHOT -> 0.1.0~SNAPSHOT: RPM has no '-' in versions, and '~' sorts before the release.
        RpmVersion version = new RpmVersion(arg("version").replace('-', '~'), arg("release"));
        BuilderOptions options = new BuilderOptions();
        // name-version-release.arch.rpm, as rpmbuild names it.
        options.setFileNameProvider(org.eclipse.packager.rpm.build.RpmFileNameProvider.DEFAULT_FILENAME_PROVIDER);
        Path out = Files.createDirectories(path("out"));
        try (RpmBuilder builder = new RpmBuilder("fips-relay", version, "x86_64", out, options)) {
            describe(builder);
            requirements(builder);
            scripts(builder);
            builder.setHeaderCustomizer(header -> Changelog.read(path("changelog")).writeTo(header));

            BuilderContext ctx = builder.newContext();
            ctx.setDefaultInformationProvider(owned("root", "root", 0644, 0755));
            ctx.addDirectory(OPT, owned("root", "root", 0644, 0755));
            addTree(ctx, folder.resolve("bin"), OPT + "/bin", p -> true);
            addTree(ctx, folder.resolve("lib"), OPT + "/lib", p -> false);
            addTree(ctx, folder.resolve("plugins"), OPT + "/plugins", p -> false);
            // The bundled runtime: its launchers and shared libraries executable (RHEL's and SUSE's
            // convention for .so files), the rest readable.
            addTree(ctx, folder.resolve("runtime"), OPT + "/runtime", p -> {
                String rel = folder.resolve("runtime").relativize(p).toString();
                return rel.startsWith("bin/") || rel.equals("lib/jspawnhelper") || rel.equals("lib/jexec") || rel.endsWith(".so");
            });
            // bin/fips-relay finds conf/fips-relay.conf by default, as in the tarball (relative: the
            // link stays right in an installation under another root, rpm --root).
            ctx.addSymbolicLink(OPT + "/conf", "../../etc/fips-relay", owned("root", "root", 0777, 0777));

            // root owns the configuration, the service reads it through its group (%pre made it).
            ctx.addDirectory(ETC, owned("root", "fips-relay", 0750, 0750));
            ctx.addFile(ETC + "/fips-relay.conf", folder.resolve("conf/fips-relay.conf"),
                    owned("root", "fips-relay", 0640, 0750).customize(info -> {
                        info.setFileFlags(EnumSet.of(FileFlags.CONFIGURATION, FileFlags.NOREPLACE));
                    }));
            ctx.addFile("/usr/lib/systemd/system/fips-relay.service", path("unit"));
            ctx.addDirectory("/usr/share/doc/fips-relay");
            ctx.addFile("/usr/share/doc/fips-relay/operations.md", path("doc"),
                    owned("root", "root", 0644, 0755).customize(info -> info.setFileFlags(EnumSet.of(FileFlags.DOC))));
            builder.build();
            return builder.getTargetFile();
        }
    }

    private void describe(RpmBuilder builder) {
        RpmBuilder.PackageInformation info = builder.getInformation();
        info.setSummary("Datadog Agent FIPS relay: local plain HTTP to the intakes over FIPS 140-3 TLS");
        info.setDescription("""
                fips-relay takes the plain HTTP the Datadog Agent sends (with fips.enabled)
                to 127.0.0.1:9803..9818 and forwards every request to that product's intake
                over TLS made only by the Bouncy Castle FIPS module (bc-fips 2.1.3, CMVP
                #4943) in approved-only mode. It replaces the HAProxy-based Datadog Agent
                FIPS Proxy.

                It brings its own Java runtime (a jlink image in /opt/fips-relay/runtime).
                Installs to /opt/fips-relay; configuration in
                /etc/fips-relay/fips-relay.conf; runs as the fips-relay system user under
                the fips-relay.service unit.""");
        info.setLicense("Apache-2.0");
        info.setGroup("System Environment/Daemons");
        info.setUrl("https://github.com/fips-relay/fips-relay");
        info.setVendor("fips-relay");
        info.setPackager("fips-relay maintainers <maintainers@fips-relay.invalid>");
        info.setBuildHost("localhost");
    }

    /**
     * What the host must have. Sonames, not package names: RHEL and SUSE name their packages
     * differently (shadow-utils / shadow, libstdc++ / libstdc++6) but provide the same sonames and paths.
     */
    private void requirements(RpmBuilder builder) {
        // The bundled runtime's native code: the newest glibc symbol version it uses, libstdc++, zlib.
        builder.addRequirement("libc.so.6(GLIBC_" + arg("glibc") + ")(64bit)", null);
        builder.addRequirement("libstdc++.so.6()(64bit)", null);
        builder.addRequirement("libz.so.1()(64bit)", null);
        builder.addRequirement("ca-certificates", null);
        // The scriptlets' tools.
        for (String tool : List.of("/bin/sh", "/usr/bin/getent", "/usr/sbin/useradd", "/usr/sbin/groupadd")) {
            builder.addRequirement(tool, null, RpmDependencyFlags.PREREQ, RpmDependencyFlags.SCRIPT_PRE);
        }
    }

    private void scripts(RpmBuilder builder) throws IOException {
        Path dir = path("scripts");
        builder.setPreInstallationScript(Files.readString(dir.resolve("pre.sh")));
        builder.setPostInstallationScript(Files.readString(dir.resolve("post.sh")));
        builder.setPreRemoveScript(Files.readString(dir.resolve("preun.sh")));
        builder.setPostRemoveScript(Files.readString(dir.resolve("postun.sh")));
    }

    /** Files with this owner and mode (directories get dirMode). */
    private static <T> FileInformationProvider<T> owned(String user, String group, int fileMode, int dirMode) {
        FileInformationProvider<T> base = (name, object, type) -> {
            org.eclipse.packager.rpm.build.FileInformation info = new org.eclipse.packager.rpm.build.FileInformation();
            info.setUser(user);
            info.setGroup(group);
            info.setMode((short) (type == org.eclipse.packager.rpm.build.PayloadEntryType.DIRECTORY ? dirMode : fileMode));
            return info;
        };
        return base;
    }

    /** A folder's files and subfolders under target; executables 0755, the rest 0644, all root's. */
    private static void addTree(BuilderContext ctx, Path from, String target, java.util.function.Predicate<Path> executable)
            throws IOException {
        ctx.addDirectory(target, owned("root", "root", 0755, 0755));
        List<Path> entries;
        try (Stream<Path> walk = Files.walk(from)) {
            entries = walk.filter(p -> !p.equals(from)).sorted().toList();
        }
        for (Path p : entries) {
            String name = target + "/" + from.relativize(p).toString().replace('\\', '/');
            if (Files.isDirectory(p)) {
                ctx.addDirectory(name, owned("root", "root", 0755, 0755));
            } else {
                int mode = executable.test(p) ? 0755 : 0644;
                ctx.addFile(name, p, owned("root", "root", mode, 0755));
            }
        }
    }

    /** The spec file's %changelog form, read from a file, written as the header's changelog tags. */
    record Changelog(List<Integer> times, List<String> names, List<String> texts) {

        private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("EEE MMM d yyyy", Locale.ROOT);

        static Changelog read(Path file) {
            List<Integer> times = new ArrayList<>();
            List<String> names = new ArrayList<>();
            List<String> texts = new ArrayList<>();
            StringBuilder text = null;
            List<String> lines;
            try {
                lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            for (String line : lines) {
                if (line.startsWith("#")) {
                    continue;
                }
                if (line.startsWith("* ")) {
                    if (text != null) {
                        texts.add(text.toString().strip());
                    }
                    // "* Sun Nov 29 2026 name <email> - version-release"
                    String[] words = line.substring(2).split(" +", 5);
                    LocalDate day = LocalDate.parse(String.join(" ", words[0], words[1], words[2], words[3]), DAY);
                    times.add((int) day.atStartOfDay().toEpochSecond(ZoneOffset.UTC));
                    names.add(words[4]);
                    text = new StringBuilder();
                } else if (text != null) {
                    text.append(line).append('\n');
                }
            }
            if (text != null) {
                texts.add(text.toString().strip());
            }
            if (times.isEmpty()) {
                throw new IllegalArgumentException(file + ": no changelog entry");
            }
            return new Changelog(times, names, texts);
        }

        void writeTo(org.eclipse.packager.rpm.header.Header<RpmTag> header) {
            header.putInt(RpmTag.CHANGELOG_TIMESTAMP, times.stream().mapToInt(Integer::intValue).toArray());
            header.putStringArray(RpmTag.CHANGELOG_AUTHOR, names.toArray(String[]::new));
            header.putStringArray(RpmTag.CHANGELOG_TEXT, texts.toArray(String[]::new));
        }
    }
}
