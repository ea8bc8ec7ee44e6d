#!/usr/bin/env bash
# The main job on embedded defaults: install what is missing, then open hasteh in the
# browser (`hasteh up`: the local web app on 127.0.0.1 with an embedded loopback relay).
# Afterwards `hasteh` is on the PATH and the applications menu has a hasteh launcher.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/bootstrap.sh
# `hasteh` on the PATH and a desktop launcher, for next time.
bash scripts/install-launcher.sh
exec uv run hasteh up "$@"
