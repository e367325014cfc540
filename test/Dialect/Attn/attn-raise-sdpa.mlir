// RUN: attn-opt %s --split-input-file --attn-raise-sdpa | FileCheck %s

// CHECK-LABEL: func @masked
// CHECK-SAME: (%[[Q:.+]]: tensor<2x8x128x64xf32>, %[[K:.+]]: tensor<2x2x256x64xf32>, %[[V:.+]]: tensor<2x2x256x32xf32>)
// CHECK-NEXT: %[[O:.+]] = attn.sdpa %[[Q]], %[[K]], %[[V]] scale 1.250000e-01 mask(#attn.window<left = 16, right = 0>) : tensor<2x8x128x64xf32>, tensor<2x2x256x64xf32>, tensor<2x2x256x32xf32> -> tensor<2x8x128x32xf32>
// CHECK-NEXT: return %[[O]]
func.func @masked(%q: tensor<2x8x128x64xf32>, %k: tensor<2x2x256x64xf32>, %v: tensor<2x2x256x32xf32>) -> tensor<2x8x128x32xf32> {
  %s = attn.scores %q, %k scale 0.125 : tensor<2x8x128x64xf32>, tensor<2x2x256x64xf32> -> tensor<2x8x128x256xf32>
  %m = attn.mask #attn.window<left = 16, right = 0> %s : tensor<2x8x128x256xf32>
  %p = attn.softmax %m : tensor<2x8x128x256xf32>
  %o = attn.apply %p, %v : tensor<2x8x128x256xf32>, tensor<2x2x256x32xf32> -> tensor<2x8x128x32xf32>
  return %o : tensor<2x8x128x32xf32>
}

// -----

// CHECK-LABEL: func @unmasked_default_scale
// CHECK-NEXT: %[[O:.+]] = attn.sdpa %{{.+}}, %{{.+}}, %{{.+}} : tensor<?x4x?x64xbf16>, tensor<?x4x?x64xbf16>, tensor<?x4x?x64xbf16> -> tensor<?x4x?x64xbf16>
// CHECK-NEXT: return %[[O]]
func.func @unmasked_default_scale(%q: tensor<?x4x?x64xbf16>, %k: tensor<?x4x?x64xbf16>, %v: tensor<?x4x?x64xbf16>) -> tensor<?x4x?x64xbf16> {
  %s = attn.scores %q, %k : tensor<?x4x?x64xbf16>, tensor<?x4x?x64xbf16> -> tensor<?x4x?x?xbf16>
  %p = attn.softmax %s : tensor<?x4x?x?xbf16>
  %o = attn.apply %p, %v : tensor<?x4x?x?xbf16>, tensor<?x4x?x64xbf16> -> tensor<?x4x?x64xbf16>
  return %o : tensor<?x4x?x64xbf16>
}

// -----

// The run-time tables of the mask move onto attn.sdpa.
// CHECK-LABEL: func @tables
// CHECK-SAME: %[[L:[a-z0-9]+]]: tensor<2x2xi8>
// CHECK: attn.sdpa {{.+}} mask(#attn.block_sparse<block_q = 64, block_k = 64>) tables(%[[L]] : tensor<2x2xi8>)
// CHECK-NOT: attn.softmax
func.func @tables(%q: tensor<1x1x128x32xf32>, %k: tensor<1x1x128x32xf32>, %v: tensor<1x1x128x32xf32>, %layout: tensor<2x2xi8>) -> tensor<1x1x128x32xf32> {
  %s = attn.scores %q, %k : tensor<1x1x128x32xf32>, tensor<1x1x128x32xf32> -> tensor<1x1x128x128xf32>
  %m = attn.mask #attn.block_sparse<block_q = 64, block_k = 64> %s tables(%layout : tensor<2x2xi8>) : tensor<1x1x128x128xf32>
  %p = attn.softmax %m : tensor<1x1x128x128xf32>
  %o = attn.apply %p, %v : tensor<1x1x128x128xf32>, tensor<1x1x128x32xf32> -> tensor<1x1x128x32xf32>
  return %o : tensor<1x1x128x32xf32>
}

// -----

// The scores are returned too: fusing would compute them twice.
// CHECK-LABEL: func @scores_escape
// CHECK-NOT: attn.sdpa
// CHECK: attn.apply
func.func @scores_escape(%q: tensor<1x1x16x8xf32>, %k: tensor<1x1x16x8xf32>, %v: tensor<1x1x16x8xf32>) -> (tensor<1x1x16x8xf32>, tensor<1x1x16x16xf32>) {
  %s = attn.scores %q, %k : tensor<1x1x16x8xf32>, tensor<1x1x16x8xf32> -> tensor<1x1x16x16xf32>
  %p = attn.softmax %s : tensor<1x1x16x16xf32>
  %o = attn.apply %p, %v : tensor<1x1x16x16xf32>, tensor<1x1x16x8xf32> -> tensor<1x1x16x8xf32>
  return %o, %s : tensor<1x1x16x8xf32>, tensor<1x1x16x16xf32>
}

