#!/usr/bin/env bash
# Benchmark, not a test: the soak. The flaky preset (every fault the lab can inject) in every mode,
# N requests a mode in rounds, against a lab in a second process; every request must be accounted
# for against the faults the lab says it injected, and memory and descriptors must stay flat.
#   tests/bench/soak.sh [N=100000] [ROUND=5000] [LATENCY_MS=20] [MODE=all]
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-100000}
round=${2:-5000}
latency=${3:-20}
mode=${4:-all}
port=${FETCHLAB_SOAK_PORT:-18480}
fetchlab=build/native/fetchlab
soak=build/native/soak
[ -x "$fetchlab" ] && [ -x "$soak" ] || { echo "build first: cmake --workflow --preset native" >&2; exit 1; }

ulimit -n "$(ulimit -Hn)"
"$fetchlab" serve --port "$port" >/dev/null &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done

"$soak" --server "http://127.0.0.1:$port" --lab-pid "$server" --n "$n" --round "$round" --latency "$latency" --mode "$mode"
