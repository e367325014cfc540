// The CPU linear-attention kernel (convert-attn-to-cpu on attn.linear, run
// through attnrt's three phases) against the masked quadratic form in
// float64: every feature map but favor_plus, causal and not, d in {32, 60,
// 128, 256} (d_v 24 beside d = 60), T in {1, 63, 500} (4097 in
// linear-cpu-kernel-long.mlir), GQA, N_q != N_kv, both memory layouts, and
// thread counts that split a head's keys into several blocks (phases 0 and
// 1). The identity map runs on inputs offset by 2 (linear-reassociated.mlir
// says why).

// RUN: attn-opt %s --attn-to-cpu-pipeline | mlir-translate --mlir-to-llvmir -o %t.ll
// RUN: %compile-shared -march=%host_march %t.ll -o %t.so
// Torch's [B, N, H, d] memory (strides, read in place):
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func elu_d60_causal --shapes 2x4x63x60,2x2x63x60,2x2x63x24 --layout bnhd --num-threads 3
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func relu_d128 --shapes 1x4x300x128,1x2x200x128,1x2x200x128 --layout bnhd --num-threads 8
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func identity_d32 --shapes 2x4x63x32,2x2x63x32,2x2x63x32 --num-threads 3 --input-offset 2
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func identity_d32 --shapes 1x1x1x32,1x1x1x32,1x1x1x32 --input-offset 2
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func identity_d32 --shapes 1x2x500x32,1x1x500x32,1x1x500x32 --num-threads 8 --input-offset 2
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func identity_d32 --shapes 1x1x130x32,1x1x257x32,1x1x257x32 --num-threads 5 --input-offset 2
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func identity_d32 --shapes 1x2x300x32,1x2x70x32,1x2x70x32 --num-threads 2 --input-offset 2
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func identity_d32_causal --shapes 2x4x63x32,2x2x63x32,2x2x63x32 --num-threads 3 --input-offset 2
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func identity_d32_causal --shapes 1x1x1x32,1x1x1x32,1x1x1x32 --input-offset 2
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func identity_d32_causal --shapes 1x2x500x32,1x1x500x32,1x1x500x32 --num-threads 8 --input-offset 2
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func identity_d32_causal --shapes 1x1x130x32,1x1x257x32,1x1x257x32 --num-threads 5 --input-offset 2
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func identity_d60 --shapes 2x4x63x60,2x2x63x60,2x2x63x24 --num-threads 3 --input-offset 2
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func identity_d60 --shapes 1x1x1x60,1x1x1x60,1x1x1x24 --input-offset 2
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func identity_d60 --shapes 1x2x500x60,1x1x500x60,1x1x500x24 --num-threads 8 --input-offset 2
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func identity_d60 --shapes 1x1x130x60,1x1x257x60,1x1x257x24 --num-threads 5 --input-offset 2
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func identity_d60 --shapes 1x2x300x60,1x2x70x60,1x2x70x24 --num-threads 2 --input-offset 2
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func identity_d60_causal --shapes 2x4x63x60,2x2x63x60,2x2x63x24 --num-threads 3 --input-offset 2
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func identity_d60_causal --shapes 1x1x1x60,1x1x1x60,1x1x1x24 --input-offset 2
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func identity_d60_causal --shapes 1x2x500x60,1x1x500x60,1x1x500x24 --num-threads 8 --input-offset 2
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func identity_d60_causal --shapes 1x1x130x60,1x1x257x60,1x1x257x24 --num-threads 5 --input-offset 2
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func identity_d128 --shapes 2x4x63x128,2x2x63x128,2x2x63x128 --num-threads 3 --input-offset 2
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func identity_d128 --shapes 1x1x1x128,1x1x1x128,1x1x1x128 --input-offset 2
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func identity_d128 --shapes 1x2x500x128,1x1x500x128,1x1x500x128 --num-threads 8 --input-offset 2
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func identity_d128 --shapes 1x1x130x128,1x1x257x128,1x1x257x128 --num-threads 5 --input-offset 2
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func identity_d128 --shapes 1x2x300x128,1x2x70x128,1x2x70x128 --num-threads 2 --input-offset 2
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func identity_d128_causal --shapes 2x4x63x128,2x2x63x128,2x2x63x128 --num-threads 3 --input-offset 2
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func identity_d128_causal --shapes 1x1x1x128,1x1x1x128,1x1x1x128 --input-offset 2
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func identity_d128_causal --shapes 1x2x500x128,1x1x500x128,1x1x500x128 --num-threads 8 --input-offset 2
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func identity_d128_causal --shapes 1x1x130x128,1x1x257x128,1x1x257x128 --num-threads 5 --input-offset 2
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func identity_d256 --shapes 2x4x63x256,2x2x63x256,2x2x63x256 --num-threads 3 --input-offset 2
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func identity_d256 --shapes 1x1x1x256,1x1x1x256,1x1x1x256 --input-offset 2
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func identity_d256 --shapes 1x2x500x256,1x1x500x256,1x1x500x256 --num-threads 8 --input-offset 2
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func identity_d256 --shapes 1x1x130x256,1x1x257x256,1x1x257x256 --num-threads 5 --input-offset 2
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func identity_d256 --shapes 1x2x300x256,1x2x70x256,1x2x70x256 --num-threads 2 --input-offset 2
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func identity_d256_causal --shapes 2x4x63x256,2x2x63x256,2x2x63x256 --num-threads 3 --input-offset 2
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func identity_d256_causal --shapes 1x1x1x256,1x1x1x256,1x1x1x256 --input-offset 2
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func identity_d256_causal --shapes 1x2x500x256,1x1x500x256,1x1x500x256 --num-threads 8 --input-offset 2
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func identity_d256_causal --shapes 1x1x130x256,1x1x257x256,1x1x257x256 --num-threads 5 --input-offset 2
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func elu_d32 --shapes 2x4x63x32,2x2x63x32,2x2x63x32 --num-threads 3
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func elu_d32 --shapes 1x1x1x32,1x1x1x32,1x1x1x32
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func elu_d32 --shapes 1x2x500x32,1x1x500x32,1x1x500x32 --num-threads 8
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func elu_d32 --shapes 1x1x130x32,1x1x257x32,1x1x257x32 --num-threads 5
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func elu_d32 --shapes 1x2x300x32,1x2x70x32,1x2x70x32 --num-threads 2
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func elu_d32_causal --shapes 2x4x63x32,2x2x63x32,2x2x63x32 --num-threads 3
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func elu_d32_causal --shapes 1x1x1x32,1x1x1x32,1x1x1x32
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func elu_d32_causal --shapes 1x2x500x32,1x1x500x32,1x1x500x32 --num-threads 8
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func elu_d32_causal --shapes 1x1x130x32,1x1x257x32,1x1x257x32 --num-threads 5
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func elu_d60 --shapes 2x4x63x60,2x2x63x60,2x2x63x24 --num-threads 3
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func elu_d60 --shapes 1x1x1x60,1x1x1x60,1x1x1x24
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func elu_d60 --shapes 1x2x500x60,1x1x500x60,1x1x500x24 --num-threads 8
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func elu_d60 --shapes 1x1x130x60,1x1x257x60,1x1x257x24 --num-threads 5
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func elu_d60 --shapes 1x2x300x60,1x2x70x60,1x2x70x24 --num-threads 2
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func elu_d60_causal --shapes 2x4x63x60,2x2x63x60,2x2x63x24 --num-threads 3
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func elu_d60_causal --shapes 1x1x1x60,1x1x1x60,1x1x1x24
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func elu_d60_causal --shapes 1x2x500x60,1x1x500x60,1x1x500x24 --num-threads 8
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func elu_d60_causal --shapes 1x1x130x60,1x1x257x60,1x1x257x24 --num-threads 5
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func elu_d128 --shapes 2x4x63x128,2x2x63x128,2x2x63x128 --num-threads 3
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func elu_d128 --shapes 1x1x1x128,1x1x1x128,1x1x1x128
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func elu_d128 --shapes 1x2x500x128,1x1x500x128,1x1x500x128 --num-threads 8
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func elu_d128 --shapes 1x1x130x128,1x1x257x128,1x1x257x128 --num-threads 5
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func elu_d128 --shapes 1x2x300x128,1x2x70x128,1x2x70x128 --num-threads 2
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func elu_d128_causal --shapes 2x4x63x128,2x2x63x128,2x2x63x128 --num-threads 3
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func elu_d128_causal --shapes 1x1x1x128,1x1x1x128,1x1x1x128
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func elu_d128_causal --shapes 1x2x500x128,1x1x500x128,1x1x500x128 --num-threads 8
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func elu_d128_causal --shapes 1x1x130x128,1x1x257x128,1x1x257x128 --num-threads 5
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func elu_d256 --shapes 2x4x63x256,2x2x63x256,2x2x63x256 --num-threads 3
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func elu_d256 --shapes 1x1x1x256,1x1x1x256,1x1x1x256
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func elu_d256 --shapes 1x2x500x256,1x1x500x256,1x1x500x256 --num-threads 8
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func elu_d256 --shapes 1x1x130x256,1x1x257x256,1x1x257x256 --num-threads 5
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func elu_d256 --shapes 1x2x300x256,1x2x70x256,1x2x70x256 --num-threads 2
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func elu_d256_causal --shapes 2x4x63x256,2x2x63x256,2x2x63x256 --num-threads 3
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func elu_d256_causal --shapes 1x1x1x256,1x1x1x256,1x1x1x256
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func elu_d256_causal --shapes 1x2x500x256,1x1x500x256,1x1x500x256 --num-threads 8
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func elu_d256_causal --shapes 1x1x130x256,1x1x257x256,1x1x257x256 --num-threads 5
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func relu_d32 --shapes 2x4x63x32,2x2x63x32,2x2x63x32 --num-threads 3
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func relu_d32 --shapes 1x1x1x32,1x1x1x32,1x1x1x32
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func relu_d32 --shapes 1x2x500x32,1x1x500x32,1x1x500x32 --num-threads 8
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func relu_d32 --shapes 1x1x130x32,1x1x257x32,1x1x257x32 --num-threads 5
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func relu_d32 --shapes 1x2x300x32,1x2x70x32,1x2x70x32 --num-threads 2
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func relu_d32_causal --shapes 2x4x63x32,2x2x63x32,2x2x63x32 --num-threads 3
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func relu_d32_causal --shapes 1x1x1x32,1x1x1x32,1x1x1x32
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func relu_d32_causal --shapes 1x2x500x32,1x1x500x32,1x1x500x32 --num-threads 8
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func relu_d32_causal --shapes 1x1x130x32,1x1x257x32,1x1x257x32 --num-threads 5
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func relu_d60 --shapes 2x4x63x60,2x2x63x60,2x2x63x24 --num-threads 3
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func relu_d60 --shapes 1x1x1x60,1x1x1x60,1x1x1x24
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func relu_d60 --shapes 1x2x500x60,1x1x500x60,1x1x500x24 --num-threads 8
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func relu_d60 --shapes 1x1x130x60,1x1x257x60,1x1x257x24 --num-threads 5
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func relu_d60 --shapes 1x2x300x60,1x2x70x60,1x2x70x24 --num-threads 2
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func relu_d60_causal --shapes 2x4x63x60,2x2x63x60,2x2x63x24 --num-threads 3
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func relu_d60_causal --shapes 1x1x1x60,1x1x1x60,1x1x1x24
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func relu_d60_causal --shapes 1x2x500x60,1x1x500x60,1x1x500x24 --num-threads 8
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func relu_d60_causal --shapes 1x1x130x60,1x1x257x60,1x1x257x24 --num-threads 5
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func relu_d128 --shapes 2x4x63x128,2x2x63x128,2x2x63x128 --num-threads 3
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func relu_d128 --shapes 1x1x1x128,1x1x1x128,1x1x1x128
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func relu_d128 --shapes 1x2x500x128,1x1x500x128,1x1x500x128 --num-threads 8
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func relu_d128 --shapes 1x1x130x128,1x1x257x128,1x1x257x128 --num-threads 5
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func relu_d128 --shapes 1x2x300x128,1x2x70x128,1x2x70x128 --num-threads 2
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func relu_d128_causal --shapes 2x4x63x128,2x2x63x128,2x2x63x128 --num-threads 3
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func relu_d128_causal --shapes 1x1x1x128,1x1x1x128,1x1x1x128
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func relu_d128_causal --shapes 1x2x500x128,1x1x500x128,1x1x500x128 --num-threads 8
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func relu_d128_causal --shapes 1x1x130x128,1x1x257x128,1x1x257x128 --num-threads 5
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func relu_d256 --shapes 2x4x63x256,2x2x63x256,2x2x63x256 --num-threads 3
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func relu_d256 --shapes 1x1x1x256,1x1x1x256,1x1x1x256
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func relu_d256 --shapes 1x2x500x256,1x1x500x256,1x1x500x256 --num-threads 8
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func relu_d256 --shapes 1x1x130x256,1x1x257x256,1x1x257x256 --num-threads 5
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func relu_d256 --shapes 1x2x300x256,1x2x70x256,1x2x70x256 --num-threads 2
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func relu_d256_causal --shapes 2x4x63x256,2x2x63x256,2x2x63x256 --num-threads 3
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func relu_d256_causal --shapes 1x1x1x256,1x1x1x256,1x1x1x256
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func relu_d256_causal --shapes 1x2x500x256,1x1x500x256,1x1x500x256 --num-threads 8
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func relu_d256_causal --shapes 1x1x130x256,1x1x257x256,1x1x257x256 --num-threads 5

