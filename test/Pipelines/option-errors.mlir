// Every pass and pipeline option is checked where it is parsed: a bad value
// is an error naming the option and what it accepts, the exit status is
// non-zero, and nothing is written. (Found by fuzzing attn-opt on
// 2026-12-02: the first three crashed inside upstream's NVVM target and
// NVPTX backend, format=bogus printed an error but exited 0 with an
// unparsable gpu.object.)

// RUN: not attn-opt %s --attn-to-nvvm-pipeline='chip="" tile-q=0 warps=4' 2>&1 | FileCheck %s --check-prefix=EMPTYCHIP
// EMPTYCHIP: error: attn-to-nvvm-pipeline: chip='': expected sm_80 or sm_90a
// RUN: not attn-opt %s --attn-to-nvvm-pipeline='chip=bogus format=isa' 2>&1 | FileCheck %s --check-prefix=BOGUSCHIP
// BOGUSCHIP: error: attn-to-nvvm-pipeline: chip='bogus': expected sm_80 or sm_90a
// RUN: not attn-opt %s --attn-to-nvvm-pipeline='chip=sm_100a tile-q=64 tile-kv=16' 2>&1 | FileCheck %s --check-prefix=SM100
// SM100: error: attn-to-nvvm-pipeline: chip='sm_100a': expected sm_80 or sm_90a
// RUN: not attn-opt %s --attn-to-nvvm-pipeline='chip=sm_75' 2>&1 | FileCheck %s --check-prefix=SM75
// SM75: error: attn-to-nvvm-pipeline: chip='sm_75': expected sm_80 or sm_90a
// RUN: not attn-opt %s --attn-to-nvvm-pipeline='format=bogus' 2>&1 | FileCheck %s --check-prefix=FORMAT
// FORMAT: error: attn-to-nvvm-pipeline: format='bogus': expected isa, bin or fatbin
// FORMAT-NOT: gpu.binary
// RUN: not attn-opt %s --attn-to-nvvm-pipeline='warps=0' 2>&1 | FileCheck %s --check-prefix=WARPS
// WARPS: error: attn-to-nvvm-pipeline: warps=0: expected 1 to 8 warps per CTA
// RUN: not attn-opt %s --attn-to-nvvm-pipeline='tile-q=96' 2>&1 | FileCheck %s --check-prefix=TILEQ
// TILEQ: error: attn-to-nvvm-pipeline: tile-q=96: expected 16 or 32 query rows per warp (64 or 128 with warps=4), or 0 (chosen by head dim)
// RUN: not attn-opt %s --attn-to-nvvm-pipeline='tile-kv=40' 2>&1 | FileCheck %s --check-prefix=TILEKV
// TILEKV: error: attn-to-nvvm-pipeline: tile-kv=40: expected a multiple of 16 from 16 to 128, or 0 (chosen by head dim)
// RUN: not attn-opt %s --attn-to-nvvm-pipeline='tile-kv=64 kv-step=48' 2>&1 | FileCheck %s --check-prefix=STEP
// STEP: error: attn-to-nvvm-pipeline: kv-step=48: expected a multiple of 16 up to 128 that divides tile-kv (64), or 0
// RUN: not attn-opt %s --attn-to-nvvm-pipeline='stages=3' 2>&1 | FileCheck %s --check-prefix=STAGES
// STAGES: error: attn-to-nvvm-pipeline: stages=3: expected 1 or 2 K/V tiles in flight
// RUN: not attn-opt %s --attn-to-nvvm-pipeline='stages=1 tile-kv=64 kv-step=32' 2>&1 | FileCheck %s --check-prefix=ONESTAGE
// ONESTAGE: error: attn-to-nvvm-pipeline: kv-step=32: one K/V stage (stages=1) expects kv-step = tile-kv (64), or 0
// RUN: not attn-opt %s --attn-to-nvvm-pipeline='tile-q=abc' 2>&1 | FileCheck %s --check-prefix=NOTANUMBER
// NOTANUMBER: 'abc' value invalid

// The passes behind the pipelines check the same options.
// RUN: not attn-opt %s --convert-attn-to-gpu='warps=9' 2>&1 | FileCheck %s --check-prefix=GPUWARPS
// GPUWARPS: error: convert-attn-to-gpu: warps=9: expected 1 to 8 warps per CTA
// RUN: not attn-opt %s --convert-attn-to-gpu='tile-q=-32' 2>&1 | FileCheck %s --check-prefix=GPUTILEQ
// GPUTILEQ: error: convert-attn-to-gpu: tile-q=-32: expected 16 or 32 query rows per warp
// RUN: not attn-opt %s --convert-attn-to-gpu='module=' 2>&1 | FileCheck %s --check-prefix=GPUMODULE
// GPUMODULE: error: convert-attn-to-gpu: module='': expected the name of a gpu.module

// CPU.
// RUN: not attn-opt %s --attn-to-cpu-pipeline='rows-per-task=40' 2>&1 | FileCheck %s --check-prefix=ROWS
// ROWS: error: attn-to-cpu-pipeline: rows-per-task=40: expected 32, 48, 64, 80, 96 or 192
// RUN: not attn-opt %s --convert-attn-to-cpu='rows-per-task=0' 2>&1 | FileCheck %s --check-prefix=CPUROWS
// CPUROWS: error: convert-attn-to-cpu: rows-per-task=0: expected 32, 48, 64, 80, 96 or 192
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
// RUN: attn-opt %s --attn-to-nvvm-pipeline='chip=sm_90a stages=1 tile-kv=32' | FileCheck %s --check-prefix=GOOD
// GOOD: gpu.binary @attn_kernels

func.func @causal_d64(%q: tensor<?x?x?x64xbf16>, %k: tensor<?x?x?x64xbf16>, %v: tensor<?x?x?x64xbf16>) -> tensor<?x?x?x64xbf16> {
  %o = attn.sdpa %q, %k, %v mask(#attn.causal) : tensor<?x?x?x64xbf16>, tensor<?x?x?x64xbf16>, tensor<?x?x?x64xbf16> -> tensor<?x?x?x64xbf16>
  return %o : tensor<?x?x?x64xbf16>
}
