#!/usr/bin/env bash
# Installs what the browser, reverse-proxy and multi-instance tests need, when missing:
# Debian's Chromium, nginx, redis-server, Node.js and npm, then the pinned playwright-core
# of tests/browser (npm ci).
# Idempotent; used by scripts/test.sh. The tests start their own nginx and Redis with their
# own configuration; the system ones are kept from starting at install.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v chromium >/dev/null 2>&1 || [ -x "${CARTEIRO_CHROMIUM:-/nonexistent}" ] || missing+=(chromium)
[ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
    echo "test-deps: installing ${missing[*]}" >&2
    SUDO=
    [ "$(id -u)" -eq 0 ] || SUDO=sudo
    export DEBIAN_FRONTEND=noninteractive
    opts=(-y -q --no-install-recommends -o DPkg::Lock::Timeout=300)
    # policy-rc.d exit 101 = "action forbidden": no system-wide daemon started by the install.
    own_policy=
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
        $SUDO chmod 755 /usr/sbin/policy-rc.d
        own_policy=1
        trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
    fi
    if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -print -quit 2>/dev/null)" ]; then
        $SUDO apt-get update -qq
    fi
    # Stale package lists (404 on download): refresh once and retry.
    $SUDO apt-get install "${opts[@]}" "${missing[@]}" >/dev/null ||
        { $SUDO apt-get update -qq && $SUDO apt-get install "${opts[@]}" "${missing[@]}" >/dev/null; }
    [ -z "$own_policy" ] || { $SUDO rm -f /usr/sbin/policy-rc.d; trap - EXIT; }
fi

if [ ! -d tests/browser/node_modules/playwright-core ] ||
    [ tests/browser/package-lock.json -nt tests/browser/node_modules/.package-lock.json ]; then
    echo "test-deps: npm ci in tests/browser" >&2
    npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error
fi
