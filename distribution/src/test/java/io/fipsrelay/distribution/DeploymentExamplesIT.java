package io.fipsrelay.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.fipsrelay.core.settings.RelaySettings;
import io.fipsrelay.core.settings.SettingsLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.yaml.snakeyaml.Yaml;

/**
 * The container, Kubernetes, Helm and ECS examples under distribution/: they parse, and the ports,
 * addresses and variable names in them are the ones the relay (and the agent) actually use.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class DeploymentExamplesIT {

    /** The relay's environment overrides and the setting each one sets (DESIGN.md, SettingsLoader). */
    static final Map<String, Function<RelaySettings, String>> RELAY_ENV = Map.of(
            "DD_SITE", RelaySettings::site,
            "DD_FIPS_LOCAL_ADDRESS", s -> s.listen().address(),
            "DD_FIPS_PORT_RANGE_START", s -> String.valueOf(s.listen().portRangeStart()));
    /** Values no example uses: a variable that is read shows them in the settings. */
    static final Map<String, String> SENTINELS = Map.of(
            "DD_SITE", "sentinel.example", "DD_FIPS_LOCAL_ADDRESS", "10.9.8.7", "DD_FIPS_PORT_RANGE_START", "20103");

    static final Path DIR = Packaging.distributionDir();

    static RelaySettings relayWith(Map<String, String> env) throws Exception {
        return SettingsLoader.withCoreDefaults().environment(env).load(ConfigFactory.empty());
    }

    /**
     * Checks a relay container's environment: every DD_* variable is one the relay reads (shown by
     * the setting it changes), every FIPS_RELAY_* one is one the launcher reads. Returns the settings
     * the relay runs with under that environment.
     */
    static RelaySettings relayEnvironment(Map<String, String> env) throws Exception {
        String launcher = Files.readString(DIR.resolve("src/main/dist/bin/fips-relay"));
        for (String name : env.keySet()) {
            if (name.startsWith("DD_")) {
                assertThat(RELAY_ENV).as(name + " is a variable the relay reads").containsKey(name);
                assertThat(RELAY_ENV.get(name).apply(relayWith(Map.of(name, SENTINELS.get(name)))))
                        .as(name + " changes its setting").isEqualTo(SENTINELS.get(name));
            } else {
                assertThat(name).as("a variable of bin/fips-relay").startsWith("FIPS_RELAY_");
                assertThat(launcher).as("bin/fips-relay reads " + name).contains("${" + name);
            }
        }
        RelaySettings settings = relayWith(env);
        env.forEach((name, value) -> {
            if (RELAY_ENV.containsKey(name)) {
                assertThat(RELAY_ENV.get(name).apply(settings)).isEqualTo(value);
            }
        });
        return settings;
    }

    /** The agent's fips settings point at the relay's listeners. */
    static void agentPointsAtTheRelay(Map<String, String> agentEnv, RelaySettings relay) {
        assertThat(agentEnv).containsEntry("DD_FIPS_ENABLED", "true")
                .containsEntry("DD_FIPS_HTTPS", "false")
                .containsEntry("DD_FIPS_PORT_RANGE_START", String.valueOf(relay.listen().portRangeStart()))
                .containsEntry("DD_FIPS_LOCAL_ADDRESS", relay.listen().address())
                .containsEntry("DD_SITE", relay.site());
    }

    /** Status port and the fifteen product ports after it: 9803..9818 by default. */
    static List<Integer> portRange(RelaySettings relay) {
        int start = relay.listen().portRangeStart();
        return IntStream.rangeClosed(start, start + 15).boxed().toList();
    }

    static String healthz(RelaySettings relay) {
        return "http://127.0.0.1:" + relay.listen().statusPort() + "/healthz";
    }

    // ---------------------------------------------------------------- Dockerfile

    /** Instructions with continuation lines joined, comments dropped. */
    static List<String> dockerInstructions() throws Exception {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : Files.readAllLines(DIR.resolve("container/Dockerfile"))) {
            String l = line.strip();
            if (l.startsWith("#") || (l.isEmpty() && current.length() == 0)) {
                continue;
            }
            if (l.endsWith("\\")) {
                current.append(l, 0, l.length() - 1).append(' ');
                continue;
            }
            out.add(current.append(l).toString().strip());
            current.setLength(0);
        }
        return out.stream().filter(s -> !s.isEmpty()).toList();
    }

    static List<String> instruction(String keyword) throws Exception {
        return dockerInstructions().stream().filter(i -> i.startsWith(keyword + " "))
                .map(i -> i.substring(keyword.length() + 1).strip()).toList();
    }

    static Map<String, String> dockerArgs() throws Exception {
        Map<String, String> args = new LinkedHashMap<>();
        for (String arg : instruction("ARG")) {
            String[] kv = arg.split("=", 2);
            args.put(kv[0], kv.length > 1 ? kv[1] : "");
        }
        return args;
    }

    static Map<String, String> dockerEnv() throws Exception {
        Map<String, String> env = new LinkedHashMap<>();
        for (String e : instruction("ENV")) {
            Matcher m = Pattern.compile("(\\w+)=(\\S+)").matcher(e);
            while (m.find()) {
                env.put(m.group(1), m.group(2));
            }
        }
        return env;
    }

    @Test
    void the_image_runs_the_launcher_on_its_bundled_runtime_with_no_java_in_the_base_image() throws Exception {
        assertThat(instruction("FROM")).containsExactly("${BASE_IMAGE}");
        assertThat(dockerArgs().get("BASE_IMAGE")).isEqualTo("debian:bookworm-slim");
        assertThat(String.join("\n", instruction("RUN"))).contains("apt-get install -y --no-install-recommends ca-certificates curl");
        assertThat(ConfiguredRelay.dist().resolve("runtime/bin/java")).isExecutable();
        assertThat(instruction("ENTRYPOINT")).containsExactly("[\"/opt/fips-relay/bin/fips-relay\"]");
        assertThat(instruction("CMD")).containsExactly("[\"run\"]");
        // The build context is the assembled folder: the launcher, its libraries (bc-fips as its own
        // jar) and the default configuration are copied as they are.
        assertThat(instruction("COPY")).containsExactly("--chown=root:fips-relay . /opt/fips-relay/");
        Path dist = ConfiguredRelay.dist();
        assertThat(dist.resolve("bin/fips-relay")).isExecutable();
        assertThat(dist.resolve("conf/fips-relay.conf")).exists();
        assertThat(dist.resolve("lib").resolve(Packaging.bcFipsFromMaven().getFileName())).exists();
    }

    @Test
    void the_image_runs_as_a_numeric_non_root_user() throws Exception {
        String user = instruction("USER").get(instruction("USER").size() - 1);
        String uid = dockerArgs().get("FIPS_RELAY_UID");
        assertThat(user).isEqualTo("${FIPS_RELAY_UID}:${FIPS_RELAY_UID}");
        assertThat(uid).matches("\\d+");
        assertThat(Integer.parseInt(uid)).isGreaterThanOrEqualTo(1000);
        assertThat(String.join("\n", instruction("RUN"))).contains("useradd --system --uid \"${FIPS_RELAY_UID}\"");
    }

    @Test
    void the_image_accepts_a_sidecars_agent_and_exposes_the_relays_ports() throws Exception {
        Map<String, String> env = dockerEnv();
        // In its own network namespace the relay must accept from the agent's container.
        assertThat(env).containsEntry("DD_FIPS_LOCAL_ADDRESS", "0.0.0.0");
        // DD_SITE / DD_FIPS_PORT_RANGE_START would override conf/fips-relay.conf: left to the operator.
        assertThat(env).doesNotContainKeys("DD_SITE", "DD_FIPS_PORT_RANGE_START");
        RelaySettings relay = relayEnvironment(env);
        assertThat(instruction("EXPOSE")).containsExactly(portRange(relay).get(0) + "-" + portRange(relay).get(15));
        String healthcheck = instruction("HEALTHCHECK").get(0);
        assertThat(healthcheck).contains("http://127.0.0.1:${DD_FIPS_PORT_RANGE_START:-" + relay.listen().statusPort() + "}/healthz")
                .contains("--start-period=");
        assertThat(instruction("STOPSIGNAL")).containsExactly("SIGTERM");
    }

    @Test
    void the_images_native_dir_is_made_writable_for_the_relays_user() throws Exception {
        String nativeDir = dockerEnv().get("FIPS_RELAY_NATIVE_DIR");
        String parent = nativeDir.substring(0, nativeDir.lastIndexOf('/'));
        assertThat(String.join("\n", instruction("RUN")))
                .contains("mkdir -p " + parent).contains("chown fips-relay:fips-relay " + parent);
    }

    // ---------------------------------------------------------------- Kubernetes

    static List<Map<String, Object>> yamlDocuments(String file) throws Exception {
        List<Map<String, Object>> docs = new ArrayList<>();
        for (Object doc : new Yaml().loadAll(Files.readString(DIR.resolve(file)))) {
            docs.add(cast(doc));
        }
        return docs;
    }

    @SuppressWarnings("unchecked")
    static <T> T cast(Object o) {
        return (T) o;
    }

    static Map<String, Object> at(Map<String, Object> map, String... path) {
        Map<String, Object> m = map;
        for (String key : path) {
            assertThat(m).as("key " + key).containsKey(key);
            m = cast(m.get(key));
        }
        return m;
    }

    static Map<String, String> k8sEnv(Map<String, Object> container) {
        Map<String, String> env = new LinkedHashMap<>();
        List<Map<String, Object>> list = cast(container.get("env"));
        for (Map<String, Object> e : list) {
            if (e.containsKey("value")) {
                env.put((String) e.get("name"), (String) e.get("value"));
            }
        }
        return env;
    }

    @Test
    void the_kubernetes_sidecar_listens_where_the_agent_sends_and_declares_every_port() throws Exception {
        List<Map<String, Object>> docs = yamlDocuments("kubernetes/datadog-agent-with-fips-relay.yaml");
        Map<String, Object> daemonSet = docs.stream().filter(d -> "DaemonSet".equals(d.get("kind"))).findFirst().orElseThrow();
        List<Map<String, Object>> containers = cast(at(daemonSet, "spec", "template", "spec").get("containers"));
        Map<String, Object> relayContainer = containers.stream().filter(c -> "fips-relay".equals(c.get("name"))).findFirst().orElseThrow();
        Map<String, Object> agentContainer = containers.stream().filter(c -> "agent".equals(c.get("name"))).findFirst().orElseThrow();

        RelaySettings relay = relayEnvironment(k8sEnv(relayContainer));
        // One network namespace per pod: loopback, private to the pod.
        assertThat(relay.listen().address()).isEqualTo("127.0.0.1");
        agentPointsAtTheRelay(k8sEnv(agentContainer), relay);
        List<Map<String, Object>> ports = cast(relayContainer.get("ports"));
        assertThat(ports.stream().map(p -> (Integer) p.get("containerPort"))).containsExactlyElementsOf(portRange(relay));
        assertThat(ports.stream().map(p -> (String) p.get("name"))).doesNotHaveDuplicates()
                .allSatisfy(n -> assertThat(n.length()).as("port name " + n).isLessThanOrEqualTo(15));

        // Probes run inside the container (the kubelet cannot reach 127.0.0.1 of the pod).
        for (String probe : List.of("startupProbe", "livenessProbe")) {
            List<String> command = cast(at(relayContainer, probe, "exec").get("command"));
            assertThat(command).as(probe).contains(healthz(relay));
        }
        Map<String, Object> security = at(relayContainer, "securityContext");
        assertThat(security).containsEntry("runAsNonRoot", true).containsEntry("allowPrivilegeEscalation", false)
                .containsEntry("readOnlyRootFilesystem", true);
        assertThat((Integer) at(daemonSet, "spec", "template", "spec").get("terminationGracePeriodSeconds"))
                .isGreaterThan((int) relay.shutdown().drainTimeout().toSeconds());
    }

    @Test
    void with_a_read_only_root_the_native_dir_and_tmp_are_volumes() throws Exception {
        List<Map<String, Object>> docs = yamlDocuments("kubernetes/datadog-agent-with-fips-relay.yaml");
        Map<String, Object> daemonSet = docs.stream().filter(d -> "DaemonSet".equals(d.get("kind"))).findFirst().orElseThrow();
        List<Map<String, Object>> containers = cast(at(daemonSet, "spec", "template", "spec").get("containers"));
        Map<String, Object> relayContainer = containers.stream().filter(c -> "fips-relay".equals(c.get("name"))).findFirst().orElseThrow();
        List<Map<String, Object>> mounts = cast(relayContainer.get("volumeMounts"));
        List<String> paths = mounts.stream().map(m -> (String) m.get("mountPath")).toList();
        String nativeDir = k8sEnv(relayContainer).get("FIPS_RELAY_NATIVE_DIR");
        assertThat(paths).contains("/tmp").anyMatch(p -> nativeDir.startsWith(p + "/"));
    }

    /**
     * RSS of the relay under the agent workload, measured (docs/performance.md, docs/operations.md
     * "Sizing"): 275 MB before the data path was rebuilt, 190-200 MB since; the examples keep the
     * larger figure as their floor.
     */
    static final long MEASURED_RSS_UNDER_LOAD = 275L * 1000 * 1000;
    /** The heap the launcher fixes (-Xms96m -Xmx96m): the least any memory figure must hold. */
    static final long HEAP = 96L * 1024 * 1024;

    /** A Kubernetes memory quantity ("320Mi", "1Gi", "300M") in bytes. */
    static long bytes(String quantity) {
        Matcher m = Pattern.compile("(\\d+)(Ki|Mi|Gi|K|M|G)?").matcher(quantity);
        assertThat(m.matches()).as("memory quantity " + quantity).isTrue();
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "" : m.group(2);
        return n * switch (unit) {
            case "Ki" -> 1024L;
            case "Mi" -> 1024L * 1024;
            case "Gi" -> 1024L * 1024 * 1024;
            case "K" -> 1000L;
            case "M" -> 1000L * 1000;
            case "G" -> 1000L * 1000 * 1000;
            default -> 1L;
        };
    }

    @Test
    void the_kubernetes_sidecar_is_fit_for_production_probes_resources_and_a_locked_down_container() throws Exception {
        List<Map<String, Object>> docs = yamlDocuments("kubernetes/datadog-agent-with-fips-relay.yaml");
        Map<String, Object> daemonSet = docs.stream().filter(d -> "DaemonSet".equals(d.get("kind"))).findFirst().orElseThrow();
        Map<String, Object> podSpec = at(daemonSet, "spec", "template", "spec");
        List<Map<String, Object>> containers = cast(podSpec.get("containers"));
        Map<String, Object> relayContainer = containers.stream().filter(c -> "fips-relay".equals(c.get("name"))).findFirst().orElseThrow();
        RelaySettings relay = relayEnvironment(k8sEnv(relayContainer));

        // Liveness and readiness both ask /healthz (200 only when FIPS is ready and every port is bound).
        for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
            List<String> command = cast(at(relayContainer, probe, "exec").get("command"));
            assertThat(command).as(probe).containsSubsequence("curl", "-fsS").contains(healthz(relay));
        }
        // Requests and limits hold the measured RSS under load, and the fixed heap.
        Map<String, Object> requests = at(relayContainer, "resources", "requests");
        Map<String, Object> limits = at(relayContainer, "resources", "limits");
        assertThat(bytes((String) requests.get("memory"))).isGreaterThanOrEqualTo(MEASURED_RSS_UNDER_LOAD).isGreaterThan(HEAP);
        assertThat(bytes((String) limits.get("memory"))).isGreaterThan(bytes((String) requests.get("memory")));
        assertThat((String) requests.get("cpu")).matches("\\d+m|\\d+(\\.\\d+)?");

        // Non-root, read-only root, no capabilities, the runtime's default seccomp profile.
        Map<String, Object> security = at(relayContainer, "securityContext");
        assertThat(security).containsEntry("runAsNonRoot", true).containsEntry("readOnlyRootFilesystem", true)
                .containsEntry("allowPrivilegeEscalation", false);
        assertThat((Integer) security.get("runAsUser")).isGreaterThanOrEqualTo(1000);
        assertThat((List<String>) cast(at(security, "capabilities").get("drop"))).containsExactly("ALL");
        assertThat(at(security, "capabilities")).doesNotContainKey("add");
        assertThat(at(security, "seccompProfile")).containsEntry("type", "RuntimeDefault");

        // The native cache dir (bc-fips's native code, written at every start) is on an emptyDir.
        String nativeDir = k8sEnv(relayContainer).get("FIPS_RELAY_NATIVE_DIR");
        List<Map<String, Object>> mounts = cast(relayContainer.get("volumeMounts"));
        Map<String, Object> cacheMount = mounts.stream().filter(mt -> nativeDir.startsWith(mt.get("mountPath") + "/"))
                .findFirst().orElseThrow();
        List<Map<String, Object>> volumes = cast(podSpec.get("volumes"));
        Map<String, Object> cacheVolume = volumes.stream().filter(v -> v.get("name").equals(cacheMount.get("name")))
                .findFirst().orElseThrow();
        assertThat(cacheVolume).containsKey("emptyDir");
        assertThat(cacheMount.get("readOnly")).isNotEqualTo(true);
    }

    @Test
    void the_kubernetes_configmap_holds_a_configuration_the_relay_accepts() throws Exception {
        Map<String, Object> configMap = yamlDocuments("kubernetes/datadog-agent-with-fips-relay.yaml").stream()
                .filter(d -> "ConfigMap".equals(d.get("kind"))).findFirst().orElseThrow();
        String hocon = (String) at(configMap, "data").get("fips-relay.conf");
        RelaySettings settings = SettingsLoader.withCoreDefaults().environment(Map.of())
                .load(SettingsLoader.parseString(hocon));
        assertThat(settings.site()).isEqualTo("ddog-gov.com");
    }

    @Test
    void the_helm_values_map_the_charts_fips_block_onto_the_relay() throws Exception {
        Map<String, Object> values = yamlDocuments("kubernetes/helm-values-fips.yaml").get(0);
        Map<String, Object> fips = at(values, "fips");
        assertThat(fips).containsEntry("enabled", true).containsEntry("use_https", false);
        // The chart gives the sidecar DD_FIPS_LOCAL_ADDRESS = local_address, nothing else.
        RelaySettings relay = relayEnvironment(Map.of("DD_FIPS_LOCAL_ADDRESS", (String) fips.get("local_address")));
        assertThat(relay.listen().address()).isEqualTo("127.0.0.1");
        // ... so the agent's port_range_start (fips.port) must be the relay's own default.
        assertThat(fips.get("port")).isEqualTo(relay.listen().portRangeStart());
        int port = (Integer) fips.get("port");
        int range = (Integer) fips.get("portRange");
        // The chart declares port .. port+portRange-1: all of 9803..9818.
        assertThat(IntStream.range(port, port + range).boxed().toList()).containsExactlyElementsOf(portRange(relay));
        Map<String, Object> image = at(fips, "image");
        assertThat((String) image.get("repository")).endsWith("/fips-relay");
        assertThat(image.get("tag")).isNotNull();
        assertThat(fips).doesNotContainKey("customFipsConfig");
        assertThat(at(values, "datadog")).containsEntry("site", relay.site());
    }

    // ---------------------------------------------------------------- ECS

    static Map<String, String> ecsEnv(JsonNode container) {
        Map<String, String> env = new LinkedHashMap<>();
        container.path("environment").forEach(e -> env.put(e.get("name").asText(), e.get("value").asText()));
        return env;
    }

    @Test
    void the_ecs_task_runs_the_relay_as_a_sidecar_with_port_mappings_for_the_whole_range() throws Exception {
        JsonNode task = new ObjectMapper().readTree(DIR.resolve("ecs/datadog-agent-fips-relay-task-definition.json").toFile());
        List<JsonNode> containers = StreamSupport.stream(task.get("containerDefinitions").spliterator(), false).toList();
        JsonNode relayContainer = containers.stream().filter(c -> c.get("name").asText().equals("fips-relay")).findFirst().orElseThrow();
        JsonNode agentContainer = containers.stream().filter(c -> c.get("name").asText().equals("datadog-agent")).findFirst().orElseThrow();

        // awsvpc: the task's containers share one network namespace, as in a pod.
        assertThat(task.get("networkMode").asText()).isEqualTo("awsvpc");
        RelaySettings relay = relayEnvironment(ecsEnv(relayContainer));
        agentPointsAtTheRelay(ecsEnv(agentContainer), relay);

        List<JsonNode> mappings = StreamSupport.stream(relayContainer.get("portMappings").spliterator(), false).toList();
        assertThat(mappings.stream().map(m -> m.get("containerPort").asInt())).containsExactlyElementsOf(portRange(relay));
        assertThat(mappings).allSatisfy(m -> {
            assertThat(m.get("protocol").asText()).isEqualTo("tcp");
            // awsvpc requires hostPort to be absent or equal to containerPort.
            if (m.has("hostPort")) {
                assertThat(m.get("hostPort").asInt()).isEqualTo(m.get("containerPort").asInt());
            }
        });

        assertThat(relayContainer.at("/healthCheck/command").toString()).contains(healthz(relay));
        assertThat(relayContainer.get("stopTimeout").asInt()).isGreaterThan((int) relay.shutdown().drainTimeout().toSeconds());
        assertThat(relayContainer.get("user").asText()).doesNotStartWith("0").doesNotStartWith("root");
        // Memory in MiB: the reservation holds the measured RSS under load, the hard limit more.
        long mib = 1024L * 1024;
        assertThat(relayContainer.get("memoryReservation").asLong() * mib).isGreaterThanOrEqualTo(MEASURED_RSS_UNDER_LOAD);
        assertThat(relayContainer.get("memory").asLong()).isGreaterThan(relayContainer.get("memoryReservation").asLong());
        assertThat(relayContainer.get("cpu").asInt()).isPositive();
        assertThat(relayContainer.get("readonlyRootFilesystem").asBoolean()).isTrue();
        assertThat(relayContainer.at("/healthCheck/command/0").asText()).isEqualTo("CMD-SHELL");
        assertThat(relayContainer.at("/healthCheck/startPeriod").asInt()).isPositive();
        // The agent starts once the relay answers /healthz, and so stops before it.
        assertThat(agentContainer.get("dependsOn").toString()).contains("\"containerName\":\"fips-relay\"")
                .contains("\"condition\":\"HEALTHY\"");
        assertThat(agentContainer.toString()).doesNotContain("\"DD_API_KEY\",\"value\"");
    }

    @Test
    void with_a_read_only_root_the_ecs_relay_gets_volumes_for_its_native_dir_and_tmp() throws Exception {
        JsonNode task = new ObjectMapper().readTree(DIR.resolve("ecs/datadog-agent-fips-relay-task-definition.json").toFile());
        JsonNode relayContainer = StreamSupport.stream(task.get("containerDefinitions").spliterator(), false)
                .filter(c -> c.get("name").asText().equals("fips-relay")).findFirst().orElseThrow();
        assertThat(relayContainer.get("readonlyRootFilesystem").asBoolean()).isTrue();
        List<String> paths = StreamSupport.stream(relayContainer.get("mountPoints").spliterator(), false)
                .map(m -> m.get("containerPath").asText()).toList();
        String nativeDir = ecsEnv(relayContainer).get("FIPS_RELAY_NATIVE_DIR");
        assertThat(paths).contains("/tmp").anyMatch(p -> nativeDir.startsWith(p + "/"));
        List<String> volumes = StreamSupport.stream(task.get("volumes").spliterator(), false)
                .map(v -> v.get("name").asText()).toList();
        assertThat(StreamSupport.stream(relayContainer.get("mountPoints").spliterator(), false)
                .map(m -> m.get("sourceVolume").asText())).allMatch(volumes::contains);
    }
}
