// attn-reassociate-linear keeps memory O(N): at N = 65536 (where one N×N
// f32 matrix is 16 GiB) the compiled causal function's peak extra resident
// memory stays under 64 MiB and its outputs are finite (the float64
// evaluation, O(N²), is skipped at this size; linear-reassociated.mlir
// checks the values). The quadratic lowering of the same function, at only
// N = 4096, exceeds that limit: the check can tell them apart.
// AddressSanitizer's quarantine and shadow memory inflate the resident size
// it measures, so the sanitizer build skips it.
// UNSUPPORTED: sanitized

// RUN: attn-opt %s --attn-reassociate-linear --attn-reference-to-llvm | mlir-translate --mlir-to-llvmir -o %t.linear.ll
// RUN: %compile-shared %t.linear.ll -o %t.linear.so
// RUN: attn-check %s --lib %t.linear.so --func elu_causal_64k --skip-reference --max-extra-mb 64 | FileCheck %s --check-prefix=LINEAR
// RUN: attn-check %s --lib %t.linear.so --func elu_causal_4k --max-extra-mb 64 | FileCheck %s --check-prefix=LINEAR4K
// RUN: attn-opt %s --attn-reference-to-llvm | mlir-translate --mlir-to-llvmir -o %t.naive.ll
// RUN: %compile-shared %t.naive.ll -o %t.naive.so
// RUN: not attn-check %s --lib %t.naive.so --func elu_causal_4k --max-extra-mb 64 | FileCheck %s --check-prefix=NAIVE

// LINEAR: PASS @elu_causal_64k result #0 [1x2x65536x16] non_finite=0
// LINEAR: PASS memory: peak extra
// LINEAR4K: PASS @elu_causal_4k result #0 [1x1x4096x16]
// LINEAR4K: PASS memory: peak extra
// NAIVE: PASS @elu_causal_4k result #0 [1x1x4096x16]
// NAIVE: FAIL memory: peak extra

func.func @elu_causal_64k(%q: tensor<1x2x65536x16xf32>, %k: tensor<1x2x65536x16xf32>, %v: tensor<1x2x65536x16xf32>) -> tensor<1x2x65536x16xf32> attributes {llvm.emit_c_interface} {
  %o = attn.linear elu_plus_one %q, %k, %v causal : tensor<1x2x65536x16xf32>, tensor<1x2x65536x16xf32>, tensor<1x2x65536x16xf32> -> tensor<1x2x65536x16xf32>
  return %o : tensor<1x2x65536x16xf32>
}

func.func @elu_causal_4k(%q: tensor<1x1x4096x16xf32>, %k: tensor<1x1x4096x16xf32>, %v: tensor<1x1x4096x16xf32>) -> tensor<1x1x4096x16xf32> attributes {llvm.emit_c_interface} {
  %o = attn.linear elu_plus_one %q, %k, %v causal : tensor<1x1x4096x16xf32>, tensor<1x1x4096x16xf32>, tensor<1x1x4096x16xf32> -> tensor<1x1x4096x16xf32>
  return %o : tensor<1x1x4096x16xf32>
}
