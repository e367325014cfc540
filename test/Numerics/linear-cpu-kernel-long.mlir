// The CPU linear-attention kernel at T = 4097 (one block and several: 1 and
// 8 threads) against the masked quadratic form in float64; the rest of the
// matrix is in linear-cpu-kernel.mlir. The float64 evaluation is O(T²·d):
// the sanitizer build, where it runs several times slower, skips this file.
// UNSUPPORTED: sanitized

// RUN: attn-opt %s --attn-to-cpu-pipeline | mlir-translate --mlir-to-llvmir -o %t.ll
// RUN: %compile-shared -march=%host_march %t.ll -o %t.so
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func elu_causal --shapes 1x2x4097x32,1x1x4097x32,1x1x4097x32 --num-threads 8
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func relu --shapes 1x2x4097x32,1x1x4097x32,1x1x4097x32
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func identity_causal --shapes 1x1x4097x60,1x1x4097x60,1x1x4097x60 --input-offset 2 --num-threads 8
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func elu --shapes 1x1x4097x128,1x1x4097x128,1x1x4097x128 --num-threads 3
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func elu_causal_d128 --shapes 1x1x4097x128,1x1x4097x128,1x1x4097x128

func.func @elu_causal(%q: tensor<?x?x?x32xf32>, %k: tensor<?x?x?x32xf32>, %v: tensor<?x?x?x32xf32>) -> tensor<?x?x?x32xf32> {
  %o = attn.linear elu_plus_one %q, %k, %v causal : tensor<?x?x?x32xf32>, tensor<?x?x?x32xf32>, tensor<?x?x?x32xf32> -> tensor<?x?x?x32xf32>
  return %o : tensor<?x?x?x32xf32>
}

func.func @relu(%q: tensor<?x?x?x32xf32>, %k: tensor<?x?x?x32xf32>, %v: tensor<?x?x?x32xf32>) -> tensor<?x?x?x32xf32> {
  %o = attn.linear relu %q, %k, %v : tensor<?x?x?x32xf32>, tensor<?x?x?x32xf32>, tensor<?x?x?x32xf32> -> tensor<?x?x?x32xf32>
  return %o : tensor<?x?x?x32xf32>
}

func.func @identity_causal(%q: tensor<?x?x?x60xf32>, %k: tensor<?x?x?x60xf32>, %v: tensor<?x?x?x60xf32>) -> tensor<?x?x?x60xf32> {
  %o = attn.linear identity %q, %k, %v causal : tensor<?x?x?x60xf32>, tensor<?x?x?x60xf32>, tensor<?x?x?x60xf32> -> tensor<?x?x?x60xf32>
  return %o : tensor<?x?x?x60xf32>
}

func.func @elu(%q: tensor<?x?x?x128xf32>, %k: tensor<?x?x?x128xf32>, %v: tensor<?x?x?x128xf32>) -> tensor<?x?x?x128xf32> {
  %o = attn.linear elu_plus_one %q, %k, %v : tensor<?x?x?x128xf32>, tensor<?x?x?x128xf32>, tensor<?x?x?x128xf32> -> tensor<?x?x?x128xf32>
  return %o : tensor<?x?x?x128xf32>
}

func.func @elu_causal_d128(%q: tensor<?x?x?x128xf32>, %k: tensor<?x?x?x128xf32>, %v: tensor<?x?x?x128xf32>) -> tensor<?x?x?x128xf32> {
  %o = attn.linear elu_plus_one %q, %k, %v causal : tensor<?x?x?x128xf32>, tensor<?x?x?x128xf32>, tensor<?x?x?x128xf32> -> tensor<?x?x?x128xf32>
  return %o : tensor<?x?x?x128xf32>
}
