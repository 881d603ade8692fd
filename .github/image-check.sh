#!/usr/bin/env bash
# Checks a built itm-gate image: it runs as root (no USER), its entrypoint is the binary,
# `--version` works, and the image is under 15 MB. Usage: image-check.sh IMAGE
set -euo pipefail
image="${1:?usage: image-check.sh IMAGE}"
max_bytes=$((15 * 1000 * 1000))

user="$(docker image inspect "$image" --format '{{.Config.User}}')"
[ -z "$user" ] || [ "$user" = root ] || [ "$user" = 0 ] || {
	echo "::error::image $image sets USER $user; GitHub runs container actions as root"
	exit 1
}
entrypoint="$(docker image inspect "$image" --format '{{json .Config.Entrypoint}}')"
[ "$entrypoint" = '["/itm-gate"]' ] || {
	echo "::error::image $image has entrypoint $entrypoint; expected [\"/itm-gate\"]"
	exit 1
}
docker run --rm "$image" --version
size="$(docker image inspect "$image" --format '{{.Size}}')"
echo "image $image: $size bytes"
[ "$size" -lt "$max_bytes" ] || {
	echo "::error::image $image is $size bytes; the budget is under $max_bytes"
	exit 1
}
