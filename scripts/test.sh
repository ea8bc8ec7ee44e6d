#!/usr/bin/env bash
# The whole test suite: install what is missing, lint, type-check, then pytest.
# The MLS vectors are vendored in tests/vectors/mls; $HASTEH_MLS_VECTORS overrides them.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/bootstrap.sh
export HASTEH_MLS_VECTORS="${HASTEH_MLS_VECTORS:-$(pwd)/tests/vectors/mls}"
if [ ! -d "$HASTEH_MLS_VECTORS" ]; then
    echo "hasteh: MLS vectors folder not found at $HASTEH_MLS_VECTORS (set HASTEH_MLS_VECTORS)" >&2
    exit 1
fi
uv run ruff check src tests bench
uv run ruff format --check src tests bench
uv run mypy src
# pytest exits 5 when it collects no test; that is a failure here too.
uv run pytest "$@"
