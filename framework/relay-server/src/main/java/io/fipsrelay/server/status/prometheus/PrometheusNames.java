package io.fipsrelay.server.status.prometheus;

import io.prometheus.metrics.instrumentation.dropwizard5.labels.CustomLabelMapper;
import io.prometheus.metrics.instrumentation.dropwizard5.labels.MapperConfig;
import io.prometheus.metrics.model.snapshots.Labels;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The naming rules from Dropwizard's dotted names to Prometheus families with labels:
 * {@code fips-relay.metrics.requests} becomes {@code fips_relay_requests_total{product="metrics"}},
 * {@code fips-relay.logs.errors.timeout} becomes {@code fips_relay_errors_total{product="logs",cause="timeout"}},
 * and so on (see {@link #family}). Every per-product series also gets the {@code plugin} that
 * serves the product, as the owners last handed over say ({@link #owners}); a product no plugin
 * owns (a relay assembled without plugins) has no plugin label. Names outside the relay's own (jvm.*) only get their dots and
 * dashes turned into underscores.
 *
 * <p>Written as code rather than the bridge's glob {@link MapperConfig}s because the segments that
 * become labels contain dots themselves (host names, "TLSv1.3"), which globs cannot delimit. It
 * plugs into the bridge as its label mapper, but keeps each metric's own name there: the bridge
 * refuses two metrics under one family name (client_java#1712), so {@link PrometheusExposition}
 * forms the families afterwards.
 */
public final class PrometheusNames extends CustomLabelMapper {

    private static final String ROOT = "fips-relay.";
    private static final String HANDSHAKES = ROOT + "tls.handshakes.";
    private static final String AGENT_HANDSHAKES = ROOT + "agent-tls.handshakes.";
    private static final String AGENT_FAILURES = ROOT + "agent-tls.failures.";
    private static final String UPSTREAM = ROOT + "upstream.";
    private static final String INTAKE_CERTIFICATE = ROOT + "tls.intake.";
    private static final String REVOCATION = ROOT + "tls.revocation.";
    /** Second segments that are relay-wide groups, not product ids. */
    private static final Set<String> GROUPS = Set.of("tls", "agent-tls", "upstream", "upstreams", "fips", "relay", "plugins", "audit");
    private static final String PLUGINS = ROOT + "plugins.";
    private static final Map<String, String> HELP = Map.ofEntries(
            Map.entry("fips_relay_requests", "Requests received from the agent, per product."),
            Map.entry("fips_relay_request_bytes", "Request body bytes relayed from the agent to the intake, per product."),
            Map.entry("fips_relay_response_bytes", "Answer body bytes relayed from the intake to the agent, per product."),
            Map.entry("fips_relay_upstream_latency_seconds", "Time from the end of the request to the intake's answer head, per product (recent-weighted quantiles)."),
            Map.entry("fips_relay_responses", "Answers to the agent by status class, from the intake or the relay, per product."),
            Map.entry("fips_relay_errors", "Requests the relay could not complete, by cause, per product."),
            Map.entry("fips_relay_proxy_requests", "Requests sent through the egress proxy's CONNECT tunnels, per product."),
            Map.entry("fips_relay_connections_active", "Agent connections open now, per product."),
            Map.entry("fips_relay_tls_handshakes", "Completed upstream TLS handshakes (BCJSSE, FIPS) by protocol and cipher suite."),
            Map.entry("fips_relay_agent_tls_handshakes", "Completed TLS handshakes of agents on the product listeners (listen.tls) by protocol and cipher suite."),
            Map.entry("fips_relay_agent_tls_failures", "Failed TLS handshakes of agents on the product listeners by cause (TLS alert, timeout, too-many-handshakes, plain-http)."),
            Map.entry("fips_relay_upstream_up", "1 when the intake address takes requests, 0 when it is marked down."),
            Map.entry("fips_relay_upstreams_up", "Intake addresses taking requests now, all products together."),
            Map.entry("fips_relay_upstreams_down", "Intake addresses marked down now, all products together."),
            Map.entry("fips_relay_upstream_check_latency_seconds", "Duration of the last health check of the intake address (NaN before the first)."),
            Map.entry("fips_relay_fips_ready", "1 when the FIPS module is ready (self-tests passed, not in its error state)."),
            Map.entry("fips_relay_fips_approved_only", "1 when the FIPS module runs in approved-only mode."),
            Map.entry("fips_relay_fips_native", "1 when the FIPS module uses its native (CPU-accelerated) code."),
            Map.entry("fips_relay_fips_startup_seconds", "Time the FIPS module took to load, power-on self-tests included."),
            Map.entry("fips_relay_fips", "The FIPS module in use: versions, CMVP certificate, native variant."),
            Map.entry("fips_relay_plugin", "One series per loaded product plugin: its version and the SHA-256 of its jar."),
            Map.entry("fips_relay_max_buffered_bytes_per_exchange", "Most bytes one relayed exchange held in buffers at once (both directions) since start."),
            Map.entry("fips_relay_tls_intake_not_after_seconds", "Expiry (epoch seconds) of the certificate the intake address last presented."),
            Map.entry("fips_relay_tls_revocation", "Revocation decisions on intake certificates by result (good, revoked, unknown, refused)."),
            Map.entry("fips_relay_audit_dropped", "Audit records dropped because the writer's queue was full."));

    /** Product id to plugin id, replaced before each scrape. */
    private volatile Map<String, String> owners = Map.of();

    public PrometheusNames() {
        // The bridge's mapper wants a rule; none of its glob rules is used (see the class comment).
        super(List.of(new MapperConfig("fips-relay.*", "unused", Map.of())));
    }

    /** Which plugin serves which product, for the plugin labels of the next scrape. */
    public void owners(Map<String, String> productToPlugin) {
        this.owners = Map.copyOf(productToPlugin);
    }

    /** Keeps the Dropwizard name, so the bridge's own snapshots stay unique. */
    @Override
    public String getName(String dropwizardName) {
        return dropwizardName;
    }

    @Override
    public Labels getLabels(String dropwizardName, List<String> extraNames, List<String> extraValues) {
        Labels labels = family(dropwizardName).labels();
        String plugin = labels.contains("product") ? owners.get(labels.get("product")) : null;
        if (plugin != null) {
            labels = labels.add("plugin", plugin);
        }
        return labels.merge(Labels.of(extraNames, extraValues));
    }

    /** The family of a Dropwizard metric (the name the bridge kept, a meter's "_total" already dropped). */
    public static PrometheusFamily family(String dw) {
        if (dw.startsWith(HANDSHAKES)) {
            String protocolAndSuite = dw.substring(HANDSHAKES.length());
            int dot = protocolAndSuite.lastIndexOf('.');
            if (dot > 0) {
                return family(dw, "fips_relay_tls_handshakes", false,
                        "protocol", protocolAndSuite.substring(0, dot), "suite", protocolAndSuite.substring(dot + 1));
            }
        }
        if (dw.startsWith(AGENT_HANDSHAKES)) {
            String protocolAndSuite = dw.substring(AGENT_HANDSHAKES.length());
            int dot = protocolAndSuite.lastIndexOf('.');
            if (dot > 0) {
                return family(dw, "fips_relay_agent_tls_handshakes", false,
                        "protocol", protocolAndSuite.substring(0, dot), "suite", protocolAndSuite.substring(dot + 1));
            }
        }
        if (dw.startsWith(AGENT_FAILURES)) {
            return family(dw, "fips_relay_agent_tls_failures", false, "cause", dw.substring(AGENT_FAILURES.length()));
        }
        if (dw.startsWith(INTAKE_CERTIFICATE)) {
            String rest = dw.substring(INTAKE_CERTIFICATE.length());
            int slash = rest.indexOf('/');
            int dot = rest.lastIndexOf('.');
            if (slash > 0 && dot > slash) {
                return family(dw, "fips_relay_tls_intake_" + sanitize(rest.substring(dot + 1)), false,
                        "server", rest.substring(0, slash), "address", rest.substring(slash + 1, dot));
            }
        }
        if (dw.startsWith(REVOCATION)) {
            return family(dw, "fips_relay_tls_revocation", false, "result", dw.substring(REVOCATION.length()));
        }
        if (dw.startsWith(UPSTREAM)) {
            String rest = dw.substring(UPSTREAM.length());
            int slash = rest.indexOf('/');
            int dot = rest.lastIndexOf('.');
            if (slash > 0 && dot > slash) {
                return family(dw, "fips_relay_upstream_" + sanitize(rest.substring(dot + 1)), false,
                        "server", rest.substring(0, slash), "address", rest.substring(slash + 1, dot));
            }
        }
        if (dw.startsWith(ROOT)) {
            String rest = dw.substring(ROOT.length());
            int dot = rest.indexOf('.');
            if (dot > 0 && !GROUPS.contains(rest.substring(0, dot))) {
                return productFamily(dw, rest.substring(0, dot), rest.substring(dot + 1));
            }
            if (dot > 0 && rest.startsWith("relay.")) {
                return family(dw, "fips_relay_" + sanitize(rest.substring(dot + 1)), false);
            }
        }
        return family(dw, sanitize(dw), false);
    }

    private static PrometheusFamily productFamily(String dw, String product, String what) {
        if (what.startsWith("responses.")) {
            return family(dw, "fips_relay_responses", false, "product", product, "code", what.substring("responses.".length()));
        }
        if (what.startsWith("errors.")) {
            return family(dw, "fips_relay_errors", false, "product", product, "cause", what.substring("errors.".length()));
        }
        if (what.equals("upstream-latency")) {
            return family(dw, "fips_relay_upstream_latency_seconds", false, "product", product);
        }
        return family(dw, "fips_relay_" + sanitize(what), what.equals("connections.active"), "product", product);
    }

    /**
     * The info family of a group of text gauges under one Dropwizard parent name:
     * {@code fips-relay.plugins.<id>} gives {@code fips_relay_plugin} with {@code plugin="<id>"},
     * anything else its sanitized name without labels.
     */
    public static PrometheusFamily infoFamily(String parent) {
        if (parent.startsWith(PLUGINS) && parent.length() > PLUGINS.length()) {
            return family(parent, "fips_relay_plugin", false, "plugin", parent.substring(PLUGINS.length()));
        }
        return family(parent, sanitize(parent), false);
    }

    /** The HELP line of a family: the relay's own wording, else the fallback. */
    static String help(String family, String fallback) {
        return HELP.getOrDefault(family, fallback);
    }

    private static PrometheusFamily family(String dw, String name, boolean gauge, String... labels) {
        return new PrometheusFamily(name, Labels.of(labels), gauge, HELP.getOrDefault(name, "Dropwizard metric " + dw + "."));
    }

    /**
     * Runs of dots, dashes and anything else outside [a-zA-Z0-9_] become one underscore, none at
     * either end ("CodeHeap 'non-nmethods'" gives CodeHeap_non_nmethods); a leading digit gets one before it.
     */
    public static String sanitize(String name) {
        String s = name.replaceAll("[^a-zA-Z0-9_]+", "_").replaceAll("_{2,}", "_").replaceAll("^_+|_+$", "");
        return s.isEmpty() || Character.isDigit(s.charAt(0)) ? "_" + s : s;
    }
}
