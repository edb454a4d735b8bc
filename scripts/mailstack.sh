#!/usr/bin/env bash
# Local mail stack for Carteiro's integration tests and demos.
#
#   scripts/mailstack.sh up                 install (if needed), configure and start Dovecot (with Pigeonhole), Postfix, Radicale
#   scripts/mailstack.sh down [--wipe]      stop them; --wipe also deletes $CARTEIRO_STACK_DIR
#   scripts/mailstack.sh status             show processes and listening ports (exit 1 if not all up)
#   scripts/mailstack.sh seed-demo [--force] fill alice@/bob@example.test with demo mail
#   scripts/mailstack.sh doveadm ARGS...    run doveadm against the stack's Dovecot config
#
# Everything listens on loopback only (127.0.0.1 and ::1 when available):
#   IMAP 143 (STARTTLS) / IMAPS 993, POP3 110 / POP3S 995, LMTP 127.0.0.1:24,
#   SMTP 25, submission 587 (STARTTLS + AUTH required), submissions 465 (implicit TLS + AUTH),
#   and the same two on 10587 / 10465 with a self-signed certificate ($CARTEIRO_STACK_DIR/selfsigned.pem,
#   made by "openssl req -x509", so CA:TRUE), for the tests of certificate pinning,
#   CardDAV (Radicale) https://localhost:5232/<user>/contacts/, logging in with the IMAP credentials,
#   ManageSieve 4190 (STARTTLS); Sieve scripts run at LMTP delivery, and their vacation replies
#   and redirects go out through Postfix on port 25.
# IMAP 143 / IMAPS 993 also on 127.0.0.2, where Dovecot offers no METADATA (tests of servers
# without it); everything else there is the same.
# TLS certificates are signed by a throw-away CA: $CARTEIRO_STACK_DIR/ca.pem.
#
# Accounts: alice@example.test / bob@example.test, password "demo".
#           Any other user name (with or without @domain) logs in with the password
#           "Senha-çé-123" and gets a fresh, empty mailbox.
# Postfix accepts mail for every domain and delivers it locally: nothing ever leaves the machine.
#
# Needs root (re-executes itself with sudo when available). Works on a fresh Debian 12 without systemd.
set -euo pipefail

STACK_DIR=${CARTEIRO_STACK_DIR:-/tmp/carteiro-stack}
export CARTEIRO_STACK_DIR=$STACK_DIR
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SELF="$SCRIPT_DIR/$(basename "${BASH_SOURCE[0]}")"

DOVECOT_DIR=$STACK_DIR/dovecot
DOVECOT_CONF=$DOVECOT_DIR/dovecot.conf
DOVECOT_USERS=$DOVECOT_DIR/users
DOVECOT_LOG=$STACK_DIR/dovecot.log
POSTFIX_LOG=$STACK_DIR/postfix.log
MAIL_DIR=$STACK_DIR/mail
RADICALE_DIR=$STACK_DIR/radicale
RADICALE_CONF=$RADICALE_DIR/config
RADICALE_LOG=$STACK_DIR/radicale.log
RADICALE_PORT=5232

DEMO_PASSWORD=demo
DEMO_USERS=(alice@example.test bob@example.test)
TEST_PASSWORD='Senha-çé-123'

PACKAGES=(dovecot-core dovecot-imapd dovecot-pop3d dovecot-lmtpd dovecot-sieve dovecot-managesieved postfix openssl ssl-cert ca-certificates python3 radicale)
MANAGESIEVE_PORT=4190
# Submission with a self-signed certificate (pinning tests).
SELF_SIGNED_SUBMISSION=10587
SELF_SIGNED_SUBMISSIONS=10465
PORTS_V4=(25 110 143 465 587 993 995 24 $RADICALE_PORT $MANAGESIEVE_PORT $SELF_SIGNED_SUBMISSION $SELF_SIGNED_SUBMISSIONS)
WAIT_PORTS=(143 993 587 465 25 $RADICALE_PORT $MANAGESIEVE_PORT $SELF_SIGNED_SUBMISSION $SELF_SIGNED_SUBMISSIONS)
# The second IMAP address, without METADATA.
NO_METADATA_HOST=127.0.0.2
NO_METADATA_PORTS=(143 993)
WAIT_SECONDS=${CARTEIRO_STACK_WAIT:-30}

log() { printf '[mailstack] %s\n' "$*" >&2; }
die() { printf '[mailstack] ERROR: %s\n' "$*" >&2; exit 1; }

