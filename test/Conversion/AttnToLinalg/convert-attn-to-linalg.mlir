// RUN: attn-opt %s --split-input-file --convert-attn-to-linalg | FileCheck %s

// Scores: a batched contraction over d (fifth loop), then the scale. Equal
// head counts need no GQA broadcast.
// CHECK-LABEL: func @scores
// CHECK-DAG: %[[SCALE:.+]] = arith.constant 1.250000e-01 : f32
// CHECK-NOT: tensor.extract
// CHECK: %[[ACC:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: linalg.generic
// CHECK: arith.mulf %{{.+}}, %[[SCALE]]
// CHECK-NOT: attn.
func.func @scores(%q: tensor<1x4x8x64xf32>, %k: tensor<1x4x16x64xf32>) -> tensor<1x4x8x16xf32> {
  %s = attn.scores %q, %k scale 0.125 : tensor<1x4x8x64xf32>, tensor<1x4x16x64xf32> -> tensor<1x4x8x16xf32>
  return %s : tensor<1x4x8x16xf32>
}

// -----

// GQA: key heads are repeated to the query heads (head h reads h / g).
// CHECK-LABEL: func @scores_gqa
// CHECK: %[[G:.+]] = arith.divui
// CHECK: linalg.generic
// CHECK: %[[H:.+]] = linalg.index 1
// CHECK: %[[HK:.+]] = arith.divui %[[H]], %[[G]]
// CHECK: tensor.extract %{{.+}}[%{{.+}}, %[[HK]], %{{.+}}, %{{.+}}]
func.func @scores_gqa(%q: tensor<1x8x8x64xf32>, %k: tensor<1x2x16x64xf32>) -> tensor<1x8x8x16xf32> {
  %s = attn.scores %q, %k : tensor<1x8x8x64xf32>, tensor<1x2x16x64xf32> -> tensor<1x8x8x16xf32>
  return %s : tensor<1x8x8x16xf32>
}

// -----

