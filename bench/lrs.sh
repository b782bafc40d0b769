#!/usr/bin/env bash
# xAPI statement ingestion on loopback (issue 20 item 5): koshu serve pinned to CPU 0 and wrk on
# CPU 1 POST batches of new statements to /xapi/statements with an LRS credential, then, in the
# same run, the same rows written straight through SQLite as the ceiling.
#
#   bench/lrs.sh --binary target/release/koshu [options]
#
# 1. A fresh data dir; the server starts on CPU 0 (taskset) with the demo; `koshu lrs
#    credential` makes the sample provider's LRS credential.
# 2. For each --batches size B: a file of batches of B statements, every id new (actor, verb,
#    an activity of a Koshu-unrelated LMS, a context registration), is posted by wrk -t1 -c N
#    for --duration seconds (one batch per request, each batch once). Reported: statements
#    kept (2xx × B), statements/s, statements per CPU-second of the server (utime+stime from
#    /proc/PID/stat: per core), p50/p99 of a request, errors; the rows the statements table
#    grew by are checked against the 2xx answers.
# 3. Ceiling: Python's sqlite3 writes the rows a statement makes (the statement, its agents
#    and activities) into a new file with the LRS tables' DDL copied from the server's
#    database, B statements a transaction, for as many statements as the fastest run kept.
#    ratio = server statements/s ÷ raw statements/s at the same batch.
#
# Options (defaults in brackets):
#   --binary PATH        koshu binary [target/release/koshu]
#   --port N             loopback port [18082]
#   --duration S         seconds per run [15]
#   --connections N      wrk connections [32]
#   --batches "LIST"     statements per request, one run each ["1 10 100"]
#   --wrk PATH           the load generator [wrk]
#
# Needs: taskset, curl, python3, wrk (apt-get install wrk). Traffic goes to 127.0.0.1 only.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BIN=target/release/koshu
PORT=18082
DURATION=15
CONNECTIONS=32
BATCHES="1 10 100"
WRK=wrk

die() { echo "lrs.sh: $*" >&2; exit 2; }
note() { echo "lrs.sh: $*" >&2; }
while [ $# -gt 0 ]; do
  [ $# -ge 2 ] || die "$1 needs a value (see the header of $0)"
  case "$1" in
    --binary) BIN=$2 ;;
    --port) PORT=$2 ;;
    --duration) DURATION=$2 ;;
    --connections) CONNECTIONS=$2 ;;
    --batches) BATCHES=$2 ;;
    --wrk) WRK=$2 ;;
    *) die "unknown option $1 (see the header of $0)" ;;
  esac
  shift 2
done
for n in "$PORT" "$DURATION" "$CONNECTIONS" $BATCHES; do
  [[ "$n" =~ ^[0-9]+$ ]] || die "not a whole number: $n"
done
[ -x "$BIN" ] || die "no executable koshu binary at $BIN (cargo build --release -p koshu)"
command -v taskset >/dev/null || die "taskset is missing (apt-get install util-linux)"
command -v "$WRK" >/dev/null || die "wrk is missing (apt-get install wrk)"
command -v python3 >/dev/null || die "python3 is missing"
[ "$(nproc --all)" -ge 2 ] || die "needs 2 CPUs: the server on CPU 0 and wrk on CPU 1"

BASE="http://127.0.0.1:$PORT"
if curl -s -o /dev/null -m 1 "$BASE/healthz"; then die "something already answers on $BASE; choose another --port"; fi
CLK_TCK=$(getconf CLK_TCK)
WORK=$(mktemp -d /tmp/koshu-lrs.XXXXXX)
DATA="$WORK/data"
DB="$DATA/koshu.db"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  note "server log and the databases in $WORK"
}
trap cleanup EXIT

mkdir -p "$DATA"
export KOSHU_PUBLIC_URL="$BASE"
taskset -c 0 "$BIN" --data-dir "$DATA" serve --demo --listen "127.0.0.1:$PORT" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 240); do curl -sf -o /dev/null "$BASE/readyz" && break; sleep 0.5; done
curl -sf -o /dev/null "$BASE/readyz" || die "the server did not become ready (see $WORK/server.log)"
"$BIN" --data-dir "$DATA" lrs credential --name bench >"$WORK/credential.txt"
KEY=$(awk '/^key:/ { print $2 }' "$WORK/credential.txt")
SECRET=$(awk '/^secret:/ { print $2 }' "$WORK/credential.txt")
AUTH=$(printf '%s:%s' "$KEY" "$SECRET" | base64 -w0)

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat"; }
rows() { python3 -c 'import sqlite3, sys; print(sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True).execute("SELECT count(*) FROM xapi_statements").fetchone()[0])' "$DB"; }

# Batches of B new statements, enough for the run at well beyond the rate seen here.
batches_file() {  # B COUNT FILE
  python3 - "$1" "$2" "$3" <<'EOF'
import json, sys, uuid
size, count, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
with open(path, "w") as out:
    for b in range(count):
        batch = []
        for s in range(size):
            n = b * size + s
            batch.append({
                "id": str(uuid.uuid4()),
                "actor": {"objectType": "Agent", "name": f"Learner {n % 5000}", "mbox": f"mailto:learner{n % 5000}@lms.example.jp"},
                "verb": {"id": "http://adlnet.gov/expapi/verbs/progressed", "display": {"en-US": "progressed"}},
                "object": {"objectType": "Activity", "id": f"https://lms.example.jp/course/{n % 40}/item/{n % 7}",
                           "definition": {"name": {"en-US": f"Item {n % 7}"}}},
                "result": {"duration": "PT30S", "extensions": {"https://lms.example.jp/x/progress": (n % 100) / 100}},
                "context": {"registration": str(uuid.UUID(int=n % 5000 + 1)),
                            "contextActivities": {"parent": [{"id": f"https://lms.example.jp/course/{n % 40}"}]}},
                "timestamp": "2026-12-04T10:00:00Z",
            })
        out.write(json.dumps(batch, separators=(",", ":")) + "\n")
EOF
}

