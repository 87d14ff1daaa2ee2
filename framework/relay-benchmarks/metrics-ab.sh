#!/usr/bin/env bash
# Metrics on versus off, end to end, alternating A and B so both see the same drift in machine load.
# Usage: framework/relay-benchmarks/metrics-ab.sh [rounds]   (after: mvn -q package -DskipTests -pl framework/relay-benchmarks -am)
set -euo pipefail
cd "$(dirname "$0")"
rounds=${1:-3}
for round in $(seq 1 "$rounds"); do
  for metrics in dropwizard noop; do
    java -jar target/relay-benchmarks.jar RelayThroughputBenchmark -p metrics="$metrics" -f 1 -wi 3 -w 5s -i 5 -r 5s \
      2>&1 | grep -E "cpu-per-request|^RelayThroughputBenchmark.post" | sed "s/^/round $round: /"
  done
done
