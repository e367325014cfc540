// RUN: attn-opt %s --split-input-file --attn-reassociate-linear=chunk-size=32 | FileCheck %s
// RUN: not attn-opt %s --attn-reassociate-linear=chunk-size=0 2>&1 | FileCheck %s --check-prefix=BADCHUNK

// BADCHUNK: attn-reassociate-linear: chunk-size=0: expected 1 to 65536

// Causal: one loop over key chunks per (batch, head); each chunk's queries
// read the state of the chunks before and their own keys below the
// diagonal, then the chunk joins the state.
// CHECK-LABEL: func @causal
// CHECK: scf.forall (%[[B:.+]], %[[H:.+]]) in
// CHECK: %[[GROUP:.+]] = arith.divui
// CHECK: scf.for %[[KS:.+]] = %c0 to %{{.+}} step %c32 iter_args(%[[S:.+]] = %{{.+}}, %[[Z:.+]] = %{{.+}}, %[[O:.+]] = %{{.+}})
// CHECK: %[[KT:.+]] = tensor.extract_slice %{{.+}}[%[[B]], %{{.+}}, %[[KS]], 0]
// CHECK: %[[FK:.+]] = attn.feature_map elu_plus_one %[[KT]] : tensor<1x1x?x64xbf16> -> tensor<1x1x?x64xbf16>
// CHECK: %[[FQ:.+]] = attn.feature_map elu_plus_one
// CHECK: %[[OT:.+]] = attn.linear_chunk %{{.+}} with(%[[S]], %[[Z]]) keys(%{{.+}}, %{{.+}}) diagonal(%{{.+}}) : tensor<?x64xbf16>, tensor<64x32xf32>, tensor<64xf32>, tensor<?x64xbf16>, tensor<?x32xbf16> -> tensor<?x32xbf16>
// CHECK: tensor.insert_slice %[[OT]] into %[[O]]
// CHECK: attn.linear_update %{{.+}}, %{{.+}} into(%[[S]], %[[Z]])
// CHECK: scf.forall.in_parallel
// CHECK-NOT: attn.linear {{.+}}causal
func.func @causal(%q: tensor<2x8x100x64xbf16>, %k: tensor<2x2x100x64xbf16>, %v: tensor<2x2x100x32xbf16>) -> tensor<2x8x100x32xbf16> {
  %o = attn.linear elu_plus_one %q, %k, %v causal : tensor<2x8x100x64xbf16>, tensor<2x2x100x64xbf16>, tensor<2x2x100x32xbf16> -> tensor<2x8x100x32xbf16>
  return %o : tensor<2x8x100x32xbf16>
}

// -----

// Non-causal: the whole state first, then the outputs chunk by chunk with
// no keys of their own. FAVOR+ maps to m = 96 features.
// CHECK-LABEL: func @favor
// CHECK: %[[R:.+]]:3 = scf.for {{.+}} iter_args
// CHECK: attn.feature_map favor_plus %{{.+}}, %{{.+}} : tensor<1x1x?x16xf32>, tensor<16x96xf32> -> tensor<1x1x?x96xf32>
// CHECK: attn.linear_update
// CHECK: scf.for
// CHECK: attn.linear_chunk %{{.+}} with(%[[R]]#0, %[[R]]#1) {eps = 0.000000e+00 : f32} : tensor<?x96xf32>, tensor<96x16xf32>, tensor<96xf32> -> tensor<?x16xf32>
func.func @favor(%q: tensor<1x2x?x16xf32>, %k: tensor<1x2x?x16xf32>, %v: tensor<1x2x?x16xf32>, %w: tensor<16x96xf32>) -> tensor<1x2x?x16xf32> {
  %o = attn.linear favor_plus %q, %k, %v projection(%w : tensor<16x96xf32>) {eps = 0.0 : f32} : tensor<1x2x?x16xf32>, tensor<1x2x?x16xf32>, tensor<1x2x?x16xf32> -> tensor<1x2x?x16xf32>
  return %o : tensor<1x2x?x16xf32>
}

// -----

