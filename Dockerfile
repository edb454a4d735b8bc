# syntax=docker/dockerfile:1
#
# Carteiro in a small image: the one binary (templates, translations, CSS and icons are compiled
# into it) on distroless, running as an unprivileged user. Configured entirely by CARTEIRO_*
# variables, or by a TOML file named by CARTEIRO_CONFIG and mounted into the container; see the
# README.
#
#   docker build -t carteiro .
#   docker run -p 127.0.0.1:8080:8080 -v carteiro-data:/data \
#       -e CARTEIRO_IMAP_URL=imaps://mail.example.com -e CARTEIRO_SMTP_URL=smtps://mail.example.com \
#       carteiro
#
# docker-compose.yml runs it with a demo Dovecot + Postfix.

ARG RUST_VERSION=1.95

FROM rust:${RUST_VERSION}-slim-bookworm AS build
WORKDIR /src
COPY . .
# The registry and target caches survive between builds (BuildKit); the binary is copied out
# in the same step, since the cache is not part of the image.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin carteiro \
    && install -D -m 0755 target/release/carteiro /out/bin/carteiro \
    && install -d -m 0700 /out/state/data

# glibc, CA certificates and a "nonroot" user (65532), nothing else: no shell, no package manager.
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /out/bin/carteiro /usr/local/bin/carteiro
# /data, where the generated secret key is kept (when CARTEIRO_SECRET_KEY is not set); mount a
# volume there. Copied as an entry of its parent, so that --chown surely applies to it.
COPY --from=build --chown=65532:65532 /out/state/ /
ENV CARTEIRO_LISTEN=0.0.0.0:8080 \
    CARTEIRO_DATA_DIR=/data
USER 65532:65532
VOLUME ["/data"]
EXPOSE 8080
# The binary asks its own /healthz: the image has no curl. Liveness only, on purpose: an IMAP
# outage must not make the container "unhealthy" (restarting Carteiro would not help); use
# /readyz (or "carteiro healthcheck --ready") to take it out of a load balancer instead.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["/usr/local/bin/carteiro", "healthcheck"]
# SIGTERM (docker stop) shuts down gracefully: requests and sends finish, IMAP sessions log
# out. Give it time: docker stop -t 100, or stop_grace_period in compose.
ENTRYPOINT ["/usr/local/bin/carteiro"]
