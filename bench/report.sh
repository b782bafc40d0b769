#!/usr/bin/env bash
# One month's implementation report (issue 19 item 6; E01) of a designated course holding
# 1,000,000 attendance, presence and progress events, on the embedded SQLite: the release build
# of crates/koshu/examples/report_bench.rs, pinned to one CPU, measures the process's CPU time
# (all threads: sqlx runs SQLite on a worker thread) for the report, for SQLite alone reading the
# same rows (the ceiling), and for reading every row through sqlx; prints a Markdown table with
# the machine, the commit and the date for bench/RESULTS.md. Target: < 1 s of CPU.
#
#   bench/report.sh [--runs N] [--cpu N]
#
# Options (defaults in brackets):
#   --runs N   measured runs per case; the median and the minimum are printed [5]
#   --cpu N    the CPU to pin to (taskset) [0]
# The target dir is $CARGO_TARGET_DIR, else target/.
set -euo pipefail

runs=5
cpu=0
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --cpu) cpu="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
cargo build --release --quiet -p koshu --example report_bench
binary="${CARGO_TARGET_DIR:-target}/release/examples/report_bench"

model="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
cores="$(nproc)"
load="$(cut -d' ' -f1 /proc/loadavg)"
commit="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- crates || echo '+changes')"
when="$(date -u '+%Y-%m-%d %H:%M UTC')"

pin=()
if command -v taskset >/dev/null 2>&1; then
  pin=(taskset -c "$cpu")
fi
results="$("${pin[@]}" "$binary" "$runs")"

echo "Commit $commit, $when; $model, $cores CPU(s), load average $load before the run;"
echo "release build, ${pin:+pinned to CPU $cpu, }$runs runs a case (CPU from /proc/self/stat, 10 ms ticks)."
echo
echo "| case | events | CPU ms (median) | CPU ms (min) | wall ms (median) |"
echo "|---|---:|---:|---:|---:|"
echo "$results" | tail -n +2 | while IFS=$'\t' read -r name events median min wall; do
  grouped="$(echo "$events" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta')"
  printf '| %s | %s | %s | %s | %s |\n' "$name" "$grouped" "$median" "$min" "$wall"
done
