#!/usr/bin/env bash
# Heartbeat ingestion on loopback (issue 15 item 9): koshu serve pinned to CPU 0 and a load
# generator on CPU 1 POST /heartbeat with a different learner's ticket each time (text/plain,
# no cookie), then, in the same run, the same rows written straight through SQLite as the
# ceiling.
#
#   bench/heartbeats.sh --binary target/release/koshu [options]
#
# 1. A fresh data dir; the server starts on CPU 0 (taskset) and is driven through its own pages
#    (bench/heartbeats.py setup) to one published session with a delivery plan whose blocks
#    cover today and tomorrow (Japan time); --learners tickets are computed from its secret.
# 2. max  closed loop: wrk -t1 -c N with beats.lua (round robin over the tickets) for each N
#         of --connections. A beat is answered once its batch is committed, so the writer's
#         batch can hold at most N beats (and at most the server's 256 concurrent requests).
#    rate open loop at --rate beats/s with --rate-connections keep-alive connections, latency
#         counted from when each beat was due (no coordinated omission): oha -q --latency-correction
#         -Z (a random line of the tickets file a request), or heartbeats.py rate (tickets round
#         robin) where oha is missing.
#    floor  GET /healthz like max at the largest --connections: the same HTTP stack and
#         middleware with nothing behind it, the most one core serves (and a check that the
#         load generator is not the limit). Its "beats" are requests.
#    For each run: beats answered 2xx, beats/s, p50/p99, errors, server CPU (utime+stime from
#    /proc/PID/stat), rows the heartbeats table grew by, and, when perf can count syscall
#    tracepoints, the server's commits (fcntl calls ÷ the fcntl calls per commit measured with
#    raw_insert) and so the mean batch.
# 3. The server stops; the rows in the table are compared with the 2xx answers of every run.
# 4. Ceiling: raw_insert.c (built against the SQLite amalgamation the server links, from the
#    cargo registry, else the system's libsqlite3), pinned to CPU 0, writes as many rows as the
#    fastest max run wrote into a new file with the heartbeats DDL copied from the server's
#    database, first filled (unmeasured) to the size the server's table had when that run
#    began, at that run's mean batch (its connection count when perf is missing) and at the
#    server's largest batch (4,000); heartbeats.py raw does the same with Python's sqlite3
#    executemany as a cross-check. ratio = server beats/s ÷ raw rows/s at the same batch.
#
# Options (defaults in brackets):
#   --binary PATH          koshu binary [target/release/koshu]
#   --port N               loopback port [18081]
#   --learners N           tickets (simulated learners) [60000]
#   --duration S           seconds per measured run [20]
#   --warmup S             unmeasured wrk seconds after setup [3]
#   --connections "LIST"   wrk connections of the max runs ["32 128 256"]
#   --rate N               beats/s of the rate run [2000]
#   --rate-connections N   connections of the rate run [64]
#   --modes "LIST"         of max, rate, floor ["max rate floor"]
#   --profile S            also record a perf profile of the server for S seconds at the largest
#                          --connections (perf record -g; report in the work dir) [0 = no]
#   --ready-timeout S      how long to wait for /readyz [120]
#   --rate-tool T          oha, python or auto (oha when installed) [auto]
#   --wrk PATH, --oha PATH the load generators [wrk, oha from PATH]
#
# Needs: taskset, curl, python3 (3.11+), wrk (apt-get install wrk) for max, oha (cargo install oha
# --version 1.16.0 --locked --no-default-features --features native-tls) for rate, gcc for the compiled
# ceiling; perf (optional) for commits and the profile. Traffic goes to 127.0.0.1 only; every
# run is bounded by --duration (and a hard `timeout`).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
BIN=target/release/koshu
PORT=18081
LEARNERS=60000
DURATION=20
WARMUP=3
CONNECTIONS="32 128 256"
RATE=2000
RATE_CONNS=64
MODES="max rate floor"
PROFILE=0
READY_TIMEOUT=120
WRK=wrk
OHA=oha
RATE_TOOL=auto
LARGEST_BATCH=4000  # crates/workflow/src/heartbeats.rs BATCH