# Unix socket paths are limited to ~107 bytes; Dovecot puts sockets two levels below base_dir.
# Keep base_dir short even if CARTEIRO_STACK_DIR is a long path.
if [ ${#STACK_DIR} -le 60 ]; then
    DOVECOT_BASE=$STACK_DIR/run
else
    DOVECOT_BASE=/run/carteiro-dovecot-$(printf '%s' "$STACK_DIR" | cksum | cut -d' ' -f1)
fi
DOVECOT_PID=$DOVECOT_BASE/master.pid

have_ipv6() {
    [ -r /proc/net/if_inet6 ] && grep -qE '^0{31}1 .* lo$' /proc/net/if_inet6
}

need_root() {
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            exec sudo --preserve-env=CARTEIRO_STACK_DIR,CARTEIRO_STACK_WAIT "$SELF" "$@"
        fi
        die "must run as root (and sudo is not available)"
    fi
}

# ---------------------------------------------------------------- packages

install_packages() {
    local missing=() p status
    for p in "${PACKAGES[@]}"; do
        status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
        [ "$status" = installed ] || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0

    log "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    echo 'postfix postfix/main_mailer_type select No configuration' | debconf-set-selections
    if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -print -quit 2>/dev/null)" ]; then
        log "apt lists empty: running apt-get update"
        apt-get update -qq "${APT_OPTS[@]}"
    fi
    # Keep package maintainer scripts from starting the system-wide daemons (with their default,
    # non-loopback configuration): policy-rc.d exit 101 = "action forbidden".
    local own_policy='' out rc=0
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
        chmod 755 /usr/sbin/policy-rc.d
        own_policy=1
        trap 'rm -f /usr/sbin/policy-rc.d' EXIT
    fi
    out=$(mktemp)
    apt_install "${missing[@]}" >"$out" 2>&1 || {
        # stale package lists (404 on download): refresh once and retry
        log "apt-get install failed, running apt-get update and retrying"
        apt-get update -qq "${APT_OPTS[@]}" >>"$out" 2>&1 || true
        apt_install "${missing[@]}" >>"$out" 2>&1 || rc=$?
    }
    if [ -n "$own_policy" ]; then
        rm -f /usr/sbin/policy-rc.d
        trap - EXIT
    fi
    if [ $rc -ne 0 ]; then
        tail -n 30 "$out" >&2
        rm -f "$out"
        die "apt-get install failed (exit $rc)"
    fi
    rm -f "$out"
}

# Wait (up to 5 min) instead of failing when another apt/dpkg run holds the lock.
APT_OPTS=(-o DPkg::Lock::Timeout=300)

apt_install() {
    apt-get install -y -q --no-install-recommends "${APT_OPTS[@]}" -o Dpkg::Options::=--force-confdef \
        -o Dpkg::Options::=--force-confold "$@"
}

ensure_vmail_user() {
    if ! getent group vmail >/dev/null; then
        groupadd --system vmail
    fi
    if ! getent passwd vmail >/dev/null; then
        useradd --system --gid vmail --home-dir /nonexistent --no-create-home \
            --shell /usr/sbin/nologin --comment 'Carteiro test mail' vmail
    fi
}

# ---------------------------------------------------------------- TLS

CERTS_CHANGED=
cert_ok() {
    [ -s "$STACK_DIR/ca.pem" ] && [ -s "$STACK_DIR/ca.key" ] &&
        [ -s "$STACK_DIR/server.pem" ] && [ -s "$STACK_DIR/server.key" ] &&
        openssl x509 -in "$STACK_DIR/server.pem" -noout -checkend 2592000 >/dev/null 2>&1 &&
        openssl verify -CAfile "$STACK_DIR/ca.pem" "$STACK_DIR/server.pem" >/dev/null 2>&1 &&
        openssl x509 -in "$STACK_DIR/server.pem" -noout -ext subjectAltName 2>/dev/null |
            grep -q "IP Address:$NO_METADATA_HOST"
}

make_certs() {
    cert_ok && return 0
    log "generating CA and server certificate in $STACK_DIR"
    local tmp
    tmp=$(mktemp -d)
    (
        set -e
        cd "$tmp"
        if [ -s "$STACK_DIR/ca.pem" ] && [ -s "$STACK_DIR/ca.key" ] &&
            openssl x509 -in "$STACK_DIR/ca.pem" -noout -checkend 2592000 >/dev/null 2>&1; then
            # keep the existing CA (clients may already trust it); only reissue the leaf
            cp "$STACK_DIR/ca.pem" ca.pem
            cp "$STACK_DIR/ca.key" ca.key
        else
            openssl req -x509 -new -newkey rsa:2048 -nodes -sha256 -days 3650 \
                -keyout ca.key -out ca.pem -subj '/O=Carteiro test stack/CN=Carteiro Test CA' \
                -addext 'basicConstraints=critical,CA:TRUE' \
                -addext 'keyUsage=critical,keyCertSign,cRLSign' \
                -addext 'subjectKeyIdentifier=hash' 2>/dev/null
        fi
        cat > server.ext <<EOF
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid,issuer
subjectAltName = DNS:localhost,IP:127.0.0.1,IP:::1,IP:$NO_METADATA_HOST
EOF
        openssl req -new -newkey rsa:2048 -nodes -sha256 -keyout server.key -out server.csr \
            -subj '/O=Carteiro test stack/CN=localhost' 2>/dev/null
        openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 825 \
            -sha256 -extfile server.ext -out server.pem 2>/dev/null
        openssl verify -CAfile ca.pem server.pem >/dev/null
        chmod 600 ca.key server.key
        chmod 644 ca.pem server.pem
        mv -f ca.key ca.pem server.key server.pem "$STACK_DIR/"
    ) || { rm -rf "$tmp"; die "certificate generation failed"; }
    rm -rf "$tmp"
    CERTS_CHANGED=1
}

# A self-signed certificate as "openssl req -x509" makes it (CA:TRUE, the OpenSSL default),
# which webpki refuses as a server's own: Postfix presents it on the pinning test ports.
make_self_signed() {
    [ -s "$STACK_DIR/selfsigned.pem" ] && [ -s "$STACK_DIR/selfsigned.key" ] &&
        openssl x509 -in "$STACK_DIR/selfsigned.pem" -noout -checkend 2592000 >/dev/null 2>&1 &&
        return 0
    log "generating the self-signed submission certificate in $STACK_DIR"
    openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 825 \
        -keyout "$STACK_DIR/selfsigned.key" -out "$STACK_DIR/selfsigned.pem" \
        -subj '/O=Carteiro test stack/CN=localhost' \
        -addext 'subjectAltName=DNS:localhost,IP:127.0.0.1' 2>/dev/null ||
        die "self-signed certificate generation failed"
    chmod 600 "$STACK_DIR/selfsigned.key"
    chmod 644 "$STACK_DIR/selfsigned.pem"
    CERTS_CHANGED=1
}

# ---------------------------------------------------------------- helpers

# write_if_changed FILE MODE VAR: content from stdin; sets VAR=1 if FILE had to be (re)written.
# (Reports through a variable, not the exit status: "set -e" is void inside "f && ..." calls.)
write_if_changed() {
    local file=$1 mode=$2 var=$3 tmp
    tmp=$(mktemp "$file.XXXXXX")
    cat > "$tmp"
    chmod "$mode" "$tmp"
    if [ -f "$file" ] && cmp -s "$tmp" "$file"; then
        rm -f "$tmp"
    else
        mv -f "$tmp" "$file"
        printf -v "$var" 1
    fi
}

DOVECOT_CHANGED=''
POSTFIX_CHANGED=
RADICALE_CHANGED=

port_open() { # port [host]
    local port=$1 host=${2:-127.0.0.1}
    timeout 2 bash -c "exec 3<>/dev/tcp/$host/$port" 2>/dev/null
}

# serialise concurrent up/down (the Postfix instance is machine-wide)
take_lock() {
    local dir=/run/lock
    [ -d "$dir" ] && [ -w "$dir" ] || dir=/tmp
    exec 9>"$dir/carteiro-mailstack.lock"
    flock -w 300 9 || die "another mailstack.sh is still running after 300 s ($dir/carteiro-mailstack.lock)"
}

dovecot_running() {
    local pid
    if [ ! -r "$DOVECOT_PID" ]; then  # not root: master.pid is 0600
        pgrep -f -x "/usr/sbin/dovecot -c $DOVECOT_CONF" >/dev/null 2>&1
        return
    fi
    [ -s "$DOVECOT_PID" ] || return 1
    pid=$(cat "$DOVECOT_PID")
    kill -0 "$pid" 2>/dev/null && tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q dovecot
}

postfix_running() {
    command -v postfix >/dev/null 2>&1 && postfix status >/dev/null 2>&1
}

# ---------------------------------------------------------------- Dovecot

write_dovecot_config() {
    local listen='127.0.0.1' vmail_uid ssl_dh=
    have_ipv6 && listen='127.0.0.1, ::1'
    vmail_uid=$(id -u vmail)
    [ -r /usr/share/dovecot/dh.pem ] && ssl_dh='ssl_dh = </usr/share/dovecot/dh.pem'

    mkdir -p "$DOVECOT_DIR" "$DOVECOT_DIR/state" "$MAIL_DIR"
    chmod 755 "$STACK_DIR" "$DOVECOT_DIR"
    chown vmail:vmail "$MAIL_DIR"
    chmod 750 "$MAIL_DIR"

    local users='' u
    for u in "${DEMO_USERS[@]}"; do
        users+="$u:{PLAIN}$DEMO_PASSWORD::::::"$'\n'
    done
    write_if_changed "$DOVECOT_USERS" 640 DOVECOT_CHANGED < <(printf '%s' "$users")
    local service denied
    # One file per service name the passdb sees (%s): ManageSieve logins are "sieve".
    for service in imap pop3 lmtp smtp sieve; do
        denied=''
        [ "$service" = smtp ] && denied=$'nosmtp@example.test\n'
        write_if_changed "$DOVECOT_DIR/deny-$service" 644 DOVECOT_CHANGED < <(printf '%s' "$denied")
    done
    chown root:dovecot "$DOVECOT_USERS"

    # Users of the passwd-file must not be able to log in with the shared test password:
    # the static passdb skips them (username_filter).
    local deny_demo='' u
    for u in "${DEMO_USERS[@]}"; do deny_demo+=" !$u"; done

    write_if_changed "$DOVECOT_CONF" 644 DOVECOT_CHANGED <<EOF
# Generated by scripts/mailstack.sh — do not edit; rerun "mailstack.sh up" instead.
# Standalone Dovecot 2.3 configuration for Carteiro's test stack (does not read /etc/dovecot).
protocols = imap pop3 lmtp sieve
listen = $listen
base_dir = $DOVECOT_BASE
state_dir = $DOVECOT_DIR/state
instance_name = carteiro
log_path = $DOVECOT_LOG
info_log_path = $DOVECOT_LOG
debug_log_path = $DOVECOT_LOG
hostname = mail.example.test
login_greeting = Dovecot (Carteiro test stack) ready.
shutdown_clients = yes

# ---- TLS: STARTTLS on 143/110, implicit TLS on 993/995
ssl = yes
ssl_cert = <$STACK_DIR/server.pem
ssl_key = <$STACK_DIR/server.key
ssl_min_protocol = TLSv1.2
$ssl_dh

# ---- authentication
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_username_format = %Lu
auth_failure_delay = 0
auth_cache_size = 0
# Any character in a user name: names holding line breaks (log-forging attempts) then fail at
# the "nodelay" passdb below instead of raising the per-IP auth penalty for every test.
auth_username_chars =
auth_verbose = yes

# 0) per-service deny lists: nosmtp@example.test may read mail (IMAP) but not send (SMTP
#    AUTH), so tests can see a submission server refuse a login the IMAP server accepted.
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%Lu $DOVECOT_DIR/deny-%s
  deny = yes
}
# 1) demo accounts (password "demo")
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%Lu $DOVECOT_USERS
}
# 2) any other user name, one shared test password (UTF-8)
passdb {
  driver = static
  args = password={PLAIN}$TEST_PASSWORD
  username_filter = *$deny_demo
}
# 3) reached only when 1) and 2) failed: turn the failure into an immediate one ("nodelay").
#    Without it every wrong password costs >= 0.5 s and raises Dovecot's per-IP auth penalty
#    (up to 15 s delays for ALL later logins from 127.0.0.1, successful ones included),
#    which slows down tests that deliberately try bad passwords.
passdb {
  driver = static
  args = nopassword=y nodelay=yes
  result_success = return-fail
}
userdb {
  driver = static
  args = uid=vmail gid=vmail home=$MAIL_DIR/%Lu allow_all_users=yes
}
first_valid_uid = $vmail_uid
last_valid_uid = $vmail_uid

