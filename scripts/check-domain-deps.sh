#!/usr/bin/env bash
# The domain crate stays pure: no runtime, database, HTTP, file-system or network crate may
# appear anywhere in its dependency tree (normal and build dependencies).
set -euo pipefail
forbidden='^(tokio|async-std|smol|mio|sqlx|sqlx-[a-z]+|libsqlite3-sys|postgres|tokio-postgres|axum|axum-core|hyper|hyper-util|h2|reqwest|tower|tower-http|object_store|socket2|rustls|native-tls|openssl|tracing-subscriber|walkdir|tempfile|ureq|curl)$'
tree=$(cargo tree -p koshu-domain -e normal,build --prefix none --format '{p}' | awk '{print $1}' | sort -u)
bad=$(grep -E "$forbidden" <<<"$tree" || true)
if [ -n "$bad" ]; then
  echo "koshu-domain must not depend on I/O crates; found:" >&2
  echo "$bad" >&2
  exit 1
fi
echo "domain dependency check: OK ($(wc -l <<<"$tree") crates, none doing I/O)"
