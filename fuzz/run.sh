#!/usr/bin/env bash
# Longer fuzzing runs of the decoders (tests/fuzz.rs) with fresh seeds, until a time limit.
# Release build with overflow checks on (as in debug), so arithmetic overflows are found.
# Every panic is saved under tests/fuzz-crashers/<target>/ (commit it: the tests replay it).
# Usage: bash fuzz/run.sh [seconds=300] [inputs-per-target-per-round=200000]
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f .cache/toolchain.env ] && source .cache/toolchain.env
SECONDS_LIMIT=${1:-300}
ITERS=${2:-200000}
export CARGO_PROFILE_RELEASE_OVERFLOW_CHECKS=true CARGO_PROFILE_RELEASE_DEBUG_ASSERTIONS=true
cargo test --release -p aisle --test fuzz --no-run >/dev/null 2>&1
end=$(( $(date +%s) + SECONDS_LIMIT ))
rounds=0
while [ "$(date +%s)" -lt "$end" ]; do
  seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
  echo "fuzz: round $((rounds + 1)), seed $seed, $ITERS inputs per target"
  if ! AISLE_FUZZ_SEED=$seed AISLE_FUZZ_ITERS=$ITERS cargo test --release -p aisle --test fuzz -- --nocapture 2>&1 \
      | grep -E '^fuzz |panicked|test result'; then
    echo "fuzz: the test run failed" >&2; exit 1
  fi
  if [ -n "$(git status --porcelain tests/fuzz-crashers)" ]; then
    echo "fuzz: new crashers under tests/fuzz-crashers/ (seed $seed)" >&2
    git status --porcelain tests/fuzz-crashers >&2
    exit 1
  fi
  rounds=$((rounds + 1))
done
echo "fuzz: $rounds round(s) of $ITERS inputs per target, no crasher"
