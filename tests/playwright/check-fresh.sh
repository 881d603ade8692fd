#!/usr/bin/env bash
# Checks that the committed report fixtures still say what a fresh generation says.
#
#   tests/playwright/check-fresh.sh [--fresh DIR]
#
# Generates every report into a temporary folder (tests/playwright/generate.sh), or takes an
# already generated DIR with --fresh, then runs the gate binary (ITM_GATE_BIN, default
# target/debug/itm-gate) for every case of tests/fixtures/reports/cases.tsv on the fresh and
# on the committed copy, and compares the verdicts (compare-verdicts.py). Also checks that both
# folders hold the same report files, that every committed report is used by a case, and that
# the committed verdict is the expected one of cases.tsv (ITM_GATE_CHECK_EXPECTED=0 skips that).
# Exits 1 with a readable diff when anything differs, 2 when the binary cannot be run.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
COMMITTED="$REPO/tests/fixtures/reports"
CASES="$COMMITTED/cases.tsv"
BIN="${ITM_GATE_BIN:-$REPO/target/debug/itm-gate}"
[[ "$BIN" == /* ]] || BIN="$REPO/$BIN"
CHECK_EXPECTED="${ITM_GATE_CHECK_EXPECTED:-1}"

log() { printf '[check-fresh] %s\n' "$*" >&2; }

[[ -x "$BIN" ]] || { log "no gate binary at $BIN (build it with cargo build, or set ITM_GATE_BIN)"; exit 2; }
command -v python3 >/dev/null || { log "python3 is required"; exit 2; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/itm-gate-check-fresh.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

FRESH="$WORK/fresh"
if [[ "${1:-}" == "--fresh" ]]; then
  [[ -d "${2:-}" ]] || { log "--fresh needs a folder made by generate.sh"; exit 2; }
  FRESH="$(cd "$2" && pwd)"
else
  "$HERE/generate.sh" "$FRESH"
fi

failures=0
fail() { printf '%s\n' "$*"; failures=$((failures + 1)); }

# Same report files on both sides.
list_reports() { (cd "$1" && find . -name '*.json' -o -name '*.log' | sed 's|^\./||' | sort); }
if ! diff <(list_reports "$COMMITTED") <(list_reports "$FRESH") >"$WORK/files.diff"; then
  fail "report files differ (< committed, > fresh):"
  sed 's/^/  /' "$WORK/files.diff"
fi

# run_gate SIDE_DIR CASE RESULTS ARGS OUTPUT_FILE: one gate run in a scratch workspace.
run_gate() {
  local side="$1" case="$2" results="$3" args="$4" output="$5"
  local ws="$WORK/ws/$case/$(basename "$(dirname "$output")")"
  mkdir -p "$ws"
  cp -R "$side" "$ws/reports"
  local files=() file
  IFS=',' read -r -a files <<<"$results"
  local joined=""
  for file in "${files[@]}"; do joined+="${joined:+,}reports/$file"; done
  local extra=()
  if [[ "$args" != "-" ]]; then
    read -r -a extra <<<"${args//@/reports/}"
  fi
  : >"$output"
  local rc=0
  (cd "$ws" && env -i PATH="$PATH" HOME="$HOME" LANG=C.UTF-8 GITHUB_OUTPUT="$output" \
    "$BIN" gate --results "$joined" --job-status success --commit never "${extra[@]}") \
    >"$output.stdout" 2>"$output.stderr" || rc=$?
  if [[ "$rc" != 0 && "$rc" != 1 ]]; then
    fail "$case: itm-gate exited $rc on $side:"
    sed 's/^/  /' "$output.stderr" | head -n 20
    return 1
  fi
}

declare -A used=()
while IFS=$'\t' read -r case results args expected; do
  [[ -z "$case" || "$case" == \#* ]] && continue
  IFS=',' read -r -a files <<<"$results"
  for file in "${files[@]}"; do used["$file"]=1; done
  out="$WORK/out/$case"
  mkdir -p "$out/fresh" "$out/committed"
  run_gate "$FRESH" "$case" "$results" "$args" "$out/fresh/github_output" || continue
  run_gate "$COMMITTED" "$case" "$results" "$args" "$out/committed/github_output" || continue
  [[ "$CHECK_EXPECTED" == 0 ]] && expected=-
  rc=0
  python3 "$HERE/compare-verdicts.py" "$case" "$out/fresh/github_output" "$out/committed/github_output" "$expected" || rc=$?
  if [[ "$rc" != 0 ]]; then
    failures=$((failures + 1))
    [[ "$rc" == 2 ]] && sed 's/^/  stderr: /' "$out/committed/github_output.stderr" | head -n 20
  fi
done <"$CASES"

while IFS= read -r file; do
  [[ -n "${used[$file]:-}" ]] || fail "$file: no case in cases.tsv uses this committed report"
done < <(cd "$COMMITTED" && find . -name '*.json' | sed 's|^\./||' | sort)

if [[ "$failures" -gt 0 ]]; then
  log "$failures difference(s): regenerate with tests/playwright/generate.sh and review, or fix the gate"
  exit 1
fi
log "committed reports and a fresh generation give the same verdicts"
