#!/usr/bin/env bash
# Log-scan benchmark (DESIGN.md section 9): `itm-gate scan-logs` with the default rules beside
# GNU `grep -E -f` with the same patterns, on a generated ~1 GB log of a green run with a few
# failures, in the same run. Prints wall time and peak memory (best of N runs each).
#
# Usage: benches/logscan/run.sh [size-in-MB (default 1024)] [runs (default 3)]
# Needs: cargo, GNU grep, GNU time (/usr/bin/time), awk. Writes only under bench-out/ (ignored)
# and deletes the generated log at the end.
set -euo pipefail

size_mb=${1:-1024}
runs=${2:-3}
root=$(cd "$(dirname "$0")/../.." && pwd)
out="$root/bench-out/logscan"
log="$out/bench.log"
patterns="$out/patterns.ere"
fixtures="$root/tests/fixtures/logs"
mkdir -p "$out"
[[ -n ${KEEP_LOG:-} ]] || trap 'rm -f "$log" "$out/block.log" "$out/time.txt" "$out/matches.txt"' EXIT

echo "== building itm-gate (release)"
(cd "$root" && cargo build --release --quiet)
bin="$root/target/release/itm-gate"

echo "== generating a ${size_mb} MB log"
# One block of ~1 MB: the green-run backend JSON lines and Playwright output (with [WebServer]
# lines and ANSI colours), with request ids and timestamps varied line by line.
awk -v target=$((1024 * 1024)) '
  { lines[n++] = $0 }
  END {
    srand(7)
    while (bytes < target) {
      for (i = 0; i < n && bytes < target; i++) {
        line = lines[i]
        k++
        gsub(/"requestId":"[^"]*"/, sprintf("\"requestId\":\"%08x-%04x-4%03x-8%03x-%012x\"", k, k % 65536, k % 4096, (k * 7) % 4096, k * 31), line)
        gsub(/T14:0[0-9]:[0-9][0-9]\.[0-9]+Z/, sprintf("T14:%02d:%02d.%03dZ", (k / 60000) % 60, (k / 1000) % 60, k % 1000), line)
        print line
        bytes += length(line) + 1
      }
    }
  }' "$fixtures/green/backend.jsonl" "$fixtures/green/playwright.log" >"$out/block.log"
# The failures: one line of every critical rule, placed at a few points of the log.
failures=$(cat "$fixtures"/failing/*.jsonl "$fixtures"/failing/*.log | grep -E -f <("$bin" scan-logs --list-rules | awk '$1 == "rule" && $3 == "critical" { $1 = $2 = $3 = ""; sub(/^ +/, ""); print }' | sed -e 's/\\d/[0-9]/g' -e 's/(?:/(/g') | head -n 40)
: >"$log"
for ((i = 1; i <= size_mb; i++)); do
  cat "$out/block.log" >>"$log"
  if ((i % (size_mb / 4 + 1) == 0)); then printf '%s\n' "$failures" >>"$log"; fi
done
printf '%s\n' "$failures" >>"$log"
ls -l "$log" | awk '{ printf "log: %.0f MB, ", $5 / 1048576 }'
wc -l <"$log" | awk '{ print $1 " lines" }'

# The same patterns for grep: the rules in force, Rust syntax turned into GNU ERE (\d -> [0-9],
# (?: -> (). grep has no exclusions, so it reports the look-alike lines the scanner excludes.
"$bin" scan-logs --list-rules | awk '$1 == "rule" { $1 = $2 = $3 = ""; sub(/^ +/, ""); print }' |
  sed -e 's/\\d/[0-9]/g' -e 's/(?:/(/g' >"$patterns"
echo "patterns: $(wc -l <"$patterns") (saved in $patterns)"

cat "$log" >/dev/null # warm the page cache for both tools alike

best() { # label, command...: best wall time and the peak memory of that run, over $runs runs
  local label=$1 best_s="" best_kb="" line s kb
  shift
  for ((r = 0; r < runs; r++)); do
    # Output goes to a file: with stdout on /dev/null, GNU grep stops at the first match.
    /usr/bin/time -f '%e %M' -o "$out/time.txt" "$@" >"$out/matches.txt" 2>&1 || true
    line=$(tail -n 1 "$out/time.txt")
    s=${line% *} kb=${line#* }
    if [[ -z $best_s ]] || awk -v a="$s" -v b="$best_s" 'BEGIN { exit !(a < b) }'; then best_s=$s best_kb=$kb; fi
  done
  printf '%-34s %8s s %10s KB peak RSS\n' "$label" "$best_s" "$best_kb"
}

echo "== results (best of $runs)"
findings=$("$bin" scan-logs "$log" | tail -n 1 || true)
echo "itm-gate: $findings"
echo "grep:     $(LC_ALL=C grep -c -E -f "$patterns" "$log" || true) matching lines"
best "itm-gate scan-logs" "$bin" scan-logs "$log"
best "grep -E -f (LC_ALL=C)" env LC_ALL=C grep -E -f "$patterns" "$log"
best "grep -E -f (LC_ALL=C.UTF-8)" env LC_ALL=C.UTF-8 grep -E -f "$patterns" "$log"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(grep --version | head -n 1)"
