#!/usr/bin/env bash
# Benchmark, not a test: how many delayed requests the latency lab holds at once on its one
# thread, and its memory while doing it. The load comes from a second process over loopback.
#   tests/bench/lab_capacity.sh [N=10000] [DELAY_MS=2000]
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-10000}
delay=${2:-2000}
port=${FETCHLAB_BENCH_PORT:-18181}
fetchlab=build/native/fetchlab
[ -x "$fetchlab" ] || { echo "build first: cmake --workflow --preset native" >&2; exit 1; }

# Each side holds a socket per request.
ulimit -n "$(ulimit -Hn)"
"$fetchlab" serve --port "$port" >/dev/null &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done

echo "== $n concurrent requests of $delay ms from fetchlab bench (async) in a second process"
"$fetchlab" bench --mode async --n "$n" --latency "$delay" --runs 2 --warmup 0 --server "http://127.0.0.1:$port"
if command -v wrk >/dev/null; then
  echo
  echo "== wrk: $n connections, each asking for /delay?ms=$delay again and again for 8 s"
  wrk -t2 -c"$n" -d8s --timeout 10s "http://127.0.0.1:$port/delay?ms=$delay"
fi
echo
echo "== lab server: $(grep -E '^Threads' /proc/$server/status | tr -s '\t ' ' '), peak RSS $(grep VmHWM /proc/$server/status | awk '{printf "%.1f MB", $2/1024}')"
