package io.fipsrelay.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.typesafe.config.ConfigFactory;
import io.fipsrelay.core.settings.SettingsLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** fips-relay.service as packaged: what it runs, how it restarts and stops, how it is confined. */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class SystemdUnitIT {

    static Path root;
    static String text;
    static Map<String, List<Map.Entry<String, String>>> unit;

    @TempDir
    static Path work;

    @BeforeAll
    static void extract() throws Exception {
        root = work.resolve("root");
        Packaging.ok("dpkg", "-x", Packaging.deb().toString(), root.toString());
        text = Files.readString(root.resolve("usr/lib/systemd/system/fips-relay.service"));
        unit = Packaging.parseUnit(text);
    }

    /** The last value of a directive (systemd's rule for single-valued keys). */
    static String value(String section, String key) {
        List<String> values = unit.getOrDefault(section, List.of()).stream().filter(e -> e.getKey().equals(key))
                .map(Map.Entry::getValue).toList();
        assertThat(values).as("[" + section + "] " + key + "= is set").isNotEmpty();
        return values.get(values.size() - 1);
    }

    static boolean has(String section, String key) {
        return unit.getOrDefault(section, List.of()).stream().anyMatch(e -> e.getKey().equals(key));
    }

    /** "35s", "2min", "500ms", "10" (seconds) as systemd reads a time span. */
    static Duration span(String s) {
        Duration total = Duration.ZERO;
        var m = java.util.regex.Pattern.compile("(\\d+)\\s*(ms|s|sec|min|m|h)?").matcher(s.replace(" ", ""));
        while (m.find()) {
            long n = Long.parseLong(m.group(1));
            String unitName = m.group(2) == null ? "s" : m.group(2);
            total = total.plus(switch (unitName) {
                case "ms" -> Duration.ofMillis(n);
                case "min", "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofSeconds(n);
            });
        }
        return total;
    }

    @Test
    void it_runs_the_launcher_with_the_packaged_configuration_as_the_service_user() {
        assertThat(value("Service", "Type")).isIn("simple", "exec");
        assertThat(value("Service", "ExecStart"))
                .isEqualTo("/opt/fips-relay/bin/fips-relay run --config /etc/fips-relay/fips-relay.conf");
        assertThat(value("Service", "User")).isEqualTo("fips-relay");
        assertThat(value("Service", "Group")).isEqualTo("fips-relay");
        assertThat(value("Install", "WantedBy")).isEqualTo("multi-user.target");
        assertThat(value("Unit", "After")).contains("network-online.target");
    }

    @Test
    void a_failed_start_is_retried_a_few_times_and_then_left_failed_instead_of_spinning() {
        assertThat(value("Service", "Restart")).isEqualTo("on-failure");
        assertThat(span(value("Service", "RestartSec"))).isGreaterThanOrEqualTo(Duration.ofSeconds(5));
        // StartLimit* belong in [Unit] (systemd ignores them in [Service] nowadays).
        int burst = Integer.parseInt(value("Unit", "StartLimitBurst"));
        Duration interval = span(value("Unit", "StartLimitIntervalSec"));
        assertThat(burst).isBetween(2, 10);
        // The limit must be reachable: burst restarts RestartSec apart fit in the interval.
        assertThat(span(value("Service", "RestartSec")).multipliedBy(burst)).isLessThan(interval);
        // A refused configuration (2) or a module that is not FIPS-ready (3) does not heal by restarting.
        assertThat(value("Service", "RestartPreventExitStatus").split("\\s+")).contains("2", "3");
    }

    @Test
    void the_stop_timeout_outlasts_the_drain_that_sigterm_starts() throws Exception {
        Duration drain = SettingsLoader.withCoreDefaults().environment(Map.of()).load(ConfigFactory.empty()).shutdown().drainTimeout();
        assertThat(drain).isEqualTo(Duration.ofSeconds(20));
        assertThat(value("Service", "KillSignal")).isEqualTo("SIGTERM");
        assertThat(span(value("Service", "TimeoutStopSec"))).isGreaterThan(drain.plusSeconds(5));
    }

    @Test
    void logs_go_to_the_journal() {
        for (String key : List.of("StandardOutput", "StandardError")) {
            if (has("Service", key)) {
                assertThat(value("Service", key)).isIn("journal", "inherit");
            }
        }
        assertThat(value("Service", "SyslogIdentifier")).isEqualTo("fips-relay");
    }

    @Test
    void the_service_is_confined() {
        Map<String, String> required = Map.ofEntries(
                Map.entry("NoNewPrivileges", "yes"),
                Map.entry("ProtectSystem", "strict"),
                Map.entry("ProtectHome", "yes"),
                Map.entry("PrivateTmp", "yes"),
                Map.entry("PrivateDevices", "yes"),
                Map.entry("ProtectKernelTunables", "yes"),
                Map.entry("ProtectKernelModules", "yes"),
                Map.entry("ProtectKernelLogs", "yes"),
                Map.entry("ProtectControlGroups", "yes"),
                Map.entry("RestrictAddressFamilies", "AF_INET AF_INET6 AF_UNIX"),
                Map.entry("RestrictNamespaces", "yes"),
                Map.entry("RestrictRealtime", "yes"),
                Map.entry("RestrictSUIDSGID", "yes"),
                Map.entry("LockPersonality", "yes"),
                Map.entry("SystemCallArchitectures", "native"),
                Map.entry("CapabilityBoundingSet", ""),
                Map.entry("AmbientCapabilities", ""));
        required.forEach((key, expected) -> assertThat(value("Service", key)).as(key).isEqualTo(expected));
        // The JIT compiler needs writable and executable memory: this one would kill the JVM.
        assertThat(has("Service", "MemoryDenyWriteExecute")).as("MemoryDenyWriteExecute must not be set").isFalse();
        // Nothing writable but the cache directory.
        assertThat(has("Service", "ReadWritePaths")).isFalse();
    }

    @Test
    void bc_fips_native_code_goes_to_the_units_own_cache_directory_not_to_tmp() {
        // ProtectSystem=strict leaves only CacheDirectory= writable, and hardened hosts mount /tmp
        // noexec (PrivateTmp= inherits that), where the module would refuse to load.
        String cache = value("Service", "CacheDirectory");
        assertThat(cache).isEqualTo("fips-relay");
        assertThat(unit.get("Service")).contains(Map.entry("Environment", "FIPS_RELAY_NATIVE_DIR=/var/cache/" + cache + "/native"));
        assertThat(value("Service", "CacheDirectoryMode")).isEqualTo("0700");
    }

    @Test
    void systemd_analyze_verify_finds_nothing_to_report() throws Exception {
        assumeThat(Packaging.onPath("systemd-analyze")).as("systemd-analyze is installed (package systemd)").isTrue();
        // verify checks that ExecStart= exists and is executable: point it at the launcher from the
        // package (the one change to the unit), so the check runs against the real file.
        Path dir = Files.createDirectories(work.resolve("verify"));
        Path copy = Files.writeString(dir.resolve("fips-relay.service"),
                text.replace("/opt/fips-relay/", root.resolve("opt/fips-relay") + "/"));
        Packaging.Result r = Packaging.run("systemd-analyze", "verify", copy.toString());
        assertThat(r.out()).as("systemd-analyze verify output").isEmpty();
        assertThat(r.exit()).isZero();
    }
}
