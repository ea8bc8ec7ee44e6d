#!/usr/bin/env bash
# Installs what hasteh needs on a fresh Debian 12 machine (as root, or with sudo):
# Debian packages when missing, uv via pip when missing, and the Python environment.
# Sourced by scripts/start.sh and scripts/test.sh; safe to run again.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

need_apt=()
# PostgreSQL server binaries (any major version) for the relay tests: PATH or /usr/lib/postgresql/*/bin.
command -v initdb >/dev/null 2>&1 || compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need_apt+=(postgresql)
# Chromium for the web tests (Playwright drives /usr/bin/chromium; no `playwright install`).
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
# npm, to install axe-core for the accessibility tests (tests/web/test_design.py).
command -v npm >/dev/null 2>&1 || need_apt+=(npm)
# dbus-run-session and a session bus for the urgent-call notification test (tests/web/test_alerts.py).
command -v dbus-run-session >/dev/null 2>&1 || need_apt+=(dbus-daemon)
# Tor for hasteh's own tor and the private Tor network of tests/tor (tor-gencert is in the
# same package), and the pluggable transports hasteh launches for bridges.
{ command -v tor || test -x /usr/sbin/tor; } >/dev/null 2>&1 || need_apt+=(tor)
command -v obfs4proxy >/dev/null 2>&1 || need_apt+=(obfs4proxy)
command -v snowflake-client >/dev/null 2>&1 || need_apt+=(snowflake-client)
# `ip netns` for the two-cities test (tests/tor/test_two_cities.py).
command -v ip >/dev/null 2>&1 || need_apt+=(iproute2)
# The bulletin press (hasteh.publish): WeasyPrint lays out with Pango (HarfBuzz shaping,
# fontconfig), pdftoppm (poppler-utils) draws page images and the reference rendering.
ldconfig -p | grep -q 'libpango-1.0.so' || need_apt+=(libpango-1.0-0)
ldconfig -p | grep -q 'libpangoft2-1.0.so' || need_apt+=(libpangoft2-1.0-0)
ldconfig -p | grep -q 'libharfbuzz-subset.so' || need_apt+=(libharfbuzz-subset0)
command -v pdftoppm >/dev/null 2>&1 || need_apt+=(poppler-utils)

if [ "${#need_apt[@]}" -gt 0 ]; then
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    echo "hasteh: installing Debian packages: ${need_apt[*]}" >&2
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

if ! command -v uv >/dev/null 2>&1; then
    echo "hasteh: installing uv with pip" >&2
    python3 -m pip install --quiet uv
fi
# --all-extras: the relay extra (psycopg, uvloop, httptools), for the relay tests and `hasteh up`.
uv sync --quiet --frozen --all-extras

# axe-core, pinned, for the accessibility tests only (the app ships no script): the tests
# read tests/web/axe/node_modules/axe-core/axe.min.js and never download at test time.
AXE_VERSION=4.14.1
if ! grep -qs "\"version\": \"$AXE_VERSION\"" tests/web/axe/node_modules/axe-core/package.json; then
    echo "hasteh: installing axe-core $AXE_VERSION for the tests" >&2
    mkdir -p tests/web/axe
    npm install --prefix tests/web/axe --no-save --no-audit --no-fund --silent "axe-core@$AXE_VERSION" >/dev/null
fi