# ---- storage: single-dbox (one file per message + index), fast with big folders
mail_location = sdbox:~/mail
mail_fsync = never
mailbox_idle_check_interval = 1 secs
mail_plugins = \$mail_plugins quota
mail_attribute_dict = file:%h/dovecot-attributes
mail_max_userip_connections = 500
postmaster_address = postmaster@example.test
recipient_delimiter = +
# Where Sieve's vacation replies and redirects are sent: the stack's own Postfix, which
# delivers them locally like any other mail (port 25 takes mail from loopback without AUTH).
submission_host = 127.0.0.1:25

namespace inbox {
  inbox = yes
  prefix =
  separator = /
  mailbox INBOX {
    auto = subscribe
  }
  mailbox Drafts {
    special_use = \Drafts
    auto = subscribe
  }
  mailbox Sent {
    special_use = \Sent
    auto = subscribe
  }
  mailbox Trash {
    special_use = \Trash
    auto = subscribe
  }
  mailbox Junk {
    special_use = \Junk
    auto = subscribe
  }
  mailbox Archive {
    special_use = \Archive
    auto = subscribe
  }
}

plugin {
  quota = count:User quota
  quota_rule = *:storage=1G
  quota_vsizes = yes

  # ---- Sieve (Pigeonhole): scripts in ~/sieve, the active one linked from ~/.dovecot.sieve,
  # run at LMTP delivery, edited over ManageSieve.
  sieve = file:~/sieve;active=~/.dovecot.sieve
  # vacation-seconds: tests can ask for replies without the one-day minimum; min_period 0
  # lets them repeat at once.
  sieve_extensions = +vacation-seconds
  sieve_vacation_min_period = 0
  # Small limits, so tests can reach them: a script at most 256 KiB, 20 scripts and 1 MiB
  # per user (PUTSCRIPT/HAVESPACE beyond them answer NO (QUOTA/...)).
  sieve_max_script_size = 256K
  sieve_quota_max_scripts = 20
  sieve_quota_max_storage = 1M
}

