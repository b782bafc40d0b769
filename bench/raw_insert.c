/* The ceiling of bench/heartbeats.sh: the server's heartbeat rows written straight through
 * SQLite's C API, with nothing around them.
 *
 *   raw_insert DB TICKETS ROWS BATCH [CACHE_SIZE]
 *
 * DB holds the heartbeats table and its index (heartbeats.sh copies their DDL from the server's
 * database into a fresh file). Rows are (session, account, now in microseconds), session and
 * account taken from the tickets file in order, round robin, as the load generator sends them.
 * Written as the server writes them (crates/store/src/delivery.rs insert_heartbeats and
 * crates/workflow/src/heartbeats.rs): one BEGIN IMMEDIATE ... COMMIT per batch of BATCH rows,
 * inside it one multi-row INSERT per 300 rows (prepared once per row count and reused), and the
 * server's pragmas (WAL, synchronous NORMAL, foreign keys on, default page cache; CACHE_SIZE, when
 * given, is set as PRAGMA cache_size, e.g. -262144 for 256 MiB, to see what a larger cache does).
 *
 * Prints one line: RAW rows=... commits=... batch=... wall_us=... cpu_us=... sqlite=...
 *
 * Built by heartbeats.sh with gcc against the SQLite amalgamation that the server links
 * (libsqlite3-sys's bundled copy, same version) when it is in the cargo registry, else against
 * the system's libsqlite3.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CHUNK 300

static void die(sqlite3 *db, const char *what) {
  fprintf(stderr, "raw_insert: %s: %s\n", what, db ? sqlite3_errmsg(db) : "");
  exit(2);
}

static long long now_us(clockid_t clock) {
  struct timespec t;
  clock_gettime(clock, &t);
  return (long long)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static void exec(sqlite3 *db, const char *sql) {
  if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) die(db, sql);
}

int main(int argc, char **argv) {
  if (argc != 5 && argc != 6) {
    fprintf(stderr, "usage: raw_insert DB TICKETS ROWS BATCH [CACHE_SIZE]\n");
    return 2;
  }
  long long total = atoll(argv[3]);
  long batch = atol(argv[4]);
  if (total <= 0 || batch <= 0) die(NULL, "ROWS and BATCH must be positive");

  /* session and account of each ticket ("session.account.expires.mac") */
  FILE *f = fopen(argv[2], "r");
  if (!f) die(NULL, "cannot open the tickets file");
  size_t cap = 1024, n = 0;
  char **sessions = malloc(cap * sizeof *sessions), **accounts = malloc(cap * sizeof *accounts);
  char line[1024];
  while (fgets(line, sizeof line, f)) {
    char *dot1 = strchr(line, '.');
    char *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
    if (!dot2) continue;
    if (n == cap) {
      cap *= 2;
      sessions = realloc(sessions, cap * sizeof *sessions);
      accounts = realloc(accounts, cap * sizeof *accounts);
    }
    sessions[n] = strndup(line, (size_t)(dot1 - line));
    accounts[n] = strndup(dot1 + 1, (size_t)(dot2 - dot1 - 1));
    n++;
  }
  fclose(f);
  if (n == 0) die(NULL, "no tickets");

  sqlite3 *db;
  if (sqlite3_open(argv[1], &db) != SQLITE_OK) die(db, "open");
  sqlite3_busy_timeout(db, 10000);
  exec(db, "PRAGMA journal_mode = WAL");
  exec(db, "PRAGMA synchronous = NORMAL");
  exec(db, "PRAGMA foreign_keys = ON");
  if (argc == 6) {
    char pragma[64];
    snprintf(pragma, sizeof pragma, "PRAGMA cache_size = %lld", atoll(argv[5]));
    exec(db, pragma);
  }

  /* one prepared statement per row count, as a statement cache keyed by SQL text would hold */
  sqlite3_stmt *stmts[CHUNK + 1] = {0};
  char *sql = malloc(CHUNK * 40 + 100);
  sqlite3_stmt *begin, *commit;
  if (sqlite3_prepare_v2(db, "BEGIN IMMEDIATE", -1, &begin, NULL) != SQLITE_OK) die(db, "begin");
  if (sqlite3_prepare_v2(db, "COMMIT", -1, &commit, NULL) != SQLITE_OK) die(db, "commit");

  long long written = 0, commits = 0;
  long long wall0 = now_us(CLOCK_MONOTONIC), cpu0 = now_us(CLOCK_PROCESS_CPUTIME_ID);
  while (written < total) {
    long long size = total - written < batch ? total - written : batch;
    if (sqlite3_step(begin) != SQLITE_DONE) die(db, "BEGIN");
    sqlite3_reset(begin);
    for (long long done = 0; done < size;) {
      int rows = size - done < CHUNK ? (int)(size - done) : CHUNK;
      sqlite3_stmt *s = stmts[rows];
      if (!s) {
        char *p = sql + sprintf(sql, "INSERT INTO heartbeats (session_id, account_id, at_us) VALUES ");
        for (int i = 0; i < rows; i++)
          p += sprintf(p, "%s($%d, $%d, $%d)", i ? "," : "", i * 3 + 1, i * 3 + 2, i * 3 + 3);
        if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK)
          die(db, "prepare");
        stmts[rows] = s;
      }
      for (int i = 0; i < rows; i++) {
        size_t k = (size_t)((written + done + i) % (long long)n);
        sqlite3_bind_text(s, i * 3 + 1, sessions[k], -1, SQLITE_STATIC);
        sqlite3_bind_text(s, i * 3 + 2, accounts[k], -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, i * 3 + 3, now_us(CLOCK_REALTIME));
      }
      if (sqlite3_step(s) != SQLITE_DONE) die(db, "INSERT");
      sqlite3_reset(s);
      done += rows;
    }
    if (sqlite3_step(commit) != SQLITE_DONE) die(db, "COMMIT");
    sqlite3_reset(commit);
    written += size;
    commits++;
  }
  long long wall = now_us(CLOCK_MONOTONIC) - wall0, cpu = now_us(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
  printf("RAW rows=%lld commits=%lld batch=%ld wall_us=%lld cpu_us=%lld sqlite=%s\n", written,
         commits, batch, wall, cpu, sqlite3_libversion());
  for (int i = 0; i <= CHUNK; i++) sqlite3_finalize(stmts[i]);
  sqlite3_finalize(begin);
  sqlite3_finalize(commit);
  sqlite3_close(db);
  return 0;
}
