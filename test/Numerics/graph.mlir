// The decomposed graphs evaluate like their definitions, before and after
// attn-raise-sdpa fuses them: attn-check compares both compiled forms with
// the float64 evaluation of the graph as written.

// RUN: attn-opt %s --attn-reference-to-llvm | mlir-translate --mlir-to-llvmir -o %t.graph.ll
// RUN: %compile-shared %t.graph.ll -o %t.graph.so
// RUN: attn-opt %s --attn-raise-sdpa | FileCheck %s --check-prefix=RAISED
// RUN: attn-opt %s --attn-raise-sdpa --attn-reference-to-llvm | mlir-translate --mlir-to-llvmir -o %t.fused.ll
// RUN: %compile-shared %t.fused.ll -o %t.fused.so
// RUN: attn-check %s --lib %t.graph.so --func softmax_graph --shapes 2x4x37x16,2x2x53x16,2x2x53x16
// RUN: attn-check %s --lib %t.fused.so --func softmax_graph --shapes 2x4x37x16,2x2x53x16,2x2x53x16
// RUN: attn-check %s --lib %t.graph.so --func softmax_graph --shapes 1x2x100x64,1x2x100x64,1x2x100x64
// RUN: attn-check %s --lib %t.fused.so --func softmax_graph --shapes 1x2x100x64,1x2x100x64,1x2x100x64
// RUN: attn-check %s --lib %t.graph.so --func linear_graph --shapes 2x4x37x16,2x2x53x16,2x2x53x16
// RUN: attn-check %s --lib %t.graph.so --func linear_graph --shapes 1x1x1x8,1x1x1x8,1x1x1x8
// RUN: attn-check %s --lib %t.graph.so --func static_bf16
// RUN: attn-check %s --lib %t.graph.so --func mixed_graph --shapes 2x4x37x16,2x2x53x16,2x2x53x8
// RUN: attn-check %s --lib %t.fused.so --func mixed_graph --shapes 2x4x37x16,2x2x53x16,2x2x53x8

// RAISED-LABEL: func @softmax_graph
// RAISED: attn.sdpa {{.*}} scale 2.500000e-01 mask(#attn.window<left = 7, right = 2>)
// RAISED-LABEL: func @linear_graph
// RAISED-NOT: attn.sdpa
// RAISED-LABEL: func @static_bf16
// RAISED: attn.sdpa {{.*}} mask(#attn.causal)
// RAISED-LABEL: func @mixed_graph
// RAISED: attn.sdpa {{.*}} mask(#attn.intersect
func.func @softmax_graph(%q: tensor<?x?x?x?xf32>, %k: tensor<?x?x?x?xf32>, %v: tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32> attributes {llvm.emit_c_interface} {
  %s = attn.scores %q, %k scale 0.25 : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>
  %m = attn.mask #attn.window<left = 7, right = 2> %s : tensor<?x?x?x?xf32>
  %p = attn.softmax %m : tensor<?x?x?x?xf32>
  %o = attn.apply %p, %v : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>
  return %o : tensor<?x?x?x?xf32>
}

// Causal linear attention written as a graph: φ, scores, zero-fill mask,
// row normalisation, apply.
func.func @linear_graph(%q: tensor<?x?x?x?xf32>, %k: tensor<?x?x?x?xf32>, %v: tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32> attributes {llvm.emit_c_interface} {
  %fq = attn.feature_map elu_plus_one %q : tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>
  %fk = attn.feature_map elu_plus_one %k : tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>
  %a = attn.scores %fq, %fk scale 1.0 : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>
  %m = attn.mask #attn.causal %a fill zero : tensor<?x?x?x?xf32>
  %n = attn.normalize %m : tensor<?x?x?x?xf32>
  %o = attn.apply %n, %v : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>
  return %o : tensor<?x?x?x?xf32>
}

// Static shapes, bf16 graph (each op rounds its result to bf16).
func.func @static_bf16(%q: tensor<1x2x19x32xbf16>, %k: tensor<1x1x23x32xbf16>, %v: tensor<1x1x23x32xbf16>) -> tensor<1x2x19x32xbf16> attributes {llvm.emit_c_interface} {
  %s = attn.scores %q, %k : tensor<1x2x19x32xbf16>, tensor<1x1x23x32xbf16> -> tensor<1x2x19x23xbf16>
  %m = attn.mask #attn.causal %s : tensor<1x2x19x23xbf16>
  %p = attn.softmax %m : tensor<1x2x19x23xbf16>
  %o = attn.apply %p, %v : tensor<1x2x19x23xbf16>, tensor<1x1x23x32xbf16> -> tensor<1x2x19x32xbf16>
  return %o : tensor<1x2x19x32xbf16>
}

// Mixed static and dynamic dims, typed as the ops allow: each lowered op's
// result is cast to the type the op declares.
func.func @mixed_graph(%q: tensor<?x4x?x16xf32>, %k: tensor<2x?x53x16xf32>, %v: tensor<?x2x?x8xf32>) -> tensor<2x4x?x8xf32> attributes {llvm.emit_c_interface} {
  %s = attn.scores %q, %k : tensor<?x4x?x16xf32>, tensor<2x?x53x16xf32> -> tensor<2x4x?x53xf32>
  %m = attn.mask #attn.intersect<[#attn.causal, #attn.window<left = 9, right = 0>]> %s : tensor<2x4x?x53xf32>
  %p = attn.softmax %m : tensor<2x4x?x53xf32>
  %o = attn.apply %p, %v : tensor<2x4x?x53xf32>, tensor<?x2x?x8xf32> -> tensor<2x4x?x8xf32>
  return %o : tensor<2x4x?x8xf32>
}
