// RUN: attn-opt %s --split-input-file --attn-split-kv=splits=3 | FileCheck %s
// RUN: attn-opt %s --split-input-file --attn-split-kv=splits=1 | FileCheck %s --check-prefix=ONE
// RUN: attn-opt %s --split-input-file --attn-split-kv=splits=3 | attn-opt --split-input-file --attn-split-kv=splits=3 | FileCheck %s --check-prefix=AGAIN
// RUN: not attn-opt %s --split-input-file --attn-split-kv=splits=0 2>&1 | FileCheck %s --check-prefix=BAD

// Three parts, each with the op's mask, score mod and tables, one kv_split
// each and an LSE, merged; the op's own LSE comes from the merge.
// CHECK-LABEL: func.func @with_lse
// CHECK: %[[O0:.+]], %[[L0:.+]] = attn.sdpa %arg0, %arg1, %arg2 scale 5.000000e-01 mask(#attn.causal) score_mod(#attn.softcap<cap = 2.000000e+01>) kv_split [0, 3] : {{.*}} -> tensor<2x8x16x64xbf16>, tensor<2x8x16xf32>
// CHECK: %[[O1:.+]], %[[L1:.+]] = attn.sdpa {{.*}} kv_split [1, 3]
// CHECK: %[[O2:.+]], %[[L2:.+]] = attn.sdpa {{.*}} kv_split [2, 3]
// CHECK: %[[O:.+]], %[[L:.+]] = attn.merge %[[O0]], %[[O1]], %[[O2]] lse(%[[L0]], %[[L1]], %[[L2]])
// CHECK: return %[[O]], %[[L]]
// ONE-LABEL: func.func @with_lse
// ONE-NOT: kv_split
// ONE-NOT: attn.merge
// AGAIN-LABEL: func.func @with_lse
// AGAIN-COUNT-3: kv_split
// AGAIN-NOT: kv_split
// AGAIN: attn.merge
// AGAIN-NOT: kv_split
// AGAIN-LABEL: func.func @tables
// BAD: attn-split-kv: splits=0: expected 1 to 1024
func.func @with_lse(%q: tensor<2x8x16x64xbf16>, %k: tensor<2x2x40x64xbf16>, %v: tensor<2x2x40x64xbf16>) -> (tensor<2x8x16x64xbf16>, tensor<2x8x16xf32>) {
  %o, %lse = attn.sdpa %q, %k, %v scale 0.5 mask(#attn.causal) score_mod(#attn.softcap<cap = 20.0>) : tensor<2x8x16x64xbf16>, tensor<2x2x40x64xbf16>, tensor<2x2x40x64xbf16> -> tensor<2x8x16x64xbf16>, tensor<2x8x16xf32>
  return %o, %lse : tensor<2x8x16x64xbf16>, tensor<2x8x16xf32>
}

// -----

// Without an LSE result the merge's LSE goes unused; tables travel to every
// part.
// CHECK-LABEL: func.func @tables
// CHECK-COUNT-3: attn.sdpa {{.*}} mask(#attn.block_sparse<block_q = 4, block_k = 4>) kv_split [{{[0-2]}}, 3] tables(%arg1 : tensor<?x?xi8>)
// CHECK: %[[O:.+]], %{{.+}} = attn.merge
// CHECK: return %[[O]]
func.func @tables(%q: tensor<?x?x?x32xf32>, %t: tensor<?x?xi8>) -> tensor<?x?x?x32xf32> {
  %o = attn.sdpa %q, %q, %q mask(#attn.block_sparse<block_q = 4, block_k = 4>) tables(%t : tensor<?x?xi8>) : tensor<?x?x?x32xf32>, tensor<?x?x?x32xf32>, tensor<?x?x?x32xf32> -> tensor<?x?x?x32xf32>
  return %o : tensor<?x?x?x32xf32>
}