// A window mask compares the key index with the shifted query position.
// CHECK-LABEL: func @mask_window
// CHECK: %[[SHIFT:.+]] = arith.subi
// CHECK: linalg.generic
// CHECK: %[[I:.+]] = linalg.index 2
// CHECK: %[[J:.+]] = linalg.index 3
// CHECK: %[[POS:.+]] = arith.addi %[[I]], %[[SHIFT]]
// CHECK: arith.cmpi sge, %[[J]]
// CHECK: arith.cmpi sle, %[[J]]
// CHECK: %[[OK:.+]] = arith.andi
// CHECK: arith.select %[[OK]]
func.func @mask_window(%s: tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32> {
  %m = attn.mask #attn.window<left = 3, right = 1> %s : tensor<1x4x8x16xf32>
  return %m : tensor<1x4x8x16xf32>
}

// -----

// A block-sparse mask reads its run-time layout at (i / bq, j / bk).
// CHECK-LABEL: func @mask_block_sparse
// CHECK-SAME: %[[L:[a-z0-9]+]]: tensor<?x?xi8>
// CHECK: linalg.generic
// CHECK: %[[QB:.+]] = arith.divui %{{.+}}, %c16
// CHECK: %[[KB:.+]] = arith.divui %{{.+}}, %c32
// CHECK: %[[E:.+]] = tensor.extract %[[L]][%[[QB]], %[[KB]]]
// CHECK: arith.cmpi ne, %[[E]]
func.func @mask_block_sparse(%s: tensor<1x4x64x64xf32>, %layout: tensor<?x?xi8>) -> tensor<1x4x64x64xf32> {
  %m = attn.mask #attn.block_sparse<block_q = 16, block_k = 32> %s tables(%layout : tensor<?x?xi8>) : tensor<1x4x64x64xf32>
  return %m : tensor<1x4x64x64xf32>
}

// -----

// Document masks look up the key's document with a loop over offsets, then
// compare the query's position with that document's range.
// CHECK-LABEL: func @mask_document
// CHECK: linalg.generic
// CHECK: scf.for
// CHECK: tensor.extract
// CHECK: scf.yield
// CHECK: tensor.extract
// CHECK: tensor.extract
// CHECK: arith.cmpi sge
func.func @mask_document(%s: tensor<1x4x64x64xf32>, %offsets: tensor<4xi32>) -> tensor<1x4x64x64xf32> {
  %m = attn.mask #attn.intersect<[#attn.document, #attn.causal]> %s tables(%offsets : tensor<4xi32>) : tensor<1x4x64x64xf32>
  return %m : tensor<1x4x64x64xf32>
}

// -----

// Softmax: row max, guarded exp, row sum, guarded divide.
// CHECK-LABEL: func @softmax
// CHECK: linalg.generic {{.*}} ["parallel", "parallel", "parallel", "reduction"]
// CHECK: arith.maximumf
// CHECK: linalg.generic
// CHECK: arith.cmpf oeq
// CHECK: math.exp
// CHECK: arith.select
// CHECK: linalg.generic {{.*}} ["parallel", "parallel", "parallel", "reduction"]
// CHECK: arith.addf
// CHECK: linalg.generic
// CHECK: arith.divf
func.func @softmax(%s: tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32> {
  %p = attn.softmax %s : tensor<?x?x?x?xf32>
  return %p : tensor<?x?x?x?xf32>
}

// -----

// bf16 in, f32 arithmetic, bf16 out.
// CHECK-LABEL: func @sdpa_bf16_lse
// CHECK: arith.extf %{{.+}} : bf16 to f32
// CHECK: arith.truncf %{{.+}} : f32 to bf16
// CHECK: math.log
// CHECK: return %{{.+}}, %{{.+}} : tensor<1x2x8x32xbf16>, tensor<1x2x8xf32>
func.func @sdpa_bf16_lse(%q: tensor<1x2x8x32xbf16>, %k: tensor<1x2x9x32xbf16>, %v: tensor<1x2x9x32xbf16>) -> (tensor<1x2x8x32xbf16>, tensor<1x2x8xf32>) {
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.causal) : tensor<1x2x8x32xbf16>, tensor<1x2x9x32xbf16>, tensor<1x2x9x32xbf16> -> tensor<1x2x8x32xbf16>, tensor<1x2x8xf32>
  return %o, %lse : tensor<1x2x8x32xbf16>, tensor<1x2x8xf32>
}

// -----

// Dynamic head dim: the default scale 1/sqrt(d) is computed at run time.
// CHECK-LABEL: func @sdpa_dynamic
// CHECK: tensor.dim %{{.+}}, %c3
// CHECK: math.sqrt
// CHECK: arith.divf
func.func @sdpa_dynamic(%q: tensor<?x?x?x?xf32>, %k: tensor<?x?x?x?xf32>, %v: tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32> {
  %o = attn.sdpa %q, %k, %v : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>
  return %o : tensor<?x?x?x?xf32>
}

// -----

// Linear attention by its quadratic definition: φ, scores, causal zero fill,
// row normalisation with eps, apply.
// CHECK-LABEL: func @linear_causal
// CHECK: arith.cmpf ogt
// CHECK: math.exp
// CHECK: arith.cmpi sle
// CHECK: arith.select
// CHECK: arith.constant 9.99999997E-7 : f32
// CHECK-NOT: attn.
func.func @linear_causal(%q: tensor<1x2x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32> {
  %o = attn.linear elu_plus_one %q, %k, %v causal : tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32> -> tensor<1x2x8x16xf32>
  return %o : tensor<1x2x8x16xf32>
}

// -----

// FAVOR+: x·d^(-1/4), half squared norm, projection, exp, m^(-1/2).
// CHECK-LABEL: func @favor
// CHECK: math.sqrt
// CHECK: math.rsqrt
// CHECK: linalg.generic {{.*}} ["parallel", "parallel", "parallel", "parallel", "reduction"]
// CHECK: arith.subf
// CHECK: math.exp
// CHECK: return {{.*}} : tensor<1x2x8x32xf32>
func.func @favor(%x: tensor<1x2x8x16xf32>, %w: tensor<16x32xf32>) -> tensor<1x2x8x32xf32> {
  %f = attn.feature_map favor_plus %x, %w : tensor<1x2x8x16xf32>, tensor<16x32xf32> -> tensor<1x2x8x32xf32>
  return %f : tensor<1x2x8x32xf32>
}

// -----

// One online-softmax step: new max seeded with the old, guarded rescale α,
// guarded exp, l' = α·l + Σ P, acc' = α·acc + P·V.
// CHECK-LABEL: func @online_softmax
// CHECK-SAME: (%[[S:.+]]: tensor<?x?xf32>, %[[V:.+]]: tensor<?x32xbf16>, %[[ACC:.+]]: tensor<?x32xf32>, %[[M:.+]]: tensor<?xf32>, %[[L:.+]]: tensor<?xf32>)
// CHECK: %[[M2:.+]] = linalg.generic {{.*}} ins(%[[S]] : tensor<?x?xf32>) outs(%[[M]] : tensor<?xf32>)
// CHECK: arith.maximumf
// CHECK: %[[ALPHA:.+]] = linalg.generic {{.*}} ins(%[[M]], %[[M2]] : tensor<?xf32>, tensor<?xf32>)
// CHECK: math.exp
// CHECK: %[[P:.+]] = linalg.generic {{.*}} ins(%[[S]], %[[M2]] : tensor<?x?xf32>, tensor<?xf32>)
// CHECK: math.exp
// CHECK: linalg.generic {{.*}} ins(%[[L]], %[[ALPHA]] : tensor<?xf32>, tensor<?xf32>)
// CHECK: %[[L2:.+]] = linalg.generic {{.*}} ins(%[[P]] : tensor<?x?xf32>)
// CHECK: %[[ACCS:.+]] = linalg.generic {{.*}} ins(%[[ACC]], %[[ALPHA]] : tensor<?x32xf32>, tensor<?xf32>)
// CHECK: %[[ACC2:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[P]], %[[V]] : tensor<?x?xf32>, tensor<?x32xbf16>) outs(%[[ACCS]] : tensor<?x32xf32>)
// CHECK: arith.extf
// CHECK: return %[[ACC2]], %[[M2]], %[[L2]]
func.func @online_softmax(%s: tensor<?x?xf32>, %v: tensor<?x32xbf16>, %acc: tensor<?x32xf32>, %m: tensor<?xf32>, %l: tensor<?xf32>) -> (tensor<?x32xf32>, tensor<?xf32>, tensor<?xf32>) {
  %0:3 = attn.online_softmax %s, %v into (%acc, %m, %l) : tensor<?x?xf32>, tensor<?x32xbf16> -> tensor<?x32xf32>, tensor<?xf32>, tensor<?xf32>
  return %0#0, %0#1, %0#2 : tensor<?x32xf32>, tensor<?xf32>, tensor<?xf32>
}
