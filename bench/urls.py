#!/usr/bin/env python3
"""Request lists for bench/load.sh, drawn from a generated catalogue (bench/generate.py).

Writes one path per line (for wrk's Lua script) and the same as full URLs on 127.0.0.1 (for
oha --urls-from-file) for each scenario:

  programme  PROGRAMME_PATH with {id} replaced by random generated programme ids
  search     SEARCH_PATH?q=<text>&field=<ITSS+ code>&prefecture=<JIS code>, each triple taken
             from one real programme (a word of its title, one of its fields, a prefecture of
             one of its sessions), so most queries have results
  api        API_PATH as given (default /api/v1/programmes?page=1)

Python 3.11+, standard library only; deterministic with --seed.
"""

from __future__ import annotations

import argparse
import random
import sys
import tomllib
from pathlib import Path
from urllib.parse import quote, urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import FIELD_TOPICS  # noqa: E402  (the generator's own topic words)


def search_queries(programmes: list[dict], rng: random.Random, count: int) -> list[dict]:
    out = []
    candidates = [p for p in programmes
                  if p.get("itss_fields") and any("prefecture" in s for s in p.get("session", []))]
    if not candidates:
        return out
    for _ in range(count):
        p = rng.choice(candidates)
        field = rng.choice(p["itss_fields"])
        text = p["title_ja"] + p["summary_ja"]
        words = [w for f in p["itss_fields"] for w in FIELD_TOPICS.get(f, []) if w in text]
        q = rng.choice(words) if words else rng.choice(FIELD_TOPICS[field])
        prefecture = rng.choice([s["prefecture"] for s in p["session"] if "prefecture" in s])
        out.append({"q": q, "field": field, "prefecture": prefecture})
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--catalogue", type=Path, required=True, help="directory with programmes.toml")
    ap.add_argument("--out", type=Path, required=True, help="directory for the lists")
    ap.add_argument("--base", default="http://127.0.0.1:18080", help="base URL for the oha lists")
    ap.add_argument("--programme-path", default="/programmes/{id}")
    ap.add_argument("--search-path", default="/search")
    ap.add_argument("--api-path", default="/api/v1/programmes?page=1")
    ap.add_argument("--count", type=int, default=2000, help="entries per list (default 2000)")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)

    host = args.base.split("://", 1)[-1].split("/", 1)[0].split(":")[0]
    if host not in ("127.0.0.1", "localhost", "[::1]"):
        ap.error("the benchmark only sends traffic to loopback (127.0.0.1)")
    with open(args.catalogue / "programmes.toml", "rb") as f:
        programmes = tomllib.load(f).get("programme", [])
    if not programmes:
        ap.error(f"no programmes in {args.catalogue / 'programmes.toml'}")
    rng = random.Random(args.seed)
    ids = [p["id"] for p in programmes]
    lists = {
        "programme": [args.programme_path.replace("{id}", rng.choice(ids)) for _ in range(args.count)],
        "search": [f"{args.search_path}?{urlencode(q, quote_via=quote)}"
                   for q in search_queries(programmes, rng, args.count)],
        "api": [args.api_path],
    }
    args.out.mkdir(parents=True, exist_ok=True)
    base = args.base.rstrip("/")
    for name, paths in lists.items():
        (args.out / f"{name}.paths").write_text("".join(p + "\n" for p in paths), encoding="utf-8")
        (args.out / f"{name}.urls").write_text("".join(base + p + "\n" for p in paths), encoding="utf-8")
    print(f"wrote {', '.join(f'{n} ({len(p)})' for n, p in lists.items())} to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
