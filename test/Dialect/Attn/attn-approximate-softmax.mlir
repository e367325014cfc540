// RUN: attn-opt %s --split-input-file --verify-diagnostics --attn-approximate-softmax="num-features=8 seed=3" | FileCheck %s
// The result verifies and reassociates (the projection has the inputs' type).
// RUN: attn-opt %s --split-input-file --attn-approximate-softmax --attn-reassociate-linear 2>/dev/null | FileCheck %s --check-prefix=LINEAR
// RUN: not attn-opt %s --attn-approximate-softmax=num-features=0 2>&1 | FileCheck %s --check-prefix=BAD

// BAD: attn-approximate-softmax: num-features=0: expected 1 to 65536
// LINEAR-LABEL: func @causal
// LINEAR: attn.feature_map favor_plus {{.+}} : tensor<1x1x?x16xbf16>, tensor<16x256xbf16> -> tensor<1x1x?x256xbf16>
// LINEAR: attn.linear_chunk

// CHECK-LABEL: func @causal
// CHECK: %[[W:.+]] = arith.constant dense<{{.+}}> : tensor<16x8xbf16>
// CHECK: attn.linear favor_plus %{{.+}}, %{{.+}}, %{{.+}} projection(%[[W]] : tensor<16x8xbf16>) causal {eps = 0.000000e+00 : f32}
// CHECK-NOT: attn.sdpa
func.func @causal(%q: tensor<1x2x?x16xbf16>, %k: tensor<1x1x?x16xbf16>, %v: tensor<1x1x?x16xbf16>) -> tensor<1x2x?x16xbf16> {
  // expected-remark @+1 {{attn-approximate-softmax: approximated by FAVOR+ (8 features, seed 3): the result is approximate}}
  %o = attn.sdpa %q, %k, %v mask(#attn.causal) : tensor<1x2x?x16xbf16>, tensor<1x1x?x16xbf16>, tensor<1x1x?x16xbf16> -> tensor<1x2x?x16xbf16>
  return %o : tensor<1x2x?x16xbf16>
}

// -----

// CHECK-LABEL: func @left_exact
// CHECK-COUNT-5: attn.sdpa
func.func @left_exact(%q: tensor<1x1x8x16xf32>, %qd: tensor<1x1x8x?xf32>) -> (tensor<1x1x8x16xf32>, tensor<1x1x8x16xf32>, tensor<1x1x8x?xf32>, tensor<1x1x8x16xf32>) {
  // expected-remark @+1 {{left exact: only causal masks have a linear form}}
  %a = attn.sdpa %q, %q, %q mask(#attn.window<left = 2, right = 0>) : tensor<1x1x8x16xf32>, tensor<1x1x8x16xf32>, tensor<1x1x8x16xf32> -> tensor<1x1x8x16xf32>
  // expected-remark @+1 {{left exact: FAVOR+ estimates exp(qᵀk/√d): the scale is not 1/√d}}
  %b = attn.sdpa %q, %q, %q scale 0.5 : tensor<1x1x8x16xf32>, tensor<1x1x8x16xf32>, tensor<1x1x8x16xf32> -> tensor<1x1x8x16xf32>
  // expected-remark @+1 {{left exact: the head dim is dynamic (the projection is a constant)}}
  %c = attn.sdpa %qd, %qd, %qd : tensor<1x1x8x?xf32>, tensor<1x1x8x?xf32>, tensor<1x1x8x?xf32> -> tensor<1x1x8x?xf32>
  // expected-remark @+1 {{left exact: the LSE has no linear-attention form}}
  %d, %lse = attn.sdpa %q, %q, %q : tensor<1x1x8x16xf32>, tensor<1x1x8x16xf32>, tensor<1x1x8x16xf32> -> tensor<1x1x8x16xf32>, tensor<1x1x8xf32>
  // expected-remark @+1 {{left exact: a score_mod has no linear-attention form}}
  %e = attn.sdpa %q, %q, %q score_mod(#attn.softcap<cap = 5.0>) : tensor<1x1x8x16xf32>, tensor<1x1x8x16xf32>, tensor<1x1x8x16xf32> -> tensor<1x1x8x16xf32>
  return %a, %b, %c, %d : tensor<1x1x8x16xf32>, tensor<1x1x8x16xf32>, tensor<1x1x8x?xf32>, tensor<1x1x8x16xf32>
}

// -----

// CHECK-LABEL: func @too_big
// CHECK: attn.sdpa
func.func @too_big(%q: tensor<1x1x8x2048xf32>) -> tensor<1x1x8x2048xf32> {
  // expected-remark @+1 {{left exact: the projection would be 2048 x 8: expected 1 <= d <= 1024 and at most 16777216 floats}}
  %o = attn.sdpa %q, %q, %q : tensor<1x1x8x2048xf32>, tensor<1x1x8x2048xf32>, tensor<1x1x8x2048xf32> -> tensor<1x1x8x2048xf32>
  return %o : tensor<1x1x8x2048xf32>
}