// -----

// CHECK-LABEL: func @masked_escape
// CHECK-NOT: attn.sdpa
func.func @masked_escape(%q: tensor<1x1x16x8xf32>, %k: tensor<1x1x16x8xf32>, %v: tensor<1x1x16x8xf32>) -> (tensor<1x1x16x8xf32>, tensor<1x1x16x16xf32>) {
  %s = attn.scores %q, %k : tensor<1x1x16x8xf32>, tensor<1x1x16x8xf32> -> tensor<1x1x16x16xf32>
  %m = attn.mask #attn.causal %s : tensor<1x1x16x16xf32>
  %p = attn.softmax %m : tensor<1x1x16x16xf32>
  %o = attn.apply %p, %v : tensor<1x1x16x16xf32>, tensor<1x1x16x8xf32> -> tensor<1x1x16x8xf32>
  return %o, %m : tensor<1x1x16x8xf32>, tensor<1x1x16x16xf32>
}

// -----

// CHECK-LABEL: func @probs_escape
// CHECK-NOT: attn.sdpa
func.func @probs_escape(%q: tensor<1x1x16x8xf32>, %k: tensor<1x1x16x8xf32>, %v: tensor<1x1x16x8xf32>) -> (tensor<1x1x16x8xf32>, tensor<1x1x16x16xf32>) {
  %s = attn.scores %q, %k : tensor<1x1x16x8xf32>, tensor<1x1x16x8xf32> -> tensor<1x1x16x16xf32>
  %p = attn.softmax %s : tensor<1x1x16x16xf32>
  %o = attn.apply %p, %v : tensor<1x1x16x16xf32>, tensor<1x1x16x8xf32> -> tensor<1x1x16x8xf32>
  return %o, %p : tensor<1x1x16x8xf32>, tensor<1x1x16x16xf32>
}

// -----

// A zero-filling mask belongs to linear attention, not to a softmax.
// CHECK-LABEL: func @zero_fill
// CHECK-NOT: attn.sdpa
func.func @zero_fill(%q: tensor<1x1x16x8xf32>, %k: tensor<1x1x16x8xf32>, %v: tensor<1x1x16x8xf32>) -> tensor<1x1x16x8xf32> {
  %s = attn.scores %q, %k : tensor<1x1x16x8xf32>, tensor<1x1x16x8xf32> -> tensor<1x1x16x16xf32>
  %m = attn.mask #attn.causal %s fill zero : tensor<1x1x16x16xf32>
  %p = attn.softmax %m : tensor<1x1x16x16xf32>
  %o = attn.apply %p, %v : tensor<1x1x16x16xf32>, tensor<1x1x16x8xf32> -> tensor<1x1x16x8xf32>
  return %o : tensor<1x1x16x8xf32>
}

// -----

// Two attention graphs sharing Q: both fuse.
// CHECK-LABEL: func @two_graphs
// CHECK-COUNT-2: attn.sdpa
// CHECK-NOT: attn.scores
func.func @two_graphs(%q: tensor<1x1x16x8xf32>, %k: tensor<1x1x16x8xf32>, %v: tensor<1x1x16x8xf32>) -> (tensor<1x1x16x8xf32>, tensor<1x1x16x8xf32>) {
  %s = attn.scores %q, %k : tensor<1x1x16x8xf32>, tensor<1x1x16x8xf32> -> tensor<1x1x16x16xf32>
  %p = attn.softmax %s : tensor<1x1x16x16xf32>
  %o = attn.apply %p, %v : tensor<1x1x16x16xf32>, tensor<1x1x16x8xf32> -> tensor<1x1x16x8xf32>
  %s2 = attn.scores %q, %v scale 2.0 : tensor<1x1x16x8xf32>, tensor<1x1x16x8xf32> -> tensor<1x1x16x16xf32>
  %p2 = attn.softmax %s2 : tensor<1x1x16x16xf32>
  %o2 = attn.apply %p2, %k : tensor<1x1x16x16xf32>, tensor<1x1x16x8xf32> -> tensor<1x1x16x8xf32>
  return %o, %o2 : tensor<1x1x16x8xf32>, tensor<1x1x16x8xf32>
}

// -----

// f32 scores of bf16 inputs applied to f32 values: attn.sdpa cannot hold
// mixed element types.
// CHECK-LABEL: func @mixed_types
// CHECK-NOT: attn.sdpa
func.func @mixed_types(%q: tensor<1x1x16x8xbf16>, %k: tensor<1x1x16x8xbf16>, %v: tensor<1x1x16x8xf32>) -> tensor<1x1x16x8xf32> {
  %s = attn.scores %q, %k : tensor<1x1x16x8xbf16>, tensor<1x1x16x8xbf16> -> tensor<1x1x16x16xf32>
  %p = attn.softmax %s : tensor<1x1x16x16xf32>
  %o = attn.apply %p, %v : tensor<1x1x16x16xf32>, tensor<1x1x16x8xf32> -> tensor<1x1x16x8xf32>
  return %o : tensor<1x1x16x8xf32>
}
