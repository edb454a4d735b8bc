#!/usr/bin/env bash
# Runs Carteiro against a local mail stack with demo accounts and demo mail.
# Fresh Debian 12, as root: installs and starts Dovecot (with Pigeonhole) + Postfix + Radicale on loopback (scripts/mailstack.sh),
# seeds the demo mailboxes, builds Carteiro and serves it on http://127.0.0.1:8080/.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARTEIRO_STACK_DIR="${CARTEIRO_STACK_DIR:-/tmp/carteiro-stack}"
scripts/mailstack.sh up
scripts/mailstack.sh seed-demo
cargo build --release --bin carteiro
export CARTEIRO_LISTEN="${CARTEIRO_LISTEN:-127.0.0.1:8080}"
export CARTEIRO_IMAP_URL="${CARTEIRO_IMAP_URL:-imap://localhost:143}"
export CARTEIRO_TLS_CA_FILE="${CARTEIRO_TLS_CA_FILE:-$CARTEIRO_STACK_DIR/ca.pem}"
export CARTEIRO_DATA_DIR="${CARTEIRO_DATA_DIR:-$CARTEIRO_STACK_DIR/carteiro-data}"
# The stack's Radicale keeps address books and its Pigeonhole the filters and vacation reply,
# so the demo shows the contacts and filter pages as a hosting customer would see them.
export CARTEIRO_CARDDAV_URL="${CARTEIRO_CARDDAV_URL:-https://localhost:5232/%u/contacts/}"
export CARTEIRO_MANAGESIEVE_URL="${CARTEIRO_MANAGESIEVE_URL:-sieve://localhost:4190}"
cat <<TXT

  Carteiro: http://${CARTEIRO_LISTEN}/
  Demo logins: alice@example.test / demo   and   bob@example.test / demo
  (Ctrl-C stops Carteiro; scripts/mailstack.sh down stops the mail servers.)

TXT
exec target/release/carteiro
