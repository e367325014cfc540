#!/usr/bin/env bash
# Runs every attn test (the lit suite, check-attn) and prints a closing line
# "N passed, M failed". Expects scripts/setup.sh to have run.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${ATTN_BUILD_DIR:-$root/build}"

log="$(mktemp)"
cmake --build "$build" --target check-attn 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

passed=$(sed -n 's/^ *Passed *: *\([0-9]*\).*/\1/p' "$log" | tail -1)
failed=$(sed -n 's/^ *Failed *: *\([0-9]*\).*/\1/p' "$log" | tail -1)
rm -f "$log"
echo "${passed:-0} passed, ${failed:-0} failed"
if [[ $status -ne 0 || -z "$passed" || "$passed" -eq 0 ]]; then
  exit 1
fi