die() { echo "heartbeats.sh: $*" >&2; exit 2; }
note() { echo "heartbeats.sh: $*" >&2; }
while [ $# -gt 0 ]; do
  [ $# -ge 2 ] || die "$1 needs a value (see the header of $0)"
  case "$1" in
    --binary) BIN=$2 ;;
    --port) PORT=$2 ;;
    --learners) LEARNERS=$2 ;;
    --duration) DURATION=$2 ;;
    --warmup) WARMUP=$2 ;;
    --connections) CONNECTIONS=$2 ;;
    --rate) RATE=$2 ;;
    --rate-connections) RATE_CONNS=$2 ;;
    --modes) MODES=$2 ;;
    --profile) PROFILE=$2 ;;
    --ready-timeout) READY_TIMEOUT=$2 ;;
    --wrk) WRK=$2 ;;
    --oha) OHA=$2 ;;
    --rate-tool) RATE_TOOL=$2 ;;
    *) die "unknown option $1 (see the header of $0)" ;;
  esac
  shift 2
done
for n in "$PORT" "$LEARNERS" "$DURATION" "$WARMUP" "$RATE" "$RATE_CONNS" "$PROFILE" "$READY_TIMEOUT" $CONNECTIONS; do
  [[ "$n" =~ ^[0-9]+$ ]] || die "not a whole number: $n"
done
[ -x "$BIN" ] || die "no executable koshu binary at $BIN (cargo build --release -p koshu)"
BIN="$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")"
command -v taskset >/dev/null || die "taskset is missing (apt-get install util-linux)"
command -v curl >/dev/null || die "curl is missing"
command -v python3 >/dev/null || die "python3 is missing"
[ "$(nproc --all)" -ge 2 ] || die "needs 2 CPUs: the server on CPU 0 and the load generator on CPU 1"
HAVE_WRK=$(command -v "$WRK" >/dev/null && echo 1 || echo 0)
case "$RATE_TOOL" in
  auto) RATE_TOOL=$(command -v "$OHA" >/dev/null && echo oha || echo python) ;;
  oha) command -v "$OHA" >/dev/null || die "oha is missing (see bench/README.md)" ;;
  python) ;;
  *) die "--rate-tool is oha, python or auto" ;;
esac
HAVE_GCC=$(command -v gcc >/dev/null && echo 1 || echo 0)
# perf counting a syscall tracepoint of another process (root, tracefs)
HAVE_PERF=0
if command -v perf >/dev/null && perf stat -e syscalls:sys_enter_fcntl -o /dev/null -- true 2>/dev/null; then
  HAVE_PERF=1
fi

BASE="http://127.0.0.1:$PORT"
if curl -s -o /dev/null -m 1 "$BASE/healthz"; then die "something already answers on $BASE; choose another --port"; fi
CLK_TCK=$(getconf CLK_TCK)
WORK=$(mktemp -d /tmp/koshu-heartbeats.XXXXXX)
DATA="$WORK/data"
DB="$DATA/koshu.db"
TICKETS="$WORK/tickets.txt"
SERVER_PID=""

cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  note "server log, raw tool output and the databases in $WORK"
}
trap cleanup EXIT

