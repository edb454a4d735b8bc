#!/usr/bin/env bash
# Load test: 1,000 signed-in sessions browsing for a minute (inbox pages 1-3, message views,
# a search) against the local Dovecot, through a release build of Carteiro with
# max_imap_connections=800 (fewer connections than sessions, so idle ones are reclaimed).
# Prints requests/s, latency p50/p99, errors, peak IMAP connections and memory; exits
# non-zero on any failed request or if the connection limit was ever exceeded.
#
#   scripts/loadtest.sh                         the full run (a few minutes with the build)
#   LOAD_SESSIONS=200 LOAD_SECONDS=20 scripts/loadtest.sh    a smaller one
#
# Other knobs: LOAD_USERS (20), LOAD_MESSAGES per user (200), LOAD_CONCURRENCY requests in
# flight (64), LOAD_MAX_IMAP (800), LOAD_ROUND_ROBIN=1 (sessions in strict turns, not at
# random: the worst case for reclaiming connections). The load generator is benches/load (Rust, no extra tool to
# install); results and how to read them: docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARTEIRO_STACK_DIR="${CARTEIRO_STACK_DIR:-/tmp/carteiro-stack}"
scripts/mailstack.sh up
# 1,000 sessions mean over a thousand sockets in both the generator and Carteiro.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
exec cargo bench --bench load
