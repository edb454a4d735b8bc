#!/usr/bin/env bash
# Builds the real Dockerfile with Podman and probes the image against the project's running mail
# stack (scripts/mailstack.sh: Dovecot and Postfix on the host's loopback, /tmp/carteiro-stack).
#
#   scripts/mailstack.sh start    # once, if it is not already up
#   scripts/image-check.sh        # prints every probe; exits 1 and names the failures if any
#   scripts/image-check.sh --compose   # then docker-compose.yml's demo too (podman-compose)
#
# Too slow for scripts/test.sh (a release build inside the image); run it by hand after changing
# the Dockerfile, the listen/healthcheck/shutdown code or the dependencies. Idempotent: tools,
# settings and base images are only added when missing; the probe container and its volume
# are made afresh on every run. Needs root (rootful Podman; see below).
#
# Settings (environment): CARTEIRO_IMAGE_CHECK_PORT (18080), CARTEIRO_IMAGE_CHECK_DIR
# (/var/tmp/carteiro-image-check: base image root filesystems and the Debian package cache),
# CARTEIRO_STACK_DIR (/tmp/carteiro-stack), RUST_TOOLCHAIN_DIR (the host's rustup 1.95.0).
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${CARTEIRO_IMAGE_CHECK_PORT:-18080}
WORK=${CARTEIRO_IMAGE_CHECK_DIR:-/var/tmp/carteiro-image-check}
STACK=${CARTEIRO_STACK_DIR:-/tmp/carteiro-stack}
RUST_VERSION=1.95.0
TOOLCHAIN=${RUST_TOOLCHAIN_DIR:-$HOME/.rustup/toolchains/$RUST_VERSION-x86_64-unknown-linux-gnu}
RUST_IMAGE=docker.io/library/rust:1.95-slim-bookworm
DISTROLESS_IMAGE=gcr.io/distroless/cc-debian12:nonroot
IMAGE=localhost/carteiro:image-check
NAME=carteiro-image-check
VOLUME=carteiro-image-check-data
MIRROR=http://deb.debian.org/debian
# runc named explicitly: Debian's podman prefers crun when it is installed, and crun is known
# not to work on these machines (not re-checked: crun is not installed here).
PODMAN=(podman --runtime runc)
COMPOSE=
[ "${1:-}" != --compose ] || COMPOSE=1

say() { printf 'image-check: %s\n' "$*" >&2; }
failures=()
pass() { printf '  ok    %s\n' "$*"; }
fail() { printf '  FAIL  %s\n' "$*"; failures+=("$*"); }

[ "$(id -u)" -eq 0 ] || { say "run as root (rootful Podman; rootless needs subuid ranges these machines lack)"; exit 2; }

# -- Tools ---------------------------------------------------------------------------------------
# Podman builds and runs OCI images without a daemon; runc is the runtime that works here;
# debootstrap makes the base images from Debian's packages, since no registry can be reached
# to pull rust:… or gcr.io/distroless/….
missing=()
command -v podman >/dev/null 2>&1 || missing+=(podman)
command -v runc >/dev/null 2>&1 || missing+=(runc)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
command -v curl >/dev/null 2>&1 || missing+=(curl)
if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]} from Debian"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=300 "${missing[@]}" >/dev/null
fi

# -- containers.conf -----------------------------------------------------------------------------
# Containers only start here with no default ulimits (with them: "runc create failed: ... error
# setting rlimit type 7: operation not permitted") and the cgroupfs cgroup manager (there is no
# systemd to ask: PID 1 is not systemd). Written only when the file is
# absent; an existing file is never edited: it is reported instead when a setting is missing.
CONF=/etc/containers/containers.conf
if [ ! -e "$CONF" ]; then
    say "writing $CONF (default_ulimits = [], cgroup_manager = \"cgroupfs\")"
    mkdir -p /etc/containers
    cat >"$CONF" <<'EOF'
# Written by Carteiro's scripts/image-check.sh: containers only start on this machine with no
# default ulimits and the cgroupfs cgroup manager (no systemd); use runc (podman --runtime runc).
[containers]
default_ulimits = []

[engine]
cgroup_manager = "cgroupfs"
EOF
elif ! grep -Eq '^\s*default_ulimits\s*=\s*\[\s*\]' "$CONF" || ! grep -Eq '^\s*cgroup_manager\s*=\s*"cgroupfs"' "$CONF"; then
    say "$CONF exists but lacks default_ulimits = [] (in [containers]) or cgroup_manager = \"cgroupfs\" (in [engine]); not editing it, containers may fail to start"
