#!/usr/bin/env sh
# Run every bench/bench_*.py present, one after another, from the repository root.
#
#   bench/run_all.sh            full runs, each benchmark with its defaults, then the
#                               relay's scale-out (two relay processes, each on its core)
#   bench/run_all.sh --quick    smoke test: --quick goes to the benchmarks that accept it;
#                               the others run with their defaults
#
# Exits 1 if any benchmark failed (after running all of them).
set -eu
cd "$(dirname "$0")/.."
quick=""
if [ "${1:-}" = "--quick" ]; then quick="--quick"; fi
status=0
found=0
for bench in bench/bench_*.py; do
    [ -e "$bench" ] || continue
    found=1
    args=""
    if [ -n "$quick" ] && grep -q -- "--quick" "$bench"; then args="--quick"; fi
    echo "==> uv run python $bench $args"
    # shellcheck disable=SC2086  # $args is empty or one word
    uv run python "$bench" $args || { echo "FAILED: $bench"; status=1; }
    echo
done
# Variants whose figures docs/benchmarks.md quotes (full runs only).
if [ -z "$quick" ] && [ -e bench/bench_relay.py ]; then
    echo "==> uv run python bench/bench_relay.py --scale-out --pin --levels 50,500"
    uv run python bench/bench_relay.py --scale-out --pin --levels 50,500 \
        || { echo "FAILED: bench/bench_relay.py --scale-out"; status=1; }
    echo
fi
[ "$found" = 1 ] || echo "no benchmarks in bench/"
exit "$status"
