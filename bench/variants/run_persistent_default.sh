#!/usr/bin/env bash
# Committed kernels with a persistent causal d = 128 (i32 pair walk): check, sanitize, time against the previous ones.
set -o pipefail
GPU_BOX_BUILD_ONLY=1 scripts/gpu-box.sh $OUT/box > $OUT/build.log 2>&1 || { tail -30 $OUT/build.log; exit 1; }
export PYTHONPATH=$PWD/build-gpu/site
nvidia-smi --query-gpu=name --format=csv,noheader
BASE=kernels-generated/nvidia/attn_gpu_kernels.json; OLD=${OLD:-.devcarry/old/attn_gpu_kernels.json}  # the kernels of main (git show main:kernels-generated/nvidia/...)
timeout 60 python3 bench/gpu_check.py --manifest $BASE --quick --out $OUT/check.json > $OUT/check.log 2>&1; echo "check committed (quick) rc=$? $(tail -1 $OUT/check.log)"
grep -v " ok \|^PASS" $OUT/check.log | grep -v "^#" | head -5
timeout 100 python3 bench/gpu_bench.py --manifest $BASE --baseline $OLD --dims 128 --no-flex --rounds 5 --out $OUT/bench.json > $OUT/bench.log 2>&1; echo "bench rc=$?"; grep -E "^\||ceiling" $OUT/bench.log | cut -c1-220
GPU_BOX_SKIP_CHECK=1 GPU_BOX_SKIP_BENCH=1 GPU_BOX_SKIP_PYTEST=1 GPU_BOX_SKIP_RUNTIME=1 GPU_BOX_SANITIZER_TIMEOUT=45 GPU_BOX_SANITIZERS="memcheck racecheck synccheck" timeout 150 scripts/gpu-box.sh $OUT/box2 > $OUT/san.log 2>&1; echo "sanitizers rc=$?"; grep -iE "error summary|hazard|sanitizer|FAIL|PASS" $OUT/san.log | tail -8
