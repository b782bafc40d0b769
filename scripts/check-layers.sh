#!/usr/bin/env bash
# The layers of CONTRIBUTING.md: arrows point down only.
#   domain   : nothing doing I/O anywhere in its tree (runtime, database, HTTP, files, network)
#   store, search, forms, workflow : never the web layer or an HTTP framework, in their trees
#   workflow : writes through the store's unit of work, never SQL of its own
#   web      : no SQL driver; a handler that writes calls a use case, never a unit of work
set -euo pipefail
cd "$(dirname "$0")/.."
fail=0

tree_of() { # the crates in a package's tree (normal and build dependencies)
  cargo tree -p "$1" -e normal,build --prefix none --format '{p}' | awk '{print $1}' | sort -u
}
direct_of() { # a package's direct dependencies
  cargo tree -p "$1" -e normal,build --depth 1 --prefix none --format '{p}' | awk 'NR > 1 {print $1}' | sort -u
}
refuse() { # refuse PACKAGE WHAT LIST PATTERN
  local bad
  bad=$(grep -E "$4" <<<"$3" || true)
  if [ -n "$bad" ]; then
    echo "$1 must not depend on $2; found: $(tr '\n' ' ' <<<"$bad")" >&2
    fail=1
  fi
}

io='^(tokio|async-std|smol|mio|sqlx|sqlx-[a-z]+|libsqlite3-sys|postgres|tokio-postgres|axum|axum-core|hyper|hyper-util|h2|reqwest|tower|tower-http|object_store|socket2|rustls|native-tls|openssl|tracing-subscriber|walkdir|tempfile|ureq|curl)$'
domain=$(tree_of koshu-domain)
refuse koshu-domain "I/O crates" "$domain" "$io"

# Credentials are computation: no database, files or network (keys and time are parameters).
# tokio is allowed only as sophia_jsonld brings it (its blocking parse, which Koshu never calls).
refuse koshu-credentials "I/O crates" "$(tree_of koshu-credentials | grep -vx tokio)" "$io"

for pkg in koshu-store koshu-search koshu-forms koshu-workflow koshu-credentials; do
  refuse "$pkg" "the web layer" "$(tree_of "$pkg")" '^(koshu-web|koshu|axum|axum-core|askama)$'
done
refuse koshu-workflow "a SQL driver (it writes through the store)" "$(direct_of koshu-workflow)" '^(sqlx|sqlx-[a-z]+)$'
refuse koshu-web "a SQL driver" "$(direct_of koshu-web)" '^(sqlx|sqlx-[a-z]+)$'

# Handlers write only through use cases: no unit of work is opened in the web layer.
if grep -rnE '\.write\(\)\.await|UnitOfWork' crates/web/src; then
  echo "crates/web opens units of work: a handler that writes calls a use case of koshu-workflow" >&2
  fail=1
fi

[ "$fail" = 0 ] || exit 1
echo "layers: OK (domain: $(wc -l <<<"$domain") crates, none doing I/O; store, search, forms and workflow below web; no SQL in workflow or web)"
