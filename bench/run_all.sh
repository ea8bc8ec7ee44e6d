#!/usr/bin/env sh
# Run every bench/bench_*.py present, one after another, from the repository root.
# Extra arguments (for example --quick) are passed to each benchmark.
set -eu
cd "$(dirname "$0")/.."
status=0
for bench in bench/bench_*.py; do
    [ -e "$bench" ] || { echo "no benchmarks in bench/"; exit 0; }
    echo "==> $bench"
    uv run python "$bench" "$@" || { echo "FAILED: $bench"; status=1; }
    echo
done
exit "$status"
