#!/usr/bin/env bash
# The main job on embedded defaults: install what is missing, then run hasteh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/bootstrap.sh
exec uv run hasteh selfcheck "$@"
