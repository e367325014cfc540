// RUN: attn-opt %s --split-input-file --attn-tile-flash="tile-q=32 tile-kv=16" | FileCheck %s


// Causal: the key loop of a query block ends after the block's last visible
// key, and only blocks leaving the band are masked (scf.if).
// CHECK-LABEL: func @causal
// CHECK-DAG: %[[C32:.+]] = arith.constant 32 : index
// CHECK-DAG: %[[C16:.+]] = arith.constant 16 : index
// CHECK: %[[R:.+]]:2 = scf.forall (%[[B:.+]], %[[H:.+]], %[[QB:.+]]) in ({{.+}}) shared_outs({{.+}}) -> (tensor<2x8x100x64xbf16>, tensor<2x8x100xf32>)
// CHECK: %[[QS:.+]] = arith.muli %[[QB]], %[[C32]]
// CHECK: tensor.extract_slice %{{.+}}[%[[B]], %[[H]], %[[QS]], 0]
// CHECK: %[[HI:.+]] = arith.maxsi
// CHECK: scf.for %[[KS:.+]] = %{{.+}} to %[[HI]] step %[[C16]] iter_args
// CHECK: attn.scores {{.+}} scale 1.250000e-01 : tensor<1x1x?x64xbf16>, tensor<1x1x?x64xbf16> -> tensor<1x1x?x?xf32>
// CHECK: scf.if
// CHECK: } else {
// CHECK: linalg.generic
// CHECK: arith.select
// CHECK: attn.online_softmax %{{.+}}, %{{.+}} into(%{{.+}}, %{{.+}}, %{{.+}}) : tensor<?x?xf32>, tensor<?x64xbf16> -> tensor<?x?xf32>, tensor<?xf32>, tensor<?xf32>
// CHECK: scf.yield
// CHECK: arith.divf
// CHECK: arith.truncf
// CHECK: math.log
// CHECK: scf.forall.in_parallel
// CHECK: tensor.parallel_insert_slice
// CHECK: tensor.parallel_insert_slice
// CHECK: return %[[R]]#0, %[[R]]#1
// CHECK-NOT: attn.sdpa
func.func @causal(%q: tensor<2x8x100x64xbf16>, %k: tensor<2x2x100x64xbf16>, %v: tensor<2x2x100x64xbf16>) -> (tensor<2x8x100x64xbf16>, tensor<2x8x100xf32>) {
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.causal) : tensor<2x8x100x64xbf16>, tensor<2x2x100x64xbf16>, tensor<2x2x100x64xbf16> -> tensor<2x8x100x64xbf16>, tensor<2x8x100xf32>
  return %o, %lse : tensor<2x8x100x64xbf16>, tensor<2x8x100xf32>
}

// -----

// No mask: every key block, no masking, no LSE.
// CHECK-LABEL: func @unmasked
// CHECK: scf.forall
// CHECK: scf.for %{{.+}} = %c0{{.*}} to %{{.+}} step
// CHECK-NOT: scf.if
// CHECK: attn.online_softmax
func.func @unmasked(%q: tensor<?x?x?x?xf32>, %k: tensor<?x?x?x?xf32>, %v: tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32> {
  %o = attn.sdpa %q, %k, %v : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>
  return %o : tensor<?x?x?x?xf32>
}

// -----

// A window bounds both ends of the key loop.
// CHECK-LABEL: func @window
// CHECK: arith.constant 128 : index
// CHECK: %[[LO:.+]] = arith.maxsi %c0{{.*}}, %{{.+}} : index
// CHECK: %[[HI:.+]] = arith.maxsi %{{.+}}, %[[LO]] : index
// CHECK: scf.for %{{.+}} = %[[LO]] to %[[HI]]
// CHECK: scf.if
func.func @window(%q: tensor<1x4x1000x64xf32>, %k: tensor<1x4x1000x64xf32>, %v: tensor<1x4x1000x64xf32>) -> tensor<1x4x1000x64xf32> {
  %o = attn.sdpa %q, %k, %v mask(#attn.window<left = 128, right = 0>) : tensor<1x4x1000x64xf32>, tensor<1x4x1000x64xf32>, tensor<1x4x1000x64xf32> -> tensor<1x4x1000x64xf32>
  return %o : tensor<1x4x1000x64xf32>
}

// -----

// A block-sparse mask cannot bound the loop; each block is classified at run
// time from the layout entries it overlaps: skipped when all are 0, masked
// (reading the layout per element) unless none is.
// CHECK-LABEL: func @block_sparse
// CHECK-SAME: %[[LAYOUT:[a-z0-9]+]]: tensor<?x?xi8>
// CHECK: scf.for
// CHECK: %[[CLASS:.*]]:2 = scf.for {{.*}} -> (i1, i1)
// CHECK: scf.for
// CHECK: tensor.extract %[[LAYOUT]]
// CHECK: scf.if
// CHECK: scf.if %[[CLASS]]#1
// CHECK: linalg.generic
// CHECK: tensor.extract %[[LAYOUT]]
// CHECK: attn.online_softmax
func.func @block_sparse(%q: tensor<1x4x256x64xf32>, %k: tensor<1x4x256x64xf32>, %v: tensor<1x4x256x64xf32>, %layout: tensor<?x?xi8>) -> tensor<1x4x256x64xf32> {
  %o = attn.sdpa %q, %k, %v mask(#attn.block_sparse<block_q = 64, block_k = 64>) tables(%layout : tensor<?x?xi8>) : tensor<1x4x256x64xf32>, tensor<1x4x256x64xf32>, tensor<1x4x256x64xf32> -> tensor<1x4x256x64xf32>
  return %o : tensor<1x4x256x64xf32>
}

// -----

// A mask without a band (Longformer's window ∪ global tokens): the mask
// classifies each block; empty blocks are skipped before any score is
// computed, full ones are not masked.
// CHECK-LABEL: func @longformer
// CHECK: scf.for {{.+}} iter_args(%[[ACC:.+]] = {{.+}}, %[[M:.+]] = {{.+}}, %[[L:.+]] = {{.+}})
// CHECK: scf.if %{{.+}} -> (tensor<?x?xf32>, tensor<?xf32>, tensor<?xf32>) {
// CHECK-NEXT: scf.yield %[[ACC]], %[[M]], %[[L]]
// CHECK: } else {
// CHECK: attn.scores
// CHECK: scf.if
// CHECK: } else {
// CHECK: linalg.generic
// CHECK: attn.online_softmax
func.func @longformer(%q: tensor<1x4x1000x64xf32>, %k: tensor<1x4x1000x64xf32>, %v: tensor<1x4x1000x64xf32>) -> tensor<1x4x1000x64xf32> {
  %o = attn.sdpa %q, %k, %v mask(#attn.union<[#attn.window<left = 64, right = 64>, #attn.global<tokens = 8>]>) : tensor<1x4x1000x64xf32>, tensor<1x4x1000x64xf32>, tensor<1x4x1000x64xf32> -> tensor<1x4x1000x64xf32>
  return %o : tensor<1x4x1000x64xf32>
}