func.func @identity_d32(%q: tensor<?x?x?x32xf32>, %k: tensor<?x?x?x32xf32>, %v: tensor<?x?x?x32xf32>) -> tensor<?x?x?x32xf32> {
  %o = attn.linear identity %q, %k, %v : tensor<?x?x?x32xf32>, tensor<?x?x?x32xf32>, tensor<?x?x?x32xf32> -> tensor<?x?x?x32xf32>
  return %o : tensor<?x?x?x32xf32>
}

func.func @identity_d32_causal(%q: tensor<?x?x?x32xf32>, %k: tensor<?x?x?x32xf32>, %v: tensor<?x?x?x32xf32>) -> tensor<?x?x?x32xf32> {
  %o = attn.linear identity %q, %k, %v causal : tensor<?x?x?x32xf32>, tensor<?x?x?x32xf32>, tensor<?x?x?x32xf32> -> tensor<?x?x?x32xf32>
  return %o : tensor<?x?x?x32xf32>
}

func.func @identity_d60(%q: tensor<?x?x?x60xf32>, %k: tensor<?x?x?x60xf32>, %v: tensor<?x?x?x24xf32>) -> tensor<?x?x?x24xf32> {
  %o = attn.linear identity %q, %k, %v : tensor<?x?x?x60xf32>, tensor<?x?x?x60xf32>, tensor<?x?x?x24xf32> -> tensor<?x?x?x24xf32>
  return %o : tensor<?x?x?x24xf32>
}