echo "| statements a request | connections | statements kept | statements/s | per CPU-second | p50 ms | p99 ms | errors |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
BEST_RATE=0; BEST_BATCH=1; BEST_KEPT=0
declare -A RATE_OF
for B in $BATCHES; do
  count=$(( 60000 / B + 200 ))
  batches_file "$B" "$count" "$WORK/batches-$B.txt"
  before_rows=$(rows); before_cpu=$(cpu_ticks)
  out=$(taskset -c 1 timeout $((DURATION + 30)) "$WRK" -t1 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s \
    -s "$HERE/statements.lua" "$BASE" -- "$WORK/batches-$B.txt" "$AUTH" | tee "$WORK/wrk-$B.txt" | grep '^RESULT')
  after_cpu=$(cpu_ticks); after_rows=$(rows)
  eval "$(echo "$out" | sed 's/^RESULT //' | tr ' ' '\n' | sed 's/^/R_/')"
  ok=$(( R_requests - R_non2xx ))
  kept=$(( after_rows - before_rows ))
  # wrk stops counting with up to N requests in flight, which the server still commits.
  if [ "$kept" -lt $(( ok * B )) ] || [ "$kept" -gt $(( (ok + CONNECTIONS) * B )) ]; then
    note "batch $B: the table grew by $kept rows for $ok answers of $B"
  fi
  [ "$R_requests" -lt "$count" ] || note "batch $B: the run used every batch; later requests were repeats"
  cpu_s=$(awk -v t=$((after_cpu - before_cpu)) -v c="$CLK_TCK" 'BEGIN { printf "%.3f", t / c }')
  rate=$(awk -v k="$kept" -v d="$R_duration_us" 'BEGIN { printf "%.0f", k / (d / 1e6) }')
  per_cpu=$(awk -v k="$kept" -v c="$cpu_s" 'BEGIN { printf "%.0f", k / c }')
  RATE_OF[$B]=$rate
  printf "| %d | %d | %d | %s | %s | %.1f | %.1f | %d |\n" "$B" "$CONNECTIONS" "$kept" "$rate" "$per_cpu" \
    "$(awk -v u="$R_p50_us" 'BEGIN { print u / 1000 }')" "$(awk -v u="$R_p99_us" 'BEGIN { print u / 1000 }')" \
    $(( R_non2xx + R_socket_errors ))
  if [ "$rate" -gt "$BEST_RATE" ]; then BEST_RATE=$rate; BEST_BATCH=$B; BEST_KEPT=$kept; fi
done

kill -TERM "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""

# The ceiling: the same rows through Python's sqlite3, the server's DDL, B statements a commit.
echo
echo "| ceiling: raw SQLite, statements a commit | statements | statements/s | ratio (server ÷ raw) |"
echo "|---:|---:|---:|---:|"
for B in $BATCHES; do
  raw=$(taskset -c 0 python3 - "$DB" "$WORK/raw-$B.db" "$WORK/batches-$B.txt" "$B" "$BEST_KEPT" <<'EOF'
import json, sqlite3, sys, time
source, target, batches, size, limit = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
ddl = [s for (s,) in sqlite3.connect(f"file:{source}?mode=ro", uri=True).execute(
    "SELECT sql FROM sqlite_master WHERE tbl_name IN ('xapi_statements', 'xapi_statement_agents', "
    "'xapi_statement_activities') AND sql IS NOT NULL ORDER BY type DESC")]
con = sqlite3.connect(target, isolation_level=None)
con.execute("PRAGMA journal_mode=WAL"); con.execute("PRAGMA synchronous=NORMAL")
con.execute("PRAGMA foreign_keys=OFF")
for s in ddl:
    con.execute(s.replace("REFERENCES organisations (id)", ""))
lines = [json.loads(l) for l in open(batches)]
done, start = 0, time.perf_counter()
for batch in lines:
    if done >= limit:
        break
    con.execute("BEGIN")
    for s in batch:
        body = json.dumps(s)
        con.execute("INSERT INTO xapi_statements (organisation_id, id, stored_us, actor, verb, activity, registration, voids, target, voided, body) VALUES (?,?,?,?,?,?,?,NULL,NULL,0,?)",
                    ("org", s["id"], 1, "mbox:" + s["actor"]["mbox"], s["verb"]["id"], s["object"]["id"], s["context"]["registration"], body))
        con.execute("INSERT INTO xapi_statement_agents VALUES (?,?,?,1)", ("org", s["id"], "mbox:" + s["actor"]["mbox"]))
        for a, direct in ((s["object"]["id"], 1), (s["context"]["contextActivities"]["parent"][0]["id"], 0)):
            con.execute("INSERT INTO xapi_statement_activities VALUES (?,?,?,?)", ("org", s["id"], a, direct))
    con.execute("COMMIT")
    done += len(batch)
print(done, round(done / (time.perf_counter() - start)))
EOF
)
  n=${raw% *}; r=${raw#* }
  printf "| %d | %d | %d | %s |\n" "$B" "$n" "$r" "$(awk -v s="${RATE_OF[$B]}" -v r="$r" 'BEGIN { printf "%.2f", s / r }')"
done
