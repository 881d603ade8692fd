#!/usr/bin/env bash
# Builds the static itm-gate binary that the image ships, for this machine's architecture, checks
# it, and puts it where the Dockerfile takes it:
#
#   DIST/<arch>/itm-gate        (arch: amd64 or arm64, Docker's TARGETARCH)
#   DIST/ca-certificates.crt    the machine's CA bundle (Debian/Ubuntu ca-certificates)
#
# Usage: static-binary.sh [DIST]   (default: dist, in the repository)
#
# Checks: statically linked (file, ldd), under 15 MB (DESIGN.md section 9), `--version` runs, and
# a fixture gate decides as it must (a green report PASSes with exit 0, a strict-mode failure
# FAILs with exit 1, without network). The release workflow runs this on each architecture's
# own runner; .ci/container-check.sh runs it here, so CI makes one release build.
# Installs musl-tools, file, ca-certificates and the Rust musl target itself.
# CARGO_TARGET_DIR may point the build elsewhere.
set -euo pipefail
cd "$(dirname "$0")/.."
NAME=static-binary
# shellcheck source=.ci/lib.sh
. .ci/lib.sh

DIST="${1:-dist}"
MAX_BYTES=$((15 * 1000 * 1000)) # 15 MB, DESIGN.md section 9
TARGET="$(rust_musl_target)"
ARCH="$(docker_arch "$TARGET")"
TARGET_DIR="${CARGO_TARGET_DIR:-target}"
CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt

# --- tools -------------------------------------------------------------------------------------
missing=()
command -v musl-gcc >/dev/null || missing+=(musl-tools)
command -v file >/dev/null || missing+=(file)
[ -s "$CA_BUNDLE" ] || missing+=(ca-certificates)
[ "${#missing[@]}" = 0 ] || apt_install "${missing[@]}"
if ! rustup target list --installed | grep -qx "$TARGET"; then
	say "adding the $TARGET target"
	rustup target add "$TARGET"
fi

# --- build -------------------------------------------------------------------------------------
# musl-gcc compiles the target's C code (aws-lc, ring); build scripts keep the host compiler.
say "building itm-gate for $TARGET (release)"
env "CC_${TARGET//-/_}=musl-gcc" cargo build --locked --release --target "$TARGET" --bin itm-gate
BIN="$TARGET_DIR/$TARGET/release/itm-gate"
[ -x "$BIN" ] || fail "no binary at $BIN"

# --- checks ------------------------------------------------------------------------------------
file_says="$(file -b "$BIN")"
ldd_says="$(ldd "$BIN" 2>&1 || true)"
case "$file_says" in
*"statically linked"* | *"static-pie linked"*) ;;
*) fail "$BIN is not statically linked: file says: $file_says" ;;
esac
case "$ldd_says" in
*"not a dynamic executable"* | *"statically linked"*) ;;
*) fail "$BIN depends on shared libraries: ldd says: $ldd_says" ;;
esac
size=$(stat -c %s "$BIN")
[ "$size" -lt "$MAX_BYTES" ] || fail "$BIN is $size bytes; the image budget is under $MAX_BYTES"
version="$("$BIN" --version)" || fail "$BIN --version did not run"
say "static binary OK: $version, $size bytes ($(awk "BEGIN{printf \"%.1f\", $size/1000000}") MB), $file_says"

# A fixture gate, as a user would run it locally: no token, no network, no Actions variables.
gate() {
	env -i PATH=/usr/bin:/bin HOME="${HOME:-/tmp}" "$BIN" gate --job-status success --commit never \
		--status-file tests/fixtures/itm-gd/AI_COACH_V2_PRODUCTION_STATUS.md "$@"
}
reports=tests/fixtures/reports/playwright-1.58.2
out="$(gate --results "$reports/green.json" --logs "$reports/green.log")" ||
	fail "the green fixture did not pass (exit $?): $out"
case "$out" in *"- Result: PASS"*) ;; *) fail "the green fixture's evidence is not a PASS: $out" ;; esac
set +e
out="$(gate --results "$reports/strict-failure.json" --logs "$reports/strict-failure.log" 2>&1)"
code=$?
set -e
[ "$code" = 1 ] || fail "the strict-failure fixture must FAIL with exit 1, got $code: $out"
say "fixture gate OK: green.json PASS (exit 0), strict-failure.json FAIL (exit 1)"

# --- the image's build context -----------------------------------------------------------------
mkdir -p "$DIST/$ARCH"
cp "$BIN" "$DIST/$ARCH/itm-gate"
cp "$CA_BUNDLE" "$DIST/ca-certificates.crt"
say "$DIST/$ARCH/itm-gate and $DIST/ca-certificates.crt ready"
