# shellcheck shell=bash
# Helpers shared by the .ci/ scripts. Source it after setting NAME (the prefix of every message):
#   NAME=action-checks; . "$(dirname "$0")/lib.sh"

say() { printf '%s: %s\n' "$NAME" "$*"; }

fail() {
	printf '%s: FAIL: %s\n' "$NAME" "$*" >&2
	exit 1
}

# apt_install PACKAGE...: installs Debian packages (as root, or through sudo), or fails saying how.
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

# rust_musl_target: the Rust musl target of this machine (x86_64 or aarch64).
rust_musl_target() {
	case "$(uname -m)" in
	x86_64 | amd64) echo x86_64-unknown-linux-musl ;;
	aarch64 | arm64) echo aarch64-unknown-linux-musl ;;
	*) fail "no musl target for machine $(uname -m)" ;;
	esac
}

# docker_arch TARGET: the image architecture (TARGETARCH) of a Rust musl target.
docker_arch() {
	case "$1" in
	x86_64-*) echo amd64 ;;
	aarch64-*) echo arm64 ;;
	*) fail "no image architecture for $1" ;;
	esac
}
