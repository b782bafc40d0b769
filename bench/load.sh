#!/usr/bin/env bash
# Catalogue load test on loopback: koshu serve pinned to CPU 0, the load generator to CPU 1.
#
#   bench/load.sh --binary target/release/koshu --data-dir /tmp/bench-data \
#                 --catalogue /tmp/bench-catalogue [options]
#
# The data dir must already hold the imported catalogue (koshu import, see bench/README.md);
# the catalogue dir is the generator's output, used only to pick programme ids and queries.
#
# For each scenario (programme page, API list, search with text and two facets; and nginx serving
# the same programme pages saved as files, the ceiling) and each mode:
#   max   closed loop: wrk, 1 thread, --connections keep-alive connections, as fast as the
#         server answers. Gives the throughput of one server core (req/s) and CPU per request.
#   rate  open loop: oha at a fixed --rate req/s with --latency-correction (latency counted from
#         when each request was due, so a stalled server cannot hide its queue). Gives p50/p99 at
#         that rate.
# Before and after each measured run the server's utime+stime is read from /proc/PID/stat
# (clock ticks, converted with getconf CLK_TCK) to give CPU microseconds per request.
# A scenario whose first URL answers 404 is skipped with a message (endpoint not built yet).
#
# Options (defaults in brackets):
#   --binary PATH          koshu binary [target/release/koshu]
#   --data-dir DIR         data dir with the imported catalogue [/tmp/bench-data]
#   --catalogue DIR        generate.py output [/tmp/bench-catalogue]
#   --port N               loopback port for the server [18080]
#   --duration S           seconds per measured run [20]
#   --warmup S             unmeasured seconds before each scenario [3]
#   --ready-timeout S      how long to wait for /readyz after start (index build) [120]
#   --rate N               fixed rate for the rate mode, req/s [200]
#   --connections N        connections for the max mode [32]
#   --rate-connections N   connections oha may open in the rate mode [16]
#   --scenarios "LIST"     of programme, api, search, nginx ["programme api search nginx"]
#                          nginx: the programme pages of the programme list, saved from the
#                          server (identity, and the br and gzip bodies it sends, as .br and .gz),
#                          served by nginx on CPU 0 with gzip_static and brotli_static (when the
#                          module is installed), measured like the others in the same run; the
#                          CPU ratio of Koshu's programme page to nginx's is printed after the table
#   --modes "LIST"         of max, rate ["max rate"]
#   --programme-path P     [/programmes/{id}]  ({id}: a generated programme id)
#   --api-path P           [/api/v1/programmes?page=1]
#   --search-path P        [/search]  (?q=...&field=...&prefecture=... is appended)
#   --accept-encoding V    Accept-Encoding sent by both tools ["gzip, deflate, br"]; "" for none
#   --wrk PATH, --oha PATH the load generators [wrk, oha from PATH]
#   --nginx PATH           nginx, for the nginx scenario [nginx from PATH, else /usr/sbin/nginx]
#
# Needs: taskset (util-linux), curl, wrk (apt-get install wrk) for max, oha (cargo install oha
# --locked --no-default-features --features native-tls) for rate; a mode whose tool is missing is skipped with a note.
# Traffic goes to 127.0.0.1 only; every run is bounded by --duration (and a hard `timeout`).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BIN=target/release/koshu
DATA=/tmp/bench-data
CATALOGUE=/tmp/bench-catalogue
PORT=18080
DURATION=20
WARMUP=3
READY_TIMEOUT=120
RATE=200
CONNS=32
RATE_CONNS=16
SCENARIOS="programme api search nginx"
MODES="max rate"
PROGRAMME_PATH='/programmes/{id}'
API_PATH='/api/v1/programmes?page=1'
SEARCH_PATH='/search'
ENCODING='gzip, deflate, br'
WRK=wrk
OHA=oha
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

die() { echo "load.sh: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  [ $# -ge 2 ] || die "$1 needs a value (see the header of $0)"
  case "$1" in
    --binary) BIN=$2 ;;
    --data-dir) DATA=$2 ;;
    --catalogue) CATALOGUE=$2 ;;
    --port) PORT=$2 ;;
    --duration) DURATION=$2 ;;
    --warmup) WARMUP=$2 ;;
    --ready-timeout) READY_TIMEOUT=$2 ;;
    --rate) RATE=$2 ;;
    --connections) CONNS=$2 ;;
    --rate-connections) RATE_CONNS=$2 ;;
    --scenarios) SCENARIOS=$2 ;;
    --modes) MODES=$2 ;;
    --programme-path) PROGRAMME_PATH=$2 ;;
    --api-path) API_PATH=$2 ;;
    --search-path) SEARCH_PATH=$2 ;;
    --accept-encoding) ENCODING=$2 ;;
    --wrk) WRK=$2 ;;
    --oha) OHA=$2 ;;
    --nginx) NGINX=$2 ;;
    *) die "unknown option $1 (see the header of $0)" ;;
  esac
  shift 2
