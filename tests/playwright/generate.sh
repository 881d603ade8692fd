#!/usr/bin/env bash
# Generates the committed Playwright report fixtures from a real, pinned @playwright/test.
#
#   tests/playwright/generate.sh [OUTDIR]      (default: tests/fixtures/reports)
#
# For each pinned version (tests/playwright/npm/<version>/package{,-lock}.json) it copies the
# fixture project (tests/playwright/project: playwright.config.ts, e2e/, backend-stub/) into a
# temporary folder, runs `npm ci` there (no browser download: only the `request` fixture is
# used), runs every scenario, and writes each JSON report (and the console log of the run)
# into OUTDIR/playwright-<version>/ with the temporary folder's path rewritten to the users'
# CI checkout path. Exits non-zero when an install fails, when a scenario exits with an
# unexpected status, or when a report is missing.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
OUT="${1:-$REPO/tests/fixtures/reports}"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"

VERSIONS=(1.58.2 1.20.2)
BACKEND_URL="http://127.0.0.1:3001"
BYPASS_USER_ID="00000000-0000-4000-8000-00000000e2e0"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/itm-gate-playwright.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

log() { printf '[generate] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

port_in_use() {
  node -e '
    const s = require("node:net").connect(Number(process.argv[1]), "127.0.0.1");
    s.on("connect", () => { s.destroy(); process.exit(0); });
    s.on("error", () => process.exit(1));
  ' "${BACKEND_URL##*:}"
}

# install VERSION -> prints the project folder
install() {
  local version="$1" project="$WORK/playwright-$1/ITM-gd"
  mkdir -p "$project"
  cp -R "$HERE/project/." "$project/"
  cp "$HERE/npm/$version/package.json" "$HERE/npm/$version/package-lock.json" "$project/"
  log "npm ci @playwright/test@$version"
  (cd "$project" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >"$WORK/npm-$version.log" 2>&1) \
    || { cat "$WORK/npm-$version.log" >&2; die "npm ci failed for @playwright/test@$version"; }
  local got
  got="$(cd "$project" && node -e 'console.log(require("@playwright/test/package.json").version)')"
  [[ "$got" == "$version" ]] || die "installed @playwright/test $got, expected $version"
  printf '%s\n' "$project"
}

# publish PROJECT VERSION SRC NAME : rewrite paths and copy SRC to OUT/playwright-VERSION/NAME
publish() {
  local project="$1" version="$2" src="$3" name="$4"
  node "$HERE/rewrite-paths.js" "$project" "$src" "$OUT/playwright-$version/$name" "$WORK" "$REPO" "$HERE" \
    || die "could not publish $name for $version"
}

# scenario PROJECT VERSION NAME EXPECTED_EXIT [VAR=value...] -- [playwright args...]
# Runs `playwright test` in PROJECT with a clean environment plus the given variables; the
# report is test-results/results.json unless E2E_FIXTURE_JSON_OUTPUT / PLAYWRIGHT_JSON_OUTPUT_NAME
# is given among the variables.
scenario() {
  local project="$1" version="$2" name="$3" expected="$4"
  shift 4
  local vars=() args=()
  while [[ $# -gt 0 && "$1" != "--" ]]; do vars+=("$1"); shift; done
  [[ $# -gt 0 ]] && shift
  args=("$@")
  local report="$project/test-results/results.json" v
  for v in "${vars[@]}"; do
    case "$v" in
      E2E_FIXTURE_JSON_OUTPUT=* | PLAYWRIGHT_JSON_OUTPUT_NAME=*) report="${v#*=}" ;;
    esac
  done
  port_in_use && die "port ${BACKEND_URL##*:} is in use; the backend stub needs it (stop whatever listens there)"
  rm -rf "$project/test-results" "$report"
  log "$version $name: playwright test ${args[*]}"
  local start=$SECONDS rc=0
  (cd "$project" && env -i PATH="$PATH" HOME="$HOME" LANG=C.UTF-8 CI=true FORCE_COLOR=1 \
    E2E_BACKEND_URL="$BACKEND_URL" E2E_BYPASS_USER_ID="$BYPASS_USER_ID" "${vars[@]}" \
    ./node_modules/.bin/playwright test "${args[@]}") >"$WORK/$version-$name.log" 2>&1 || rc=$?
  if [[ "$rc" != "$expected" ]]; then
    tail -n 40 "$WORK/$version-$name.log" >&2
    die "$version $name: playwright exited $rc, expected $expected"
  fi
  [[ -s "$report" ]] || die "$version $name: no report at $report"
  publish "$project" "$version" "$report" "$name.json"
  publish "$project" "$version" "$WORK/$version-$name.log" "$name.log"
  log "$version $name: exit $rc, $((SECONDS - start))s"
}

LIVE=(E2E_AI_COACH_MODE=live E2E_AI_COACH_REQUIRE_LIVE=true "E2E_BYPASS_TOKEN=e2e:$BYPASS_USER_ID")
NON_STRICT=(E2E_AI_COACH_MODE=live E2E_AI_COACH_REQUIRE_LIVE=false "E2E_BYPASS_TOKEN=e2e:$BYPASS_USER_ID")

generate_current() {
  local v=1.58.2 p
  p="$(install "$v")"
  rm -rf "$OUT/playwright-$v"
  mkdir -p "$OUT/playwright-$v"

  scenario "$p" "$v" green 0 "${LIVE[@]}" --
  scenario "$p" "$v" backend-unhealthy 0 "${NON_STRICT[@]}" STUB_BACKEND_SCENARIO=unhealthy --
  scenario "$p" "$v" prereqs-not-ready 0 "${NON_STRICT[@]}" STUB_BACKEND_SCENARIO=prereqs-missing --
  # The first test fails on attempt 1 (a short outage) and its retry skips itself as not healthy:
  # Playwright labels it flaky and exits 0; the gate counts it as failed.
  scenario "$p" "$v" backend-down-on-retry 0 "${NON_STRICT[@]}" STUB_BACKEND_SCENARIO=down-on-retry --
  scenario "$p" "$v" auth-bypass-401 0 E2E_AI_COACH_MODE=live E2E_AI_COACH_REQUIRE_LIVE=false \
    E2E_BYPASS_SHARED_SECRET=fixture-shared-secret-not-real \
    "E2E_BYPASS_TOKEN=e2e:fixture-shared-secret-not-real:$BYPASS_USER_ID" STUB_BACKEND_SCENARIO=auth-401 --
  scenario "$p" "$v" mock-mode 0 --
  scenario "$p" "$v" strict-failure 1 "${LIVE[@]}" STUB_BACKEND_SCENARIO=unhealthy --
  # The users' strict bootstrap failure: healthy backend, E2E bypass user bootstrap answers 500.
  scenario "$p" "$v" bootstrap-failure 1 "${LIVE[@]}" STUB_BACKEND_SCENARIO=bootstrap-500 --
  scenario "$p" "$v" max-failures 1 "${LIVE[@]}" STUB_BACKEND_SCENARIO=unhealthy -- --max-failures=1
  scenario "$p" "$v" kitchen-sink 1 "${LIVE[@]}" E2E_FIXTURE_SUITE=kitchen-sink --
  scenario "$p" "$v" load-error 1 "${LIVE[@]}" E2E_FIXTURE_SUITE=kitchen-sink E2E_FIXTURE_LOAD_ERROR=1 --
  scenario "$p" "$v" global-setup-error 1 "${LIVE[@]}" E2E_FIXTURE_GLOBAL_SETUP=throw --
  scenario "$p" "$v" webserver-failed 1 "${LIVE[@]}" STUB_BACKEND_SCENARIO=crash --
  scenario "$p" "$v" no-tests 1 "${LIVE[@]}" -- --grep @matches-no-test
  scenario "$p" "$v" list 0 "${LIVE[@]}" "PLAYWRIGHT_JSON_OUTPUT_NAME=$WORK/list.json" -- --list --reporter=json

  # Shards: each shard writes a JSON report and a blob report; the blobs are then merged.
  local i blobs="$WORK/all-blob-reports"
  mkdir -p "$blobs"
  for i in 1 2; do
    scenario "$p" "$v" "green-shard-$i-of-2" 0 "${LIVE[@]}" "PLAYWRIGHT_JSON_OUTPUT_NAME=$WORK/shard-$i.json" \
      "PLAYWRIGHT_BLOB_OUTPUT_DIR=$WORK/blob-$i" -- "--shard=$i/2" --reporter=list,json,blob
    cp "$WORK/blob-$i"/*.zip "$blobs/"
  done
  log "$v green-merged-from-blobs: playwright merge-reports --reporter json"
  (cd "$p" && env -i PATH="$PATH" HOME="$HOME" LANG=C.UTF-8 CI=true FORCE_COLOR=1 \
    PLAYWRIGHT_JSON_OUTPUT_NAME="$WORK/merged.json" ./node_modules/.bin/playwright merge-reports --reporter json "$blobs") \
    >"$WORK/merge.log" 2>&1 || { cat "$WORK/merge.log" >&2; die "merge-reports failed"; }
  publish "$p" "$v" "$WORK/merged.json" green-merged-from-blobs.json

  # The users deleted ai-coach-workflow-live.spec.ts: run the green suite without it.
  local deleted="$WORK/playwright-$v-deleted/ITM-gd"
  mkdir -p "$deleted"
  cp -a "$p/." "$deleted/"
  rm "$deleted/e2e/specs/ai-coach/ai-coach-workflow-live.spec.ts"
  scenario "$deleted" "$v" workflow-spec-deleted 0 "${LIVE[@]}" --
}

generate_old() {
  local v=1.20.2 p
  p="$(install "$v")"
  rm -rf "$OUT/playwright-$v"
  mkdir -p "$OUT/playwright-$v"

  scenario "$p" "$v" green 0 "${LIVE[@]}" --
  scenario "$p" "$v" backend-unhealthy 0 "${NON_STRICT[@]}" STUB_BACKEND_SCENARIO=unhealthy --
  scenario "$p" "$v" kitchen-sink 1 "${LIVE[@]}" E2E_FIXTURE_SUITE=kitchen-sink --
  scenario "$p" "$v" load-error 1 "${LIVE[@]}" E2E_FIXTURE_SUITE=kitchen-sink E2E_FIXTURE_LOAD_ERROR=1 --
}

command -v node >/dev/null || die "node is required (Node 20 was used)"
command -v npm >/dev/null || die "npm is required"
log "node $(node --version), output $OUT"
generate_current
generate_old
log "done in ${SECONDS}s"