func.func @identity_d60_causal(%q: tensor<?x?x?x60xf32>, %k: tensor<?x?x?x60xf32>, %v: tensor<?x?x?x24xf32>) -> tensor<?x?x?x24xf32> {
  %o = attn.linear identity %q, %k, %v causal : tensor<?x?x?x60xf32>, tensor<?x?x?x60xf32>, tensor<?x?x?x24xf32> -> tensor<?x?x?x24xf32>
  return %o : tensor<?x?x?x24xf32>
}

func.func @identity_d128(%q: tensor<?x?x?x128xf32>, %k: tensor<?x?x?x128xf32>, %v: tensor<?x?x?x128xf32>) -> tensor<?x?x?x128xf32> {
  %o = attn.linear identity %q, %k, %v : tensor<?x?x?x128xf32>, tensor<?x?x?x128xf32>, tensor<?x?x?x128xf32> -> tensor<?x?x?x128xf32>
  return %o : tensor<?x?x?x128xf32>
}

func.func @identity_d128_causal(%q: tensor<?x?x?x128xf32>, %k: tensor<?x?x?x128xf32>, %v: tensor<?x?x?x128xf32>) -> tensor<?x?x?x128xf32> {
  %o = attn.linear identity %q, %k, %v causal : tensor<?x?x?x128xf32>, tensor<?x?x?x128xf32>, tensor<?x?x?x128xf32> -> tensor<?x?x?x128xf32>
  return %o : tensor<?x?x?x128xf32>
}

