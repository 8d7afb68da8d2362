#!/usr/bin/env bash
# schemathesis against /api/v1/openapi.json: the built binary on a fresh SQLite data dir, an
# admin and an API token with every scope; checks that no request gets a 5xx and that every
# response matches the document. Bounded: a few examples per operation, 5 minutes at most.
# Usage: scripts/schemathesis.sh [path/to/hirecast]   (default: $CARGO_TARGET_DIR or target, debug)
set -euo pipefail
cd "$(dirname "$0")/.."

BIN="${1:-${CARGO_TARGET_DIR:-$PWD/target}/debug/hirecast}"
[ -x "$BIN" ] || { echo "no hirecast binary at $BIN: build first (cargo build)" >&2; exit 1; }

VENV="$PWD/tests/peers/schemathesis/.venv"
if [ ! -x "$VENV/bin/schemathesis" ] || [ tests/peers/schemathesis/requirements.txt -nt "$VENV/bin/schemathesis" ]; then
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r tests/peers/schemathesis/requirements.txt
  touch "$VENV/bin/schemathesis"
fi

DIR="$(mktemp -d)"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
BASE="http://127.0.0.1:$PORT"
export DATABASE_URL="sqlite://$DIR/hirecast.db" HIRECAST_DATA_DIR="$DIR/data" HIRECAST_BIND="127.0.0.1:$PORT" \
  HIRECAST_BASE_URL="$BASE" HIRECAST_LOG="warn" HIRECAST_RUN_WORKERS="false"
PASSWORD="schemathesis-password-$RANDOM$RANDOM"
SERVER=""
cleanup() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null; rm -rf "$DIR"; }
trap cleanup EXIT

"$BIN" migrate >/dev/null
printf '%s\n' "$PASSWORD" | "$BIN" user add --email admin@example.org --role admin --name Admin --password-stdin >/dev/null
"$BIN" serve >"$DIR/stdout.log" 2>"$DIR/stderr.log" &
SERVER=$!
for _ in $(seq 1 100); do curl -fs "$BASE/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fs "$BASE/readyz" >/dev/null || { cat "$DIR/stderr.log" >&2; echo "hirecast did not start" >&2; exit 1; }

# Sign in and create a token with every scope through the settings form, as a person would.
JAR="$DIR/cookies"
curl -fs -o /dev/null -c "$JAR" --data-urlencode "email=admin@example.org" --data-urlencode "password=$PASSWORD" \
  --data-urlencode "next=/app" "$BASE/login"
SCOPES=()
for s in openings:read openings:write candidates:read candidates:write channels:read channels:write; do SCOPES+=(--data-urlencode "scope=$s"); done
TOKEN="$(curl -fs -b "$JAR" --data-urlencode "name=schemathesis" "${SCOPES[@]}" "$BASE/app/settings/tokens" \
  | sed -n 's/.*id="token-secret" value="\(hc_[^"]*\)".*/\1/p' | head -n1)"
[ -n "$TOKEN" ] || { echo "could not create an API token" >&2; exit 1; }

# A real opening, so the /openings/{id}/... operations reach their logic instead of a 404.
OPENING_ID="$(curl -fs -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" \
  -d '{"title": "Rust developer", "company": "Acme", "country": "FR", "city": "Lyon", "remote_policy": "hybrid",
       "employment_type": "permanent", "language": "en", "required_skills": ["Rust"]}' \
  "$BASE/api/v1/openings" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')"
cat >"$DIR/schemathesis.toml" <<TOML
[[operations]]
include-path-regex = "^/api/v1/openings/[{]id[}]"
parameters = { "path.id" = "$OPENING_ID" }
TOML

timeout 300 "$VENV/bin/schemathesis" --config-file "$DIR/schemathesis.toml" run "$BASE/api/v1/openapi.json" \
  --url "$BASE" \
  --header "Authorization: Bearer $TOKEN" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --phases examples,coverage,fuzzing \
  --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-15}" \
  --request-timeout 10 \
  --suppress-health-check all \
  --no-color
