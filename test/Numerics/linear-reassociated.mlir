// attn-reassociate-linear against the masked quadratic form in float64:
// every feature map, causal and not, chunk sizes 16 / 64 / 128, T in
// {1, 63, 500} (4097 in linear-reassociated-long.mlir), d in {32, 60, 128,
// 256}, GQA, N_q != N_kv, and sizes that no chunk divides. The identity map runs on inputs offset by 2: on
// zero-mean inputs its denominators cross 0 and no float32 evaluation (the
// quadratic one included) keeps 1e-5.

// RUN: attn-opt %s --attn-reassociate-linear=chunk-size=16 --attn-reference-to-llvm | mlir-translate --mlir-to-llvmir -o %t.16.ll
// RUN: %compile-shared %t.16.ll -o %t.16.so
// RUN: attn-opt %s --attn-reassociate-linear=chunk-size=64 --attn-reference-to-llvm | mlir-translate --mlir-to-llvmir -o %t.64.ll
// RUN: %compile-shared %t.64.ll -o %t.64.so
// RUN: attn-opt %s --attn-reassociate-linear=chunk-size=128 --attn-reference-to-llvm | mlir-translate --mlir-to-llvmir -o %t.128.ll
// RUN: %compile-shared %t.128.ll -o %t.128.so
// RUN: attn-check %s --lib %t.16.so --func identity --shapes 2x4x63x60,2x2x63x60,2x2x63x60 --input-offset 2
// RUN: attn-check %s --lib %t.16.so --func identity_causal --shapes 2x4x63x60,2x2x63x60,2x2x63x60 --input-offset 2
// RUN: attn-check %s --lib %t.16.so --func elu --shapes 2x4x63x60,2x2x63x60,2x2x63x60
// RUN: attn-check %s --lib %t.16.so --func elu_causal --shapes 2x4x63x60,2x2x63x60,2x2x63x60
// RUN: attn-check %s --lib %t.16.so --func relu --shapes 2x4x63x60,2x2x63x60,2x2x63x60
// RUN: attn-check %s --lib %t.16.so --func relu_causal --shapes 2x4x63x60,2x2x63x60,2x2x63x60
// RUN: attn-check %s --lib %t.16.so --func favor --shapes 2x4x63x60,2x2x63x60,2x2x63x60,60x64
// RUN: attn-check %s --lib %t.16.so --func favor_causal --shapes 2x4x63x60,2x2x63x60,2x2x63x60,60x64
// RUN: attn-check %s --lib %t.16.so --func identity --shapes 1x1x1x32,1x1x1x32,1x1x1x32 --input-offset 2
// RUN: attn-check %s --lib %t.16.so --func identity_causal --shapes 1x1x1x32,1x1x1x32,1x1x1x32 --input-offset 2
// RUN: attn-check %s --lib %t.16.so --func elu --shapes 1x1x1x32,1x1x1x32,1x1x1x32
// RUN: attn-check %s --lib %t.16.so --func elu_causal --shapes 1x1x1x32,1x1x1x32,1x1x1x32
// RUN: attn-check %s --lib %t.16.so --func relu --shapes 1x1x1x32,1x1x1x32,1x1x1x32
// RUN: attn-check %s --lib %t.16.so --func relu_causal --shapes 1x1x1x32,1x1x1x32,1x1x1x32
// RUN: attn-check %s --lib %t.16.so --func favor --shapes 1x1x1x32,1x1x1x32,1x1x1x32,32x16
// RUN: attn-check %s --lib %t.16.so --func favor_causal --shapes 1x1x1x32,1x1x1x32,1x1x1x32,32x16
// RUN: attn-check %s --lib %t.16.so --func elu_causal --shapes 2x4x37x32,2x2x53x32,2x2x53x16
// RUN: attn-check %s --lib %t.16.so --func relu --shapes 2x4x37x32,2x2x53x32,2x2x53x16
// RUN: attn-check %s --lib %t.16.so --func favor_causal --shapes 2x4x37x32,2x2x53x32,2x2x53x16,32x48
// RUN: attn-check %s --lib %t.16.so --func identity_causal --shapes 2x4x37x32,2x2x53x32,2x2x53x16 --input-offset 2
// RUN: attn-check %s --lib %t.16.so --func elu_causal --shapes 1x2x100x32,1x2x40x32,1x2x40x32
// RUN: attn-check %s --lib %t.16.so --func relu_causal --shapes 1x2x100x32,1x2x40x32,1x2x40x32
// RUN: attn-check %s --lib %t.16.so --func identity --shapes 1x2x100x32,1x2x40x32,1x2x40x32 --input-offset 2
// RUN: attn-check %s --lib %t.16.so --func favor_causal --shapes 1x2x100x32,1x2x40x32,1x2x40x32,32x32
// RUN: attn-check %s --lib %t.64.so --func identity --shapes 1x2x500x128,1x2x500x128,1x2x500x64 --input-offset 2
// RUN: attn-check %s --lib %t.64.so --func identity_causal --shapes 1x2x500x128,1x2x500x128,1x2x500x64 --input-offset 2
// RUN: attn-check %s --lib %t.64.so --func elu --shapes 1x2x500x128,1x2x500x128,1x2x500x64
// RUN: attn-check %s --lib %t.64.so --func elu_causal --shapes 1x2x500x128,1x2x500x128,1x2x500x64
// RUN: attn-check %s --lib %t.64.so --func relu --shapes 1x2x500x128,1x2x500x128,1x2x500x64
// RUN: attn-check %s --lib %t.64.so --func relu_causal --shapes 1x2x500x128,1x2x500x128,1x2x500x64
// RUN: attn-check %s --lib %t.64.so --func favor --shapes 1x2x500x128,1x2x500x128,1x2x500x64,128x128
// RUN: attn-check %s --lib %t.64.so --func favor_causal --shapes 1x2x500x128,1x2x500x128,1x2x500x64,128x128
// RUN: attn-check %s --lib %t.64.so --func favor --shapes 1x1x63x256,1x1x63x256,1x1x63x256,256x128
// RUN: attn-check %s --lib %t.64.so --func favor_causal --shapes 1x1x63x256,1x1x63x256,1x1x63x256,256x128
// RUN: attn-check %s --lib %t.64.so --func elu_causal --shapes 1x1x63x256,1x1x63x256,1x1x63x256
// RUN: attn-check %s --lib %t.128.so --func elu_causal --shapes 1x1x500x256,1x1x500x256,1x1x500x256
// RUN: attn-check %s --lib %t.128.so --func relu --shapes 1x1x500x256,1x1x500x256,1x1x500x256
// RUN: attn-check %s --lib %t.128.so --func identity_causal --shapes 1x1x500x256,1x1x500x256,1x1x500x256 --input-offset 2
// RUN: attn-check %s --lib %t.128.so --func identity --shapes 2x2x63x60,2x1x63x60,2x1x63x60 --input-offset 2
// RUN: attn-check %s --lib %t.128.so --func relu_causal --shapes 2x2x63x60,2x1x63x60,2x1x63x60
// RUN: attn-check %s --lib %t.128.so --func favor --shapes 2x2x63x60,2x1x63x60,2x1x63x60,60x96
// FAVOR+ is max-stabilised: inputs x10 and x100 neither overflow nor
// underflow every feature. Their exponents reach hundreds, so float32's
// rounding of them alone moves the weights by ~1e-5 relative and the
// outputs by up to ~5e-4 (measured): these runs allow 1e-2.
// RUN: attn-check %s --lib %t.16.so --func favor --shapes 2x4x63x60,2x2x63x60,2x2x63x60,60x64 --input-scale 10 --tol 1e-2
// RUN: attn-check %s --lib %t.16.so --func favor_causal --shapes 2x4x63x60,2x2x63x60,2x2x63x60,60x64 --input-scale 100 --tol 1e-2
// RUN: attn-check %s --lib %t.16.so --func graph --shapes 2x4x63x60,2x2x70x60,2x2x70x24
// RUN: attn-check %s --lib %t.128.so --func graph --shapes 1x2x300x32,1x2x300x32,1x2x300x32
// RUN: attn-check %s --lib %t.128.so --func elu_causal --shapes 1x1x1x128,1x1x1x128,1x1x1x128
// RUN: attn-check %s --lib %t.128.so --func favor --shapes 1x1x1x128,1x1x1x128,1x1x1x128,128x64

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