func.func @identity_d256(%q: tensor<?x?x?x256xf32>, %k: tensor<?x?x?x256xf32>, %v: tensor<?x?x?x256xf32>) -> tensor<?x?x?x256xf32> {
  %o = attn.linear identity %q, %k, %v : tensor<?x?x?x256xf32>, tensor<?x?x?x256xf32>, tensor<?x?x?x256xf32> -> tensor<?x?x?x256xf32>
  return %o : tensor<?x?x?x256xf32>
}

func.func @identity_d256_causal(%q: tensor<?x?x?x256xf32>, %k: tensor<?x?x?x256xf32>, %v: tensor<?x?x?x256xf32>) -> tensor<?x?x?x256xf32> {
  %o = attn.linear identity %q, %k, %v causal : tensor<?x?x?x256xf32>, tensor<?x?x?x256xf32>, tensor<?x?x?x256xf32> -> tensor<?x?x?x256xf32>
  return %o : tensor<?x?x?x256xf32>
}

func.func @elu_d32(%q: tensor<?x?x?x32xf32>, %k: tensor<?x?x?x32xf32>, %v: tensor<?x?x?x32xf32>) -> tensor<?x?x?x32xf32> {
  %o = attn.linear elu_plus_one %q, %k, %v : tensor<?x?x?x32xf32>, tensor<?x?x?x32xf32>, tensor<?x?x?x32xf32> -> tensor<?x?x?x32xf32>
  return %o : tensor<?x?x?x32xf32>
}

