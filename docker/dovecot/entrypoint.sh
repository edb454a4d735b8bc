#!/bin/bash
# Demo Dovecot: makes the demo CA and certificate on first start (shared with Postfix and
# Carteiro through the /certs volume), seeds the demo mailboxes once, then runs Dovecot in the
# foreground as PID 1, so "docker stop" reaches it.
#
#   entrypoint                  what the container runs
#   entrypoint make-certs DIR   only make the CA and certificate in DIR (.ci/demo-dovecot-check)
set -euo pipefail

make_certs() {
    local dir=$1 tmp
    tmp=$(mktemp -d)
    openssl req -x509 -new -newkey rsa:2048 -nodes -sha256 -days 3650 \
        -keyout "$tmp/ca.key" -out "$tmp/ca.pem" \
        -subj '/O=Carteiro demo/CN=Carteiro demo CA' \
        -addext 'basicConstraints=critical,CA:TRUE' \
        -addext 'keyUsage=critical,keyCertSign,cRLSign' 2>/dev/null
    cat > "$tmp/server.ext" <<'EXT'
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:dovecot,DNS:postfix,DNS:localhost
EXT
    openssl req -new -newkey rsa:2048 -nodes -sha256 -keyout "$tmp/server.key" \
        -out "$tmp/server.csr" -subj '/O=Carteiro demo/CN=dovecot' 2>/dev/null
    openssl x509 -req -in "$tmp/server.csr" -CA "$tmp/ca.pem" -CAkey "$tmp/ca.key" \
        -CAcreateserial -days 825 -sha256 -extfile "$tmp/server.ext" \
        -out "$tmp/server.pem" 2>/dev/null
    # Everyone may read the CA and the certificate (Carteiro runs as an unprivileged user);
    # the key stays root's (Dovecot and Postfix read it before dropping privileges). The CA's
    # own key is thrown away: nothing else will ever be signed with it.
    install -m 0644 "$tmp/ca.pem" "$tmp/server.pem" "$dir/"
    install -m 0600 "$tmp/server.key" "$dir/"
    rm -rf "$tmp"
}

if [ "${1:-}" = make-certs ]; then
    make_certs "$2"
    exit 0
fi

# The health check passes only once the seeding is over and the final Dovecot runs: the
# temporary instance that receives the demo mail must not look ready to Postfix and Carteiro.
READY=/run/carteiro-demo-ready
rm -f "$READY"

if [ ! -s /certs/server.pem ] || [ ! -s /certs/ca.pem ]; then
    echo "entrypoint: making the demo CA and server certificate in /certs"
    make_certs /certs
fi

install -d -o vmail -g vmail -m 0750 /var/mail

if [ "${CARTEIRO_DEMO_MAIL:-yes}" = yes ] && [ ! -e /var/mail/.demo-mail-seeded ]; then
    echo "entrypoint: seeding the demo mailboxes"
    dovecot
    for _ in $(seq 1 50); do
        (exec 3<>/dev/tcp/127.0.0.1/143) 2>/dev/null && break
        sleep 0.2
    done
    # From loopback, where Dovecot allows a password without TLS.
    python3 /usr/local/share/carteiro/demo_mail.py --host 127.0.0.1 --port 143
    touch /var/mail/.demo-mail-seeded
    doveadm stop
    for _ in $(seq 1 50); do
        [ -e /run/dovecot/master.pid ] || break
        sleep 0.2
    done
fi

touch "$READY"
exec dovecot -F