# --- the compiled ceiling ---------------------------------------------------------------------
# The SQLite the server links: libsqlite3-sys's bundled amalgamation of the version in Cargo.lock.
RAW=""
SQLITE_SRC=""
if [ "$HAVE_GCC" = 1 ]; then
  ver=$(awk '/^name = "libsqlite3-sys"$/ { getline; gsub(/"/, "", $3); print $3; exit }' "$ROOT/Cargo.lock" 2>/dev/null || true)
  for d in "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/"libsqlite3-sys-$ver"/sqlite3; do
    [ -n "$ver" ] && [ -f "$d/sqlite3.c" ] && { SQLITE_SRC=$d; break; }
  done
  mkdir -p "$HOME/.cache/koshu-bench"
  if [ -n "$SQLITE_SRC" ]; then
    RAW="$HOME/.cache/koshu-bench/raw_insert-libsqlite3-sys-$ver"
    if [ ! -x "$RAW" ] || [ "$HERE/raw_insert.c" -nt "$RAW" ]; then
      note "building raw_insert against $SQLITE_SRC (a minute)"
      # The flags libsqlite3-sys's build.rs gives the bundled copy that change what a write does.
      gcc -O2 -o "$RAW" -I"$SQLITE_SRC" "$HERE/raw_insert.c" "$SQLITE_SRC/sqlite3.c" \
        -DSQLITE_CORE -DSQLITE_DEFAULT_FOREIGN_KEYS=1 -DSQLITE_ENABLE_API_ARMOR -DSQLITE_ENABLE_STAT4 \
        -DSQLITE_THREADSAFE=1 -DSQLITE_USE_URI -DHAVE_USLEEP=1 -DHAVE_ISNAN -DHAVE_LOCALTIME_R \
        -DSQLITE_ENABLE_UNLOCK_NOTIFY -lpthread -ldl -lm || { RAW=""; note "raw_insert did not build"; }
    fi
  elif [ -f /usr/include/sqlite3.h ]; then
    RAW="$HOME/.cache/koshu-bench/raw_insert-system"
    gcc -O2 -o "$RAW" "$HERE/raw_insert.c" -lsqlite3 || RAW=""
    note "libsqlite3-sys's amalgamation not found: the ceiling uses the system's SQLite"
  fi
fi
[ -n "$RAW" ] || note "no compiled ceiling (needs gcc and SQLite's sources or headers): Python's only"

ddl() {  # the heartbeats table and index of the server's database, as SQL
  python3 - "$DB" <<'EOF'
import sqlite3, sys
con = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
print(";\n".join(s for (s,) in con.execute(
    "SELECT sql FROM sqlite_master WHERE tbl_name = 'heartbeats' AND sql IS NOT NULL ORDER BY type DESC")) + ";")
EOF
}
fresh_table() {  # FILE [DDL]: a new database holding only the heartbeats table and its index
  rm -f "$1" "$1-wal" "$1-shm"
  python3 -c 'import sqlite3, sys; sqlite3.connect(sys.argv[1]).executescript(sys.argv[2])' "$1" "$2"
}

# fcntl calls per commit of this SQLite (the write lock and read mark of WAL are fcntl locks):
# measured here with raw_insert so that the server's commits can be counted from its fcntl calls.
FCNTL_PER_COMMIT=""
if [ -n "$RAW" ] && [ "$HAVE_PERF" = 1 ]; then
  python3 -c 'print("\n".join("s.a%d.0.x" % i for i in range(1000)))' >"$WORK/calibration.tickets"
  fresh_table "$WORK/calibration.db" "CREATE TABLE heartbeats (session_id TEXT NOT NULL, account_id TEXT NOT NULL, at_us INTEGER NOT NULL); CREATE INDEX heartbeats_by_session ON heartbeats (session_id, account_id, at_us);"
  perf stat -x, -e syscalls:sys_enter_fcntl -o "$WORK/calibration.perf" -- \
    "$RAW" "$WORK/calibration.db" "$WORK/calibration.tickets" 20000 10 >"$WORK/calibration.out"
  calls=$(awk -F, '/sys_enter_fcntl/ { print $1 }' "$WORK/calibration.perf")
  commits=$(sed -n 's/.*commits=\([0-9]*\).*/\1/p' "$WORK/calibration.out")
  FCNTL_PER_COMMIT=$(awk -v f="$calls" -v c="$commits" 'BEGIN { printf "%.2f", f / c }')
  note "SQLite takes $FCNTL_PER_COMMIT fcntl calls a commit ($calls over $commits commits)"
fi

# --- the server and its data ------------------------------------------------------------------
mkdir -p "$DATA"
start_ns=$(date +%s%N)
taskset -c 0 "$BIN" --data-dir "$DATA" serve --listen "127.0.0.1:$PORT" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
ready=0
for _ in $(seq 1 $((READY_TIMEOUT * 10))); do
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log" >&2; die "the server exited"; }
  if curl -fs -o /dev/null -m 1 "$BASE/readyz"; then ready=1; break; fi
  sleep 0.1
