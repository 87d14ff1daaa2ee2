package io.fipsrelay.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The .deb installed, upgraded, removed and purged with dpkg for real, in a throwaway copy of this
 * system: an overlay over / in a private mount namespace, entered with chroot, so the maintainer
 * scripts run as on a host (adduser, dpkg-statoverride, systemctl enable) and nothing reaches the
 * real system ({@link Packaging#runInThrowawaySystem}). systemd does not run there, so the scripts'
 * start/restart branch is not taken. Needs root and overlay mounts; else reported as skipped.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class PackageLifecycleIT {

    @Test
    void install_upgrade_remove_and_purge_leave_the_system_as_the_package_promises() throws Exception {
        String realUserBefore = Packaging.run("getent", "passwd", "fips-relay").out();

        String inside = String.join("\n",
                "set -e",
                "echo '== install'; dpkg -i /root/" + Packaging.deb().getFileName(),
                "echo \"user: $(getent passwd fips-relay)\"",
                "echo \"group: $(getent group fips-relay)\"",
                "dpkg-statoverride --list | sed 's/^/override: /'",
                "stat -c 'mode: %a %U:%G %n' /etc/fips-relay /etc/fips-relay/fips-relay.conf /opt/fips-relay/bin/fips-relay",
                "echo \"conf link: $(readlink /opt/fips-relay/conf)\"",
                "if [ -e /etc/systemd/system/multi-user.target.wants/fips-relay.service ]; then echo 'enabled: yes'; fi",
                "echo '== as the service user'",
                "runuser -u fips-relay -- /opt/fips-relay/bin/fips-relay check-config 2>&1 | tail -n 1",
                "echo '== upgrade with a local edit'; echo '# local edit' >> /etc/fips-relay/fips-relay.conf",
                "dpkg -i --force-confold /root/" + Packaging.deb().getFileName(),
                "echo \"after upgrade: $(tail -n 1 /etc/fips-relay/fips-relay.conf)\"",
                "stat -c 'mode after upgrade: %a %U:%G' /etc/fips-relay/fips-relay.conf",
                "echo '== remove'; dpkg -r fips-relay",
                "if getent passwd fips-relay >/dev/null; then echo 'after remove: user kept'; fi",
                "if [ -f /etc/fips-relay/fips-relay.conf ]; then echo 'after remove: conf kept'; fi",
                "if [ ! -e /opt/fips-relay/bin/fips-relay ]; then echo 'after remove: launcher gone'; fi",
                "echo '== purge'; dpkg -P fips-relay",
                "if ! getent passwd fips-relay >/dev/null; then echo 'after purge: user gone'; fi",
                "if ! getent group fips-relay >/dev/null; then echo 'after purge: group gone'; fi",
                "if [ ! -e /etc/fips-relay ]; then echo 'after purge: /etc/fips-relay gone'; fi",
                "if ! dpkg-statoverride --list | grep -q fips-relay; then echo 'after purge: no stat override'; fi",
                "if [ ! -e /etc/systemd/system/multi-user.target.wants/fips-relay.service ]; then echo 'after purge: not enabled'; fi");
        Packaging.Result r = Packaging.runInThrowawaySystem(Packaging.buildDir().resolve("package-lifecycle-it"),
                List.of(Packaging.deb()), inside);
        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out())
                .containsPattern("user: fips-relay:x:\\d+:\\d+::/nonexistent:/usr/sbin/nologin")
                .contains("override: root fips-relay 640 /etc/fips-relay/fips-relay.conf")
                .contains("override: root fips-relay 750 /etc/fips-relay")
                .contains("mode: 750 root:fips-relay /etc/fips-relay")
                .contains("mode: 640 root:fips-relay /etc/fips-relay/fips-relay.conf")
                .contains("mode: 755 root:root /opt/fips-relay/bin/fips-relay")
                .contains("conf link: /etc/fips-relay")
                .contains("enabled: yes")
                // The service user can read its configuration through the group and the conf link.
                .contains("configuration OK: /opt/fips-relay/conf/fips-relay.conf")
                .contains("after upgrade: # local edit")
                .contains("mode after upgrade: 640 root:fips-relay")
                .contains("after remove: user kept").contains("after remove: conf kept").contains("after remove: launcher gone")
                .contains("after purge: user gone").contains("after purge: group gone")
                .contains("after purge: /etc/fips-relay gone").contains("after purge: no stat override")
                .contains("after purge: not enabled");
        assertThat(Packaging.run("getent", "passwd", "fips-relay").out()).as("the real system's users are untouched")
                .isEqualTo(realUserBefore);
    }
}
