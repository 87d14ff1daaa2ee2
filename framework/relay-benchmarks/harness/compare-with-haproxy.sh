#!/usr/bin/env bash
# One side-by-side run of the shared harness: the assembled fips-relay next to HAProxy (the Datadog
# FIPS proxy's engine), same machine, same run; TARGETS adds stunnel and the direct baselines.
#   framework/relay-benchmarks/harness/compare-with-haproxy.sh      # the project's comparison (docs/performance.md)
#   WORKLOADS="small agent large serial" REPS=3 framework/relay-benchmarks/harness/compare-with-haproxy.sh
# The project's settings: small and agent workloads, HAProxy beside the relay, 2 repetitions of 45 s,
# after 60 s of load on the relay first (the JIT and the buffer pools reach steady state in about
# 30 s; a shorter warm-up measures the relay still compiling) and 5 s per target before repetition 1.
# Needs: mvn -DskipTests package (the distribution), ../shared/bench/install-deps.sh once (root).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
harness=${BENCH_HARNESS:-$here/../../../../shared/bench}
export BENCH_WORK=${BENCH_WORK:-$here/../target/bench}
mkdir -p "$BENCH_WORK"
export RELAY_UNDER_TEST_PORT=${RELAY_UNDER_TEST_PORT:-19806}
export RELAY_UNDER_TEST_NAME=${RELAY_UNDER_TEST_NAME:-fips-relay}
export RELAY_UNDER_TEST_WARMUP_S=${RELAY_UNDER_TEST_WARMUP_S:-60}
export RELAY_UNDER_TEST_CMD="$here/relay-under-test.sh"
export WORKLOADS=${WORKLOADS:-small agent}
export REPS=${REPS:-2}
export DURATION=${DURATION:-45}
export WARMUP_S=${WARMUP_S:-5}
export RAW=${RAW:-0}
export TARGETS=${TARGETS:-haproxy}
export RESULTS_DIR=${RESULTS_DIR:-$BENCH_WORK/results/$(date +%Y%m%d-%H%M%S)}
cd "$harness"
exec ./run-anchors.sh