# METADATA everywhere but on $NO_METADATA_HOST: a server without it, for the tests of what
# Carteiro does there (settings kept in a private folder). Set here, not in "protocol imap":
# Dovecot 2.3 calls the same setting in "protocol imap" and "local { protocol imap }" a conflict.
imap_metadata = yes
local $NO_METADATA_HOST {
  protocol imap {
    imap_metadata = no
  }
}
protocol imap {
  mail_plugins = \$mail_plugins imap_quota
}
protocol pop3 {
  pop3_uidl_format = %08Xu%08Xv
}
protocol lmtp {
  mail_plugins = \$mail_plugins sieve
}

# ---- services (loopback only, see "listen")
default_process_limit = 1000
default_client_limit = 10000
default_vsz_limit = 512M

service imap-login {
  inet_listener imap {
    port = 143
  }
  inet_listener imaps {
    port = 993
    ssl = yes
  }
  # The same IMAP without METADATA (see "local $NO_METADATA_HOST" below).
  inet_listener imap_no_metadata {
    address = $NO_METADATA_HOST
    port = 143
  }
  inet_listener imaps_no_metadata {
    address = $NO_METADATA_HOST
    port = 993
    ssl = yes
  }
  service_count = 0
  process_min_avail = 2
  client_limit = 2000
}
service pop3-login {
  inet_listener pop3 {
    port = 110
  }
  inet_listener pop3s {
    port = 995
    ssl = yes
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = 24
  }
}
# ManageSieve (RFC 5804) on "listen" (loopback), STARTTLS with the stack's certificate.
service managesieve-login {
  inet_listener sieve {
    port = $MANAGESIEVE_PORT
  }
}
service auth {
  # Postfix SASL (smtpd_sasl_type = dovecot)
  unix_listener auth-postfix {
    mode = 0660
    user = postfix
    group = postfix
  }
}
EOF
}

