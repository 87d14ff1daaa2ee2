package io.fipsrelay.server.status;

import io.fipsrelay.core.metrics.UpstreamStateGauges;
import io.fipsrelay.server.status.prometheus.PrometheusExposition;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;

/** /metrics: every Dropwizard metric in the Prometheus text format (0.0.4). */
public final class PrometheusEndpoint implements StatusEndpoint {

    private final PrometheusExposition exposition;
    private final UpstreamStateGauges upstreams;
    private final PluginInfoGauges plugins;
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    public PrometheusEndpoint(PrometheusExposition exposition, UpstreamStateGauges upstreams, PluginInfoGauges plugins) {
        this.exposition = exposition;
        this.upstreams = upstreams;
        this.plugins = plugins;
    }

    @Override
    public StatusResponse respond() throws Exception {
        // A scrape sees the addresses published and the plugins loaded now, not those of the last sampler run.
        upstreams.refresh();
        plugins.refresh();
        ByteArrayOutputStream out = new ByteArrayOutputStream(32 * 1024);
        // Names are already legacy-valid; underscore escaping keeps older Prometheus servers happy all the same.
        writer.write(out, exposition.collect(), EscapingScheme.UNDERSCORE_ESCAPING);
        return StatusResponse.of(200, PrometheusTextFormatWriter.CONTENT_TYPE, out.toByteArray());
    }
}
