#!/usr/bin/env bash
# One side-by-side run of the shared harness: the assembled fips-relay next to HAProxy (the
# Datadog FIPS proxy's engine), stunnel and the direct baselines, same machine, same run.
#   framework/relay-benchmarks/harness/compare-with-haproxy.sh                 # agent workload, 3 repetitions
#   WORKLOADS="small agent large serial" REPS=3 framework/relay-benchmarks/harness/compare-with-haproxy.sh
# Needs: mvn -DskipTests package (the distribution), ../shared/bench/install-deps.sh once (root).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
harness=${BENCH_HARNESS:-$here/../../../../shared/bench}
export BENCH_WORK=${BENCH_WORK:-$here/../target/bench}
mkdir -p "$BENCH_WORK"
export RELAY_UNDER_TEST_PORT=${RELAY_UNDER_TEST_PORT:-19806}
export RELAY_UNDER_TEST_NAME=${RELAY_UNDER_TEST_NAME:-fips-relay}
export RELAY_UNDER_TEST_WARMUP_S=${RELAY_UNDER_TEST_WARMUP_S:-20}
export RELAY_UNDER_TEST_CMD="$here/relay-under-test.sh"
export WORKLOADS=${WORKLOADS:-agent}
export REPS=${REPS:-3}
export TARGETS=${TARGETS:-tls-direct haproxy stunnel}
export RESULTS_DIR=${RESULTS_DIR:-$BENCH_WORK/results/$(date +%Y%m%d-%H%M%S)}
cd "$harness"
exec ./run-anchors.sh