done

for n in "$PORT" "$DURATION" "$WARMUP" "$READY_TIMEOUT" "$RATE" "$CONNS" "$RATE_CONNS"; do
  [[ "$n" =~ ^[0-9]+$ ]] || die "not a whole number: $n"
done
[ -x "$BIN" ] || die "no executable koshu binary at $BIN (cargo build --release -p koshu)"
[ -f "$CATALOGUE/programmes.toml" ] || die "no $CATALOGUE/programmes.toml (run bench/generate.py)"
[ -d "$DATA" ] || die "no data dir $DATA (run koshu --data-dir $DATA import ...)"
command -v taskset >/dev/null || die "taskset is missing (apt-get install util-linux)"
command -v curl >/dev/null || die "curl is missing"
[ "$(nproc --all)" -ge 2 ] || die "needs 2 CPUs: the server on CPU 0 and the load generator on CPU 1"
HAVE_WRK=$(command -v "$WRK" >/dev/null && echo 1 || echo 0)
HAVE_OHA=$(command -v "$OHA" >/dev/null && echo 1 || echo 0)

BASE="http://127.0.0.1:$PORT"
if curl -s -o /dev/null -m 1 "$BASE/healthz"; then
  die "something already answers on $BASE; choose another --port"
fi
CLK_TCK=$(getconf CLK_TCK)
WORK=$(mktemp -d /tmp/koshu-bench.XXXXXX)
SERVER_PID=""

NGINX_PID=""
cleanup() {
  if [ -n "$NGINX_PID" ] && kill -0 "$NGINX_PID" 2>/dev/null; then
    kill -TERM "$NGINX_PID" 2>/dev/null || true
  fi
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  echo "load.sh: server log and raw tool output in $WORK" >&2
}
trap cleanup EXIT

# Request lists (paths for wrk, full URLs for oha), drawn from the generated catalogue.
python3 "$HERE/urls.py" --catalogue "$CATALOGUE" --out "$WORK" --base "$BASE" \
  --programme-path "$PROGRAMME_PATH" --search-path "$SEARCH_PATH" --api-path "$API_PATH"

# The server, alone on CPU 0 (taskset execs it, so $! is the server's own pid).
start_ns=$(date +%s%N)
taskset -c 0 "$BIN" --data-dir "$DATA" serve --listen "127.0.0.1:$PORT" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
ready=0
for _ in $(seq 1 $((READY_TIMEOUT * 10))); do  # bounded: --ready-timeout seconds at most
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log" >&2; die "the server exited"; }
  if curl -fs -o /dev/null -m 1 "$BASE/readyz"; then ready=1; break; fi
  sleep 0.1
done
READY_MS=$(( ($(date +%s%N) - start_ns) / 1000000 ))
[ "$ready" = 1 ] || die "the server did not answer $BASE/readyz within $READY_TIMEOUT s"
echo "load.sh: server ready after $READY_MS ms" >&2

# utime+stime of the whole process (all threads), in clock ticks. The command name in field 2
# may hold spaces, so fields are counted after its closing parenthesis.
cpu_ticks() { sed 's/^.*) //' "/proc/$SERVER_PID/stat" | awk '{ print $12 + $13 }'; }
# busy (not idle, iowait or steal), steal and total jiffies of one CPU from /proc/stat; steal is
# time the hypervisor gave this virtual CPU to someone else.
core_jiffies() { awk -v c="cpu$1" '$1 == c { t = 0; for (i = 2; i <= 9; i++) t += $i; print t - $5 - $6 - $9, $9, t }' /proc/stat; }

headers=()
[ -n "$ENCODING" ] && headers=(-H "Accept-Encoding: $ENCODING")

ROWS=()
NOTES=()
declare -A CPU_PER_REQUEST=()
row() { ROWS+=("$(printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |' "$@")"); }

