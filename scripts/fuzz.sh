#!/usr/bin/env bash
# Fuzzes attn's front end with libFuzzer (tools/attn-fuzz): parse → verify →
# an attn pass or pipeline with options, all from the input bytes, under
# AddressSanitizer and UndefinedBehaviorSanitizer.
#
#   scripts/fuzz.sh [SECONDS]      # default 120; CI runs the default
#
# Builds the sanitizer build (build-san/, see scripts/test-sanitized.sh) if
# needed, seeds it from every test input (tools/attn-fuzz/make-seeds.py) with
# the dictionary tools/attn-fuzz/attn.dict, and runs one fuzzing process for
# SECONDS. The corpus it grows stays in build-san/fuzz/corpus for the next
# run. Prints the executions and the crashes; a crash (or a sanitizer report,
# or an LLVM ERROR) is written to build-san/fuzz/artifacts/ and fails the
# run (the run before's move to artifacts.old/). Reproduce one with
#   build-san/bin/attn-fuzz build-san/fuzz/artifacts/crash-<hash>
# and turn it into a lit test (see test/Pipelines/option-errors.mlir).
#
# Environment: ATTN_SAN_BUILD_DIR (default: build-san), ATTN_FUZZ_FRESH=1
# (start from the seeds alone, in build-san/fuzz/fresh-corpus), ATTN_FUZZ_JOBS
# (parallel fuzzing processes, default 1), ATTN_FUZZ_SEED (libFuzzer's
# -seed; default 0, a fresh one; scripts/test.sh fixes it so that CI's run
# repeats the same inputs).
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${ATTN_SAN_BUILD_DIR:-$root/build-san}"
seconds="${1:-120}"
jobs="${ATTN_FUZZ_JOBS:-1}"

"$root/scripts/setup.sh" --sanitize || exit 1

work="$build/fuzz"
corpus="$work/corpus"
if [[ "${ATTN_FUZZ_FRESH:-0}" == 1 ]]; then   # from the seeds alone
  corpus="$work/fresh-corpus"
  rm -rf "$corpus"
fi
# The last run's findings move to artifacts.old/ (one run back is kept).
rm -rf "$work/seeds" "$work/artifacts.old"
[[ -d "$work/artifacts" ]] && mv "$work/artifacts" "$work/artifacts.old"
mkdir -p "$corpus" "$work/seeds" "$work/artifacts"
python3 "$root/tools/attn-fuzz/make-seeds.py" "$root/test" "$work/seeds" || exit 1

# libMLIR.so is not instrumented: no container-overflow annotations.
export ASAN_OPTIONS="detect_container_overflow=0:abort_on_error=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
log="$work/fuzz.log"
args=(-max_total_time="$seconds" -timeout=60 -rss_limit_mb=4096 -max_len=8192
      -dict="$root/tools/attn-fuzz/attn.dict" -artifact_prefix="$work/artifacts/"
      -print_final_stats=1 -seed="${ATTN_FUZZ_SEED:-0}")
echo "fuzz: attn-fuzz for ${seconds} s, seeds from test/ ($(ls "$work/seeds" | wc -l) inputs)"
if ((jobs > 1)); then
  args+=(-fork="$jobs" -ignore_crashes=0)
fi
# The targets' diagnostics are dropped, but option parsing prints to stderr:
# keep the log, show its summary.
"$build/bin/attn-fuzz" "${args[@]}" "$corpus" "$work/seeds" >"$log" 2>&1
status=$?

runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
[[ -z "$runs" ]] && runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | tail -1)
# Findings only: libFuzzer also saves slow (not failing) inputs there.
crashes=$(find "$work/artifacts" -type f \( -name 'crash-*' -o -name 'leak-*' \
          -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
inputs=$(ls "$corpus" | wc -l)
echo "fuzz: ${runs:-0} executions in ${seconds} s, corpus ${inputs} inputs, ${crashes} crash/timeout/oom artifacts"
if [[ $status -ne 0 || $crashes -ne 0 ]]; then
  echo "fuzz: FAILED (exit $status); the report:"
  grep -E -A40 'ERROR:|LLVM ERROR|deadly signal|Sanitizer|timeout|out-of-memory' "$log" | head -80
  ls "$work/artifacts"
  exit 1
fi
