// Special values in, what comes out (the README's "Numerics" states it):
// the reference lowering, the flash form and the vectorised CPU kernel each
// against the float64 evaluation of the same inputs, which must have NaN
// exactly where the compiled function has it.
// - A NaN or ±inf in a query row, or in the K row of a key the row sees,
//   makes that row's output and LSE NaN (inf − inf in the softmax); a key the
//   row does not see is never part of it (its score is replaced by −∞).
// - A NaN in V[j, c] makes column c NaN in every row that sees key j.
// - Logits of ±1e4 (inputs × 100) stay finite and close (1e-3: f32 rounding
//   of such scores, amplified by exp, allows no better).
// - Fully masked rows (causal with N_q > N_kv): output 0, LSE −∞.

// RUN: attn-opt %s --attn-reference-to-llvm | mlir-translate --mlir-to-llvmir -o %t.ll
// RUN: %compile-shared %t.ll -o %t.so
// RUN: attn-opt %s --attn-flash-to-llvm="tile-q=16 tile-kv=8" | mlir-translate --mlir-to-llvmir -o %t.flash.ll
// RUN: %compile-shared %t.flash.ll -o %t.flash.so
// RUN: attn-opt %s --attn-to-cpu-pipeline | mlir-translate --mlir-to-llvmir -o %t.cpu.ll
// RUN: %compile-shared -march=%host_march %t.cpu.ll -o %t.cpu.so

// RUN: attn-check %s --lib %t.so --func plain --shapes 2x4x37x32,2x2x53x32,2x2x53x32 --inject 0=nan | FileCheck %s --check-prefix=QNAN
// RUN: attn-check %s --lib %t.flash.so --func plain --shapes 2x4x37x32,2x2x53x32,2x2x53x32 --inject 0=nan | FileCheck %s --check-prefix=QNAN
// RUN: attn-check %s --lib %t.cpu.so --abi cpu-kernel --func plain --shapes 2x4x37x32,2x2x53x32,2x2x53x32 --inject 0=nan | FileCheck %s --check-prefix=QNAN
// QNAN: PASS @plain result #0 [2x4x37x32] {{.*}} nan=32 nan_mismatch=0
// QNAN: PASS @plain result #1 [2x4x37] {{.*}} nan=1 nan_mismatch=0

// RUN: attn-check %s --lib %t.so --func causal --shapes 2x4x37x32,2x2x37x32,2x2x37x32 --inject 1=nan | FileCheck %s --check-prefix=KNAN
// RUN: attn-check %s --lib %t.flash.so --func causal --shapes 2x4x37x32,2x2x37x32,2x2x37x32 --inject 1=nan | FileCheck %s --check-prefix=KNAN
// RUN: attn-check %s --lib %t.cpu.so --abi cpu-kernel --func causal --shapes 2x4x37x32,2x2x37x32,2x2x37x32 --inject 1=nan | FileCheck %s --check-prefix=KNAN
// KNAN: PASS @causal result #0 {{.*}} nan_mismatch=0
// KNAN: PASS @causal result #1 {{.*}} nan_mismatch=0

// RUN: attn-check %s --lib %t.so --func plain --shapes 2x4x37x32,2x2x53x32,2x2x53x32 --inject 2=nan | FileCheck %s --check-prefix=VNAN
// RUN: attn-check %s --lib %t.flash.so --func plain --shapes 2x4x37x32,2x2x53x32,2x2x53x32 --inject 2=nan | FileCheck %s --check-prefix=VNAN
// RUN: attn-check %s --lib %t.cpu.so --abi cpu-kernel --func plain --shapes 2x4x37x32,2x2x53x32,2x2x53x32 --inject 2=nan | FileCheck %s --check-prefix=VNAN
// VNAN: PASS @plain result #0 [2x4x37x32] {{.*}} nan=74 nan_mismatch=0
// VNAN: PASS @plain result #1 [2x4x37] {{.*}} nan=0 nan_mismatch=0

