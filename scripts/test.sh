#!/usr/bin/env bash
# Runs the whole test suite: starts the local mail stack (installing Dovecot and Postfix from
# Debian packages when missing), then every unit and integration test against it.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARTEIRO_STACK_DIR="${CARTEIRO_STACK_DIR:-/tmp/carteiro-stack}"
scripts/mailstack.sh up
cargo test --no-fail-fast "$@"
