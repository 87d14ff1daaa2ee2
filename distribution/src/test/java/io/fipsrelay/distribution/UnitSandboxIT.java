package io.fipsrelay.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The packaged relay under the file-system sandbox of fips-relay.service, rebuilt with unshare and
 * setpriv (no systemd needed): every mount read-only (ProtectSystem=strict), empty /home and /root
 * (ProtectHome), a fresh /tmp mounted noexec as on CIS/STIG-hardened hosts (PrivateTmp inherits
 * that), the cache directory the only writable place (CacheDirectory=), the unit's user without
 * capabilities and with no_new_privs. An emulation of the unit's file-system view, not systemd
 * itself; it needs root (mount namespaces), else its tests are reported as skipped.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class UnitSandboxIT {

    static final int SERVICE_UID = 61234;
    static final Set<String> X86_64 = Set.of("amd64", "x86_64");
    static Path root;
    static String unit;
    /** Folders the sandbox replaces with empty ones: nothing the test runs may live below them. */
    static final List<Path> HIDDEN_BY_SANDBOX = List.of(Path.of("/tmp"), Path.of("/home"), Path.of("/root"), Path.of("/var/cache"));
    static Path scratch;

    @AfterAll
    static void removeScratch() throws Exception {
        if (scratch != null && scratch.startsWith("/var/tmp")) {
            Packaging.ok("rm", "-rf", scratch.toString());
        }
    }

    @BeforeAll
    static void extract() throws Exception {
        // Not under /tmp (nor /home, /root, /var/cache): the sandbox mounts its own over them, so a
        // checkout there (a CI clone under /tmp) extracts the package under /var/tmp instead.
        Path build = Packaging.buildDir().toRealPath();
        Path work = HIDDEN_BY_SANDBOX.stream().anyMatch(build::startsWith)
                ? Files.createTempDirectory(Path.of("/var/tmp"), "fips-relay-unit-sandbox-it")
                : build.resolve("unit-sandbox-it");
        Packaging.ok("rm", "-rf", work.toString());
        scratch = work;
        root = Files.createDirectories(work).resolve("root");
        Packaging.ok("dpkg", "-x", Packaging.deb().toString(), root.toString());
        unit = Files.readString(root.resolve("usr/lib/systemd/system/fips-relay.service"));
        // What postinst's dpkg-statoverride does: root:fips-relay 0750 and 0640.
        Packaging.ok("chown", "-R", "0:" + SERVICE_UID, root.resolve("etc/fips-relay").toString());
        Files.setPosixFilePermissions(root.resolve("etc/fips-relay"), PosixFilePermissions.fromString("rwxr-x---"));
    }

    @BeforeEach
    void canSandbox() throws Exception {
        assumeThat(new com.sun.security.auth.module.UnixSystem().getUid()).as("root, for mount namespaces").isZero();
        assumeThat(Packaging.onPath("unshare") && Packaging.onPath("setpriv")).as("unshare and setpriv (util-linux)").isTrue();
        assumeThat(Packaging.run("unshare", "-m", "true").exit()).as("mount namespaces are permitted here").isZero();
    }

    static String directive(String key) {
        Matcher m = Pattern.compile("(?m)^" + key + "=(.*)$").matcher(unit);
        assertThat(m.find()).as(key + "= in the unit").isTrue();
        return m.group(1).strip();
    }

    /** bin/fips-relay self-test with the unit's --config, as the unit's user, inside the sandbox. */
    static Packaging.Result selfTestInTheSandbox(boolean withTheUnitsNativeDir) throws Exception {
        String cacheDir = "/var/cache/" + directive("CacheDirectory");
        String nativeDir = directive("Environment").replaceFirst("^FIPS_RELAY_NATIVE_DIR=", "");
        assertThat(nativeDir).startsWith(cacheDir + "/");
        String launcher = root.resolve("opt/fips-relay/bin/fips-relay").toString();
        String config = root.resolve(directive("ExecStart").replaceFirst(".* --config /", "")).toString();
        String script = String.join("\n",
                "set -e",
                "mount --make-rprivate /",
                "mount -t tmpfs -o mode=1777,noexec tmpfs /tmp",
                "mount -t tmpfs tmpfs /home; mount -t tmpfs tmpfs /root",
                "mount -t tmpfs -o mode=0755 tmpfs /var/cache",
                "mkdir -m 0700 " + cacheDir + " && chown " + SERVICE_UID + ":" + SERVICE_UID + " " + cacheDir,
                "findmnt -rn -o TARGET | while read -r m; do case \"$m\" in /tmp|/var/cache|/proc*|/sys*|/dev*) ;;"
                        + " *) mount -o remount,bind,ro \"$m\" 2>/dev/null || true;; esac; done",
                "if touch " + root.resolve("opt/fips-relay/probe") + " 2>/dev/null; then echo 'sandbox: /opt is writable'; exit 99; fi",
                "exec setpriv --reuid=" + SERVICE_UID + " --regid=" + SERVICE_UID + " --clear-groups --no-new-privs"
                        + " --bounding-set=-all --inh-caps=-all env -i PATH=/usr/bin:/bin"
                        + " JAVA_HOME=" + System.getProperty("java.home")
                        + (withTheUnitsNativeDir ? " FIPS_RELAY_NATIVE_DIR=" + nativeDir : "")
                        + " " + launcher + " self-test --config " + config);
        Packaging.Result r = Packaging.run("unshare", "-m", "sh", "-c", script);
        assertThat(r.out()).doesNotContain("sandbox: /opt is writable");
        return r;
    }

    @Test
    void the_module_loads_its_native_code_from_the_cache_directory_even_with_tmp_noexec() throws Exception {
        Packaging.Result r = selfTestInTheSandbox(true);
        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out()).contains("approved-only      yes").contains("RESULT: FIPS-READY");
        assumeThat(X86_64).as("bc-fips ships native code for Linux x86_64 only").contains(System.getProperty("os.arch"));
        assertThat(r.out()).containsPattern("native variant +(?!java)\\w+ \\[.*AES/GCM");
    }

    @Test
    void left_to_its_default_tmp_dir_the_module_would_refuse_to_load_on_such_a_host() throws Exception {
        assumeThat(X86_64).as("bc-fips ships native code for Linux x86_64 only").contains(System.getProperty("os.arch"));
        Packaging.Result r = selfTestInTheSandbox(false);
        assertThat(r.exit()).as(r.out()).isEqualTo(3);
        assertThat(r.out()).contains("RESULT: NOT FIPS-READY").contains("UnsatisfiedLinkError").contains("/tmp/");
    }
}
