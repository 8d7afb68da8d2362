#!/usr/bin/env bash
# Every page at an agency's size, SQLite and PostgreSQL: `bash scripts/bench/scale.sh`
# (SCALE=1000000 candidates by default; BACKENDS=sqlite or postgres for one; WORK=dir keeps
# the SQLite database there and reuses it; PAGES=a,b measures only those). Installs wrk
# (Debian package), builds the release binary, then runs scripts/bench/scale.py, which fills a
# fresh database with `hirecast demo --scale`, prints each page's p99 and serve's peak RSS, and
# times the daily purge.
set -euo pipefail
cd "$(dirname "$0")/../.."
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
if ! command -v wrk >/dev/null; then
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
case "${BACKENDS:-sqlite,postgres}" in
  *postgres*) pg_isready -q -h 127.0.0.1 -p 5432 || { echo "PostgreSQL is not reachable on 127.0.0.1:5432 (BACKENDS=sqlite to skip it)" >&2; exit 1; } ;;
esac
cargo build --release --locked --bin hirecast
exec python3 scripts/bench/scale.py