func.func @elu_d32_causal(%q: tensor<?x?x?x32xf32>, %k: tensor<?x?x?x32xf32>, %v: tensor<?x?x?x32xf32>) -> tensor<?x?x?x32xf32> {
  %o = attn.linear elu_plus_one %q, %k, %v causal : tensor<?x?x?x32xf32>, tensor<?x?x?x32xf32>, tensor<?x?x?x32xf32> -> tensor<?x?x?x32xf32>
  return %o : tensor<?x?x?x32xf32>
}

func.func @elu_d60(%q: tensor<?x?x?x60xf32>, %k: tensor<?x?x?x60xf32>, %v: tensor<?x?x?x24xf32>) -> tensor<?x?x?x24xf32> {
  %o = attn.linear elu_plus_one %q, %k, %v : tensor<?x?x?x60xf32>, tensor<?x?x?x60xf32>, tensor<?x?x?x24xf32> -> tensor<?x?x?x24xf32>
  return %o : tensor<?x?x?x24xf32>
}

func.func @elu_d60_causal(%q: tensor<?x?x?x60xf32>, %k: tensor<?x?x?x60xf32>, %v: tensor<?x?x?x24xf32>) -> tensor<?x?x?x24xf32> {
  %o = attn.linear elu_plus_one %q, %k, %v causal : tensor<?x?x?x60xf32>, tensor<?x?x?x60xf32>, tensor<?x?x?x24xf32> -> tensor<?x?x?x24xf32>
  return %o : tensor<?x?x?x24xf32>
}

func.func @elu_d128(%q: tensor<?x?x?x128xf32>, %k: tensor<?x?x?x128xf32>, %v: tensor<?x?x?x128xf32>) -> tensor<?x?x?x128xf32> {
  %o = attn.linear elu_plus_one %q, %k, %v : tensor<?x?x?x128xf32>, tensor<?x?x?x128xf32>, tensor<?x?x?x128xf32> -> tensor<?x?x?x128xf32>
  return %o : tensor<?x?x?x128xf32>
}

func.func @elu_d128_causal(%q: tensor<?x?x?x128xf32>, %k: tensor<?x?x?x128xf32>, %v: tensor<?x?x?x128xf32>) -> tensor<?x?x?x128xf32> {
  %o = attn.linear elu_plus_one %q, %k, %v causal : tensor<?x?x?x128xf32>, tensor<?x?x?x128xf32>, tensor<?x?x?x128xf32> -> tensor<?x?x?x128xf32>
  return %o : tensor<?x?x?x128xf32>
}

func.func @elu_d256(%q: tensor<?x?x?x256xf32>, %k: tensor<?x?x?x256xf32>, %v: tensor<?x?x?x256xf32>) -> tensor<?x?x?x256xf32> {
  %o = attn.linear elu_plus_one %q, %k, %v : tensor<?x?x?x256xf32>, tensor<?x?x?x256xf32>, tensor<?x?x?x256xf32> -> tensor<?x?x?x256xf32>
  return %o : tensor<?x?x?x256xf32>
}