run_mode() {  # scenario mode
  local s=$1 m=$2 out="$WORK/$1-$2.out" c0 c1 w0 w1 b0 s0 t0 b1 s1 t1 requests="" rps p50 p99 bad
  read -r b0 s0 t0 < <(core_jiffies 0)
  c0=$(cpu_ticks); w0=$(date +%s%N)
  if [ "$m" = max ]; then
    timeout $((DURATION + 30)) taskset -c 1 "$WRK" -t1 -c"$CONNS" -d"${DURATION}s" --timeout 5s --latency \
      "${headers[@]}" -s "$HERE/paths.lua" "$BASE" -- "$WORK/$s.paths" 1 >"$out" 2>&1 || true
  else
    timeout $((DURATION + 30)) taskset -c 1 "$OHA" --no-tui --output-format json -q "$RATE" \
      -z "${DURATION}s" --latency-correction -c "$RATE_CONNS" -t 10s "${headers[@]}" \
      --urls-from-file "$WORK/$s.urls" >"$out" 2>"$out.err" || true
  fi
  c1=$(cpu_ticks); w1=$(date +%s%N)
  read -r b1 s1 t1 < <(core_jiffies 0)
  if [ "$m" = max ]; then
    read -r requests rps p50 p99 bad < <(awk '/^RESULT/ {
        for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
        printf "%d %.0f %.2f %.2f %d\n", v["requests"], v["requests"] / v["duration_us"] * 1e6,
          v["p50_us"] / 1000, v["p99_us"] / 1000, v["non2xx"] + v["socket_errors"] }' "$out") || true
  else
    read -r requests rps p50 p99 bad < <(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
codes = d.get("statusCodeDistribution", {})
# requests still in flight when the run time is up are cut off by oha, not failed by the server
errors = {e: n for e, n in d.get("errorDistribution", {}).items() if "deadline" not in e}
total = sum(codes.values()) + sum(errors.values())
ok = sum(n for c, n in codes.items() if c.startswith("2"))
lat = d["latencyPercentiles"]
rps = d["summary"]["requestsPerSec"]
print(total, round(rps), "%.2f" % ((lat["p50"] or 0) * 1000), "%.2f" % ((lat["p99"] or 0) * 1000), total - ok)
' "$out" 2>/dev/null) || true
  fi
  [ -n "${requests:-}" ] && [ "$requests" -gt 0 ] || { cat "$out" "$out.err" 2>/dev/null >&2; die "$s/$m: no result"; }
  local cpu_us wall_us
  cpu_us=$(( (c1 - c0) * 1000000 / CLK_TCK ))
  wall_us=$(( (w1 - w0) / 1000 ))
  CPU_PER_REQUEST["$s/$m"]=$(awk -v c="$cpu_us" -v n="$requests" 'BEGIN { printf "%.1f", c / n }')
  row "$s" "$m" "$requests" "$rps" "$p50" "$p99" "$bad" \
    "$(awk -v c="$cpu_us" -v n="$requests" 'BEGIN { printf "%.0f", c / n }')" \
    "$(awk -v c="$cpu_us" -v w="$wall_us" 'BEGIN { printf "%.0f%%", 100 * c / w }')" \
    "$(awk -v b="$((b1 - b0))" -v t="$((t1 - t0))" 'BEGIN { printf "%.0f%%", t ? 100 * b / t : 0 }')" \
    "$(awk -v b="$((s1 - s0))" -v t="$((t1 - t0))" 'BEGIN { printf "%.0f%%", t ? 100 * b / t : 0 }')"
  echo "load.sh: $s/$m done: $requests requests, $rps req/s" >&2
}

# The nginx scenario's files: each programme page of the list as the server sends it, with its
# brotli and gzip bodies beside it (the same bytes Koshu serves from its page cache).
start_nginx() {
  [ -x "$NGINX" ] || return 1
  local static="$WORK/static" nginx_port=$((PORT + 1)) brotli_module=/usr/lib/nginx/modules/ngx_http_brotli_static_module.so
  mkdir -p "$static"
  sort -u "$WORK/programme.paths" | while read -r p; do
    mkdir -p "$(dirname "$static$p")"
    curl -fs -m 10 -H 'Accept-Encoding: identity' -o "$static$p" "$BASE$p"
    curl -fs -m 10 -H 'Accept-Encoding: gzip' -o "$static$p.gz" "$BASE$p"
    curl -fs -m 10 -H 'Accept-Encoding: br' -o "$static$p.br" "$BASE$p"
  done
  cp "$WORK/programme.paths" "$WORK/nginx.paths"
  sed "s#^$BASE#http://127.0.0.1:$nginx_port#" "$WORK/programme.urls" >"$WORK/nginx.urls"
  {
    [ -f "$brotli_module" ] && echo "load_module $brotli_module;"
    echo "worker_processes 1; master_process off; daemon off; pid $WORK/nginx.pid; error_log $WORK/nginx.err;"
    echo "events { worker_connections 4096; }"
    echo "http { access_log off; sendfile on; tcp_nopush on; keepalive_requests 100000000; default_type 'text/html; charset=utf-8';"
    echo "  gzip_static on; $([ -f "$brotli_module" ] && echo 'brotli_static on;')"
    echo "  server { listen 127.0.0.1:$nginx_port; root $static; location / { } } }"
  } >"$WORK/nginx.conf"
  taskset -c 0 "$NGINX" -c "$WORK/nginx.conf" -p "$WORK" >"$WORK/nginx.log" 2>&1 &
  NGINX_PID=$!
  for _ in $(seq 1 50); do
    curl -fs -o /dev/null -m 1 "http://127.0.0.1:$nginx_port$(head -n 1 "$WORK/nginx.paths")" && return 0
    sleep 0.1
  done
  return 1
}

for s in $SCENARIOS; do
  if [ "$s" = nginx ]; then
    if ! start_nginx; then
      NOTES+=("nginx: skipped, nginx not found or did not start (apt-get install nginx-light libnginx-mod-http-brotli-static)")
      continue
    fi
    KOSHU_PID=$SERVER_PID KOSHU_BASE=$BASE
    SERVER_PID=$NGINX_PID BASE="http://127.0.0.1:$((PORT + 1))"
  fi
  [ -f "$WORK/$s.paths" ] || die "unknown scenario $s (programme, api, search, nginx)"
  first=$(head -n 1 "$WORK/$s.paths")
  if [ -z "$first" ]; then NOTES+=("$s: skipped, no request could be built from the catalogue"); continue; fi
  code=$(curl -s -o /dev/null -w '%{http_code}' -m 10 "$BASE$first" || true)
  if [ "$code" = 404 ]; then
    NOTES+=("$s: skipped, GET $first answers 404 (pending: endpoint not yet built)")
    echo "load.sh: $s skipped: $first answers 404 (endpoint not built yet)" >&2
    continue
  elif [ "$code" != 200 ]; then
    NOTES+=("$s: skipped, GET $first answers HTTP $code")
    echo "load.sh: $s skipped: $first answers HTTP $code" >&2
    continue
  fi
  if [ "$WARMUP" -gt 0 ] && [ "$HAVE_WRK" = 1 ]; then
    timeout $((WARMUP + 30)) taskset -c 1 "$WRK" -t1 -c"$CONNS" -d"${WARMUP}s" "${headers[@]}" \
      -s "$HERE/paths.lua" "$BASE" -- "$WORK/$s.paths" 2 >/dev/null 2>&1 || true
  fi
  for m in $MODES; do
    case "$m" in
      max) [ "$HAVE_WRK" = 1 ] || { NOTES+=("$s/max: skipped, wrk not installed (apt-get install wrk)"); continue; } ;;
      rate) [ "$HAVE_OHA" = 1 ] || { NOTES+=("$s/rate: skipped, oha not installed (cargo install oha --locked --no-default-features --features native-tls)"); continue; } ;;
      *) die "unknown mode $m (max, rate)" ;;
    esac
    run_mode "$s" "$m"
  done
  if [ "$s" = nginx ]; then
    kill -TERM "$NGINX_PID" 2>/dev/null || true
    SERVER_PID=$KOSHU_PID BASE=$KOSHU_BASE
  fi
