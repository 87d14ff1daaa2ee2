#!/usr/bin/env bash
# Starts the assembled relay as the bench harness's "relay under test": plain HTTP on
# $BENCH_LISTEN_PORT, TLS to $BENCH_UPSTREAM_HOST:$BENCH_UPSTREAM_PORT trusting $BENCH_CA_FILE and
# verifying $BENCH_SNI. The harness exports those variables (see ../shared/bench/README.md).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dist=${FIPS_RELAY_DIST:-$here/../../../distribution/target/fips-relay}
work=${BENCH_WORK:-/tmp}/fips-relay-bench
mkdir -p "$work"
conf=$work/fips-relay-bench.conf
# The metrics product is offset 1: the range starts one below the harness's port. Only metrics is
# enabled (the other products would bind ports the harness may use).
# FIPS_RELAY_BENCH_LISTEN_CERT and _KEY (PEM chain, PKCS#8 key): the listener speaks TLS (listen.tls),
# for measuring agents with fips.https: true (wrk then needs an https:// URL).
listen_tls=""
if [ -n "${FIPS_RELAY_BENCH_LISTEN_CERT:-}" ]; then
  listen_tls="listen.tls { enabled = true, cert-file = \"$FIPS_RELAY_BENCH_LISTEN_CERT\", key-file = \"$FIPS_RELAY_BENCH_LISTEN_KEY\" }"
fi
cat > "$conf" <<CONF
fips-relay {
  listen { address = "127.0.0.1", port-range-start = $((BENCH_LISTEN_PORT - 1)) }
  tls {
    ca-file = "$BENCH_CA_FILE"
    protocols = [${FIPS_RELAY_BENCH_PROTOCOLS:-"TLSv1.3", "TLSv1.2"}]
  }
  dns.hosts { "$BENCH_SNI" = "$BENCH_UPSTREAM_HOST" }
  products.metrics.servers = ["$BENCH_SNI:$BENCH_UPSTREAM_PORT"]
  status.enabled = false
  $listen_tls
}
CONF
plugins=$work/plugins
rm -rf "$plugins" && mkdir -p "$plugins"
cp "$dist"/plugins/plugin-metrics-*.jar "$plugins"/
exec "$dist/bin/fips-relay" run --config "$conf" --plugins-dir "$plugins"
