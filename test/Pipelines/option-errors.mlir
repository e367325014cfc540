// Every pass and pipeline option is checked where it is parsed: a bad value
// is an error naming the option and what it accepts, the exit status is
// non-zero, and nothing is written. (Found by fuzzing attn-opt on
// 2026-12-02: the first three crashed inside upstream's NVVM target and
// NVPTX backend, format=bogus printed an error but exited 0 with an
// unparsable gpu.object.)

// RUN: not attn-opt %s --attn-to-nvvm-pipeline='chip="" wgmma=false' 2>&1 | FileCheck %s --check-prefix=EMPTYCHIP
// EMPTYCHIP: error: attn-to-nvvm-pipeline: chip='': expected sm_80 or sm_90a
// RUN: not attn-opt %s --attn-to-nvvm-pipeline='chip=bogus format=isa' 2>&1 | FileCheck %s --check-prefix=BOGUSCHIP
// BOGUSCHIP: error: attn-to-nvvm-pipeline: chip='bogus': expected sm_80 or sm_90a
// RUN: not attn-opt %s --attn-to-nvvm-pipeline='chip=sm_100a format=bin' 2>&1 | FileCheck %s --check-prefix=SM100
// SM100: error: attn-to-nvvm-pipeline: chip='sm_100a': expected sm_80 or sm_90a
// RUN: not attn-opt %s --attn-to-nvvm-pipeline='chip=sm_75' 2>&1 | FileCheck %s --check-prefix=SM75
// SM75: error: attn-to-nvvm-pipeline: chip='sm_75': expected sm_80 or sm_90a
// RUN: not attn-opt %s --attn-to-nvvm-pipeline='format=bogus' 2>&1 | FileCheck %s --check-prefix=FORMAT
// FORMAT: error: attn-to-nvvm-pipeline: format='bogus': expected isa, bin or fatbin
// FORMAT-NOT: gpu.binary
// A kernel's tiling is one #attn.gpu_schedule, checked by its verifier.
// RUN: not attn-opt %s --attn-to-nvvm-pipeline='schedule=bogus' 2>&1 | FileCheck %s --check-prefix=SCHEDULE
// SCHEDULE: bogus:1:1: error: expected attribute value
// SCHEDULE: error: attn-select-gpu-schedule: schedule='bogus': not a valid #attn.gpu_schedule (see the error before)
// RUN: not attn-opt %s --attn-to-nvvm-pipeline="schedule='#attn.gpu_schedule<mma = mma_sync, copy = cp_async, tile_q = 96, tile_kv = 64, kv_step = 64, warps = 4, producer_warps = 0, stages = 2>'" 2>&1 | FileCheck %s --check-prefix=TILEQ
// TILEQ: error: [gpu_schedule_c4] mma_sync: 1 to 8 warps of 16 or 32 query rows each, got 4 warps for tile_q = 96
// RUN: not attn-opt %s --attn-to-nvvm-pipeline="schedule='#attn.gpu_schedule<mma = mma_sync, copy = cp_async, tile_q = 128, tile_kv = 64, kv_step = 48, warps = 4, producer_warps = 0, stages = 2>'" 2>&1 | FileCheck %s --check-prefix=STEP
// STEP: error: [gpu_schedule_c2] kv_step (48) must divide tile_kv (64)
// RUN: not attn-opt %s --attn-to-nvvm-pipeline='schedule="4 : i64"' 2>&1 | FileCheck %s --check-prefix=INTEGER
// INTEGER: error: attn-select-gpu-schedule: schedule='4 : i64': expected an #attn.gpu_schedule, got 4 : i64
// RUN: not attn-opt %s --attn-to-nvvm-pipeline='tile-q=64' 2>&1 | FileCheck %s --check-prefix=NOTANOPTION
// NOTANOPTION: no such option tile-q

// The passes behind the pipelines check the same options.
// RUN: not attn-opt %s --attn-select-gpu-schedule='chip=sm_70' 2>&1 | FileCheck %s --check-prefix=SELECTCHIP
// SELECTCHIP: error: attn-select-gpu-schedule: chip='sm_70': expected sm_80 or sm_90a
// RUN: not attn-opt %s --convert-attn-to-gpu='module=' 2>&1 | FileCheck %s --check-prefix=GPUMODULE
// GPUMODULE: error: convert-attn-to-gpu: module='': expected the name of a gpu.module

// CPU.
// RUN: not attn-opt %s --attn-to-cpu-pipeline='rows-per-task=40' 2>&1 | FileCheck %s --check-prefix=ROWS
// ROWS: error: attn-to-cpu-pipeline: rows-per-task=40: expected 1, 2, 4 or 8 (the decode kernel), or 16, 32, 48, 64, 80, 96 or 192
// RUN: not attn-opt %s --convert-attn-to-cpu='rows-per-task=0' 2>&1 | FileCheck %s --check-prefix=CPUROWS
// CPUROWS: error: convert-attn-to-cpu: rows-per-task=0: expected 1, 2, 4 or 8 (the decode kernel), or 16, 32, 48, 64, 80, 96 or 192
// RUN: not attn-opt %s --attn-to-cpu-pipeline='rows-per-task=32 tile-kv=12' 2>&1 | FileCheck %s --check-prefix=CPUKV
// CPUKV: error: attn-to-cpu-pipeline: tile-kv=12: expected a multiple of 8 (the register block of rows-per-task=32) up to 512
// RUN: not attn-opt %s --convert-attn-to-cpu='tile-kv=1000000' 2>&1 | FileCheck %s --check-prefix=CPUBIGKV
// CPUBIGKV: error: convert-attn-to-cpu: tile-kv=1000000: expected a multiple of 4 (the register block of rows-per-task=192) up to 512

// The portable flash form.
// RUN: not attn-opt %s --attn-tile-flash='tile-kv=0' 2>&1 | FileCheck %s --check-prefix=FLASHKV
// FLASHKV: error: attn-tile-flash: tile-kv=0: expected 1 to 65536
// RUN: not attn-opt %s --attn-flash-to-llvm='tile-q=-1' 2>&1 | FileCheck %s --check-prefix=FLASHQ
// FLASHQ: error: attn-flash-to-llvm: tile-q=-1: expected 1 to 65536
// RUN: not attn-opt %s --attn-flash-to-llvm='tile-q=100000' 2>&1 | FileCheck %s --check-prefix=FLASHBIG
// FLASHBIG: error: attn-flash-to-llvm: tile-q=100000: expected 1 to 65536
// RUN: not attn-opt %s --attn-reference-to-llvm='tile-q=1' 2>&1 | FileCheck %s --check-prefix=REFERENCE
// REFERENCE: no such option tile-q

// Good options still run.
// RUN: attn-opt %s --attn-to-nvvm-pipeline="chip=sm_90a schedule='#attn.gpu_schedule<mma = mma_sync, copy = cp_async, tile_q = 64, tile_kv = 32, kv_step = 32, warps = 4, producer_warps = 0, stages = 1>'" | FileCheck %s --check-prefix=GOOD
// GOOD: gpu.binary @attn_kernels

func.func @causal_d64(%q: tensor<?x?x?x64xbf16>, %k: tensor<?x?x?x64xbf16>, %v: tensor<?x?x?x64xbf16>) -> tensor<?x?x?x64xbf16> {
  %o = attn.sdpa %q, %k, %v mask(#attn.causal) : tensor<?x?x?x64xbf16>, tensor<?x?x?x64xbf16>, tensor<?x?x?x64xbf16> -> tensor<?x?x?x64xbf16>
  return %o : tensor<?x?x?x64xbf16>
}
