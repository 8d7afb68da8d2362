#!/usr/bin/env bash
# Runs every fuzz target under libFuzzer for a bounded time (FUZZ_SECONDS each, 60 by
# default) and fails on the first crash, leak of a panic, timeout or memory blow-up. Built on
# the stable toolchain with coverage instrumentation (no sanitizer, so no nightly needed); the
# targets are in fuzz/fuzz_targets, seeded from tests/fixtures where that helps.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
SECONDS_EACH="${FUZZ_SECONDS:-60}"
TRIPLE="$(rustc -vV | sed -n 's/^host: //p')"
# --target keeps these flags off build scripts and proc macros.
export RUSTFLAGS="--cfg fuzzing -Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
 -Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
 -Cllvm-args=-sanitizer-coverage-trace-compares -Copt-level=1 -Cdebug-assertions -Coverflow-checks"
cargo build --locked --bins --target "$TRIPLE"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for t in extract cv_text compose harvest inputs; do
  mkdir -p "$work/$t"
  seeds=()
  [ "$t" = cv_text ] && seeds=(../tests/fixtures)
  echo "fuzzing $t for ${SECONDS_EACH}s"
  if ! "target/$TRIPLE/debug/$t" -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -timeout=20 \
      -artifact_prefix="$work/" "$work/$t" "${seeds[@]}" > "$work/$t.log" 2>&1; then
    tail -n 40 "$work/$t.log" >&2
    for f in "$work"/crash-* "$work"/timeout-* "$work"/oom-*; do
      [ -e "$f" ] && { echo "input that failed ($f), base64:" >&2; base64 -w0 "$f" >&2; echo >&2; }
    done
    echo "fuzz target $t failed: reproduce with fuzz/target/$TRIPLE/debug/$t <input>" >&2
    exit 1
  fi
  grep -E "^Done [0-9]+ runs" "$work/$t.log" || true
done
