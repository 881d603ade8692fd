#!/usr/bin/env bash
# Checks that Cargo.toml's `rust-version` is true: no package of the lockfile (dependencies,
# build and dev dependencies, every platform) declares a newer `rust-version` than the crate's own.
# A dependency update that needs a newer Rust fails here; raise `rust-version` (and the README's
# "Rust X.Y or newer", which tests/readme_contract.rs keeps equal) in the same change.
# Reads `cargo metadata`; no network beyond what cargo needs for the locked packages.
# Called by .ci/run; runs alone too: `bash .ci/rust-version-check.sh`.
set -euo pipefail
cd "$(dirname "$0")/.."
NAME=rust-version-check
# shellcheck source=.ci/lib.sh
. .ci/lib.sh

cargo metadata --locked --format-version 1 >"${TMPDIR:-/tmp}/itm-gate-metadata.$$.json"
trap 'rm -f "${TMPDIR:-/tmp}/itm-gate-metadata.$$.json"' EXIT
python3 - "${TMPDIR:-/tmp}/itm-gate-metadata.$$.json" <<'PY'
import json
import sys

def version(text):
    """`1.85` and `1.85.0` alike: (1, 85, 0)."""
    parts = [int(part) for part in text.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))

def shown(parts):
    return ".".join(str(p) for p in (parts[:2] if parts[2] == 0 else parts))

metadata = json.load(open(sys.argv[1], encoding="utf-8"))
members = set(metadata["workspace_members"])
ours = [p for p in metadata["packages"] if p["id"] in members]
if not ours or not all(p.get("rust_version") for p in ours):
    sys.exit("rust-version-check: FAIL: Cargo.toml declares no rust-version")
declared = min(version(p["rust_version"]) for p in ours)
needed = sorted(
    ((version(p["rust_version"]), p["name"], p["version"])
     for p in metadata["packages"]
     if p["id"] not in members and p.get("rust_version")),
    reverse=True,
)
newest = needed[0][0] if needed else declared
too_new = [n for n in needed if n[0] > declared]
if too_new:
    listing = "\n".join(f"  {name} {ver}: rust-version {shown(rv)}" for rv, name, ver in too_new)
    sys.exit(
        f"rust-version-check: FAIL: Cargo.toml says rust-version = \"{shown(declared)}\", but "
        f"{len(too_new)} locked packages need newer:\n{listing}\n"
        f"Raise rust-version to \"{shown(newest)}\" (and README's \"Rust {shown(newest)} or newer\"), "
        "or keep the older dependency versions."
    )
at = [f"{name} {ver}" for rv, name, ver in needed if rv == newest][:3]
print(
    f"rust-version-check: rust-version {shown(declared)} covers all {len(needed)} locked packages "
    f"that declare one (newest: {shown(newest)}, e.g. {', '.join(at)})"
)
PY
