#!/usr/bin/env bash
# Installs what the browser tests need: Debian's Chromium, Node.js and npm (when missing) and
# the pinned playwright-core of tests/browser (npm ci). Idempotent; used by scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v chromium >/dev/null 2>&1 || [ -x "${CARTEIRO_CHROMIUM:-/nonexistent}" ] || missing+=(chromium)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
    echo "browser-deps: installing ${missing[*]}" >&2
    SUDO=
    [ "$(id -u)" -eq 0 ] || SUDO=sudo
    export DEBIAN_FRONTEND=noninteractive
    opts=(-y -q --no-install-recommends -o DPkg::Lock::Timeout=300)
    if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -print -quit 2>/dev/null)" ]; then
        $SUDO apt-get update -qq
    fi
    # Stale package lists (404 on download): refresh once and retry.
    $SUDO apt-get install "${opts[@]}" "${missing[@]}" >/dev/null ||
        { $SUDO apt-get update -qq && $SUDO apt-get install "${opts[@]}" "${missing[@]}" >/dev/null; }
fi

if [ ! -d tests/browser/node_modules/playwright-core ] ||
    [ tests/browser/package-lock.json -nt tests/browser/node_modules/.package-lock.json ]; then
    echo "browser-deps: npm ci in tests/browser" >&2
    npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error
fi