start_dovecot() {
    doveconf -c "$DOVECOT_CONF" -n >/dev/null 2>"$STACK_DIR/doveconf.err" ||
        die "invalid Dovecot config: $(cat "$STACK_DIR/doveconf.err")"
    rm -f "$STACK_DIR/doveconf.err"
    if dovecot_running; then
        if [ -n "$DOVECOT_CHANGED" ]; then
            log "dovecot config changed: reloading"
            doveadm -c "$DOVECOT_CONF" reload </dev/null >/dev/null 9>&-
        fi
        return 0
    fi
    # stale pid file or leftover sockets from a killed instance
    rm -f "$DOVECOT_PID"
    mkdir -p "$DOVECOT_BASE"
    ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
    log "starting dovecot"
    # Daemons must not inherit our stdout/stderr (callers capturing output would hang) or the lock fd.
    dovecot -c "$DOVECOT_CONF" </dev/null >/dev/null 2>"$STACK_DIR/dovecot.stderr" 9>&- ||
        die "dovecot failed to start: $(cat "$STACK_DIR/dovecot.stderr" 2>/dev/null)
log tail:
$(tail -n 20 "$DOVECOT_LOG" 2>/dev/null)"
}

stop_dovecot() {
    if ! dovecot_running; then
        rm -f "$DOVECOT_PID"
        return 0
    fi
    local pid _
    pid=$(cat "$DOVECOT_PID")
    log "stopping dovecot (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        log "dovecot did not stop in 10 s, sending KILL"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$DOVECOT_PID"
}

# ---------------------------------------------------------------- Postfix

write_postfix_config() {
    local protocols=ipv4
    have_ipv6 && protocols=all
    local dir=/etc/postfix
    mkdir -p "$dir"
    # keep whatever the machine had before the first run
    [ -f $dir/main.cf ] && ! grep -q 'Generated by scripts/mailstack.sh' $dir/main.cf &&
        [ ! -f $dir/main.cf.carteiro-orig ] && cp -p $dir/main.cf $dir/main.cf.carteiro-orig
    [ -f $dir/master.cf ] && ! grep -q 'Generated by scripts/mailstack.sh' $dir/master.cf &&
        [ ! -f $dir/master.cf.carteiro-orig ] && cp -p $dir/master.cf $dir/master.cf.carteiro-orig

    write_if_changed $dir/main.cf 644 POSTFIX_CHANGED <<EOF
# Generated by scripts/mailstack.sh — do not edit; rerun "mailstack.sh up" instead.
# Postfix for Carteiro's test stack: loopback only, every domain is delivered locally to Dovecot
# over LMTP, nothing is relayed to the outside.
compatibility_level = 3.6
myhostname = mail.example.test
mydomain = example.test
myorigin = \$mydomain
mydestination =
inet_interfaces = loopback-only
inet_protocols = $protocols
mynetworks = 127.0.0.0/8 [::1]/128
biff = no
append_dot_mydomain = no
alias_maps =
alias_database =
local_recipient_maps =
recipient_delimiter = +
message_size_limit = 52428800
mailbox_size_limit = 0
smtpd_banner = \$myhostname ESMTP Carteiro test stack

# all domains are "virtual mailbox" domains handled by Dovecot LMTP
virtual_mailbox_domains = static:all
virtual_transport = lmtp:inet:127.0.0.1:24
lmtp_host_lookup = native
smtp_host_lookup = native
smtp_dns_support_level = disabled

# retry quickly if Dovecot was briefly down
queue_run_delay = 5s
minimal_backoff_time = 5s
maximal_backoff_time = 30s
maximal_queue_lifetime = 1h
bounce_queue_lifetime = 1h

# TLS (server side), certificate signed by $STACK_DIR/ca.pem
smtpd_tls_cert_file = $STACK_DIR/server.pem
smtpd_tls_key_file = $STACK_DIR/server.key
smtpd_tls_security_level = may
smtpd_tls_mandatory_protocols = >=TLSv1.2
smtpd_tls_protocols = >=TLSv1.2
smtpd_tls_received_header = yes
smtpd_tls_session_cache_database =
smtp_tls_security_level = none

# SASL via Dovecot (enabled only on 587 and 465, see master.cf)
smtpd_sasl_type = dovecot
smtpd_sasl_path = $DOVECOT_BASE/auth-postfix
smtpd_sasl_auth_enable = no
smtpd_sasl_security_options = noanonymous
smtpd_sasl_authenticated_header = yes
smtpd_tls_auth_only = yes

# relaying only for authenticated users (with static:all nothing is remote anyway)
smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination
# refused@example.test is rejected at RCPT time, so tests can see a refused recipient.
# On 587 and 465 (master.cf), owned@example.test may be sent as by owner@example.test only
# (reject_KNOWN_sender_login_mismatch: every other sender address stays free for the tests),
# so tests can see the server refuse a sender
smtpd_recipient_restrictions = check_recipient_access inline:{ { refused@example.test = REJECT mailbox unavailable } }
smtpd_helo_required = no

# no syslogd here: log to a file (needs the postlog service in master.cf)
maillog_file = $POSTFIX_LOG
maillog_file_prefixes = /var, /dev/stdout, $STACK_DIR
EOF

    write_if_changed $dir/master.cf 644 POSTFIX_CHANGED <<EOF
# Generated by scripts/mailstack.sh — do not edit; rerun "mailstack.sh up" instead.
# service  type  private unpriv  chroot  wakeup  maxproc command + args
25         inet  n       -       n       -       -       smtpd
  -o syslog_name=postfix/smtp
587        inet  n       -       n       -       -       smtpd
  -o syslog_name=postfix/submission
  -o smtpd_tls_security_level=encrypt
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
  -o smtpd_sender_login_maps=inline:{owned@example.test=owner@example.test}
  -o smtpd_sender_restrictions=reject_known_sender_login_mismatch
  -o milter_macro_daemon_name=ORIGINATING
465        inet  n       -       n       -       -       smtpd
  -o syslog_name=postfix/smtps
  -o smtpd_tls_wrappermode=yes
  -o smtpd_tls_security_level=encrypt
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
  -o smtpd_sender_login_maps=inline:{owned@example.test=owner@example.test}
  -o smtpd_sender_restrictions=reject_known_sender_login_mismatch
  -o milter_macro_daemon_name=ORIGINATING
$SELF_SIGNED_SUBMISSION      inet  n       -       n       -       -       smtpd
  -o syslog_name=postfix/submission-selfsigned
  -o smtpd_tls_cert_file=$STACK_DIR/selfsigned.pem
  -o smtpd_tls_key_file=$STACK_DIR/selfsigned.key
  -o smtpd_tls_security_level=encrypt
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
$SELF_SIGNED_SUBMISSIONS      inet  n       -       n       -       -       smtpd
  -o syslog_name=postfix/submissions-selfsigned
  -o smtpd_tls_cert_file=$STACK_DIR/selfsigned.pem
  -o smtpd_tls_key_file=$STACK_DIR/selfsigned.key
  -o smtpd_tls_wrappermode=yes
  -o smtpd_tls_security_level=encrypt
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
pickup     unix  n       -       n       60      1       pickup
cleanup    unix  n       -       n       -       0       cleanup
qmgr       unix  n       -       n       300     1       qmgr
tlsmgr     unix  -       -       n       1000?   1       tlsmgr
rewrite    unix  -       -       n       -       -       trivial-rewrite
bounce     unix  -       -       n       -       0       bounce
defer      unix  -       -       n       -       0       bounce
trace      unix  -       -       n       -       0       bounce
verify     unix  -       -       n       -       1       verify
flush      unix  n       -       n       1000?   0       flush
proxymap   unix  -       -       n       -       -       proxymap
proxywrite unix  -       -       n       -       1       proxymap
smtp       unix  -       -       n       -       -       smtp
relay      unix  -       -       n       -       -       smtp
showq      unix  n       -       n       -       -       showq
error      unix  -       -       n       -       -       error
retry      unix  -       -       n       -       -       error
discard    unix  -       -       n       -       -       discard
local      unix  -       n       n       -       -       local
virtual    unix  -       n       n       -       -       virtual
lmtp       unix  -       -       n       -       -       lmtp
anvil      unix  -       -       n       -       1       anvil
scache     unix  -       -       n       -       1       scache
postlog    unix-dgram n  -       n       -       1       postlogd
EOF
}

