# syntax=docker/dockerfile:1
# The itm-gate action image: one static binary on an empty base with CA certificates.
#
#   docker buildx build --platform linux/amd64,linux/arm64 -t ghcr.io/n8kahl/itm-gate-action:dev .
#
# Each platform builds natively (the foreign one under QEMU in the release workflow), so the
# builder's musl-gcc is that platform's own and no cross toolchain is needed. Without a Docker
# engine, `.ci/action-checks.sh` builds the same x86_64 binary with cargo and checks it.

# The Rust version is written out (not an ARG) so that Dependabot can update it.
FROM rust:1.95-slim-trixie AS build
# BuildKit sets TARGETARCH (amd64, arm64); the legacy builder leaves it empty (amd64).
ARG TARGETARCH
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends musl-tools ca-certificates \
    && rm -rf /var/lib/apt/lists/*
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN case "${TARGETARCH:-amd64}" in \
        amd64) echo x86_64-unknown-linux-musl ;; \
        arm64) echo aarch64-unknown-linux-musl ;; \
        *) echo "unsupported TARGETARCH: ${TARGETARCH}" >&2; exit 1 ;; \
    esac > /rust-target \
    && rustup target add "$(cat /rust-target)"
WORKDIR /src
COPY . .
# TARGET_CC applies musl-gcc to the target's C code (ring, aws-lc) and not to build scripts.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    TARGET="$(cat /rust-target)" \
    && TARGET_CC=musl-gcc cargo build --release --locked --target "$TARGET" --bin itm-gate \
    && cp "target/$TARGET/release/itm-gate" /itm-gate \
    && /itm-gate --version

# GitHub runs container actions as root with the workspace at /github/workspace: no USER here.
FROM scratch
LABEL org.opencontainers.image.source="https://github.com/n8kahl/itm-gate-action" \
      org.opencontainers.image.description="itm-gate: Playwright live end-to-end release gate with evidence" \
      org.opencontainers.image.licenses="MIT"
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /itm-gate /itm-gate
ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
ENTRYPOINT ["/itm-gate"]