done
[ "$ready" = 1 ] || die "the server did not answer $BASE/readyz within $READY_TIMEOUT s"
note "server ready after $(( ($(date +%s%N) - start_ns) / 1000000 )) ms"
taskset -c 1 python3 "$HERE/heartbeats.py" setup --base "$BASE" --data-dir "$DATA" --out "$WORK" --learners "$LEARNERS"
SESSION=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["session"])' "$WORK/setup.json")

cpu_ticks() { sed 's/^.*) //' "/proc/$SERVER_PID/stat" | awk '{ print $12 + $13 }'; }
core_jiffies() { awk -v c="cpu$1" '$1 == c { t = 0; for (i = 2; i <= 9; i++) t += $i; print t - $5 - $6 - $9, $9, t }' /proc/stat; }
rows() { python3 "$HERE/heartbeats.py" count --db "$DB"; }

ANSWERED=1  # the setup's own beat
ROWS=()
BEST_RPS=0 BEST_ROWS=0 BEST_BATCH="" BEST_CONNS="" BEST_BEFORE=0
row() { ROWS+=("$(printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |' "$@")"); }

# COMMAND... run under perf stat counting the server's fcntl calls (into $WORK/$TAG.perf)
counted() {
  if [ "$HAVE_PERF" = 1 ] && [ -n "$FCNTL_PER_COMMIT" ]; then
    taskset -c 1 perf stat -x, -e syscalls:sys_enter_fcntl,context-switches -p "$SERVER_PID" -o "$WORK/$TAG.perf" -- "$@"
  else
    taskset -c 1 "$@"
  fi
}

