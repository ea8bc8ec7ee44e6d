#!/usr/bin/env bash
# Run one atheris harness: scripts/fuzz.sh TARGET [SECONDS] [extra libFuzzer flags...]
# With no argument, list the targets. New inputs go to a scratch corpus (fuzz/.work/TARGET,
# not committed) seeded from fuzz/corpus/TARGET; crashes are written to fuzz/.work/crashes/.
# See fuzz/README.md (minimizing a crash into tests/regressions/).
set -euo pipefail
cd "$(dirname "$0")/.."
targets() { ls fuzz/fuzz_*.py | sed -e 's|fuzz/fuzz_||' -e 's|\.py$||'; }
if [[ $# -lt 1 ]]; then
    echo "usage: scripts/fuzz.sh TARGET [SECONDS] [libFuzzer flags...]"
    echo "targets:"; targets | sed 's/^/  /'
    exit 0
fi
target=$1; seconds=${2:-60}; shift $(( $# >= 2 ? 2 : 1 ))
if [[ ! -f fuzz/fuzz_${target}.py ]]; then
    echo "unknown target: ${target}" >&2; targets >&2; exit 2
fi
mkdir -p "fuzz/.work/${target}" fuzz/.work/crashes
exec nice -n "${NICE:-19}" uv run python -W ignore -m "fuzz.fuzz_${target}" \
    -max_total_time="${seconds}" -timeout=2 -rss_limit_mb=2048 -max_len=16384 \
    -artifact_prefix="fuzz/.work/crashes/${target}-" -print_final_stats=1 "$@" \
    "fuzz/.work/${target}" "fuzz/corpus/${target}"
