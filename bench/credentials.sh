#!/usr/bin/env bash
# Credential verification on one core (issue 17 item 8): the release build of
# crates/credentials/examples/verify_bench.rs, pinned to one CPU, measures in one run the raw
# ed25519-dalek verify (the ceiling), Koshu's signature step, canonicalisation alone, the proof
# check and the whole verdict (credential + status list + dates), and prints a Markdown table
# with the machine, the commit and the date for bench/RESULTS.md.
#
#   bench/credentials.sh [--seconds S] [--cpu N]
#
# Options (defaults in brackets):
#   --seconds S   measured seconds per case [5]
#   --cpu N       the CPU to pin to (taskset) [0]
# The target dir is $CARGO_TARGET_DIR, else target/.
set -euo pipefail

seconds=5
cpu=0
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --cpu) cpu="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
cargo build --release --quiet -p koshu-credentials --example verify_bench
binary="${CARGO_TARGET_DIR:-target}/release/examples/verify_bench"

model="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
cores="$(nproc)"
load="$(cut -d' ' -f1 /proc/loadavg)"
commit="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- crates/credentials || echo '+changes')"
when="$(date -u '+%Y-%m-%d %H:%M UTC')"

pin=()
if command -v taskset >/dev/null 2>&1; then
  pin=(taskset -c "$cpu")
fi
results="$("${pin[@]}" "$binary" "$seconds")"

echo "Commit $commit, $when; $model, $cores CPU(s), load average $load before the run;"
echo "release build (thin LTO), one thread${pin:+ pinned to CPU $cpu}, ${seconds} s a case."
echo
echo "| case | verifications/s | µs each |"
echo "|---|---:|---:|"
echo "$results" | tail -n +2 | while IFS=$'\t' read -r name per_second micros; do
  grouped="$(echo "$per_second" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta')"
  printf '| %s | %s | %s |\n' "$name" "$grouped" "$micros"
done
