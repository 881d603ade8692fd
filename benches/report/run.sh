#!/usr/bin/env bash
# Report benchmark (DESIGN.md section 9): itm-gate's streaming report reader against a Node.js
# summarizer that JSON.parses the whole report, on the same report, in the same run.
#
#   benches/report/run.sh [real report.json] [target MB]
#
# Builds the release binary, makes a big report from a real one into bench-out/ (gitignored),
# runs each tool RUNS times (default 3) under GNU time and prints best wall time, best CPU time
# (user + sys), peak RSS, the speed ratios and the size of the step outputs and job summary the
# gate wrote. On a busy machine the wall times wander; the CPU times are steadier.
# How the report is made (ENLARGE):
#   files (default)  the spec files of the report repeated up to [target MB] (240), as suites grow;
#   specs            the specs repeated inside the same few files up to [target MB];
#   many-passing     FILES (default 100000) spec files of one passing test each, from green.json;
#   many-failing     FILES spec files of one failing test each, from max-failures.json (one test
#                    failed after 3 attempts with its messages, seven did not run): every file FAILs.
# Targets: itm-gate at least 5x faster than the baseline, peak memory under 64 MB, all step
# outputs under GitHub's 1 MB (counted as UTF-16).
set -euo pipefail

cd "$(dirname "$0")/../.."
root=$PWD
fixtures=tests/fixtures/reports/playwright-1.58.2
source_report=${1:-}
shape=${ENLARGE:-files}
case $shape in
  files|specs) candidates=("$fixtures/kitchen-sink.json" "$fixtures/strict-failure.json" "$fixtures/green.json") ;;
  many-passing) candidates=("$fixtures/green.json") ;;
  many-failing) candidates=("$fixtures/max-failures.json") ;;
  *) echo "run.sh: ENLARGE must be files, specs, many-passing or many-failing" >&2; exit 2 ;;
esac
if [[ -z $source_report ]]; then
  for candidate in "${candidates[@]}"; do
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
case $shape in
  files) enlarger=benches/report/enlarge-files.js; big=$out/report-files-${target_mb}mb.json
    make=(node "$enlarger" "$source_report" "$big" "$target_mb") ;;
  specs) enlarger=benches/report/enlarge.js; big=$out/report-specs-${target_mb}mb.json
    make=(node "$enlarger" "$source_report" "$big" "$target_mb") ;;
  many-*) files=${FILES:-100000}; enlarger=benches/report/many-files.js
    big=$out/report-${shape}-${files}-files-$(basename "$source_report" .json).json
    make=(node "$enlarger" "$source_report" "$big" "$files" "${shape#many-}") ;;
esac
if [[ ! -f $big || $big -ot $source_report || $big -ot $enlarger ]]; then
  echo "== making $big from $source_report ($shape)"
  "${make[@]}"
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
  # The step outputs and the job summary are written as in a runner, to measure their size.
  : >"$out/github-output.txt"; : >"$out/step-summary.md"
  (cd "$out" && measure "$itm_times" "$out/itm-gate.log" env -u GITHUB_ACTIONS -u GITHUB_ENV \
    GITHUB_OUTPUT="$out/github-output.txt" GITHUB_STEP_SUMMARY="$out/step-summary.md" \
    "$binary" gate --results "$big" --commit never --job-status success)
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
echo "Report benchmark: $(basename "$source_report") made into ${size_mb} MB ($shape${files:+, $files spec files}), best of $runs runs, node $(node --version)"
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
# JavaScript strings are UTF-16: their length is what GitHub's output limit counts.
units=$(node -e 'process.stdout.write(String(require("fs").readFileSync(process.argv[1], "utf8").length))' "$out/github-output.txt")
echo "step outputs: $(stat -c %s "$out/github-output.txt") bytes, $units UTF-16 units (limit 1,000,000: $( (( units < 1000000 )) && echo met || echo 'NOT met')); job summary: $(stat -c %s "$out/step-summary.md") bytes"
echo "gate said:  $(grep -m1 -iE 'result|PASS|FAIL' "$out/itm-gate.log" || true)"
echo "node said:  $(tail -1 "$out/node.log")"
