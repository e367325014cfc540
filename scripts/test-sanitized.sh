#!/usr/bin/env bash
# Runs the whole lit suite (check-attn) on the sanitizer build: attn's
# tools, runtime, examples and test programs built with AddressSanitizer and
# UndefinedBehaviorSanitizer (scripts/setup.sh --sanitize, build-san/), so
# that any out-of-bounds access, use after free, leak or undefined behaviour
# in them fails its test. Every test runs but Numerics/memory.mlir (ASan
# changes the resident memory it measures). Prints "N passed, M failed".
#
# Environment: ATTN_SAN_BUILD_DIR (default: build-san).
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${ATTN_SAN_BUILD_DIR:-$root/build-san}"
"$root/scripts/setup.sh" --sanitize || exit 1

log="$(mktemp)"
cmake --build "$build" --target check-attn 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
passed=$(sed -n 's/^ *Passed *: *\([0-9]*\).*/\1/p' "$log" | tail -1)
failed=$(sed -n 's/^ *Failed *: *\([0-9]*\).*/\1/p' "$log" | tail -1)
unsupported=$(sed -n 's/^ *Unsupported *: *\([0-9]*\).*/\1/p' "$log" | tail -1)
rm -f "$log"
echo "sanitized: ${passed:-0} passed, ${failed:-0} failed, ${unsupported:-0} unsupported"
[[ $status -eq 0 && -n "$passed" && "$passed" -gt 0 ]]