// RUN: attn-check %s --lib %t.so --func causal --shapes 2x4x37x32,2x2x37x32,2x2x37x32 --inject 0=inf,1=-inf | FileCheck %s --check-prefix=INF
// RUN: attn-check %s --lib %t.flash.so --func causal --shapes 2x4x37x32,2x2x37x32,2x2x37x32 --inject 0=inf,1=-inf | FileCheck %s --check-prefix=INF
// RUN: attn-check %s --lib %t.cpu.so --abi cpu-kernel --func causal --shapes 2x4x37x32,2x2x37x32,2x2x37x32 --inject 0=inf,1=-inf | FileCheck %s --check-prefix=INF
// INF: PASS @causal result #0 {{.*}} nan_mismatch=0 inf_mismatch=0
// INF: PASS @causal result #1 {{.*}} nan_mismatch=0 inf_mismatch=0

// RUN: attn-check %s --lib %t.so --func causal --shapes 2x4x37x32,2x2x53x32,2x2x53x32 --input-scale 100 --tol 1e-3 | FileCheck %s --check-prefix=BIG
// RUN: attn-check %s --lib %t.flash.so --func causal --shapes 2x4x37x32,2x2x53x32,2x2x53x32 --input-scale 100 --tol 1e-3 | FileCheck %s --check-prefix=BIG
// RUN: attn-check %s --lib %t.cpu.so --abi cpu-kernel --func causal --shapes 2x4x37x32,2x2x53x32,2x2x53x32 --input-scale 100 --tol 1e-3 | FileCheck %s --check-prefix=BIG
// BIG: PASS @causal result #0 {{.*}} nan=0 nan_mismatch=0 inf_mismatch=0
// BIG: PASS @causal result #1 {{.*}} nan=0 nan_mismatch=0 inf_mismatch=0

// RUN: attn-check %s --lib %t.so --func causal --shapes 1x2x50x32,1x1x20x32,1x1x20x32 | FileCheck %s --check-prefix=MASKED
// RUN: attn-check %s --lib %t.flash.so --func causal --shapes 1x2x50x32,1x1x20x32,1x1x20x32 | FileCheck %s --check-prefix=MASKED
// RUN: attn-check %s --lib %t.cpu.so --abi cpu-kernel --func causal --shapes 1x2x50x32,1x1x20x32,1x1x20x32 | FileCheck %s --check-prefix=MASKED
// MASKED: PASS @causal result #0 {{.*}} nan=0 nan_mismatch=0 inf_mismatch=0
// MASKED: PASS @causal result #1 {{.*}} nan=0 nan_mismatch=0 inf_mismatch=0

func.func @plain(%q: tensor<?x?x?x32xf32>, %k: tensor<?x?x?x32xf32>, %v: tensor<?x?x?x32xf32>) -> (tensor<?x?x?x32xf32>, tensor<?x?x?xf32>) attributes {llvm.emit_c_interface} {
  %o, %lse = attn.sdpa %q, %k, %v {lse} : tensor<?x?x?x32xf32>, tensor<?x?x?x32xf32>, tensor<?x?x?x32xf32> -> tensor<?x?x?x32xf32>, tensor<?x?x?xf32>
  return %o, %lse : tensor<?x?x?x32xf32>, tensor<?x?x?xf32>
}

func.func @causal(%q: tensor<?x?x?x32xf32>, %k: tensor<?x?x?x32xf32>, %v: tensor<?x?x?x32xf32>) -> (tensor<?x?x?x32xf32>, tensor<?x?x?xf32>) attributes {llvm.emit_c_interface} {
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.causal) {lse} : tensor<?x?x?x32xf32>, tensor<?x?x?x32xf32>, tensor<?x?x?x32xf32> -> tensor<?x?x?x32xf32>, tensor<?x?x?xf32>
  return %o, %lse : tensor<?x?x?x32xf32>, tensor<?x?x?xf32>
}
