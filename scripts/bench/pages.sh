#!/usr/bin/env bash
# Public pages against an actix-web hello world returning the same bytes, SQLite and
# PostgreSQL, in one run: `bash scripts/bench/pages.sh` (ROUNDS=5 SECONDS_PER_RUN=4 by
# default). Installs wrk (Debian package), builds the release binaries, then runs
# scripts/bench/pages.py, which prints per page the medians, ranges and ratios.
set -euo pipefail
cd "$(dirname "$0")/../.."
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
if ! command -v wrk >/dev/null; then
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
pg_isready -q -h 127.0.0.1 -p 5432 || { echo "PostgreSQL is not reachable on 127.0.0.1:5432 (BACKENDS=sqlite to skip it)" >&2; exit 1; }
cargo build --release --locked --bin hirecast --example hello_bytes
exec python3 scripts/bench/pages.py
