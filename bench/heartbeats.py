#!/usr/bin/env python3
"""Helpers of bench/heartbeats.sh (the heartbeat ingestion benchmark). Standard library only.

  setup   Drives a running `koshu serve` through its own pages, as a provider would: signs up,
          verifies the address (the token from the outbox table), signs in, registers an
          organisation, creates a listing with one session (today and tomorrow, Japan time),
          publishes it and saves a delivery plan with two whole-day blocks. Then reads the
          delivery's code_secret from the database and writes one heartbeat ticket per simulated
          learner (koshu_domain::delivery::ticket's format), checks that the server takes the
          first one (204) and writes setup.json next to the tickets.
  rate    Open-loop load at a fixed rate (the 2,000/s run): request i is due at start + i/rate
          and its latency is counted from when it was due (no coordinated omission), over a few
          keep-alive connections, each request a different ticket (round robin). Prints JSON.
  raw     The ceiling in Python: the same rows into a fresh copy of the heartbeats table (same
          DDL, same pragmas as the server), executemany in one transaction per batch. Prints
          JSON. (bench/raw_insert.c is the compiled ceiling; this one is a cross-check.)
  count   Rows in the heartbeats table of a database.

Tickets are `{session_id}.{account_id}.{expires_unix}.{hex(HMAC-SHA256(code_secret,
"beat|{session_id}|{account_id}|{expires_unix}"))}`; a ticket may name any account id, so the
learners are ids only (`01900000-0000-7000-8000-{n:012d}`), not accounts.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import hashlib
import hmac
import json
import re
import sqlite3
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

JST = dt.timezone(dt.timedelta(hours=9))
PASSWORD = "correct horse battery staple"
CORPORATE_NUMBER = "5010001008846"  # a valid check digit (the stories' number)


# ---------------------------------------------------------------------------------------------
# setup


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: D102
        return None


class Browser:
    """Cookies by hand (the server's may be Secure; this is loopback http), no redirects."""

    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")
        self.cookies: dict[str, str] = {}
        self.opener = urllib.request.build_opener(NoRedirect)
        self.csrf = ""

    def request(self, method: str, path: str, fields=None) -> tuple[int, dict, str]:
        data = None
        headers = {"Accept": "text/html"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST":
            headers["Sec-Fetch-Site"] = "same-origin"
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            data = urllib.parse.urlencode([("csrf", self.csrf)] + list(fields or [])).encode()
        req = urllib.request.Request(self.base + path, data=data, headers=headers, method=method)
        try:
            res = self.opener.open(req, timeout=60)
        except urllib.error.HTTPError as e:  # 3xx (not followed) and errors
            res = e
        with res:
            body = res.read().decode("utf-8", "replace")
            for c in res.headers.get_all("Set-Cookie") or []:
                name, _, rest = c.partition("=")
                value = rest.split(";", 1)[0]
                if "Max-Age=0" in c or not value:
                    self.cookies.pop(name.strip(), None)
                else:
                    self.cookies[name.strip()] = value
            found = re.search(r'name="csrf" value="([^"]+)"', body)
            if found:
                self.csrf = found.group(1)
            return res.status, dict(res.headers.items()), body

    def get(self, path: str) -> tuple[int, dict, str]:
        return self.request("GET", path)

    def post(self, path: str, fields, want: int = 303) -> tuple[int, dict, str]:
        status, headers, body = self.request("POST", path, fields)
        if status != want:
            text = re.sub(r"<[^>]+>", " ", body)
            text = re.sub(r"\s+", " ", text)[:1500]
            sys.exit(f"heartbeats.py setup: POST {path} answered {status}, wanted {want}: {text}")
        return status, headers, body


def location(headers: dict) -> str:
    return headers.get("Location") or headers.get("location") or ""


def verification_token(db: Path, email: str) -> str:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
        for (body,) in con.execute(
            "SELECT body FROM outbox WHERE to_address = ? ORDER BY created_at DESC", (email,)
        ):
            found = re.search(r"/verify-email\?token=([0-9a-f]{64})", body)
            if found:
                return found.group(1)
    sys.exit(f"heartbeats.py setup: no verification mail to {email} in {db}")


def ticket(secret: bytes, session_id: str, account_id: str, expires: int) -> str:
    message = f"beat|{session_id}|{account_id}|{expires}".encode()
    mac = hmac.new(secret, message, hashlib.sha256).hexdigest()
    return f"{session_id}.{account_id}.{expires}.{mac}"


def account_id(n: int) -> str:
    return f"01900000-0000-7000-8000-{n:012d}"


def setup(args: argparse.Namespace) -> None:
    db = Path(args.data_dir) / "koshu.db"
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    today = dt.datetime.now(JST).date()
    tomorrow = today + dt.timedelta(days=1)
    week_ago, yesterday = today - dt.timedelta(days=7), today - dt.timedelta(days=1)
    email = "bench-provider@example.jp"

    b = Browser(args.base)
    b.get("/signup")
    b.post("/signup", [("display_name", "負荷 試験"), ("email", email), ("password", PASSWORD)],
           want=200)
    token = verification_token(db, email)
    status, _, _ = b.get(f"/verify-email?token={token}")
    if status != 200:
        sys.exit(f"heartbeats.py setup: /verify-email answered {status}")
    b.get("/login")
    b.post("/login", [("email", email), ("password", PASSWORD)])
    b.get("/organisations/new")
    organisation = [
        ("name_ja", "株式会社負荷試験"),
        ("address", "東京都千代田区霞が関1-3-1"),
        ("representative", "代表取締役 山田太郎"),
        ("course_manager_name", "佐藤花子"),
        ("course_manager_email", "sato@example.jp"),
        ("enrolment_admin_name", "鈴木一郎"),
        ("enrolment_admin_email", "suzuki@example.jp"),
        ("inquiry_name", "研修事務局"),
        ("inquiry_email", "info@example.jp"),
        ("complaints_name", "お客様相談室"),
        ("complaints_phone", "03-1234-5678"),
        ("privacy_kind", "privacy_mark"),
        ("privacy_number", "10820001(05)"),
        ("privacy_valid_until", (today + dt.timedelta(days=365)).isoformat()),
        ("corporate_number", CORPORATE_NUMBER),
    ]
    _, headers, _ = b.post("/organisations/new", organisation)
    org = location(headers).split("?")[0].rstrip("/").rsplit("/", 1)[-1]
    programme_form = [
        ("title_ja", "在席記録の負荷試験"),
        ("summary_ja", "標的型攻撃の初動対応を、模擬環境での演習で身につけます。"),
        ("purpose_ja", "インシデントの初動を自組織で判断できるようになる。"),
        ("goals_ja", "初動の手順を説明できる\n関係者への報告を書ける"),
        ("layers", "practitioner"),
        ("layers", "strategic"),
        ("audiences", "sme"),
        ("itss_fields", "sec_monitoring"),
        ("syllabus_items", "3-1、3-8"),
        ("kind", "security_technology"),
        ("difficulty", "beginner"),
        ("format", "in_person"),
        ("language", "ja"),
        ("duration_ja", "2日（各日終日）"),
        ("total_hours", "12"),
        ("fee_type", "fixed"),
        ("fee_yen", "¥33,000"),
        ("inquiry_ja", "研修事務局 info@example.jp"),
    ]
    _, headers, _ = b.post(f"/organisations/{org}/programmes", programme_form)
    manage = location(headers).split("?")[0]
    programme = manage.rstrip("/").rsplit("/", 1)[-1]
    session_form = [
        ("starts_on", today.isoformat()),
        ("ends_on", tomorrow.isoformat()),
        ("prefecture", "13"),
        ("city", "千代田区"),
        ("venue", "霞が関研修室"),
        ("capacity", "30"),
        ("seats_left", "12"),
        ("application_deadline", yesterday.isoformat()),
        ("note_ja", ""),
    ]
    b.post(f"{manage}/sessions/new", session_form)
    session = f"{programme}-001"
    b.post(f"/organisations/{org}/programmes/{programme}/publish?revision=2", [])
    plan_form = [
        ("timetable", f"{today} 00:00-23:59 負荷試験 1日目\n{tomorrow} 00:00-23:59 負荷試験 2日目"),
        ("venue", "霞が関研修室（東京都千代田区）"),
        ("online_room", "https://meet.example.jp/r/bench"),
        ("capacity", str(args.learners)),
        ("opens_on", week_ago.isoformat()),
        ("closes_on", yesterday.isoformat()),
        ("fee", "33,000"),
        ("audience", "public"),
        ("gap_minutes", "5"),
        ("late_grace_minutes", "5"),
        ("early_leave_grace_minutes", "5"),
        ("min_presence_percent", "90"),
        ("offer_hours", "48"),
        ("revision", "0"),
    ]
    b.get(f"/organisations/{org}/sessions/{session}/delivery")
    b.post(f"/organisations/{org}/sessions/{session}/delivery", plan_form)

    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
        row = con.execute(
            "SELECT code_secret FROM deliveries WHERE session_id = ?", (session,)
        ).fetchone()
    if row is None:
        sys.exit(f"heartbeats.py setup: no delivery of {session} in {db}")
    secret = row[0].encode("utf-8")
    # The ticket's expiry is the end of the last block (the server's `ticket`): tomorrow 23:59 JST.
    expires = int(dt.datetime.combine(tomorrow, dt.time(23, 59), JST).timestamp())
    tickets = [ticket(secret, session, account_id(n), expires) for n in range(1, args.learners + 1)]
    (out / "tickets.txt").write_text("\n".join(tickets) + "\n")

    first = urllib.request.Request(args.base.rstrip("/") + "/heartbeat", data=tickets[0].encode(),
                                   headers={"Content-Type": "text/plain"}, method="POST")
    try:
        with urllib.request.urlopen(first, timeout=30) as res:
            status = res.status
    except urllib.error.HTTPError as e:
        status = e.code
    if status != 204:
        sys.exit(f"heartbeats.py setup: POST /heartbeat with the first ticket answered {status}")
    (out / "setup.json").write_text(json.dumps({
        "organisation": org, "programme": programme, "session": session,
        "learners": args.learners, "expires": expires,
        "expires_jst": dt.datetime.fromtimestamp(expires, JST).isoformat(),
    }, ensure_ascii=False, indent=1) + "\n")
    print(f"heartbeats.py setup: session {session}, {len(tickets)} tickets valid until "
          f"{dt.datetime.fromtimestamp(expires, JST):%Y-%m-%d %H:%M} JST", file=sys.stderr)


# ---------------------------------------------------------------------------------------------
# rate (open loop)


async def rate(args: argparse.Namespace) -> None:
    tickets = [t for t in Path(args.tickets).read_text().splitlines() if t]
    url = urllib.parse.urlsplit(args.url)
    host, port = url.hostname or "127.0.0.1", url.port or 80
    path = url.path or "/heartbeat"
    requests = [
        (f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: text/plain\r\n"
         f"Content-Length: {len(t)}\r\n\r\n{t}").encode()
        for t in tickets
    ]
    total = int(args.rate * args.duration)
    interval = 1.0 / args.rate
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    errors: dict[str, int] = {}
    queue: asyncio.Queue[tuple[int, float]] = asyncio.Queue()
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.2

    async def pace() -> None:
        for i in range(total):
            due = start + i * interval
            delay = due - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            queue.put_nowait((i, due))
        for _ in range(args.connections):
            queue.put_nowait((-1, 0.0))

    async def read_response(reader: asyncio.StreamReader) -> str:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = lines[0].split(" ")[1]
        length = 0
        for line in lines[1:]:
            if line.lower().startswith("content-length:"):
                length = int(line.split(":", 1)[1])
        if length:
            await reader.readexactly(length)
        return status

    async def connection() -> None:
        reader = writer = None
        while True:
            i, due = await queue.get()
            if i < 0:
                break
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection(host, port)
                writer.write(requests[i % len(requests)])
                status = await asyncio.wait_for(read_response(reader), args.timeout)
                latencies.append(loop.time() - due)
                statuses[status] = statuses.get(status, 0) + 1
            except Exception as e:  # noqa: BLE001 (counted, the run goes on)
                errors[type(e).__name__] = errors.get(type(e).__name__, 0) + 1
                if writer is not None:
                    writer.close()
                reader = writer = None
        if writer is not None:
            writer.close()

    await asyncio.gather(pace(), *(connection() for _ in range(args.connections)))
    wall = loop.time() - start  # from the first beat's due time
    latencies.sort()

    def pct(p: float) -> float:
        if not latencies:
            return 0.0
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000

    print(json.dumps({
        "requests": total, "answered": len(latencies), "wall_s": wall,
        "requests_per_s": len(latencies) / wall if wall else 0,
        "p50_ms": pct(50), "p90_ms": pct(90), "p99_ms": pct(99), "p999_ms": pct(99.9),
        "max_ms": latencies[-1] * 1000 if latencies else 0,
        "status": statuses, "errors": errors,
    }))


# ---------------------------------------------------------------------------------------------
# raw (Python ceiling) and count


def raw(args: argparse.Namespace) -> None:
    rows = []
    for t in Path(args.tickets).read_text().splitlines():
        if t:
            session, account = t.split(".")[:2]
            rows.append((session, account))
    con = sqlite3.connect(args.db, isolation_level=None)
    con.execute("PRAGMA journal_mode = WAL")
    con.execute("PRAGMA synchronous = NORMAL")
    con.execute("PRAGMA foreign_keys = ON")
    sql = "INSERT INTO heartbeats (session_id, account_id, at_us) VALUES (?, ?, ?)"
    written = commits = 0
    n = len(rows)
    cpu0, t0 = time.process_time(), time.perf_counter()
    while written < args.rows:
        size = min(args.batch, args.rows - written)
        now = time.time_ns() // 1000
        batch = [(*rows[(written + i) % n], now) for i in range(size)]
        con.execute("BEGIN IMMEDIATE")
        con.executemany(sql, batch)
        con.execute("COMMIT")
        written += size
        commits += 1
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    con.close()
    print(json.dumps({"rows": written, "commits": commits, "batch": args.batch, "wall_s": wall,
                      "cpu_s": cpu, "rows_per_s": written / wall,
                      "sqlite": sqlite3.sqlite_version}))


def count(args: argparse.Namespace) -> None:
    with sqlite3.connect(f"file:{args.db}?mode=ro", uri=True, timeout=30) as con:
        print(con.execute("SELECT count(*) FROM heartbeats").fetchone()[0])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("setup")
    s.add_argument("--base", required=True, help="http://127.0.0.1:PORT")
    s.add_argument("--data-dir", required=True, help="the server's data dir (koshu.db in it)")
    s.add_argument("--out", required=True, help="where tickets.txt and setup.json go")
    s.add_argument("--learners", type=int, default=60_000)
    r = sub.add_parser("rate")
    r.add_argument("--url", required=True, help="http://127.0.0.1:PORT/heartbeat")
    r.add_argument("--tickets", required=True)
    r.add_argument("--rate", type=float, default=2000)
    r.add_argument("--duration", type=float, default=20)
    r.add_argument("--connections", type=int, default=64)
    r.add_argument("--timeout", type=float, default=10)
    w = sub.add_parser("raw")
    w.add_argument("--db", required=True, help="a database with the heartbeats table only")
    w.add_argument("--tickets", required=True)
    w.add_argument("--rows", type=int, required=True)
    w.add_argument("--batch", type=int, required=True)
    c = sub.add_parser("count")
    c.add_argument("--db", required=True)
    args = p.parse_args()
    if args.command == "setup":
        setup(args)
    elif args.command == "rate":
        asyncio.run(rate(args))
    elif args.command == "raw":
        raw(args)
    else:
        count(args)


if __name__ == "__main__":
    main()
