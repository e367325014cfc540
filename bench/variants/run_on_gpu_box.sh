#!/usr/bin/env bash
# Run from the repo root on the GPU box, after: (cd bench/variants && python3 gen_schedules.py && for v in P v64_192 v64_192p v128_176p; do ../../build/bin/attn-kernelgen --quiet --target=nvidia --chip=sm_90a $v.mlir -o $v; done)
# Persistent wgmma kernels and tile variants vs the committed kernels, one run.
set -o pipefail
GPU_BOX_BUILD_ONLY=1 scripts/gpu-box.sh $OUT/box > $OUT/build.log 2>&1 || { tail -30 $OUT/build.log; exit 1; }
export PYTHONPATH=$PWD/build-gpu/site
nvidia-smi --query-gpu=name,clocks.max.sm --format=csv,noheader
E=bench/variants; BASE=kernels-generated/nvidia/attn_gpu_kernels.json
timeout 100 python3 bench/gpu_check.py --manifest $BASE --quick > $OUT/check_base.log 2>&1; echo "check base rc=$? $(tail -1 $OUT/check_base.log)"
grep -v " ok " $OUT/check_base.log | grep -v "^#" | head -5
for v in P v64_192 v64_192p v128_176p; do
  timeout 60 python3 bench/gpu_check.py --manifest $E/$v/$v.json --quick > $OUT/check_$v.log 2>&1; echo "check $v rc=$? $(tail -1 $OUT/check_$v.log)"
  grep -v " ok " $OUT/check_$v.log | grep -v "^#" | head -3; done
b() { timeout $4 python3 bench/gpu_bench.py --manifest $3 --baseline $BASE --dims $2 --quick --no-flex --rounds 5 --out $OUT/b_$1.json > $OUT/b_$1.log 2>&1; echo "bench $1 rc=$?"; grep -E "^\|" $OUT/b_$1.log | cut -c1-220; }
b P 64,128,256 180
b v64_192 64 60
b v64_192p 64 60
b v128_176p 128 60
