#!/usr/bin/env bash
# Runs the whole test suite: starts the local mail stack (installing Dovecot and Postfix from
# Debian packages when missing) and the other IMAP servers of the compatibility tests (Cyrus
# and Courier: scripts/otherimap.sh), and installs what the browser, reverse-proxy and
# multi-instance tests need (Chromium, nginx, Redis, the pinned playwright-core):
# scripts/test-deps.sh; and the DNS and HTTPS servers of the upstream discovery tests
# (scripts/discoverystack.sh).
# Then it runs every unit, integration and browser test.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARTEIRO_STACK_DIR="${CARTEIRO_STACK_DIR:-/tmp/carteiro-stack}"
scripts/mailstack.sh up
scripts/otherimap.sh up
scripts/discoverystack.sh up
scripts/test-deps.sh
cargo test --no-fail-fast "$@"