else
    say "$CONF already has default_ulimits = [] and cgroup_manager = \"cgroupfs\""
fi

mkdir -p "$WORK/debs"

# -- Base image: rust:1.95-slim-bookworm ---------------------------------------------------------
# What the official image is for this build: Debian bookworm with gcc and libc6-dev (the linker
# and crt files rustc needs; ring's C code), CA certificates (for crates.io), and the toolchain
# at /usr/local/rustup + /usr/local/cargo with the same ENV. The toolchain is the host's rustup
# 1.95.0 (bin, lib, libexec; not its docs), reached through symlinks in /usr/local/cargo/bin
# instead of rustup's proxies (Carteiro has no rust-toolchain file for a proxy to honour).
if "${PODMAN[@]}" image exists "$RUST_IMAGE"; then
    say "$RUST_IMAGE exists; not rebuilding it"
else
    [ -x "$TOOLCHAIN/bin/cargo" ] || { say "no Rust toolchain at $TOOLCHAIN (RUST_TOOLCHAIN_DIR)"; exit 2; }
    root=$WORK/rootfs-rust
    if [ ! -e "$root/.debootstrap-done" ]; then
        say "debootstrap bookworm into $root (a few minutes)"
        # Three tries: a download cut short fails the whole run, and the packages already
        # fetched stay in the cache for the next try.
        for try in 1 2 3; do
            rm -rf "$root"
            nice -n 10 debootstrap --variant=minbase --include=ca-certificates,gcc,libc6-dev \
                --cache-dir="$WORK/debs" bookworm "$root" "$MIRROR" >"$WORK/debootstrap-rust.log" 2>&1 && break
            [ "$try" -lt 3 ] || { say "debootstrap failed, see $WORK/debootstrap-rust.log"; exit 2; }
            say "debootstrap failed ($(grep '^E:' "$WORK/debootstrap-rust.log" | tail -1)); again"
        done
        rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
        touch "$root/.debootstrap-done"
    fi
    rm -rf "$root/usr/local/rustup" "$root/usr/local/cargo"
    tc=$root/usr/local/rustup/toolchains/$RUST_VERSION-x86_64-unknown-linux-gnu
    mkdir -p "$tc" "$root/usr/local/cargo/bin"
    cp -a "$TOOLCHAIN/bin" "$TOOLCHAIN/lib" "$tc/"
    [ ! -d "$TOOLCHAIN/libexec" ] || cp -a "$TOOLCHAIN/libexec" "$tc/"
    for b in "$tc"/bin/*; do
        ln -s "../../rustup/toolchains/$RUST_VERSION-x86_64-unknown-linux-gnu/bin/$(basename "$b")" \
            "$root/usr/local/cargo/bin/"
    done
    say "importing $RUST_IMAGE"
    tar -C "$root" --exclude=./.debootstrap-done -c . | "${PODMAN[@]}" import \
        --change 'ENV RUSTUP_HOME=/usr/local/rustup' \
        --change 'ENV CARGO_HOME=/usr/local/cargo' \
        --change 'ENV PATH=/usr/local/cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change "ENV RUST_VERSION=$RUST_VERSION" \
        --change 'CMD ["bash"]' - "$RUST_IMAGE" >/dev/null
fi

# -- Base image: gcr.io/distroless/cc-debian12:nonroot -------------------------------------------
# What distroless cc gives a binary: glibc and libgcc_s from Debian 12's own packages, the CA
# bundle, passwd/group with nonroot (65532), /home/nonroot, /tmp, nsswitch.conf: no shell, no
# package manager, no coreutils. Made from the same .debs debootstrap fetched, unpacked (not
# installed: there is no dpkg in it) onto a merged-/usr layout like Debian 12's.
if "${PODMAN[@]}" image exists "$DISTROLESS_IMAGE"; then
    say "$DISTROLESS_IMAGE exists; not rebuilding it"
else
    root=$WORK/rootfs-distroless
    rm -rf "$root"
    mkdir -p "$root"/{usr/bin,usr/sbin,usr/lib,usr/lib64,etc/ssl/certs,tmp,home/nonroot,root,var}
    ln -s usr/bin "$root/bin"; ln -s usr/sbin "$root/sbin"; ln -s usr/lib "$root/lib"; ln -s usr/lib64 "$root/lib64"
    for pkg in libc6 libgcc-s1; do
        deb=$(find "$WORK/debs" -name "${pkg}_*_amd64.deb" | sort | tail -1)
        if [ -z "$deb" ]; then
            (cd "$WORK/debs" && apt-get download "$pkg" >/dev/null)
            deb=$(find "$WORK/debs" -name "${pkg}_*_amd64.deb" | sort | tail -1)
        fi
        dpkg-deb --fsys-tarfile "$deb" | tar -x --keep-directory-symlink -C "$root"
    done
    # The bundle update-ca-certificates made in the build rootfs (Debian's ca-certificates).
    cp "$WORK/rootfs-rust/etc/ssl/certs/ca-certificates.crt" "$root/etc/ssl/certs/" 2>/dev/null ||
        cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"
    printf 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$root/etc/passwd"
    printf 'root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n' >"$root/etc/group"
    printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$root/etc/nsswitch.conf"
    chmod 1777 "$root/tmp"; chmod 700 "$root/root"
    chown 65532:65532 "$root/home/nonroot"
    rm -rf "$root"/usr/share/doc "$root"/usr/share/lintian
    say "importing $DISTROLESS_IMAGE"
    tar -C "$root" -c . | "${PODMAN[@]}" import \
        --change 'USER 65532:65532' --change 'WORKDIR /home/nonroot' \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' \
        - "$DISTROLESS_IMAGE" >/dev/null
fi

# -- Build ---------------------------------------------------------------------------------------
# The Dockerfile as it is. --format docker: OCI image configs have no HEALTHCHECK, and Podman
# drops it from an OCI build. --network host: the build fetches crates from crates.io. The
# cargo registry and target cache mounts (RUN --mount=type=cache) persist between runs, so a
# second run rebuilds only what changed. nice: the machines are shared.
# The host's CA bundle is mounted over the build stage's for the RUN steps: these machines reach
# crates.io through a TLS-intercepting egress proxy whose CA only the host's trust store has
# (cargo fails with "self-signed certificate in certificate chain" otherwise). A build-time
# mount only: neither the base image nor the final image holds it.
build_opts=(--format docker --network host)
[ ! -s /etc/ssl/certs/ca-certificates.crt ] ||
    build_opts+=(--volume /etc/ssl/certs/ca-certificates.crt:/etc/ssl/certs/ca-certificates.crt:ro)
say "building $IMAGE (podman build; log in $WORK/build.log)"
start=$(date +%s)
if ! nice -n 10 "${PODMAN[@]}" build "${build_opts[@]}" -t "$IMAGE" . >"$WORK/build.log" 2>&1; then
    tail -30 "$WORK/build.log" >&2
    say "build failed"
    exit 1
fi
build_secs=$(( $(date +%s) - start ))
size=$("${PODMAN[@]}" image inspect --format '{{.Size}}' "$IMAGE")
echo "build: ${build_secs}s; image $IMAGE: $size bytes ($(( size / 1000000 )) MB)"

# -- Run -----------------------------------------------------------------------------------------
# As docker-compose.yml runs it (read-only root, no capabilities, no-new-privileges, a volume on
# /data), on the host's network so that it reaches the stack on loopback, listening on a spare
# port. STARTTLS to Dovecot on 143, trusting the stack's CA as the compose file trusts its demo CA.
"${PODMAN[@]}" rm -f -t 0 "$NAME" >/dev/null 2>&1 || true
"${PODMAN[@]}" volume rm -f "$VOLUME" >/dev/null 2>&1 || true
"${PODMAN[@]}" volume create "$VOLUME" >/dev/null
# Podman schedules the periodic HEALTHCHECK with systemd timers; there is no systemd here, so it
# complains ("unable to get systemd connection") and never runs it by itself: those lines are
# dropped, and the probe below runs the check on demand instead.
quiet() { grep -v -e 'systemd connection' -e 'CNI config file' >&2 || true; }
"${PODMAN[@]}" run -d --name "$NAME" --network host \
    --read-only --cap-drop ALL --security-opt no-new-privileges \
    -v "$STACK/ca.pem:/certs/ca.pem:ro" -v "$VOLUME:/data" \
    -e CARTEIRO_LISTEN="127.0.0.1:$PORT" \
    -e CARTEIRO_IMAP_URL=imap://localhost:143 -e CARTEIRO_SMTP_URL=smtp://localhost:587 \
    -e CARTEIRO_TLS_CA_FILE=/certs/ca.pem \
    "$IMAGE" >/dev/null 2> >(quiet)
cleanup() { "${PODMAN[@]}" rm -f -t 0 "$NAME" >/dev/null 2>&1 || true; }
trap cleanup EXIT
BASE=http://127.0.0.1:$PORT
for _ in $(seq 50); do
    curl -fsS "$BASE/healthz" >/dev/null 2>&1 && break
    sleep 0.2
done

echo "probes:"
# Liveness and readiness: readiness means Dovecot answered through STARTTLS with the pinned CA.
body=$(curl -sS "$BASE/healthz" 2>&1) && [ "$body" = ok ] && pass "GET /healthz: ok" || fail "GET /healthz: $body"
code=$(curl -sS -o /dev/null -w '%{http_code}' "$BASE/readyz" 2>&1)
[ "$code" = 200 ] && pass "GET /readyz: 200" || fail "GET /readyz: $code"

# Sign in as a browser does: the login form's POST, the session cookie kept in a jar, then the
# inbox; then a form needing the session's CSRF token (logout) refused with a wrong token and
# accepted with the one the page carries.
jar=$(mktemp); trap 'cleanup; rm -f "$jar"' EXIT
login() {
    curl -sS -c "$jar" -b "$jar" -o /dev/null "$BASE/login"
    curl -sS -c "$jar" -b "$jar" -o /dev/null -w '%{http_code} %{redirect_url}' \
        -H "Origin: $BASE" --data-urlencode username=alice@example.test \
        --data-urlencode password=demo --data-urlencode next= "$BASE/login"
}
out=$(login)
[[ "$out" == 303*"/mail/INBOX"* || "$out" == 302*"/mail/INBOX"* ]] && pass "POST /login as alice@example.test: $out" || fail "POST /login: $out"
inbox=$(curl -sS -b "$jar" -w '\n%{http_code}' "$BASE/mail/INBOX")
code=${inbox##*$'\n'}
csrf=$(grep -o 'name="csrf" value="[^"]*"' <<<"$inbox" | head -1 | sed 's/.*value="//; s/"$//')
# One checkbox per message row: the list is really there (the stack seeds demo mail).
rows=$(grep -o 'type="checkbox" name="uid"' <<<"$inbox" | wc -l)
if [ "$code" = 200 ] && grep -q 'alice@example.test' <<<"$inbox" && [ -n "$csrf" ] && [ "$rows" -gt 0 ]; then
    pass "GET /mail/INBOX: 200, names alice@example.test, $rows messages listed, $(wc -c <<<"$inbox") bytes, carries a CSRF token"
else
    fail "GET /mail/INBOX: $code (csrf token: ${csrf:-none})"
fi
code=$(curl -sS -b "$jar" -o /dev/null -w '%{http_code}' -H "Origin: $BASE" --data csrf=wrong "$BASE/logout")
[[ "$code" == 4* ]] && pass "POST /logout with a wrong CSRF token refused: $code" || fail "POST /logout with a wrong CSRF token: $code"
out=$(curl -sS -b "$jar" -c "$jar" -o /dev/null -w '%{http_code} %{redirect_url}' -H "Origin: $BASE" \
    --data-urlencode "csrf=$csrf" "$BASE/logout")
[[ "$out" == 30[23]*"/login"* ]] && pass "POST /logout with the page's CSRF token: $out" || fail "POST /logout: $out"
code=$(curl -sS -b "$jar" -o /dev/null -w '%{http_code}' "$BASE/mail/INBOX")
[[ "$code" == 30[23] ]] && pass "GET /mail/INBOX after logout: $code (to the login page)" || fail "GET /mail/INBOX after logout: $code"
# A session left open, for the shutdown probe to log out.
login >/dev/null; curl -sS -b "$jar" -o /dev/null "$BASE/mail/INBOX"

# The image's own HEALTHCHECK (carteiro healthcheck, run inside the container by Podman).
hc=$("${PODMAN[@]}" inspect --format '{{json .Config.Healthcheck}}' "$NAME" 2>&1)
if out=$("${PODMAN[@]}" healthcheck run "$NAME" 2>&1); then
    pass "podman healthcheck run: exit 0 ${out:+($out)}; HEALTHCHECK $hc"
else
    fail "podman healthcheck run: $out; HEALTHCHECK $hc"
fi

# The process's real uid on the host (rootful Podman maps no ids), and no shell to exec into.
pid=$("${PODMAN[@]}" inspect --format '{{.State.Pid}}' "$NAME")
uids=$(awk '/^Uid:/ {print $2" "$3" "$4" "$5}' "/proc/$pid/status")
[ "$uids" = "65532 65532 65532 65532" ] && pass "process uid 65532 (real, effective, saved, fs: $uids)" || fail "process uids: $uids"
# Every executable file in the container's filesystem, besides glibc's and libgcc's libraries:
# the binary alone (distroless has no shell, no coreutils, no package manager).
img_root=$("${PODMAN[@]}" image mount "$IMAGE")
exes=$(cd "$img_root" && find . -type f -perm /111 | sed 's|^\./||' | grep -v -E '^usr/lib(64)?/' | sort | tr '\n' ' ')
"${PODMAN[@]}" image unmount "$IMAGE" >/dev/null
[ "$exes" = "usr/local/bin/carteiro " ] && pass "executables in the image: $exes(no shell)" || fail "executables in the image: $exes"
if "${PODMAN[@]}" exec "$NAME" /bin/sh -c true >/dev/null 2>&1; then fail "podman exec /bin/sh worked"; else pass "podman exec /bin/sh fails"; fi

# The generated secret key in the volume: the one file, owned by 65532, readable by it alone.
mp=$("${PODMAN[@]}" volume inspect --format '{{.Mountpoint}}' "$VOLUME")
key=$(stat -c '%n %U:%G %u:%g %a %s bytes' "$mp/secret.key" 2>&1)
[[ "$key" == *" 65532:65532 6"?"0 "* ]] && pass "/data volume: $(stat -c '%a %u:%g' "$mp") holds secret.key (${key#"$mp/"})" || fail "/data/secret.key: $key"

# docker stop's SIGTERM, with the compose file's 100 s grace: exit 0 well before it (not 137,
# a SIGKILL) and the shutdown lines in the log; that the open IMAP session was really logged out
# is read from Dovecot's own log: Carteiro's "sessions=" count comes from a cache whose entry count
# lags behind (it said sessions=0 here with one session open, which Dovecot saw log out).
dlog=$STACK/dovecot.log
before=$(wc -l <"$dlog" 2>/dev/null || echo 0)
start=$(date +%s%N)
"${PODMAN[@]}" stop -t 100 "$NAME" >/dev/null 2> >(quiet)
ms=$(( ($(date +%s%N) - start) / 1000000 )); secs=$(( ms / 1000 )).$(printf %03d $(( ms % 1000 )))
exit_code=$("${PODMAN[@]}" inspect --format '{{.State.ExitCode}}' "$NAME")
log=$("${PODMAN[@]}" logs "$NAME" 2>&1)
if [ "$exit_code" = 0 ] && grep -q 'shutting down: finishing requests in flight' <<<"$log" &&
    grep -q 'shutting down: IMAP sessions logged out' <<<"$log"; then
    pass "podman stop -t 100: exit 0 after ${secs}s; log: $(grep -o 'shutting down: IMAP sessions logged out.*' <<<"$log" | tail -1)"
else
    fail "podman stop: exit $exit_code after ${secs}s"; tail -5 <<<"$log"
fi
sleep 0.5
out=$(tail -n +"$((before + 1))" "$dlog" 2>/dev/null | grep -E 'imap\(alice@example.test\).*Disconnected: Logged out' | tail -1)
[ -n "$out" ] && pass "Dovecot saw the IMAP LOGOUT: ${out%% in=*}" || fail "no IMAP LOGOUT for alice in $dlog after the stop"
echo "container log:"; sed 's/^/  | /' <<<"$log"

# -- docker-compose.yml's demo (--compose) -------------------------------------------------------
# The three services as the compose file defines them, on their own bridge network, through
# Debian's podman-compose (1.0.3: it ignores "name:", stop_grace_period and depends_on's
# "condition: service_healthy", so Carteiro may start before Dovecot is up: it says so and
# recovers, which /readyz shows). debian:bookworm-slim is a stand-in made from the same
# debootstrap root (without the Rust toolchain; it has gcc besides minbase). A copy of the
# compose file, in the repository's directory since its build contexts are relative, publishes
# spare ports instead of 8080/9090. Its own containers.conf (runc as the default runtime, since
# podman-compose cannot pass --runtime) through CONTAINERS_CONF; BUILDAH_FORMAT=docker keeps
# the images' HEALTHCHECKs.
if [ -n "$COMPOSE" ]; then
    command -v podman-compose >/dev/null 2>&1 && [ -e /usr/lib/cni/bridge ] || {
        say "installing podman-compose and containernetworking-plugins from Debian"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
            -o DPkg::Lock::Timeout=300 podman-compose containernetworking-plugins >/dev/null
    }
    if ! "${PODMAN[@]}" image exists docker.io/library/debian:bookworm-slim; then
        say "importing debian:bookworm-slim (stand-in)"
        tar -C "$WORK/rootfs-rust" --exclude=./.debootstrap-done --exclude=./usr/local/rustup \
            --exclude=./usr/local/cargo -c . |
            "${PODMAN[@]}" import --change 'CMD ["bash"]' - docker.io/library/debian:bookworm-slim >/dev/null
    fi
    printf '[containers]\ndefault_ulimits = []\n[engine]\ncgroup_manager = "cgroupfs"\nruntime = "runc"\n' >"$WORK/compose-containers.conf"
    cfile=.image-check-compose.yml
    sed -e "s/127.0.0.1:8080:8080/127.0.0.1:$((PORT + 2)):8080/; s/127.0.0.1:9090:9090/127.0.0.1:$((PORT + 3)):9090/" \
        docker-compose.yml >"$cfile"
    pc() { CONTAINERS_CONF=$WORK/compose-containers.conf BUILDAH_FORMAT=docker nice -n 10 podman-compose -f "$cfile" "$@"; }
    compose_down() { pc down -v >>"$WORK/compose.log" 2>&1 || true; rm -f "$cfile"; }
    trap 'cleanup; rm -f "$jar"; compose_down' EXIT
    pc down -v >"$WORK/compose.log" 2>&1 || true
    echo "compose demo (log in $WORK/compose.log):"
    if pc build >>"$WORK/compose.log" 2>&1 && pc up -d >>"$WORK/compose.log" 2>&1; then
        pass "podman-compose build and up -d"
        CB=http://127.0.0.1:$((PORT + 2))
        code=000
        for _ in $(seq 60); do
            code=$(curl -sS -o /dev/null -w '%{http_code}' "$CB/readyz" 2>/dev/null) && [ "$code" = 200 ] && break
            sleep 1
        done
        [ "$code" = 200 ] && pass "carteiro /readyz: 200 (imaps://dovecot:993, the demo CA)" || fail "compose carteiro /readyz: $code"
        m=$(curl -sS "http://127.0.0.1:$((PORT + 3))/metrics" 2>&1 | grep -c '^carteiro_' || true)
        [ "$m" -gt 0 ] && pass "metrics listener: $m carteiro_ samples" || fail "compose metrics listener: nothing"
        BASE=$CB; : >"$jar"
        out=$(login)
        [[ "$out" == 30[23]*"/mail/INBOX"* ]] && pass "login as alice@example.test: $out" || fail "compose login: $out"
        page=$(curl -sS -b "$jar" "$CB/compose")
        csrf=$(grep -o 'name="csrf" value="[^"]*"' <<<"$page" | head -1 | sed 's/.*value="//; s/"$//')
        out=$(curl -sS -b "$jar" -o /dev/null -w '%{http_code} %{redirect_url}' -H "Origin: $CB" \
            -F "csrf=$csrf" -F to=bob@example.test -F subject="image-check $(date +%s)" \
            -F body="through the compose demo" -F action=send "$CB/compose")
        [[ "$out" == 303*"sent=1"* ]] && pass "send alice -> bob: $out" || fail "compose send: $out"
        sleep 2
        pf=$(podman ps --format '{{.Names}}' | grep '_postfix_1$' | head -1)
        out=$(podman logs "$pf" 2>&1 | grep -E 'lmtp.*to=<bob@example.test>.*status=sent' | tail -1)
        [ -n "$out" ] && pass "Postfix delivered to Dovecot: ${out##*status=}" || fail "compose: no LMTP delivery to bob in Postfix's log"
        for c in dovecot postfix carteiro; do
            cn=$(podman ps --format '{{.Names}}' | grep "_${c}_1\$" | head -1)
            # Within a start period, as Docker grants one (Dovecot's is 60 s: it seeds first).
            ok=
            for i in $(seq 30); do
                podman healthcheck run "$cn" >/dev/null 2>&1 && { ok=1; break; }
                sleep 2
            done
            [ -n "$ok" ] && pass "$c HEALTHCHECK: healthy (try $i)" || fail "compose $c HEALTHCHECK: unhealthy for 60 s"
        done
    else
        fail "podman-compose build/up (see $WORK/compose.log)"
    fi
    compose_down
fi

if [ ${#failures[@]} -gt 0 ]; then
    say "${#failures[@]} probe(s) failed:"
    printf '  %s\n' "${failures[@]}" >&2
    exit 1
fi
say "all probes passed (build ${build_secs}s, image $(( size / 1000000 )) MB)"