func.func @elu_d256_causal(%q: tensor<?x?x?x256xf32>, %k: tensor<?x?x?x256xf32>, %v: tensor<?x?x?x256xf32>) -> tensor<?x?x?x256xf32> {
  %o = attn.linear elu_plus_one %q, %k, %v causal : tensor<?x?x?x256xf32>, tensor<?x?x?x256xf32>, tensor<?x?x?x256xf32> -> tensor<?x?x?x256xf32>
  return %o : tensor<?x?x?x256xf32>
}

func.func @relu_d32(%q: tensor<?x?x?x32xf32>, %k: tensor<?x?x?x32xf32>, %v: tensor<?x?x?x32xf32>) -> tensor<?x?x?x32xf32> {
  %o = attn.linear relu %q, %k, %v : tensor<?x?x?x32xf32>, tensor<?x?x?x32xf32>, tensor<?x?x?x32xf32> -> tensor<?x?x?x32xf32>
  return %o : tensor<?x?x?x32xf32>
}

func.func @relu_d32_causal(%q: tensor<?x?x?x32xf32>, %k: tensor<?x?x?x32xf32>, %v: tensor<?x?x?x32xf32>) -> tensor<?x?x?x32xf32> {
  %o = attn.linear relu %q, %k, %v causal : tensor<?x?x?x32xf32>, tensor<?x?x?x32xf32>, tensor<?x?x?x32xf32> -> tensor<?x?x?x32xf32>
  return %o : tensor<?x?x?x32xf32>
}

func.func @relu_d60(%q: tensor<?x?x?x60xf32>, %k: tensor<?x?x?x60xf32>, %v: tensor<?x?x?x24xf32>) -> tensor<?x?x?x24xf32> {
  %o = attn.linear relu %q, %k, %v : tensor<?x?x?x60xf32>, tensor<?x?x?x60xf32>, tensor<?x?x?x24xf32> -> tensor<?x?x?x24xf32>
  return %o : tensor<?x?x?x24xf32>
}

func.func @relu_d60_causal(%q: tensor<?x?x?x60xf32>, %k: tensor<?x?x?x60xf32>, %v: tensor<?x?x?x24xf32>) -> tensor<?x?x?x24xf32> {
  %o = attn.linear relu %q, %k, %v causal : tensor<?x?x?x60xf32>, tensor<?x?x?x60xf32>, tensor<?x?x?x24xf32> -> tensor<?x?x?x24xf32>
  return %o : tensor<?x?x?x24xf32>
}

func.func @relu_d128(%q: tensor<?x?x?x128xf32>, %k: tensor<?x?x?x128xf32>, %v: tensor<?x?x?x128xf32>) -> tensor<?x?x?x128xf32> {
  %o = attn.linear relu %q, %k, %v : tensor<?x?x?x128xf32>, tensor<?x?x?x128xf32>, tensor<?x?x?x128xf32> -> tensor<?x?x?x128xf32>
  return %o : tensor<?x?x?x128xf32>
}

func.func @relu_d128_causal(%q: tensor<?x?x?x128xf32>, %k: tensor<?x?x?x128xf32>, %v: tensor<?x?x?x128xf32>) -> tensor<?x?x?x128xf32> {
  %o = attn.linear relu %q, %k, %v causal : tensor<?x?x?x128xf32>, tensor<?x?x?x128xf32>, tensor<?x?x?x128xf32> -> tensor<?x?x?x128xf32>
  return %o : tensor<?x?x?x128xf32>
}

func.func @relu_d256(%q: tensor<?x?x?x256xf32>, %k: tensor<?x?x?x256xf32>, %v: tensor<?x?x?x256xf32>) -> tensor<?x?x?x256xf32> {
  %o = attn.linear relu %q, %k, %v : tensor<?x?x?x256xf32>, tensor<?x?x?x256xf32>, tensor<?x?x?x256xf32> -> tensor<?x?x?x256xf32>
  return %o : tensor<?x?x?x256xf32>
}

func.func @relu_d256_causal(%q: tensor<?x?x?x256xf32>, %k: tensor<?x?x?x256xf32>, %v: tensor<?x?x?x256xf32>) -> tensor<?x?x?x256xf32> {
  %o = attn.linear relu %q, %k, %v causal : tensor<?x?x?x256xf32>, tensor<?x?x?x256xf32>, tensor<?x?x?x256xf32> -> tensor<?x?x?x256xf32>
  return %o : tensor<?x?x?x256xf32>
}
