// Kernelized attention through the reference lowering vs float64: every
// feature map, causal and not, GQA, odd sizes.

// RUN: attn-opt %s --attn-reference-to-llvm | mlir-translate --mlir-to-llvmir -o %t.ll
// RUN: %compile-shared %t.ll -o %t.so
// RUN: attn-check %s --lib %t.so --func elu_causal --shapes 2x4x37x16,2x2x53x16,2x2x53x8
// RUN: attn-check %s --lib %t.so --func elu_causal --shapes 1x2x100x64,1x2x100x64,1x2x100x64
// RUN: attn-check %s --lib %t.so --func elu_causal --shapes 1x1x1x16,1x1x1x16,1x1x1x16
// RUN: attn-check %s --lib %t.so --func relu --shapes 2x4x37x16,2x2x53x16,2x2x53x8
// RUN: attn-check %s --lib %t.so --func relu --shapes 1x3x129x32,1x1x129x32,1x1x129x32
// RUN: attn-check %s --lib %t.so --func favor_causal --shapes 2x4x37x16,2x2x53x16,2x2x53x8,16x64
// RUN: attn-check %s --lib %t.so --func favor_causal --shapes 1x2x100x32,1x2x100x32,1x2x100x32,32x128
// RUN: attn-check %s --lib %t.so --func favor_map --shapes 2x3x17x16,16x48
// FAVOR+ inside attn.linear is max-stabilised: inputs x10 (exponents
// in the hundreds: float32 keeps ~5e-4 of the weights there, so 1e-2).
// RUN: attn-check %s --lib %t.so --func favor_causal --shapes 2x4x37x16,2x2x53x16,2x2x53x8,16x64 --input-scale 10 --tol 1e-2
// RUN: attn-check %s --lib %t.so --func favor_max --shapes 2x3x17x16,16x48 --input-scale 10 --tol 1e-2
// The flash pipeline computes attn.linear in O(N) (attn-reassociate-linear).
// RUN: attn-opt %s --attn-flash-to-llvm | mlir-translate --mlir-to-llvmir -o %t.flash.ll
// RUN: %compile-shared %t.flash.ll -o %t.flash.so
// RUN: attn-check %s --lib %t.flash.so --func elu_causal --shapes 2x4x37x16,2x2x53x16,2x2x53x8
// RUN: attn-check %s --lib %t.flash.so --func favor_causal --shapes 1x2x100x32,1x2x100x32,1x2x100x32,32x128

func.func @elu_causal(%q: tensor<?x?x?x?xf32>, %k: tensor<?x?x?x?xf32>, %v: tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32> attributes {llvm.emit_c_interface} {
  %o = attn.linear elu_plus_one %q, %k, %v causal : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>
  return %o : tensor<?x?x?x?xf32>
}

func.func @relu(%q: tensor<?x?x?x?xf32>, %k: tensor<?x?x?x?xf32>, %v: tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32> attributes {llvm.emit_c_interface} {
  %o = attn.linear relu %q, %k, %v : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>
  return %o : tensor<?x?x?x?xf32>
}

func.func @favor_causal(%q: tensor<?x?x?x?xf32>, %k: tensor<?x?x?x?xf32>, %v: tensor<?x?x?x?xf32>, %w: tensor<?x?xf32>) -> tensor<?x?x?x?xf32> attributes {llvm.emit_c_interface} {
  %o = attn.linear favor_plus %q, %k, %v projection(%w : tensor<?x?xf32>) causal : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>
  return %o : tensor<?x?x?x?xf32>
}

func.func @favor_map(%x: tensor<?x?x?x?xf32>, %w: tensor<?x?xf32>) -> tensor<?x?x?x?xf32> attributes {llvm.emit_c_interface} {
  %f = attn.feature_map favor_plus %x, %w : tensor<?x?x?x?xf32>, tensor<?x?xf32> -> tensor<?x?x?x?xf32>
  return %f : tensor<?x?x?x?xf32>
}

func.func @favor_max(%x: tensor<?x?x?x?xf32>, %w: tensor<?x?xf32>) -> (tensor<?x?x?xf32>, tensor<?x?x?x?xf32>) attributes {llvm.emit_c_interface} {
  %m = attn.favor_max %x, %w : tensor<?x?x?x?xf32>, tensor<?x?xf32> -> tensor<?x?x?xf32>
  %f = attn.feature_map favor_plus %x, %w shift(%m : tensor<?x?x?xf32>) : tensor<?x?x?x?xf32>, tensor<?x?xf32> -> tensor<?x?x?x?xf32>
  return %m, %f : tensor<?x?x?xf32>, tensor<?x?x?x?xf32>
}
