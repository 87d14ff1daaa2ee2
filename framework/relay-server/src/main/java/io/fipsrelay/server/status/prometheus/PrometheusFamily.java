package io.fipsrelay.server.status.prometheus;

import io.prometheus.metrics.model.snapshots.Labels;

/**
 * Where one Dropwizard metric lands in the Prometheus exposition.
 *
 * @param name the family name, legacy-valid ([a-zA-Z_:][a-zA-Z0-9_:]*), without the _total a counter gets
 * @param labels what the Dropwizard name carried as segments (product, cause, address ...)
 * @param gauge true for a Dropwizard counter that goes up and down, which Prometheus calls a gauge
 * @param help the HELP line
 */
public record PrometheusFamily(String name, Labels labels, boolean gauge, String help) {
}