start_postfix() {
    postfix check >/dev/null 2>"$STACK_DIR/postfix-check.err" || {
        # fresh installs sometimes need the queue/permissions fixed up
        postfix set-permissions >/dev/null 2>&1 || true
        postfix check || die "postfix check failed: $(cat "$STACK_DIR/postfix-check.err")"
    }
    rm -f "$STACK_DIR/postfix-check.err"
    if postfix_running; then
        if [ -n "$POSTFIX_CHANGED" ]; then
            # inet_interfaces etc. need a full restart, not just a reload
            log "postfix config changed: restarting"
            postfix stop >/dev/null 2>&1 || true
            postfix start </dev/null >/dev/null 2>&1 9>&- || die "postfix failed to start; log tail:
$(tail -n 20 "$POSTFIX_LOG" 2>/dev/null)"
        fi
        return 0
    fi
    log "starting postfix"
    postfix start </dev/null >/dev/null 2>&1 9>&- || die "postfix failed to start; log tail:
$(tail -n 20 "$POSTFIX_LOG" 2>/dev/null)"
}

stop_postfix() {
    if postfix_running; then
        log "stopping postfix"
        postfix stop >/dev/null 2>&1 || true
        local _
        for _ in $(seq 1 100); do
            postfix_running || break
            sleep 0.1
        done
    fi
}

# ---------------------------------------------------------------- Radicale (CardDAV)

# Radicale 3.1 (Debian 12) has no IMAP authentication of its own: a small plugin, written
# here and put on PYTHONPATH, accepts a login exactly when the stack's Dovecot does (STARTTLS,
# AUTHENTICATE PLAIN, so UTF-8 passwords work). Nothing is cached: every request asks Dovecot,
# so a wrong password is refused at once. Radicale runs as its own system user, over TLS with
# the stack's certificate; rights are owner_only (a user sees only /<user>/...).

radicale_pids() {
    pgrep -f -x "/usr/bin/python3 -m radicale -C $RADICALE_CONF" 2>/dev/null
}

radicale_running() {
    radicale_pids >/dev/null
}

