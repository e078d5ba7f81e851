#!/usr/bin/env bash
# Runs each fuzz target under libFuzzer for SECONDS (default 60), starting from Fuzz/corpus/TARGET.
# Usage: Fuzz/run.sh FUZZER-BINARY [SECONDS] [TARGET...]. New inputs go to a scratch directory;
# a crash, a timeout (10 s an input) or more than 2 GB of memory fails the run, and the input that
# did it is saved under .build/fuzz/artifacts/.
set -euo pipefail
fuzzer=$1
seconds=${2:-60}
shift $(( $# >= 2 ? 2 : 1 ))
targets=${*:-json scan line bundle note policy time}
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$root/.build/fuzz/artifacts"
for target in $targets; do
  scratch=$(mktemp -d)
  log=$(mktemp)
  if LINEAGE_FUZZ_TARGET=$target "$fuzzer" "$scratch" "$root/Fuzz/corpus/$target" -max_total_time="$seconds" -timeout=10 \
       -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 -artifact_prefix="$root/.build/fuzz/artifacts/$target-" >"$log" 2>&1; then
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
    echo "fuzz $target: $runs inputs in ${seconds} s, nothing found"
    rm -rf "$scratch" "$log"
  else
    tail -n 40 "$log"
    echo "fuzz $target: FAILED (input saved under .build/fuzz/artifacts/)"
    exit 1
  fi
done