measure() {  # mode label
  local m=$1 label=$2 out="$WORK/$TAG.out" c0 c1 w0 w1 b0 s0 t0 b1 s1 t1 r0 r1 requests rps p50 p99 bad
  r0=$(rows)
  read -r b0 s0 t0 < <(core_jiffies 0)
  c0=$(cpu_ticks); w0=$(date +%s%N)
  if [ "$m" = max ]; then
    counted timeout $((DURATION + 30)) "$WRK" -t1 -c"$label" -d"${DURATION}s" --timeout 5s --latency \
      -s "$HERE/beats.lua" "$BASE" -- "$TICKETS" 1 >"$out" 2>&1 || true
  elif [ "$m" = floor ]; then
    echo /healthz >"$WORK/healthz.paths"
    counted timeout $((DURATION + 30)) "$WRK" -t1 -c"$label" -d"${DURATION}s" --timeout 5s --latency \
      -s "$HERE/paths.lua" "$BASE" -- "$WORK/healthz.paths" 1 >"$out" 2>&1 || true
  else
    if [ "$RATE_TOOL" = oha ]; then
      counted timeout $((DURATION + 60)) "$OHA" --no-tui --output-format json -q "$RATE" -z "${DURATION}s" \
        --latency-correction -c "$RATE_CONNS" -t 10s -m POST -T text/plain -Z "$TICKETS" "$BASE/heartbeat" \
        >"$out" 2>"$out.err" || true
    else
      counted timeout $((DURATION + 60)) python3 "$HERE/heartbeats.py" rate --url "$BASE/heartbeat" \
        --tickets "$TICKETS" --rate "$RATE" --duration "$DURATION" --connections "$RATE_CONNS" >"$out" 2>"$out.err" || true
    fi
  fi
  c1=$(cpu_ticks); w1=$(date +%s%N)
  read -r b1 s1 t1 < <(core_jiffies 0)
  sleep 1  # the last batch commits
  r1=$(rows)
  if [ "$m" = max ] || [ "$m" = floor ]; then
    read -r requests rps p50 p99 bad < <(awk '/^RESULT/ {
        for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
        printf "%d %.0f %.2f %.2f %d\n", v["requests"] - v["non2xx"], (v["requests"] - v["non2xx"]) / v["duration_us"] * 1e6,
          v["p50_us"] / 1000, v["p99_us"] / 1000, v["non2xx"] + v["socket_errors"] }' "$out") || true
  elif [ "$RATE_TOOL" = oha ]; then
    read -r requests rps p50 p99 bad < <(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
codes = d.get("statusCodeDistribution", {})
# requests still in flight when the run time is up are cut off by oha, not failed by the server
errors = {e: n for e, n in d.get("errorDistribution", {}).items() if "deadline" not in e}
ok = sum(n for c, n in codes.items() if c.startswith("2"))
lat = d["latencyPercentiles"]
print(ok, round(ok / d["summary"]["total"]), "%.2f" % ((lat["p50"] or 0) * 1000),
      "%.2f" % ((lat["p99"] or 0) * 1000), sum(codes.values()) + sum(errors.values()) - ok)
' "$out" 2>/dev/null) || true
  else
    read -r requests rps p50 p99 bad < <(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
ok = sum(n for c, n in d["status"].items() if c.startswith("2"))
print(ok, round(ok / d["wall_s"]), "%.2f" % d["p50_ms"], "%.2f" % d["p99_ms"], d["requests"] - ok)
' "$out" 2>/dev/null) || true
  fi
  [ -n "${requests:-}" ] && [ "$requests" -gt 0 ] || { cat "$out" "$out.err" 2>/dev/null >&2; die "$TAG: no result"; }
  [ "$m" = floor ] || ANSWERED=$((ANSWERED + requests))
  local cpu_us=$(( (c1 - c0) * 1000000 / CLK_TCK )) wall_us=$(( (w1 - w0) / 1000 )) batch="n/a" switches="n/a"
  if [ -f "$WORK/$TAG.perf" ] && [ "$m" != floor ]; then
    batch=$(awk -F, -v n="$requests" -v k="$FCNTL_PER_COMMIT" '/sys_enter_fcntl/ { if ($1 > 0) printf "%.1f", n / ($1 / k) }' "$WORK/$TAG.perf")
    switches=$(awk -F, -v n="$requests" '/context-switches/ { printf "%.2f", $1 / n }' "$WORK/$TAG.perf")
  fi
  local mode_label="max -c$label"
  [ "$m" = rate ] && mode_label="rate ${RATE}/s ($RATE_TOOL)"
  [ "$m" = floor ] && mode_label="GET /healthz, max -c$label"
  row "$m" "$mode_label" "$requests" "$rps" "$p50" "$p99" "$bad" \
    "$(awk -v c="$cpu_us" -v n="$requests" 'BEGIN { printf "%.0f", c / n }')" \
    "$(awk -v c="$cpu_us" -v w="$wall_us" 'BEGIN { printf "%.0f%%", 100 * c / w }')" \
    "$((r1 - r0))" "${batch:-n/a}" "${switches:-n/a}" \
    "$(awk -v b="$((b1 - b0))" -v t="$((t1 - t0))" 'BEGIN { printf "%.0f%%", t ? 100 * b / t : 0 }')" \
    "$(awk -v b="$((s1 - s0))" -v t="$((t1 - t0))" 'BEGIN { printf "%.0f%%", t ? 100 * b / t : 0 }')"
  if [ "$m" = max ] && [ "$rps" -gt "$BEST_RPS" ]; then
    BEST_RPS=$rps BEST_ROWS=$((r1 - r0)) BEST_BEFORE=$r0 BEST_CONNS=$label BEST_BATCH=$(awk -v b="${batch/n\/a/}" 'BEGIN { if (b != "") printf "%.0f", (b < 1 ? 1 : b) }')
  fi
  note "$TAG done: $requests beats answered 2xx, $rps/s, rows +$((r1 - r0)), mean batch ${batch:-n/a}"
}

if [ "$HAVE_WRK" = 1 ] && [ "$WARMUP" -gt 0 ]; then
  timeout $((WARMUP + 30)) taskset -c 1 "$WRK" -t1 -c32 -d"${WARMUP}s" -s "$HERE/beats.lua" "$BASE" -- "$TICKETS" \
    >"$WORK/warmup.out" 2>&1 || true
  ANSWERED=$((ANSWERED + $(awk '/^RESULT/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    print v["requests"] - v["non2xx"] }' "$WORK/warmup.out")))
fi
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
NOTES=()
for m in $MODES; do
  case "$m" in
    max)
      if [ "$HAVE_WRK" != 1 ]; then NOTES+=("max: skipped, wrk not installed (apt-get install wrk)"); continue; fi
      for c in $CONNECTIONS; do TAG="max-c$c"; measure max "$c"; done ;;
    rate) TAG="rate-$RATE"; measure rate "$RATE" ;;
    floor)
      if [ "$HAVE_WRK" != 1 ]; then NOTES+=("floor: skipped, wrk not installed"); continue; fi
      TAG="floor"; measure floor "${CONNECTIONS##* }" ;;
    *) die "unknown mode $m (max, rate, floor)" ;;
  esac