write_radicale_config() {
    getent passwd radicale >/dev/null || die "the radicale package did not create its system user 'radicale'"
    local hosts="127.0.0.1:$RADICALE_PORT"
    have_ipv6 && hosts+=", [::1]:$RADICALE_PORT"
    mkdir -p "$RADICALE_DIR/lib" "$RADICALE_DIR/collections"
    chmod 755 "$RADICALE_DIR" "$RADICALE_DIR/lib"
    chown radicale:radicale "$RADICALE_DIR/collections"
    chmod 700 "$RADICALE_DIR/collections"
    # Radicale reads its key as the radicale user; the stack's key is root's only.
    if ! cmp -s "$STACK_DIR/server.key" "$RADICALE_DIR/server.key"; then
        install -m 600 -o radicale -g radicale "$STACK_DIR/server.key" "$RADICALE_DIR/server.key"
        RADICALE_CHANGED=1
    fi

    write_if_changed "$RADICALE_DIR/lib/carteiro_imap_auth.py" 644 RADICALE_CHANGED <<EOF
# Generated by scripts/mailstack.sh — do not edit; rerun "mailstack.sh up" instead.
"""Radicale authentication for Carteiro's test stack: a login is accepted when the stack's
Dovecot accepts it over IMAP. Nothing is cached: every request is checked again."""

import imaplib
import ssl

from radicale import auth
from radicale.log import logger

IMAP_HOST = "127.0.0.1"
IMAP_PORT = 143
CA_FILE = "$STACK_DIR/ca.pem"


class Auth(auth.BaseAuth):
    def login(self, login, password):
        if not login or not password:
            return ""
        # AUTHENTICATE PLAIN, not LOGIN: imaplib sends LOGIN arguments as ASCII only.
        credentials = ("\\0%s\\0%s" % (login, password)).encode("utf-8")
        try:
            with imaplib.IMAP4(IMAP_HOST, IMAP_PORT, timeout=10) as imap:
                imap.starttls(ssl.create_default_context(cafile=CA_FILE))
                imap.authenticate("PLAIN", lambda _challenge: credentials)
            return login
        except imaplib.IMAP4.error:
            return ""
        except (OSError, ssl.SSLError) as e:
            logger.warning("IMAP server unavailable for authentication: %s", e)
            return ""
EOF

    write_if_changed "$RADICALE_CONF" 644 RADICALE_CHANGED <<EOF
# Generated by scripts/mailstack.sh — do not edit; rerun "mailstack.sh up" instead.
# Radicale 3.1 for Carteiro's test stack (does not read /etc/radicale).
[server]
hosts = $hosts
max_connections = 64
timeout = 30
ssl = True
certificate = $STACK_DIR/server.pem
key = $RADICALE_DIR/server.key

[auth]
type = carteiro_imap_auth
realm = Carteiro test stack
# Dovecot already fails wrong passwords at once ("nodelay"); tests try them on purpose.
delay = 0

[rights]
type = owner_only

[storage]
filesystem_folder = $RADICALE_DIR/collections

[web]
type = none

[logging]
level = info
mask_passwords = True
EOF
}

start_radicale() {
    if radicale_running; then
        [ -z "$RADICALE_CHANGED" ] && return 0
        # Radicale has no reload: restart it to read the new config, plugin or key.
        log "radicale config changed: restarting"
        stop_radicale
    fi
    log "starting radicale"
    # setsid: not killed with the caller's process group; setpriv: drops root before exec.
    # Daemons must not inherit our stdout/stderr (callers capturing output would hang) or the lock fd.
    setsid setpriv --reuid=radicale --regid=radicale --init-groups \
        env PYTHONPATH="$RADICALE_DIR/lib" /usr/bin/python3 -m radicale -C "$RADICALE_CONF" \
        </dev/null >>"$RADICALE_LOG" 2>&1 9>&- &
}

stop_radicale() {
    local pids _
    pids=$(radicale_pids) || return 0
    log "stopping radicale (pid $(echo $pids))"
    # shellcheck disable=SC2086
    kill -TERM $pids 2>/dev/null || true
    for _ in $(seq 1 100); do
        radicale_running || return 0
        sleep 0.1
    done
    log "radicale did not stop in 10 s, sending KILL"
    # shellcheck disable=SC2086
    kill -KILL $pids 2>/dev/null || true
}

# ---------------------------------------------------------------- commands

wait_ports() {
    local deadline=$((SECONDS + WAIT_SECONDS)) p pending
    while :; do
        pending=()
        for p in "${WAIT_PORTS[@]}"; do
            port_open "$p" || pending+=("$p")
        done
        [ ${#pending[@]} -eq 0 ] && return 0
        if [ $SECONDS -ge $deadline ]; then
            {
                echo "[mailstack] ERROR: ports not accepting connections after ${WAIT_SECONDS}s: ${pending[*]}"
                echo "---- $DOVECOT_LOG (tail)"
                tail -n 25 "$DOVECOT_LOG" 2>/dev/null || true
                echo "---- $POSTFIX_LOG (tail)"
                tail -n 25 "$POSTFIX_LOG" 2>/dev/null || true
                echo "---- $RADICALE_LOG (tail)"
                tail -n 25 "$RADICALE_LOG" 2>/dev/null || true
            } >&2
            exit 1
        fi
        sleep 0.2
    done
}

summary() {
    local v6=''
    have_ipv6 && v6=' and [::1]'
    cat <<EOF
Carteiro mail stack is up (listening on 127.0.0.1$v6 only, and $NO_METADATA_HOST for IMAP)
  IMAP   143 (STARTTLS)   IMAPS 993      POP3 110 (STLS)   POP3S 995
  SMTP   25               submission 587 (STARTTLS+AUTH)   submissions 465 (TLS+AUTH)
         self-signed ($STACK_DIR/selfsigned.pem): submission $SELF_SIGNED_SUBMISSION, submissions $SELF_SIGNED_SUBMISSIONS
  LMTP   127.0.0.1:24       ManageSieve $MANAGESIEVE_PORT (STARTTLS; Sieve runs at LMTP delivery)
  CardDAV https://localhost:$RADICALE_PORT/<user>/contacts/ (Radicale; IMAP credentials)
  IMAP without METADATA: $NO_METADATA_HOST:143 (STARTTLS), $NO_METADATA_HOST:993 (TLS)
  CA certificate : $STACK_DIR/ca.pem   (server cert for localhost, 127.0.0.1, ::1, $NO_METADATA_HOST)
  Demo accounts  : alice@example.test / demo, bob@example.test / demo
  Any other user : <anything> / $TEST_PASSWORD   (fresh empty mailbox; mail for any domain is delivered locally)
  Logs           : $DOVECOT_LOG, $POSTFIX_LOG, $RADICALE_LOG
  Mail storage   : $MAIL_DIR/<user>/mail (sdbox)
  Contacts       : $RADICALE_DIR/collections
EOF
}

cmd_up() {
    need_root up "$@"
    take_lock

    install_packages
    ensure_vmail_user
    mkdir -p "$STACK_DIR"
    chmod 755 "$STACK_DIR"
    make_certs
    make_self_signed

    write_dovecot_config
    write_postfix_config
    write_radicale_config
    if [ -n "$CERTS_CHANGED" ]; then
        DOVECOT_CHANGED=1
        POSTFIX_CHANGED=1
        RADICALE_CHANGED=1
    fi
    start_dovecot
    start_postfix
    start_radicale
    wait_ports
    summary
}

cmd_down() {
    need_root down "$@"
    local wipe=''
    case "${1:-}" in
        --wipe) wipe=1 ;;
        '') ;;
        *) die "usage: $0 down [--wipe]" ;;
    esac
    take_lock
    stop_radicale
    stop_dovecot
    stop_postfix
    if [ -n "$wipe" ]; then
        case "$STACK_DIR" in
            /|/tmp|/root|/home|/var|/usr|/etc|'') die "refusing to delete $STACK_DIR" ;;
        esac
        log "deleting $STACK_DIR"
        rm -rf -- "$STACK_DIR"
        [ "$DOVECOT_BASE" != "$STACK_DIR/run" ] && rm -rf -- "$DOVECOT_BASE"
    fi
    log "stopped"
}

