package io.fipsrelay.distribution;

import java.util.List;

/**
 * DESIGN.md's port map, the contract with the agent (its fips.port_range_start offsets), with the
 * path the agent typically sends to each product. Written out here, not derived from the plugins,
 * so that a plugin drifting from the contract fails the tests.
 */
final class AgentPortMap {

    record Entry(int offset, String productId, String pluginId, String hostPrefix, String agentPath) {
        String host(String site) {
            return hostPrefix + "." + site;
        }
    }

    /** Offset 11 (appsec) is reserved: unused by the agent, nothing listens. */
    static final int RESERVED_OFFSET = 11;

    static final List<Entry> PRODUCTS = List.of(
            new Entry(1, "metrics", "metrics", "metrics.agent", "/api/v2/series"),
            new Entry(2, "traces", "apm-traces", "trace.agent", "/api/v0.2/traces"),
            new Entry(3, "profiles", "apm-profiles", "intake.profile", "/api/v2/profile"),
            new Entry(4, "processes", "processes", "process", "/api/v1/collector"),
            new Entry(5, "logs", "logs", "agent-http-intake.logs", "/api/v2/logs"),
            new Entry(6, "dbm-metrics", "database-monitoring", "dbm-metrics-intake", "/api/v2/dbmmetrics"),
            new Entry(7, "dbm-samples", "database-monitoring", "dbquery-intake", "/api/v2/databasequery"),
            new Entry(8, "ndm", "network-devices", "ndm-intake", "/api/v2/ndm"),
            new Entry(9, "snmp-traps", "network-devices", "snmp-traps-intake", "/api/v2/ndmtraps"),
            new Entry(10, "instrumentation-telemetry", "instrumentation-telemetry", "instrumentation-telemetry-intake", "/api/v2/apmtelemetry"),
            new Entry(12, "orchestrator", "orchestrator", "orchestrator", "/api/v2/orch"),
            new Entry(13, "runtime-security", "runtime-security", "runtime-security-http-intake.logs", "/api/v2/secruntime"),
            new Entry(14, "compliance", "compliance", "cspm-intake", "/api/v2/compliance"),
            new Entry(15, "netflow", "network-devices", "ndmflow-intake", "/api/v2/ndmflow"));

    private AgentPortMap() {
    }
}