done

if [ "$PROFILE" -gt 0 ] && [ "$HAVE_PERF" = 1 ] && [ "$HAVE_WRK" = 1 ]; then
  c=${CONNECTIONS##* }
  note "profiling the server for $PROFILE s at -c$c"
  taskset -c 1 perf record -F 999 -g -p "$SERVER_PID" -o "$WORK/perf.data" -- \
    timeout $((PROFILE + 30)) "$WRK" -t1 -c"$c" -d"${PROFILE}s" -s "$HERE/beats.lua" "$BASE" -- "$TICKETS" \
    >"$WORK/profile.out" 2>&1 || true
  ANSWERED=$((ANSWERED + $(awk '/^RESULT/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    print v["requests"] - v["non2xx"] }' "$WORK/profile.out")))
  perf report -i "$WORK/perf.data" --no-children -g none --sort dso,symbol --stdio 2>/dev/null | grep '%' | sed 's/ *$//' \
    | head -n 80 >"$WORK/profile.txt" || true
  perf report -i "$WORK/perf.data" --no-children -g none --sort dso --stdio 2>/dev/null | grep '%' | sed 's/ *$//' >"$WORK/profile-dso.txt" || true
fi

# --- every acknowledged beat is in the table --------------------------------------------------
kill -TERM "$SERVER_PID"
for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
SERVER_PID=""
TOTAL_ROWS=$(rows)

# --- the ceiling, in the same run -------------------------------------------------------------
DDL=$(ddl)
RAW_ROWS=()
RAW_AT_BEST=""
raw_row() { RAW_ROWS+=("$(printf '| %s | %s | %s | %s | %s | %s |' "$@")"); }
raw_rows=$BEST_ROWS
[ "$raw_rows" -ge 10000 ] || raw_rows=200000
batches="${BEST_BATCH:-$BEST_CONNS}"
[ -n "$BEST_CONNS" ] && [ "$BEST_CONNS" != "$batches" ] && batches="$batches $BEST_CONNS"
[ -n "$batches" ] || batches=256
batches="$batches $LARGEST_BATCH"
# The table as big as the server's was when that run began (cost grows with the index), then
# the measured rows.
prefill() {  # FILE
  fresh_table "$1" "$DDL"
  [ "$BEST_BEFORE" -gt 0 ] || return 0
  if [ -n "$RAW" ]; then
    taskset -c 0 "$RAW" "$1" "$TICKETS" "$BEST_BEFORE" "$LARGEST_BATCH" >/dev/null
  else
    taskset -c 0 python3 "$HERE/heartbeats.py" raw --db "$1" --tickets "$TICKETS" --rows "$BEST_BEFORE" --batch "$LARGEST_BATCH" >/dev/null
  fi
}
for b in $batches; do
  [ "$b" -gt 0 ] || continue
  if [ -n "$RAW" ]; then
    prefill "$WORK/raw-c-$b.db"
    taskset -c 0 "$RAW" "$WORK/raw-c-$b.db" "$TICKETS" "$raw_rows" "$b" >"$WORK/raw-c-$b.out"
    read -r rps cpu_per_row commits ver < <(awk '/^RAW/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
      printf "%.0f %.2f %d %s\n", v["rows"] / v["wall_us"] * 1e6, v["cpu_us"] / v["rows"], v["commits"], v["sqlite"] }' "$WORK/raw-c-$b.out")
    raw_row "raw_insert.c (C API)" "$ver" "$b" "$raw_rows" "$rps" "$cpu_per_row"
    [ -z "$RAW_AT_BEST" ] && RAW_AT_BEST=$rps
  fi
  prefill "$WORK/raw-py-$b.db"
  taskset -c 0 python3 "$HERE/heartbeats.py" raw --db "$WORK/raw-py-$b.db" --tickets "$TICKETS" \
    --rows "$raw_rows" --batch "$b" >"$WORK/raw-py-$b.out"
  read -r rps cpu_per_row ver < <(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(round(d["rows_per_s"]), "%.2f" % (d["cpu_s"] * 1e6 / d["rows"]), d["sqlite"])' "$WORK/raw-py-$b.out")
  raw_row "Python sqlite3 executemany" "$ver" "$b" "$raw_rows" "$rps" "$cpu_per_row"
  [ -z "$RAW_AT_BEST" ] && RAW_AT_BEST=$rps
done

echo
echo "Run $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'), on $(nproc --all) CPUs ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)), load average before the runs: $LOAD_BEFORE"
echo "Server: $BIN on CPU 0, SQLite in a fresh data dir, session $SESSION, $LEARNERS tickets round robin; ${DURATION} s per run; max = wrk -t1 -c N (beats.lua), rate = $RATE beats/s over $RATE_CONNS connections, latency from when each beat was due ($([ "$RATE_TOOL" = oha ] && echo "oha -q $RATE --latency-correction -Z tickets: a random ticket a request" || echo "heartbeats.py rate: tickets round robin"))"
echo
echo "| mode | run | beats (2xx) | beats/s | p50 ms | p99 ms | non-2xx/errors | server CPU µs/beat | server CPU (of one core) | rows written | mean batch | context switches/beat | CPU 0 busy | CPU 0 steal |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for r in "${ROWS[@]}"; do echo "$r"; done
echo
echo "Rows in heartbeats after the server stopped: $TOTAL_ROWS; beats answered 2xx in all runs (setup, warm-up and profile included): $ANSWERED ($((TOTAL_ROWS - ANSWERED)) more rows than answers: beats in flight when a run's time was up, written but not waited for)."
[ "$TOTAL_ROWS" -ge "$ANSWERED" ] || echo "**LOST: $((ANSWERED - TOTAL_ROWS)) beats were answered 2xx but are not in the table.**"
if [ -n "$FCNTL_PER_COMMIT" ]; then
  echo "Mean batch = beats ÷ commits, commits = the server's fcntl calls (perf stat) ÷ $FCNTL_PER_COMMIT fcntl calls a commit (measured with raw_insert on this SQLite); ≈, since other reads lock too."
fi
echo
echo "Ceiling: the rows of the fastest max run (max -c$BEST_CONNS) written straight through SQLite, pinned to CPU 0, into a new file with the server's DDL already holding $BEST_BEFORE rows (as the server's table did when that run began):"
echo
echo "| writer | SQLite | batch | rows | rows/s | CPU µs/row |"
echo "|---|---|---:|---:|---:|---:|"
for r in "${RAW_ROWS[@]}"; do echo "$r"; done
echo
if [ "$BEST_RPS" -gt 0 ] && [ -n "$RAW_AT_BEST" ]; then
  echo "ratio = server beats/s (max -c$BEST_CONNS: $BEST_RPS) ÷ raw rows/s at batch ${batches%% *} ($RAW_AT_BEST) = $(awk -v s="$BEST_RPS" -v r="$RAW_AT_BEST" 'BEGIN { printf "%.1f%%", 100 * s / r }')"
fi
[ -f "$WORK/profile.txt" ] && { echo; echo "Profile (perf record, self time by symbol): $WORK/profile.txt, by object: $WORK/profile-dso.txt"; }
for n in "${NOTES[@]}"; do echo; echo "- $n"; done