done
for m in $MODES; do
  koshu=${CPU_PER_REQUEST["programme/$m"]:-} nginx=${CPU_PER_REQUEST["nginx/$m"]:-}
  if [ -n "$koshu" ] && [ -n "$nginx" ]; then
    ratio=$(awk -v k="$koshu" -v n="$nginx" 'BEGIN { printf "%.2f", n > 0 ? k / n : 0 }')
    NOTES+=("programme page ($m): Koshu $koshu µs of CPU a request, nginx $nginx µs: ratio $ratio (target ≤ 2)")
  fi
done

programmes=$(grep -c '^\[\[programme\]\]' "$CATALOGUE/programmes.toml")
sessions=$(grep -c '^\[\[programme.session\]\]' "$CATALOGUE/programmes.toml")
echo
echo "Run $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc --all) CPUs ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)), load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "Server: $BIN on CPU 0, ready (GET /readyz) $READY_MS ms after start; dataset $CATALOGUE ($programmes programmes, $sessions sessions); ${DURATION} s per run, max = wrk -t1 -c$CONNS, rate = oha -q $RATE --latency-correction -c $RATE_CONNS; Accept-Encoding: ${ENCODING:-none}"
echo
echo "| scenario | mode | requests | req/s | p50 ms | p99 ms | non-2xx/errors | server CPU µs/req | server CPU (of one core) | CPU 0 busy | CPU 0 steal |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for r in "${ROWS[@]}"; do echo "$r"; done
for n in "${NOTES[@]}"; do echo; echo "- $n"; done
