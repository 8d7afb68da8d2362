#!/usr/bin/env bash
# The intake under a burst: BURST=10000 applications (RUNS=2 per backend) filed, scored and
# acknowledged to a real SMTP peer by `hirecast worker` on one core, SQLite and PostgreSQL:
# `bash scripts/bench/intake.sh`. Installs aiosmtpd (PyPI), builds the release binary, then
# runs scripts/bench/intake.py, which prints the time to the last acknowledgement and the rates.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY="$(command -v python3)"
"$PY" -c 'import aiosmtpd' 2>/dev/null || "$PY" -m pip install --quiet aiosmtpd 2>/dev/null || "$PY" -m pip install --quiet --break-system-packages aiosmtpd
pg_isready -q -h 127.0.0.1 -p 5432 || { echo "PostgreSQL is not reachable on 127.0.0.1:5432 (BACKENDS=sqlite to skip it)" >&2; exit 1; }
cargo build --release --locked --bin hirecast
exec "$PY" scripts/bench/intake.py
