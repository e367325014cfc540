#!/usr/bin/env bash
# Runs every attn test and prints a closing line per part:
#   1. the lit suite (check-attn) on build/;
#   2. the same suite on the sanitizer build (scripts/test-sanitized.sh:
#      ASan + UBSan, build-san/);
#   3. the Python package's tests (python/tests, pytest, in .venv/ that
#      scripts/setup-python.sh makes: PyTorch for the CPU) on the CPU kernels;
#      the CUDA ones skip here and run on the GPU machine (scripts/gpu-box.sh);
#   4. a bounded fuzzing run (scripts/fuzz.sh, ATTN_FUZZ_SECONDS, default
#      120 s; libFuzzer seed ATTN_FUZZ_SEED, default 1) of attn-fuzz under the
#      same sanitizers, from the seeds alone (a corpus of earlier local runs
#      is left alone), so that every run walks the same inputs, as far as
#      its two minutes reach.
# Expects scripts/setup.sh to have run (parts 2 and 4 set up build-san/, part
# 3 .venv/, themselves). ATTN_TEST_QUICK=1 runs part 1 only. Fails if any part fails.
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
[[ "${ATTN_TEST_QUICK:-0}" == 1 ]] && exit 0

echo "=== the lit suite under AddressSanitizer + UndefinedBehaviorSanitizer"
"$root/scripts/test-sanitized.sh" || exit 1
echo "=== the Python package (python/tests)"
"$root/scripts/setup-python.sh" || exit 1
(cd "$root" && ATTN_KERNELGEN="$build/bin/attn-kernelgen" \
  "${ATTN_VENV:-$root/.venv}/bin/python" -m pytest -q -rs -p no:cacheprovider python/tests) || exit 1
echo "=== fuzzing"
ATTN_FUZZ_FRESH=1 ATTN_FUZZ_SEED="${ATTN_FUZZ_SEED:-1}" "$root/scripts/fuzz.sh" "${ATTN_FUZZ_SECONDS:-120}" || exit 1
