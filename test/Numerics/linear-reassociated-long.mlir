// attn-reassociate-linear at T = 4097 (chunks of 64 and 128, d 32 and 60)
// against the masked quadratic form in float64; the rest of the matrix is in
// linear-reassociated.mlir. The float64 evaluation is O(T²·d): the sanitizer
// build, where it runs several times slower, skips this file.
// UNSUPPORTED: sanitized

// RUN: attn-opt %s --attn-reassociate-linear=chunk-size=64 --attn-reference-to-llvm | mlir-translate --mlir-to-llvmir -o %t.64.ll
// RUN: %compile-shared %t.64.ll -o %t.64.so
// RUN: attn-opt %s --attn-reassociate-linear=chunk-size=128 --attn-reference-to-llvm | mlir-translate --mlir-to-llvmir -o %t.128.ll
// RUN: %compile-shared %t.128.ll -o %t.128.so
// RUN: attn-check %s --lib %t.64.so --func identity_causal --shapes 1x2x4097x32,1x1x4097x32,1x1x4097x32 --input-offset 2
// RUN: attn-check %s --lib %t.64.so --func elu --shapes 1x2x4097x32,1x1x4097x32,1x1x4097x32
// RUN: attn-check %s --lib %t.64.so --func relu_causal --shapes 1x2x4097x32,1x1x4097x32,1x1x4097x32
// RUN: attn-check %s --lib %t.128.so --func favor_causal --shapes 1x2x4097x32,1x1x4097x32,1x1x4097x16,32x64
// RUN: attn-check %s --lib %t.128.so --func elu_causal --shapes 1x1x4097x60,1x1x4097x60,1x1x4097x60

func.func @identity(%q: tensor<?x?x?x?xf32>, %k: tensor<?x?x?x?xf32>, %v: tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32> attributes {llvm.emit_c_interface} {
  %o = attn.linear identity %q, %k, %v : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>
  return %o : tensor<?x?x?x?xf32>
}

func.func @identity_causal(%q: tensor<?x?x?x?xf32>, %k: tensor<?x?x?x?xf32>, %v: tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32> attributes {llvm.emit_c_interface} {
  %o = attn.linear identity %q, %k, %v causal : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>
  return %o : tensor<?x?x?x?xf32>
}

func.func @elu(%q: tensor<?x?x?x?xf32>, %k: tensor<?x?x?x?xf32>, %v: tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32> attributes {llvm.emit_c_interface} {
  %o = attn.linear elu_plus_one %q, %k, %v : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>
  return %o : tensor<?x?x?x?xf32>
}

func.func @elu_causal(%q: tensor<?x?x?x?xf32>, %k: tensor<?x?x?x?xf32>, %v: tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32> attributes {llvm.emit_c_interface} {
  %o = attn.linear elu_plus_one %q, %k, %v causal : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>
  return %o : tensor<?x?x?x?xf32>
}

func.func @relu(%q: tensor<?x?x?x?xf32>, %k: tensor<?x?x?x?xf32>, %v: tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32> attributes {llvm.emit_c_interface} {
  %o = attn.linear relu %q, %k, %v : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>
  return %o : tensor<?x?x?x?xf32>
}

func.func @relu_causal(%q: tensor<?x?x?x?xf32>, %k: tensor<?x?x?x?xf32>, %v: tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32> attributes {llvm.emit_c_interface} {
  %o = attn.linear relu %q, %k, %v causal : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>
  return %o : tensor<?x?x?x?xf32>
}

func.func @favor(%q: tensor<?x?x?x?xf32>, %k: tensor<?x?x?x?xf32>, %v: tensor<?x?x?x?xf32>, %w: tensor<?x?xf32>) -> tensor<?x?x?x?xf32> attributes {llvm.emit_c_interface} {
  %o = attn.linear favor_plus %q, %k, %v projection(%w : tensor<?x?xf32>) : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>
  return %o : tensor<?x?x?x?xf32>
}

func.func @favor_causal(%q: tensor<?x?x?x?xf32>, %k: tensor<?x?x?x?xf32>, %v: tensor<?x?x?x?xf32>, %w: tensor<?x?xf32>) -> tensor<?x?x?x?xf32> attributes {llvm.emit_c_interface} {
  %o = attn.linear favor_plus %q, %k, %v projection(%w : tensor<?x?xf32>) causal : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>
  return %o : tensor<?x?x?x?xf32>
}

// The graph form, raised by the pass before it is reassociated.
func.func @graph(%q: tensor<?x?x?x?xf32>, %k: tensor<?x?x?x?xf32>, %v: tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32> attributes {llvm.emit_c_interface} {
  %fq = attn.feature_map elu_plus_one %q : tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>
  %fk = attn.feature_map elu_plus_one %k : tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>
  %a = attn.scores %fq, %fk scale 1.0 : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>
  %m = attn.mask #attn.causal %a fill zero : tensor<?x?x?x?xf32>
  %n = attn.normalize %m {eps = 1.0e-3 : f32} : tensor<?x?x?x?xf32>
  %o = attn.apply %n, %v : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>
  return %o : tensor<?x?x?x?xf32>
}
