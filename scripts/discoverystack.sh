#!/usr/bin/env bash
# What a domain publishes about its mail servers, for Carteiro's tests of upstream discovery
# (RFC 6186 SRV records, then the domain's autoconfig file): a real DNS server and a real HTTPS
# server on loopback, beside the stack of scripts/mailstack.sh.
#
#   scripts/discoverystack.sh up       install dnsmasq (Debian's dnsmasq-base) if needed, start both
#   scripts/discoverystack.sh down     stop them
#   scripts/discoverystack.sh status   exit 1 unless both run
#
#   DNS    127.0.0.1:5353 (dnsmasq, UDP and TCP; answers only for the names below, logs every
#          query to $CARTEIRO_STACK_DIR/discovery/dns.log)
#   HTTPS  127.0.0.1:443 (Python's http.server with a certificate signed by the stack's CA;
#          serves the autoconfig files below, logs "host path" per request to
#          $CARTEIRO_STACK_DIR/discovery/https.log)
#
# The domains (all under .test, which no real DNS answers for):
#   srv.test          _imaps._tcp -> localhost:993, _submissions._tcp -> localhost:465,
#                     _sieve._tcp -> localhost:4190
#   starttls.test     _imaps._tcp -> "." (not offered), _imap._tcp -> localhost:143,
#                     _submission._tcp -> localhost:587
#   hostile.test      _imaps._tcp -> 127.0.0.2:10999 (an address as the target, as an attacker
#                     aiming at an internal machine would write it; the tests' trap listens
#                     there), _submissions._tcp -> localhost:465
#   auto.test         no SRV; https://autoconfig.auto.test/mail/config-v1.1.xml names
#                     localhost:993 (SSL) and localhost:465 (SSL)
#   hostile-auto.test no SRV; its autoconfig names 127.0.0.2:10999
#   offlist.test      no SRV; autoconfig.offlist.test has an address and a file, but no test
#                     allows the host: it must never be fetched
#   nothing.test      nothing at all
#
# Needs root (port 443; re-executes itself with sudo when available) and "mailstack.sh up"
# first (its CA signs the HTTPS certificate).
set -euo pipefail

STACK_DIR=${CARTEIRO_STACK_DIR:-/tmp/carteiro-stack}
export CARTEIRO_STACK_DIR=$STACK_DIR
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SELF="$SCRIPT_DIR/$(basename "${BASH_SOURCE[0]}")"
DIR=$STACK_DIR/discovery
DNS_PORT=5353
HTTPS_PORT=443

log() { printf '[discoverystack] %s\n' "$*" >&2; }
die() { printf '[discoverystack] ERROR: %s\n' "$*" >&2; exit 1; }

need_root() {
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            exec sudo --preserve-env=CARTEIRO_STACK_DIR "$SELF" "$@"
        fi
        die "must run as root (and sudo is not available)"
    fi
}

running() { # pidfile
    [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}

install_packages() {
    command -v dnsmasq >/dev/null 2>&1 && command -v openssl >/dev/null 2>&1 &&
        command -v python3 >/dev/null 2>&1 && return 0
    log "installing dnsmasq-base"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q dnsmasq-base openssl python3 >/dev/null ||
        { apt-get update -q >/dev/null && apt-get install -y -q dnsmasq-base openssl python3 >/dev/null; } ||
        die "cannot install dnsmasq-base"
}

make_cert() {
    [ -s "$DIR/https.pem" ] && openssl verify -CAfile "$STACK_DIR/ca.pem" "$DIR/https.pem" >/dev/null 2>&1 &&
        openssl x509 -in "$DIR/https.pem" -noout -checkend 2592000 >/dev/null 2>&1 && return 0
    [ -s "$STACK_DIR/ca.key" ] || die "no stack CA: run scripts/mailstack.sh up first"
    log "generating the autoconfig server's certificate"
    local tmp
    tmp=$(mktemp -d)
    cat > "$tmp/ext" <<'EOF'
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:autoconfig.auto.test,DNS:autoconfig.hostile-auto.test,DNS:autoconfig.offlist.test
EOF
    openssl req -new -newkey rsa:2048 -nodes -sha256 -keyout "$tmp/key" -out "$tmp/csr" \
        -subj '/O=Carteiro test stack/CN=autoconfig.auto.test' 2>/dev/null
    openssl x509 -req -in "$tmp/csr" -CA "$STACK_DIR/ca.pem" -CAkey "$STACK_DIR/ca.key" \
        -CAcreateserial -days 825 -sha256 -extfile "$tmp/ext" -out "$tmp/pem" 2>/dev/null
    install -m 600 "$tmp/key" "$DIR/https.key"
    install -m 644 "$tmp/pem" "$DIR/https.pem"
    rm -rf "$tmp"
}

autoconfig_xml() { # imap-host imap-port smtp-host smtp-port
    cat <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="carteiro-test">
    <domain>%EMAILDOMAIN%</domain>
    <incomingServer type="imap">
      <hostname>$1</hostname><port>$2</port><socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>$3</hostname><port>$4</port><socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication>
    </outgoingServer>
  </emailProvider>
</clientConfig>
EOF
}

write_files() {
    mkdir -p "$DIR/www/autoconfig.auto.test/mail" "$DIR/www/autoconfig.hostile-auto.test/mail" \
        "$DIR/www/autoconfig.offlist.test/mail"
    autoconfig_xml localhost 993 localhost 465 > "$DIR/www/autoconfig.auto.test/mail/config-v1.1.xml"
    autoconfig_xml 127.0.0.2 10999 localhost 465 > "$DIR/www/autoconfig.hostile-auto.test/mail/config-v1.1.xml"
    autoconfig_xml localhost 993 localhost 465 > "$DIR/www/autoconfig.offlist.test/mail/config-v1.1.xml"
    cat > "$DIR/https.py" <<'EOF'
"""The autoconfig web server of Carteiro's discovery tests: files under www/<host>/<path>."""
import http.server, os, ssl, sys

ROOT, LOG = sys.argv[1], sys.argv[2]

class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        host = (self.headers.get("Host") or "").split(":")[0].lower()
        with open(LOG, "a") as log:
            log.write(f"{host} {self.path}\n")
        path = os.path.normpath(os.path.join(ROOT, host, self.path.split("?")[0].lstrip("/")))
        if not path.startswith(ROOT + os.sep) or not os.path.isfile(path):
            self.send_error(404)
            return
        body = open(path, "rb").read()
        self.send_response(200)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass

server = http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[3])), Handler)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(sys.argv[4], sys.argv[5])
server.socket = context.wrap_socket(server.socket, server_side=True)
server.serve_forever()
EOF
}