// The graph is raised first (normalize's eps carries over), then rewritten.
// CHECK-LABEL: func @graph
// CHECK-NOT: attn.scores
// CHECK-NOT: attn.normalize
// CHECK: attn.feature_map relu
// CHECK: attn.linear_chunk {{.+}} diagonal({{.+}}) {eps = 1.000000e-03 : f32}
func.func @graph(%q: tensor<1x4x128x32xf32>, %k: tensor<1x4x128x32xf32>, %v: tensor<1x4x128x32xf32>) -> tensor<1x4x128x32xf32> {
  %fq = attn.feature_map relu %q : tensor<1x4x128x32xf32> -> tensor<1x4x128x32xf32>
  %fk = attn.feature_map relu %k : tensor<1x4x128x32xf32> -> tensor<1x4x128x32xf32>
  %a = attn.scores %fq, %fk scale 1.0 : tensor<1x4x128x32xf32>, tensor<1x4x128x32xf32> -> tensor<1x4x128x128xf32>
  %m = attn.mask #attn.causal %a fill zero : tensor<1x4x128x128xf32>
  %n = attn.normalize %m {eps = 1.0e-3 : f32} : tensor<1x4x128x128xf32>
  %o = attn.apply %n, %v : tensor<1x4x128x128xf32>, tensor<1x4x128x32xf32> -> tensor<1x4x128x32xf32>
  return %o : tensor<1x4x128x32xf32>
}

// -----

// Not linear attention as attn.linear defines it: the default 1/√d scale,
// a mask filling −∞, two different maps. Left alone.
// CHECK-LABEL: func @not_raised
// CHECK-COUNT-3: attn.normalize
// CHECK-NOT: attn.linear_chunk
func.func @not_raised(%q: tensor<1x1x64x32xf32>, %k: tensor<1x1x64x32xf32>, %v: tensor<1x1x64x32xf32>) -> (tensor<1x1x64x32xf32>, tensor<1x1x64x32xf32>, tensor<1x1x64x32xf32>) {
  %fq = attn.feature_map relu %q : tensor<1x1x64x32xf32> -> tensor<1x1x64x32xf32>
  %fk = attn.feature_map relu %k : tensor<1x1x64x32xf32> -> tensor<1x1x64x32xf32>
  %a = attn.scores %fq, %fk : tensor<1x1x64x32xf32>, tensor<1x1x64x32xf32> -> tensor<1x1x64x64xf32>
  %n = attn.normalize %a : tensor<1x1x64x64xf32>
  %o = attn.apply %n, %v : tensor<1x1x64x64xf32>, tensor<1x1x64x32xf32> -> tensor<1x1x64x32xf32>
  %fq2 = attn.feature_map relu %q : tensor<1x1x64x32xf32> -> tensor<1x1x64x32xf32>
  %fk2 = attn.feature_map relu %k : tensor<1x1x64x32xf32> -> tensor<1x1x64x32xf32>
  %a2 = attn.scores %fq2, %fk2 scale 1.0 : tensor<1x1x64x32xf32>, tensor<1x1x64x32xf32> -> tensor<1x1x64x64xf32>
  %m2 = attn.mask #attn.causal %a2 : tensor<1x1x64x64xf32>
  %n2 = attn.normalize %m2 : tensor<1x1x64x64xf32>
  %o2 = attn.apply %n2, %v : tensor<1x1x64x64xf32>, tensor<1x1x64x32xf32> -> tensor<1x1x64x32xf32>
  %fq3 = attn.feature_map relu %q : tensor<1x1x64x32xf32> -> tensor<1x1x64x32xf32>
  %fk3 = attn.feature_map elu_plus_one %k : tensor<1x1x64x32xf32> -> tensor<1x1x64x32xf32>
  %a3 = attn.scores %fq3, %fk3 scale 1.0 : tensor<1x1x64x32xf32>, tensor<1x1x64x32xf32> -> tensor<1x1x64x64xf32>
  %n3 = attn.normalize %a3 : tensor<1x1x64x64xf32>
  %o3 = attn.apply %n3, %v : tensor<1x1x64x64xf32>, tensor<1x1x64x32xf32> -> tensor<1x1x64x32xf32>
  return %o, %o2, %o3 : tensor<1x1x64x32xf32>, tensor<1x1x64x32xf32>, tensor<1x1x64x32xf32>
}
