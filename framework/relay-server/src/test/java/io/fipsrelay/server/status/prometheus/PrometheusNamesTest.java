package io.fipsrelay.server.status.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.snapshots.Labels;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** How the relay's Dropwizard names read in Prometheus. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PrometheusNamesTest {

    private static void maps(String dropwizard, String family, String... labels) {
        PrometheusFamily f = PrometheusNames.family(dropwizard);
        assertThat(f.name()).as(dropwizard).isEqualTo(family);
        assertThat((Object) f.labels()).as(dropwizard).isEqualTo(Labels.of(labels));
    }

    @Test
    void per_product_metrics_become_one_family_with_a_product_label() {
        maps("fips-relay.metrics.requests", "fips_relay_requests", "product", "metrics");
        maps("fips-relay.dbm-samples.request-bytes", "fips_relay_request_bytes", "product", "dbm-samples");
        maps("fips-relay.logs.response-bytes", "fips_relay_response_bytes", "product", "logs");
        maps("fips-relay.traces.upstream-latency", "fips_relay_upstream_latency_seconds", "product", "traces");
        maps("fips-relay.ndm.responses.5xx", "fips_relay_responses", "product", "ndm", "code", "5xx");
        maps("fips-relay.logs.errors.bad-request", "fips_relay_errors", "product", "logs", "cause", "bad-request");
        maps("fips-relay.netflow.connections.active", "fips_relay_connections_active", "product", "netflow");
    }

    @Test
    void only_the_open_connection_count_is_turned_from_a_counter_into_a_gauge() {
        assertThat(PrometheusNames.family("fips-relay.metrics.connections.active").gauge()).isTrue();
        assertThat(PrometheusNames.family("fips-relay.metrics.requests").gauge()).isFalse();
    }

    @Test
    void segments_with_dots_of_their_own_still_become_whole_labels() {
        maps("fips-relay.tls.handshakes.TLSv1.3.TLS_AES_128_GCM_SHA256", "fips_relay_tls_handshakes",
                "protocol", "TLSv1.3", "suite", "TLS_AES_128_GCM_SHA256");
        maps("fips-relay.upstream.metrics.agent.ddog-gov.com:443/10.1.2.3:443.up", "fips_relay_upstream_up",
                "server", "metrics.agent.ddog-gov.com:443", "address", "10.1.2.3:443");
        maps("fips-relay.upstream.api.ddog-gov.com:443/[2001:db8::1]:443.check-latency-seconds",
                "fips_relay_upstream_check_latency_seconds", "server", "api.ddog-gov.com:443", "address", "[2001:db8::1]:443");
    }

    @Test
    void agent_side_handshakes_and_their_failures_get_their_own_families_not_a_product() {
        maps("fips-relay.agent-tls.handshakes.TLSv1.2.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "fips_relay_agent_tls_handshakes",
                "protocol", "TLSv1.2", "suite", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
        maps("fips-relay.agent-tls.failures.handshake-failure", "fips_relay_agent_tls_failures", "cause", "handshake-failure");
        maps("fips-relay.metrics.errors.tls-on-plain-port", "fips_relay_errors", "product", "metrics", "cause", "tls-on-plain-port");
    }

    @Test
    void certificate_expiry_revocation_and_audit_metrics_get_their_own_families() {
        maps("fips-relay.tls.intake.metrics.agent.ddog-gov.com:443/10.1.2.3:443.not-after-seconds",
                "fips_relay_tls_intake_not_after_seconds", "server", "metrics.agent.ddog-gov.com:443", "address", "10.1.2.3:443");
        maps("fips-relay.tls.trust-bundle.earliest-anchor-not-after-seconds", "fips_relay_tls_trust_bundle_earliest_anchor_not_after_seconds");
        maps("fips-relay.tls.revocation.revoked", "fips_relay_tls_revocation", "result", "revoked");
        maps("fips-relay.audit.dropped", "fips_relay_audit_dropped");
    }

    @Test
    void relay_wide_and_foreign_names_only_lose_their_dots_and_dashes() {
        maps("fips-relay.fips.approved-only", "fips_relay_fips_approved_only");
        maps("fips-relay.relay.max-buffered-bytes-per-exchange", "fips_relay_max_buffered_bytes_per_exchange");
        maps("jvm.memory.heap.used", "jvm_memory_heap_used");
        maps("jvm.memory.pools.CodeHeap 'non-nmethods'.usage", "jvm_memory_pools_CodeHeap_non_nmethods_usage");
        maps("jvm.gc.G1-Young-Generation.count", "jvm_gc_G1_Young_Generation_count");
    }

    @Test
    void the_bridge_keeps_each_metric_s_own_name_so_its_snapshots_stay_unique() {
        PrometheusNames names = new PrometheusNames();
        assertThat(names.getName("fips-relay.metrics.requests_total")).isEqualTo("fips-relay.metrics.requests_total");
        assertThat((Object) names.getLabels("fips-relay.metrics.requests", java.util.List.of(), java.util.List.of()))
                .isEqualTo(Labels.of("product", "metrics"));
    }

    @Test
    void per_product_series_carry_the_plugin_serving_the_product_and_others_do_not() {
        PrometheusNames names = new PrometheusNames();
        names.owners(java.util.Map.of("ndm", "network-devices"));
        assertThat((Object) names.getLabels("fips-relay.ndm.requests", java.util.List.of(), java.util.List.of()))
                .isEqualTo(Labels.of("product", "ndm", "plugin", "network-devices"));
        assertThat((Object) names.getLabels("fips-relay.ndm.responses.2xx", java.util.List.of(), java.util.List.of()))
                .isEqualTo(Labels.of("product", "ndm", "plugin", "network-devices", "code", "2xx"));
        assertThat((Object) names.getLabels("fips-relay.logs.requests", java.util.List.of(), java.util.List.of()))
                .as("a product no plugin owns").isEqualTo(Labels.of("product", "logs"));
        assertThat((Object) names.getLabels("fips-relay.tls.handshakes.TLSv1.3.TLS_AES_128_GCM_SHA256", java.util.List.of(),
                java.util.List.of())).isEqualTo(Labels.of("protocol", "TLSv1.3", "suite", "TLS_AES_128_GCM_SHA256"));
    }

    @Test
    void relay_wide_upstream_and_plugin_groups_are_not_taken_for_products() {
        maps("fips-relay.upstreams.up", "fips_relay_upstreams_up");
        maps("fips-relay.upstreams.down", "fips_relay_upstreams_down");
        assertThat(PrometheusNames.infoFamily("fips-relay.plugins.network-devices"))
                .satisfies(f -> assertThat(f.name()).isEqualTo("fips_relay_plugin"))
                .satisfies(f -> assertThat((Object) f.labels()).isEqualTo(Labels.of("plugin", "network-devices")));
        assertThat(PrometheusNames.infoFamily("fips-relay.fips").name()).isEqualTo("fips_relay_fips");
    }
}