start_dns() {
    running "$DIR/dns.pid" && return 0
    log "starting dnsmasq on 127.0.0.1:$DNS_PORT"
    : > "$DIR/dns.log"
    dnsmasq --port=$DNS_PORT --listen-address=127.0.0.1 --bind-interfaces --except-interface=none \
        --no-resolv --no-hosts --no-poll --user=root --pid-file="$DIR/dns.pid" \
        --log-queries --log-facility="$DIR/dns.log" \
        --local=/test/ \
        --srv-host=_imaps._tcp.srv.test,localhost,993,10,0 \
        --srv-host=_submissions._tcp.srv.test,localhost,465,10,0 \
        --srv-host=_sieve._tcp.srv.test,localhost,4190,10,0 \
        --srv-host=_imaps._tcp.starttls.test \
        --srv-host=_imap._tcp.starttls.test,localhost,143,10,0 \
        --srv-host=_submission._tcp.starttls.test,localhost,587,10,0 \
        --srv-host=_imaps._tcp.hostile.test,127.0.0.2,10999,10,0 \
        --srv-host=_submissions._tcp.hostile.test,localhost,465,10,0 \
        --host-record=autoconfig.auto.test,127.0.0.1 \
        --host-record=autoconfig.hostile-auto.test,127.0.0.1 \
        --host-record=autoconfig.offlist.test,127.0.0.1 ||
        die "dnsmasq did not start"
}

start_https() {
    running "$DIR/https.pid" && return 0
    log "starting the autoconfig server on 127.0.0.1:$HTTPS_PORT"
    : > "$DIR/https.log"
    nohup python3 "$DIR/https.py" "$DIR/www" "$DIR/https.log" $HTTPS_PORT \
        "$DIR/https.pem" "$DIR/https.key" >"$DIR/https.err" 2>&1 &
    echo $! > "$DIR/https.pid"
    for _ in $(seq 50); do
        timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$HTTPS_PORT" 2>/dev/null && return 0
        running "$DIR/https.pid" || break
        sleep 0.1
    done
    die "the autoconfig server did not start: $(cat "$DIR/https.err")"
}

stop() { # pidfile
    if running "$1"; then
        kill "$(cat "$1")" 2>/dev/null || true
    fi
    rm -f "$1"
}

case "${1:-}" in
    up)
        need_root up
        mkdir -p "$DIR"
        install_packages
        make_cert
        write_files
        start_dns
        start_https
        log "up: DNS 127.0.0.1:$DNS_PORT, autoconfig https://127.0.0.1:$HTTPS_PORT"
        ;;
    down)
        need_root down
        stop "$DIR/dns.pid"
        stop "$DIR/https.pid"
        ;;
    status)
        running "$DIR/dns.pid" && running "$DIR/https.pid"
        ;;
    *)
        echo "usage: $0 up|down|status" >&2
        exit 2
        ;;
esac
