# The itm-gate action image: one static binary and a CA bundle on an empty base.
#
# Nothing is compiled here: the build context holds binaries built beforehand with cargo, one per
# architecture, and the CA bundle the binary trusts for the GitHub API:
#
#   dist/amd64/itm-gate          x86_64-unknown-linux-musl, static
#   dist/arm64/itm-gate          aarch64-unknown-linux-musl, static
#   dist/ca-certificates.crt     PEM bundle of the public roots (Debian/Ubuntu ca-certificates)
#
# The same file builds the release image (`docker buildx build --platform linux/amd64,linux/arm64`,
# .github/workflows/release.yml) and the local one (`podman build`, .ci/container-check.sh). Both
# set TARGETARCH to the platform being built.

# GitHub runs container actions as root with the workspace at /github/workspace: no USER here.
FROM scratch
ARG TARGETARCH
LABEL org.opencontainers.image.source="https://github.com/n8kahl/itm-gate-action" \
      org.opencontainers.image.description="itm-gate: Playwright live end-to-end release gate with evidence" \
      org.opencontainers.image.licenses="MIT"
COPY dist/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY dist/${TARGETARCH}/itm-gate /itm-gate
# Where rustls-native-certs looks first; a step's own SSL_CERT_FILE (e.g. a proxy's CA) wins.
ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
ENTRYPOINT ["/itm-gate"]
