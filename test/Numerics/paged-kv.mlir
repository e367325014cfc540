// A paged KV cache at the tensor level: K and V gathered from pools of
// pages through a block table [B, M] (attn.gather_pages), each sequence's
// keys stopped at its length (#attn.key_lengths), through the naive and
// flash lowerings against the float64 evaluation of the same function.
// attn-check draws each sequence's pages as a random choice of distinct
// pages and lengths full, empty or anything up to M·S (not multiples of
// the page). Pages of 16, 64 and 256 positions; GQA; N_q 1 and 4 (causal:
// the queries are the last N_q positions of the M·S slots).

// RUN: attn-opt %s --attn-reference-to-llvm | mlir-translate --mlir-to-llvmir -o %t.ll
// RUN: %compile-shared %t.ll -o %t.so
// RUN: attn-opt %s --attn-flash-to-llvm | mlir-translate --mlir-to-llvmir -o %t.flash.ll
// RUN: %compile-shared %t.flash.ll -o %t.flash.so
// RUN: attn-check %s --lib %t.so --func paged16 --shapes 4x8x1x32,40x2x16x32,40x2x16x32,4x9,4
// RUN: attn-check %s --lib %t.flash.so --func paged16 --shapes 4x8x1x32,40x2x16x32,40x2x16x32,4x9,4
// RUN: attn-check %s --lib %t.flash.so --func paged16 --shapes 3x4x4x32,7x4x16x32,7x4x16x32,3x5,3 --seed 11
// RUN: attn-check %s --lib %t.so --func paged64_causal --shapes 3x8x4x64,12x2x64x64,12x2x64x64,3x4,3
// RUN: attn-check %s --lib %t.flash.so --func paged64_causal --shapes 3x8x4x64,12x2x64x64,12x2x64x64,3x4,3
// RUN: attn-check %s --lib %t.flash.so --func paged256 --shapes 2x2x1x16,5x1x256x16,5x1x256x16,2x3,2

func.func @paged16(%q: tensor<?x?x?x32xf32>, %kp: tensor<?x?x16x32xf32>, %vp: tensor<?x?x16x32xf32>, %table: tensor<?x?xi32>, %lengths: tensor<?xi32>) -> (tensor<?x?x?x32xf32>, tensor<?x?x?xf32>) attributes {llvm.emit_c_interface} {
  %k = attn.gather_pages %kp, %table : tensor<?x?x16x32xf32>, tensor<?x?xi32> -> tensor<?x?x?x32xf32>
  %v = attn.gather_pages %vp, %table : tensor<?x?x16x32xf32>, tensor<?x?xi32> -> tensor<?x?x?x32xf32>
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.key_lengths) tables(%lengths : tensor<?xi32>) : tensor<?x?x?x32xf32>, tensor<?x?x?x32xf32>, tensor<?x?x?x32xf32> -> tensor<?x?x?x32xf32>, tensor<?x?x?xf32>
  return %o, %lse : tensor<?x?x?x32xf32>, tensor<?x?x?xf32>
}

func.func @paged64_causal(%q: tensor<?x?x?x64xf32>, %kp: tensor<?x?x64x64xf32>, %vp: tensor<?x?x64x64xf32>, %table: tensor<?x?xi32>, %lengths: tensor<?xi32>) -> (tensor<?x?x?x64xf32>, tensor<?x?x?xf32>) attributes {llvm.emit_c_interface} {
  %k = attn.gather_pages %kp, %table : tensor<?x?x64x64xf32>, tensor<?x?xi32> -> tensor<?x?x?x64xf32>
  %v = attn.gather_pages %vp, %table : tensor<?x?x64x64xf32>, tensor<?x?xi32> -> tensor<?x?x?x64xf32>
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.intersect<[#attn.key_lengths, #attn.causal]>) tables(%lengths : tensor<?xi32>) : tensor<?x?x?x64xf32>, tensor<?x?x?x64xf32>, tensor<?x?x?x64xf32> -> tensor<?x?x?x64xf32>, tensor<?x?x?xf32>
  return %o, %lse : tensor<?x?x?x64xf32>, tensor<?x?x?xf32>
}

func.func @paged256(%q: tensor<?x?x?x16xf32>, %kp: tensor<?x?x256x16xf32>, %vp: tensor<?x?x256x16xf32>, %table: tensor<?x?xi32>, %lengths: tensor<?xi32>) -> (tensor<?x?x?x16xf32>, tensor<?x?x?xf32>) attributes {llvm.emit_c_interface} {
  %k = attn.gather_pages %kp, %table : tensor<?x?x256x16xf32>, tensor<?x?xi32> -> tensor<?x?x?x16xf32>
  %v = attn.gather_pages %vp, %table : tensor<?x?x256x16xf32>, tensor<?x?xi32> -> tensor<?x?x?x16xf32>
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.key_lengths) tables(%lengths : tensor<?xi32>) : tensor<?x?x?x16xf32>, tensor<?x?x?x16xf32>, tensor<?x?x?x16xf32> -> tensor<?x?x?x16xf32>, tensor<?x?x?xf32>
  return %o, %lse : tensor<?x?x?x16xf32>, tensor<?x?x?xf32>
}