cmd_status() {
    local ok=0 p state host
    if dovecot_running; then
        echo "dovecot : running (pid $(cat "$DOVECOT_PID" 2>/dev/null || pgrep -f -x "/usr/sbin/dovecot -c $DOVECOT_CONF"), config $DOVECOT_CONF)"
    else
        echo "dovecot : stopped"; ok=1
    fi
    if [ "$(id -u)" -eq 0 ] && postfix_running; then
        echo "postfix : running (pid $(tr -d ' ' < /var/spool/postfix/pid/master.pid 2>/dev/null))"
    elif [ "$(id -u)" -ne 0 ] && pgrep -f -x '/usr/lib/postfix/sbin/master( -w)?' >/dev/null 2>&1; then
        echo "postfix : running"
    else
        echo "postfix : stopped"; ok=1
    fi
    if radicale_running; then
        echo "radicale: running (pid $(radicale_pids | tr '\n' ' ' | sed 's/ $//'), config $RADICALE_CONF)"
    else
        echo "radicale: stopped"; ok=1
    fi
    for host in 127.0.0.1 ::1; do
        [ "$host" = ::1 ] && { have_ipv6 || continue; }
        printf 'ports %-9s:' "$host"
        for p in "${PORTS_V4[@]}"; do
            [ "$host" = ::1 ] && [ "$p" = 24 ] && continue
            if port_open "$p" "$host"; then state=up; else state=DOWN; ok=1; fi
            printf ' %s=%s' "$p" "$state"
        done
        echo
    done
    printf 'ports %-9s:' "$NO_METADATA_HOST"
    for p in "${NO_METADATA_PORTS[@]}"; do
        if port_open "$p" "$NO_METADATA_HOST"; then state=up; else state=DOWN; ok=1; fi
        printf ' %s=%s' "$p" "$state"
    done
    echo " (IMAP without METADATA)"
    echo "stack dir: $STACK_DIR (CA: $STACK_DIR/ca.pem)"
    return $ok
}

cmd_seed_demo() {
    need_root seed-demo "$@"
    local force='' a args=()
    for a in "$@"; do
        case "$a" in
            --force) force=1 ;;
            *) args+=("$a") ;;
        esac
    done
    if ! cmd_status >/dev/null 2>&1; then
        cmd_up >/dev/null
    fi
    if [ -n "$force" ]; then
        # Start from truly empty mailboxes (new UIDVALIDITY, UIDs from 1): disconnect the demo
        # users' sessions and delete their homes; Dovecot recreates them at the next login.
        local u
        for u in "${DEMO_USERS[@]}"; do
            doveadm -c "$DOVECOT_CONF" kick "$u" >/dev/null 2>&1 || true
        done
        sleep 0.3
        for u in "${DEMO_USERS[@]}"; do
            rm -rf -- "${MAIL_DIR:?}/$u"
        done
    fi
    python3 "$SCRIPT_DIR/demo_mail.py" --host 127.0.0.1 --port 143 ${args[@]+"${args[@]}"}
}

cmd_doveadm() {
    need_root doveadm "$@"
    exec doveadm -c "$DOVECOT_CONF" "$@"
}

usage() {
    sed -n '2,10p' "$SELF" | sed 's/^# \{0,1\}//'
}

main() {
    local cmd=${1:-}
    [ $# -gt 0 ] && shift
    case "$cmd" in
        up) cmd_up "$@" ;;
        down) cmd_down "$@" ;;
        status) cmd_status "$@" ;;
        seed-demo) cmd_seed_demo "$@" ;;
        doveadm) cmd_doveadm "$@" ;;
        -h|--help|help) usage ;;
        *) usage >&2; exit 2 ;;
    esac
}

main "$@"
