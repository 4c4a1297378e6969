#!/usr/bin/env bash
# The long fuzz run: each libFuzzer target for 10^6 executions (FUZZ_RUNS to change), from its
# seed corpus, printing how many it ran, how long it took, and any crash. Not part of CI, which
# runs 10^4 of each. Crashing inputs land in build/fuzz/crash-<target>-*, logs beside them.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${FUZZ_RUNS:-1000000}

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz >/dev/null

export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
status=0
for seeds in tests/fuzz/corpus/*/; do
  name=$(basename "$seeds")
  found=build/fuzz/long-corpus/$name log=build/fuzz/long-$name.log
  mkdir -p "$found"
  start=$(date +%s.%N)
  if build/fuzz/fuzz_"$name" -runs="$runs" -print_final_stats=1 -artifact_prefix=build/fuzz/crash-"$name"- \
      "$found" "$seeds" >"$log" 2>&1; then
    outcome="no crash"
  else
    outcome="CRASH: $(grep -m1 -E 'ERROR|property broken|runtime error' "$log" || echo "see $log"); input $(grep -o 'build/fuzz/crash-[^ ]*' "$log" | tail -1)"
    status=1
  fi
  seconds=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
  executed=$(awk '/stat::number_of_executed_units/ {print $2}' "$log")
  corpus=$(find "$found" -type f | wc -l)
  printf '%-16s %9s executions  %7.1f s  %5s inputs found  %s\n' "$name" "${executed:-?}" "$seconds" "$corpus" "$outcome"
done
exit $status
