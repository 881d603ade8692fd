#!/usr/bin/env bash
# Report benchmark (DESIGN.md section 9): itm-gate's streaming report reader against a Node.js
# summarizer that JSON.parses the whole report, on the same >= 240 MB report, in the same run.
#
#   benches/report/run.sh [real report.json] [target MB]
#
# Builds the release binary, enlarges a real Playwright report (default: the kitchen-sink fixture,
# else strict-failure) into bench-out/ (gitignored), runs each tool RUNS times (default 3) under
# GNU time and prints best wall time, best CPU time (user + sys), peak RSS and the speed ratios.
# On a busy machine the wall times wander; the CPU times are steadier.
# Targets: itm-gate at least 5x faster than the baseline, peak memory under 64 MB.
set -euo pipefail

cd "$(dirname "$0")/../.."
root=$PWD
fixtures=tests/fixtures/reports/playwright-1.58.2
source_report=${1:-}
if [[ -z $source_report ]]; then
  for candidate in "$fixtures/kitchen-sink.json" "$fixtures/strict-failure.json" "$fixtures/green.json"; do
    if [[ -f $candidate ]]; then source_report=$candidate; break; fi
  done
fi
[[ -n $source_report && -f $source_report ]] || { echo "run.sh: no real report found (give one as the first argument)" >&2; exit 2; }
target_mb=${2:-240}
runs=${RUNS:-3}
timer=/usr/bin/time
[[ -x $timer ]] || { echo "run.sh: GNU time is needed at $timer (apt-get install time)" >&2; exit 2; }
command -v node >/dev/null || { echo "run.sh: node is needed for the baseline" >&2; exit 2; }

echo "== building itm-gate (release)"
cargo build --release --quiet
binary=$root/target/release/itm-gate

out=$root/bench-out
mkdir -p "$out"
# How the report grows: `files` (default) repeats its spec files, as large suites grow;
# `specs` repeats the specs inside the same few files.
shape=${ENLARGE:-files}
case $shape in
  files) enlarger=benches/report/enlarge-files.js ;;
  specs) enlarger=benches/report/enlarge.js ;;
  *) echo "run.sh: ENLARGE must be files or specs" >&2; exit 2 ;;
esac
big=$out/report-${shape}-${target_mb}mb.json
if [[ ! -f $big || $big -ot $source_report || $big -ot $enlarger ]]; then
  echo "== enlarging $source_report to ${target_mb} MB (more $shape)"
  node "$enlarger" "$source_report" "$big" "$target_mb"
fi
size_mb=$(( $(stat -c %s "$big") / 1048576 ))
cat "$big" >/dev/null # warm the page cache so both tools read from memory
load=$(cut -d' ' -f1-3 /proc/loadavg)

# Runs "$@" under GNU time; appends "<wall s> <peak KB> <user s> <sys s>" to the file named by $1.
measure() {
  local record=$1 log=$2; shift 2
  local status=0
  "$timer" -f '%e %M %U %S' -o "$out/time.txt" "$@" >"$log" 2>&1 || status=$?
  # Exit 1 is a failed gate (the enlarged report may be a failing run): a result, not an error.
  if (( status > 1 )); then
    echo "run.sh: '$*' exited with $status; see $log" >&2
    tail -5 "$log" >&2
    exit 1
  fi
  tail -1 "$out/time.txt" >>"$record"
}

itm_times=$out/times-itm-gate.txt node_times=$out/times-node.txt
: >"$itm_times"; : >"$node_times"
for run in $(seq 1 "$runs"); do
  echo "== run $run of $runs"
  (cd "$out" && measure "$itm_times" "$out/itm-gate.log" env -u GITHUB_ACTIONS -u GITHUB_OUTPUT \
    -u GITHUB_STEP_SUMMARY -u GITHUB_ENV "$binary" gate --results "$big" --commit never \
    --job-status success)
  measure "$node_times" "$out/node.log" node --max-old-space-size="${NODE_HEAP_MB:-8192}" \
    benches/report/summarize.js "$big"
done

best() { sort -n -k1,1 "$1" | head -1 | cut -d' ' -f1; }
peak() { sort -n -k2,2 "$1" | tail -1 | cut -d' ' -f2; }
cpu() { awk '{ print $3 + $4 }' "$1" | sort -n | head -1; }
itm_s=$(best "$itm_times") node_s=$(best "$node_times")
itm_cpu=$(cpu "$itm_times") node_cpu=$(cpu "$node_times")
itm_kb=$(peak "$itm_times") node_kb=$(peak "$node_times")

echo
echo "Report benchmark: $(basename "$source_report") enlarged to ${size_mb} MB (more $shape), best of $runs runs, node $(node --version)"
echo "load average before the runs: $load"
printf '%-34s %12s %12s %14s\n' tool 'best wall' 'best CPU' 'peak RSS'
printf '%-34s %10s s %10s s %11s MB\n' 'itm-gate gate (streaming)' "$itm_s" "$itm_cpu" "$(awk -v k="$itm_kb" 'BEGIN{printf "%.1f", k/1024}')"
printf '%-34s %10s s %10s s %11s MB\n' 'node summarize.js (JSON.parse)' "$node_s" "$node_cpu" "$(awk -v k="$node_kb" 'BEGIN{printf "%.1f", k/1024}')"
awk -v a="$itm_s" -v b="$node_s" -v ca="$itm_cpu" -v cb="$node_cpu" -v m="$itm_kb" 'BEGIN {
  ratio = (a > 0) ? b / a : 0
  printf "speed ratio, wall (node / itm-gate): %.1fx (target >= 5x: %s)\n", ratio, (ratio >= 5 ? "met" : "NOT met")
  printf "speed ratio, CPU  (node / itm-gate): %.1fx\n", (ca > 0) ? cb / ca : 0
  printf "itm-gate peak memory: %.1f MB (target < 64 MB: %s)\n", m / 1024, (m < 65536 ? "met" : "NOT met")
}'
echo "gate said:  $(grep -m1 -iE 'result|PASS|FAIL' "$out/itm-gate.log" || true)"
echo "node said:  $(tail -1 "$out/node.log")"
