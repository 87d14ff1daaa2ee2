#!/usr/bin/env bash
# CPU an idle relay spends on upstream health checks: all products enabled, run --demo (every
# intake name resolves to the in-process stand-in intake, so the checks' TCP connects and FIPS TLS
# handshakes are real; the stand-in's server side of the handshakes is counted too, which makes
# the figure an upper bound). Prints the relay's CPU over a window after start-up has settled.
#   framework/relay-benchmarks/harness/idle-health-cpu.sh [window seconds, default 120]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dist=${FIPS_RELAY_DIST:-$here/../../../distribution/target/fips-relay}
window=${1:-120}
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
cat > "$work/idle.conf" <<CONF
fips-relay.listen.port-range-start = ${PORT_RANGE_START:-29803}
${EXTRA_CONF:-}
CONF
"$dist/bin/fips-relay" run --demo --config "$work/idle.conf" > "$work/relay.log" 2>&1 &
pid=$!
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
hz=$(getconf CLK_TCK)
sleep 30   # start-up, first checks, JIT
products=$(grep -c "listening on" "$work/relay.log" || true)
start=$(ticks)
sleep "$window"
end=$(ticks)
cpu_s=$(echo "scale=3; ($end - $start) / $hz" | bc)
pct=$(echo "scale=3; 100 * ($end - $start) / $hz / $window" | bc)
echo "products listening: $products"
echo "idle window: ${window} s, relay CPU: ${cpu_s} s = ${pct} % of one core"
grep -c "demo intake:" "$work/relay.log" | sed 's/^/requests seen by the stand-in intake (must be 0): /'
