// RUN: attn-opt %s --split-input-file --verify-diagnostics

// Every verifier constraint of the attn dialect, one case each.

func.func @case0(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x32x64xf32>, %v: tensor<2x2x32x32xf32>) {
  // expected-error @+1 {{[scores_c3] head dim of query (64) must equal head dim of key (32)}}
  %s = attn.scores %q, %v : tensor<2x8x16x64xf32>, tensor<2x2x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @case1(%q: tensor<2x8x16x64xf32>, %k: tensor<2x32x64xf32>) {
  // expected-error @+1 {{[scores_c1] key must have rank 4}}
  %s = attn.scores %q, %k : tensor<2x8x16x64xf32>, tensor<2x32x64xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @case2(%q: tensor<2x8x16x64xf32>, %k: tensor<3x2x32x64xf32>) {
  // expected-error @+1 {{[scores_c2] batch sizes of query (2) and key (3) must match}}
  %s = attn.scores %q, %k : tensor<2x8x16x64xf32>, tensor<3x2x32x64xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @case3(%q: tensor<2x8x16x64xf32>, %k: tensor<2x3x32x64xf32>) {
  // expected-error @+1 {{[scores_c4] query heads (8) must be a multiple of key heads (3)}}
  %s = attn.scores %q, %k : tensor<2x8x16x64xf32>, tensor<2x3x32x64xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @case4(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x32x64xf32>, %v: tensor<2x2x32x32xf32>) {
  // expected-error @+1 {{[scores_c5] result must be [2, 8, 16, 32], got 'tensor<2x8x16x16xf32>'}}
  %s = attn.scores %q, %k : tensor<2x8x16x64xf32>, tensor<2x2x32x64xf32> -> tensor<2x8x16x16xf32>
  return
}

// -----

func.func @case5(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x32x64xf16>) {
  // expected-error @+1 {{[scores_c6] element types must match: key has 'f16', query has 'f32'}}
  %s = attn.scores %q, %k : tensor<2x8x16x64xf32>, tensor<2x2x32x64xf16> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @case6(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x32x64xf32>, %v: tensor<2x2x32x32xf32>) {
  // expected-error @+1 {{[scores_c7] scale must be finite and positive, got -1}}
  %s = attn.scores %q, %k scale -1.0 : tensor<2x8x16x64xf32>, tensor<2x2x32x64xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @case7(%q: tensor<2x8x16x64xi32>, %k: tensor<2x2x32x64xf32>) {
  // expected-error @+1 {{must be ranked tensor of 32-bit float or 16-bit float or bfloat16 type values}}
  %s = attn.scores %q, %k : tensor<2x8x16x64xi32>, tensor<2x2x32x64xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @case8(%s: tensor<8x16x32xf32>) {
  // expected-error @+1 {{[mask_c1] input must have rank 4}}
  %m = attn.mask #attn.causal %s : tensor<8x16x32xf32>
  return
}

// -----

func.func @case9(%s: tensor<1x8x16x32xf32>) {
  // expected-error @+1 {{[mask_c2] the mask reads 1 run-time table(s) but 0 were given}}
  %m = attn.mask #attn.block_sparse<block_q = 16, block_k = 16> %s : tensor<1x8x16x32xf32>
  return
}

// -----

func.func @case10(%s: tensor<1x8x16x32xf32>, %t: tensor<2x2xi8>) {
  // expected-error @+1 {{[mask_c2] the mask reads 0 run-time table(s) but 1 were given}}
  %m = attn.mask #attn.causal %s tables(%t : tensor<2x2xi8>) : tensor<1x8x16x32xf32>
  return
}

// -----

func.func @case11(%s: tensor<1x8x16x32xf32>, %t: tensor<2xi8>) {
  // expected-error @+1 {{[mask_c3] table #0 of #attn.block_sparse<block_q = 16, block_k = 16> must have rank 2 or 4, got 1}}
  %m = attn.mask #attn.block_sparse<block_q = 16, block_k = 16> %s tables(%t : tensor<2xi8>) : tensor<1x8x16x32xf32>
  return
}

// -----

func.func @case12(%s: tensor<1x8x16x32xf32>, %t: tensor<2x3x4xi32>) {
  // expected-error @+1 {{[mask_c3] table #0 of #attn.document must have rank 1 or 2, got 3}}
  %m = attn.mask #attn.intersect<[#attn.causal, #attn.document]> %s tables(%t : tensor<2x3x4xi32>) : tensor<1x8x16x32xf32>
  return
}

// -----

func.func @key_lengths_rank(%s: tensor<2x8x16x32xf32>, %t: tensor<2x1xi32>) {
  // expected-error @+1 {{[mask_c3] table #0 of #attn.key_lengths must have rank 1, got 2}}
  %m = attn.mask #attn.key_lengths %s tables(%t : tensor<2x1xi32>) : tensor<2x8x16x32xf32>
  return
}

// -----

func.func @case13(%s: tensor<1x8x16x32xf32>) {
  // expected-error @+1 {{[window_c1] left must be >= 0, got -1}}
  %m = attn.mask #attn.window<left = -1, right = 0> %s : tensor<1x8x16x32xf32>
  return
}

// -----

func.func @case14(%s: tensor<1x8x16x32xf32>) {
  // expected-error @+1 {{[window_c2] right must be >= 0, got -3}}
  %m = attn.mask #attn.window<left = 4, right = -3> %s : tensor<1x8x16x32xf32>
  return
}

// -----

func.func @case15(%s: tensor<1x8x16x32xf32>) {
  // expected-error @+1 {{[dilated_c1] left must be >= 0, got -4}}
  %m = attn.mask #attn.dilated<left = -4, right = 0, dilation = 2> %s : tensor<1x8x16x32xf32>
  return
}

// -----

func.func @case16(%s: tensor<1x8x16x32xf32>) {
  // expected-error @+1 {{[dilated_c3] dilation must be >= 1, got 0}}
  %m = attn.mask #attn.dilated<left = 4, right = 0, dilation = 0> %s : tensor<1x8x16x32xf32>
  return
}

// -----

func.func @case17(%s: tensor<1x8x16x32xf32>) {
  // expected-error @+1 {{[global_c1] tokens must be >= 1, got 0}}
  %m = attn.mask #attn.global<tokens = 0> %s : tensor<1x8x16x32xf32>
  return
}

// -----

func.func @case18(%s: tensor<1x8x16x32xf32>) {
  // expected-error @+1 {{[block_sparse_c1] block_q must be >= 1, got 0}}
  %m = attn.mask #attn.block_sparse<block_q = 0, block_k = 16> %s : tensor<1x8x16x32xf32>
  return
}

// -----

func.func @case19(%s: tensor<1x8x16x32xf32>) {
  // expected-error @+1 {{[block_sparse_c2] block_k must be >= 1, got -2}}
  %m = attn.mask #attn.block_sparse<block_q = 16, block_k = -2> %s : tensor<1x8x16x32xf32>
  return
}

// -----

func.func @case20(%s: tensor<1x8x16x32xf32>) {
  // expected-error @+1 {{[union_c1] needs at least one member mask}}
  %m = attn.mask #attn.union<[]> %s : tensor<1x8x16x32xf32>
  return
}

// -----

func.func @case21(%s: tensor<1x8x16x32xf32>) {
  // expected-error @+1 {{[union_c2] member 3 : i32 is not an attention mask}}
  %m = attn.mask #attn.union<[#attn.causal, 3 : i32]> %s : tensor<1x8x16x32xf32>
  return
}

// -----

func.func @case22(%s: tensor<1x8x16x32xf32>) {
  // expected-error @+1 {{[intersect_c1] needs at least one member mask}}
  %m = attn.mask #attn.intersect<[]> %s : tensor<1x8x16x32xf32>
  return
}

// -----

func.func @case23(%s: tensor<1x8x16x32xf32>) {
  // expected-error @+1 {{[intersect_c2] member unit is not an attention mask}}
  %m = attn.mask #attn.intersect<[unit]> %s : tensor<1x8x16x32xf32>
  return
}

// -----

func.func @case24(%s: tensor<1x8x16x32xf32>) {
  // expected-error @+1 {{invalid kind of attribute specified}}
  %m = attn.mask 42 %s : tensor<1x8x16x32xf32>
  return
}

// -----

func.func @case25(%s: tensor<16x32xf32>) {
  // expected-error @+1 {{[softmax_c1] input must have rank 4}}
  %p = attn.softmax %s : tensor<16x32xf32>
  return
}

// -----

func.func @case26(%p: tensor<8x16x32xf32>, %v: tensor<2x2x32x32xf32>) {
  // expected-error @+1 {{[apply_c1] probs must have rank 4}}
  %o = attn.apply %p, %v : tensor<8x16x32xf32>, tensor<2x2x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @case27(%p: tensor<1x8x16x32xf32>, %v: tensor<2x2x32x32xf32>) {
  // expected-error @+1 {{[apply_c2] batch sizes of probs (1) and value (2) must match}}
  %o = attn.apply %p, %v : tensor<1x8x16x32xf32>, tensor<2x2x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @case28(%p: tensor<2x8x16x31xf32>, %v: tensor<2x2x32x32xf32>) {
  // expected-error @+1 {{[apply_c3] key dimension of probs (31) must equal the length of value (32)}}
  %o = attn.apply %p, %v : tensor<2x8x16x31xf32>, tensor<2x2x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @case29(%p: tensor<2x8x16x32xf32>, %v: tensor<2x3x32x32xf32>) {
  // expected-error @+1 {{[apply_c4] query heads (8) must be a multiple of value heads (3)}}
  %o = attn.apply %p, %v : tensor<2x8x16x32xf32>, tensor<2x3x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @case30(%p: tensor<2x8x16x32xf32>, %v: tensor<2x2x32x32xf32>) {
  // expected-error @+1 {{[apply_c5] result must be [2, 8, 16, 32], got 'tensor<2x8x16x64xf32>'}}
  %o = attn.apply %p, %v : tensor<2x8x16x32xf32>, tensor<2x2x32x32xf32> -> tensor<2x8x16x64xf32>
  return
}

// -----

func.func @case31(%p: tensor<2x8x16x32xf32>, %v: tensor<2x2x32x32xbf16>) {
  // expected-error @+1 {{[apply_c6] element types must match: value has 'bf16', probs has 'f32'}}
  %o = attn.apply %p, %v : tensor<2x8x16x32xf32>, tensor<2x2x32x32xbf16> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @case32(%x: tensor<16x64xf32>) {
  // expected-error @+1 {{[feature_map_c1] input must have rank 4}}
  %f = attn.feature_map relu %x : tensor<16x64xf32> -> tensor<16x64xf32>
  return
}

// -----

func.func @case33(%x: tensor<1x2x16x64xf32>) {
  // expected-error @+1 {{[feature_map_c2] favor_plus needs a projection operand [d, m]}}
  %f = attn.feature_map favor_plus %x : tensor<1x2x16x64xf32> -> tensor<1x2x16x64xf32>
  return
}

// -----

func.func @case34(%x: tensor<1x2x16x64xf32>, %w: tensor<64x128xf32>) {
  // expected-error @+1 {{[feature_map_c2] relu takes no projection operand}}
  %f = attn.feature_map relu %x, %w : tensor<1x2x16x64xf32>, tensor<64x128xf32> -> tensor<1x2x16x128xf32>
  return
}

// -----

func.func @case35(%x: tensor<1x2x16x64xf32>, %w: tensor<32x128xf32>) {
  // expected-error @+1 {{[feature_map_c2] projection must be [d = 64, m], got 'tensor<32x128xf32>'}}
  %f = attn.feature_map favor_plus %x, %w : tensor<1x2x16x64xf32>, tensor<32x128xf32> -> tensor<1x2x16x128xf32>
  return
}

// -----

func.func @case36(%x: tensor<1x2x16x64xf32>, %w: tensor<64x128xf32>) {
  // expected-error @+1 {{[feature_map_c3] result must be [1, 2, 16, 128], got 'tensor<1x2x16x64xf32>'}}
  %f = attn.feature_map favor_plus %x, %w : tensor<1x2x16x64xf32>, tensor<64x128xf32> -> tensor<1x2x16x64xf32>
  return
}

// -----

func.func @case37(%x: tensor<1x2x16x64xf32>) {
  // expected-error @+1 {{[feature_map_c3] element types must match: result has 'f16', input has 'f32'}}
  %f = attn.feature_map elu_plus_one %x : tensor<1x2x16x64xf32> -> tensor<1x2x16x64xf16>
  return
}

// -----

func.func @case38(%a: tensor<16x16xf32>) {
  // expected-error @+1 {{[normalize_c1] input must have rank 4}}
  %n = attn.normalize %a : tensor<16x16xf32>
  return
}

// -----

func.func @case39(%a: tensor<1x1x16x16xf32>) {
  // expected-error @+1 {{[normalize_c2] eps must be >= 0, got -1}}
  %n = attn.normalize %a {eps = -1.0 : f32} : tensor<1x1x16x16xf32>
  return
}

// -----

func.func @case40(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x32x64xf32>, %v: tensor<2x32x32xf32>) {
  // expected-error @+1 {{[sdpa_c1] value must have rank 4}}
  %o = attn.sdpa %q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x2x32x64xf32>, tensor<2x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @case41(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x32x64xf32>, %v: tensor<4x2x32x32xf32>) {
  // expected-error @+1 {{[sdpa_c2] batch sizes of query (2), key (2) and value (4) must match}}
  %o = attn.sdpa %q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x2x32x64xf32>, tensor<4x2x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @case42(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x32x80xf32>, %v: tensor<2x2x32x32xf32>) {
  // expected-error @+1 {{[sdpa_c3] head dim of query (64) must equal head dim of key (80)}}
  %o = attn.sdpa %q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x2x32x80xf32>, tensor<2x2x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @case43(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x32x64xf32>, %v: tensor<2x2x33x32xf32>) {
  // expected-error @+1 {{[sdpa_c4] key and value must have the same heads and length, got 'tensor<2x2x32x64xf32>' and 'tensor<2x2x33x32xf32>'}}
  %o = attn.sdpa %q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x2x32x64xf32>, tensor<2x2x33x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @case44(%q: tensor<2x8x16x64xf32>, %k: tensor<2x3x32x64xf32>, %v: tensor<2x3x32x32xf32>) {
  // expected-error @+1 {{[sdpa_c5] query heads (8) must be a multiple of key/value heads (3)}}
  %o = attn.sdpa %q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x3x32x64xf32>, tensor<2x3x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @case45(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x32x64xf32>, %v: tensor<2x2x32x32xf32>) {
  // expected-error @+1 {{[sdpa_c6] output must be [2, 8, 16, 32], got 'tensor<2x8x16x64xf32>'}}
  %o = attn.sdpa %q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x2x32x64xf32>, tensor<2x2x32x32xf32> -> tensor<2x8x16x64xf32>
  return
}

// -----

func.func @case46(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x32x64xf32>, %v: tensor<2x2x32x32xf32>) {
  // expected-error @+1 {{[sdpa_c7] element types must match: output has 'bf16', query has 'f32'}}
  %o = attn.sdpa %q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x2x32x64xf32>, tensor<2x2x32x32xf32> -> tensor<2x8x16x32xbf16>
  return
}

// -----

func.func @case47(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x32x64xf32>, %v: tensor<2x2x32x32xf32>) {
  // expected-error @+1 {{[sdpa_c8] lse must be [2, 8, 16], got 'tensor<2x8x32xf32>'}}
  %o, %l = attn.sdpa %q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x2x32x64xf32>, tensor<2x2x32x32xf32> -> tensor<2x8x16x32xf32>, tensor<2x8x32xf32>
  return
}

// -----

func.func @case48(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x32x64xf32>, %v: tensor<2x2x32x32xf32>) {
  // expected-error @+1 {{result #1 must be ranked tensor of 32-bit float values}}
  %o, %l = attn.sdpa %q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x2x32x64xf32>, tensor<2x2x32x32xf32> -> tensor<2x8x16x32xf32>, tensor<2x8x16xf16>
  return
}

// -----

func.func @case49(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x32x64xf32>, %v: tensor<2x2x32x32xf32>) {
  // expected-error @+1 {{[sdpa_c9] scale must be finite and positive, got 0}}
  %o = attn.sdpa %q, %k, %v scale 0.0 : tensor<2x8x16x64xf32>, tensor<2x2x32x64xf32>, tensor<2x2x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @case50(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x32x64xf32>, %v: tensor<2x2x32x32xf32>) {
  // expected-error @+1 {{[sdpa_c10] the mask reads 1 run-time table(s) but 0 were given}}
  %o = attn.sdpa %q, %k, %v mask(#attn.document) : tensor<2x8x16x64xf32>, tensor<2x2x32x64xf32>, tensor<2x2x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @case51(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x32x64xf32>, %v: tensor<2x2x32x32xf32>, %t: tensor<4xi32>) {
  // expected-error @+1 {{[sdpa_c10] the mask reads 0 run-time table(s) but 1 were given}}
  %o = attn.sdpa %q, %k, %v tables(%t : tensor<4xi32>) : tensor<2x8x16x64xf32>, tensor<2x2x32x64xf32>, tensor<2x2x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @case52(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x32x64xf32>, %v: tensor<2x2x32x32xf32>, %t: tensor<4x4x4xi32>) {
  // expected-error @+1 {{[sdpa_c10] table #0 of #attn.document must have rank 1 or 2, got 3}}
  %o = attn.sdpa %q, %k, %v mask(#attn.document) tables(%t : tensor<4x4x4xi32>) : tensor<2x8x16x64xf32>, tensor<2x2x32x64xf32>, tensor<2x2x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @case53(%q: tensor<2x8x16xf32>, %k: tensor<2x2x32x64xf32>, %v: tensor<2x2x32x32xf32>) {
  // expected-error @+1 {{[linear_c1] query must have rank 4}}
  %o = attn.linear relu %q, %k, %v : tensor<2x8x16xf32>, tensor<2x2x32x64xf32>, tensor<2x2x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @case54(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x32x64xf32>, %v: tensor<1x2x32x32xf32>) {
  // expected-error @+1 {{[linear_c2] batch sizes of query (2), key (2) and value (1) must match}}
  %o = attn.linear relu %q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x2x32x64xf32>, tensor<1x2x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @case55(%q: tensor<2x8x16x48xf32>, %k: tensor<2x2x32x64xf32>, %v: tensor<2x2x32x32xf32>) {
  // expected-error @+1 {{[linear_c3] head dim of query (48) must equal head dim of key (64)}}
  %o = attn.linear relu %q, %k, %v : tensor<2x8x16x48xf32>, tensor<2x2x32x64xf32>, tensor<2x2x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @case56(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x32x64xf32>, %v: tensor<2x4x32x32xf32>) {
  // expected-error @+1 {{[linear_c4] key and value must have the same heads and length}}
  %o = attn.linear relu %q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x2x32x64xf32>, tensor<2x4x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @case57(%q: tensor<2x6x16x64xf32>, %k: tensor<2x4x32x64xf32>, %v: tensor<2x4x32x32xf32>) {
  // expected-error @+1 {{[linear_c5] query heads (6) must be a multiple of key/value heads (4)}}
  %o = attn.linear relu %q, %k, %v : tensor<2x6x16x64xf32>, tensor<2x4x32x64xf32>, tensor<2x4x32x32xf32> -> tensor<2x6x16x32xf32>
  return
}

// -----

func.func @case58(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x32x64xf32>, %v: tensor<2x2x32x32xf32>) {
  // expected-error @+1 {{[linear_c6] output must be [2, 8, 16, 32], got 'tensor<2x8x32x32xf32>'}}
  %o = attn.linear relu %q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x2x32x64xf32>, tensor<2x2x32x32xf32> -> tensor<2x8x32x32xf32>
  return
}

// -----

func.func @case59(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x32x64xf32>, %v: tensor<2x2x32x32xf32>) {
  // expected-error @+1 {{[linear_c7] element types must match: output has 'f16', query has 'f32'}}
  %o = attn.linear relu %q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x2x32x64xf32>, tensor<2x2x32x32xf32> -> tensor<2x8x16x32xf16>
  return
}

// -----

func.func @case60(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x32x64xf32>, %v: tensor<2x2x32x32xf32>) {
  // expected-error @+1 {{[linear_c8] favor_plus needs a projection operand [d, m]}}
  %o = attn.linear favor_plus %q, %k, %v : tensor<2x8x16x64xf32>, tensor<2x2x32x64xf32>, tensor<2x2x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @case61(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x32x64xf32>, %v: tensor<2x2x32x32xf32>) {
  // expected-error @+1 {{[linear_c9] eps must be >= 0, got -1}}
  %o = attn.linear elu_plus_one %q, %k, %v {eps = -1.0 : f32} : tensor<2x8x16x64xf32>, tensor<2x2x32x64xf32>, tensor<2x2x32x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @scores_result_type(%q: tensor<1x1x4x8xbf16>, %k: tensor<1x1x4x8xbf16>) {
  // expected-error @+1 {{[scores_c6] result element type must be that of the operands or f32, got 'f16'}}
  %s = attn.scores %q, %k : tensor<1x1x4x8xbf16>, tensor<1x1x4x8xbf16> -> tensor<1x1x4x4xf16>
  return
}

// -----

func.func @online_softmax_rank(%s: tensor<4x8xf32>, %v: tensor<8x16xf32>, %acc: tensor<4x16xf32>, %m: tensor<4x1xf32>, %l: tensor<4xf32>) {
  // expected-error @+1 {{[online_softmax_c1] max must have rank 1}}
  %0:3 = attn.online_softmax %s, %v into (%acc, %m, %l) : tensor<4x8xf32>, tensor<8x16xf32> -> tensor<4x16xf32>, tensor<4x1xf32>, tensor<4xf32>
  return
}

// -----

func.func @online_softmax_rows(%s: tensor<4x8xf32>, %v: tensor<8x16xf32>, %acc: tensor<5x16xf32>, %m: tensor<4xf32>, %l: tensor<4xf32>) {
  // expected-error @+1 {{[online_softmax_c3] scores, acc, max and sum must have the same number of rows}}
  %0:3 = attn.online_softmax %s, %v into (%acc, %m, %l) : tensor<4x8xf32>, tensor<8x16xf32> -> tensor<5x16xf32>, tensor<4xf32>, tensor<4xf32>
  return
}

// -----

func.func @online_softmax_keys(%s: tensor<4x8xf32>, %v: tensor<7x16xf32>, %acc: tensor<4x16xf32>, %m: tensor<4xf32>, %l: tensor<4xf32>) {
  // expected-error @+1 {{[online_softmax_c3] scores have 8 columns but value has 7 rows}}
  %0:3 = attn.online_softmax %s, %v into (%acc, %m, %l) : tensor<4x8xf32>, tensor<7x16xf32> -> tensor<4x16xf32>, tensor<4xf32>, tensor<4xf32>
  return
}

// -----

func.func @online_softmax_dv(%s: tensor<4x8xf32>, %v: tensor<8x32xf32>, %acc: tensor<4x16xf32>, %m: tensor<4xf32>, %l: tensor<4xf32>) {
  // expected-error @+1 {{[online_softmax_c3] value has 32 columns but acc has 16}}
  %0:3 = attn.online_softmax %s, %v into (%acc, %m, %l) : tensor<4x8xf32>, tensor<8x32xf32> -> tensor<4x16xf32>, tensor<4xf32>, tensor<4xf32>
  return
}

// -----

func.func @online_softmax_f32(%s: tensor<4x8xf32>, %v: tensor<8x16xf32>, %acc: tensor<4x16xbf16>, %m: tensor<4xf32>, %l: tensor<4xf32>) {
  // expected-error @+1 {{operand #2 must be ranked tensor of 32-bit float values}}
  %0:3 = attn.online_softmax %s, %v into (%acc, %m, %l) : tensor<4x8xf32>, tensor<8x16xf32> -> tensor<4x16xbf16>, tensor<4xf32>, tensor<4xf32>
  return
}

// -----

func.func @gpu_schedule_0(%q: tensor<1x8x16x64xbf16>) {
  // expected-error @+1 {{[gpu_schedule_c1] tile_q must be a multiple of 16 from 16 to 256, got 100}}
  %o = attn.sdpa %q, %q, %q {attn.schedule = #attn.gpu_schedule<mma = mma_sync, copy = cp_async, tile_q = 100, tile_kv = 64, kv_step = 64, warps = 4, producer_warps = 0, stages = 2>} : tensor<1x8x16x64xbf16>, tensor<1x8x16x64xbf16>, tensor<1x8x16x64xbf16> -> tensor<1x8x16x64xbf16>
  return
}

// -----

func.func @gpu_schedule_1(%q: tensor<1x8x16x64xbf16>) {
  // expected-error @+1 {{[gpu_schedule_c2] kv_step (48) must divide tile_kv (64)}}
  %o = attn.sdpa %q, %q, %q {attn.schedule = #attn.gpu_schedule<mma = mma_sync, copy = cp_async, tile_q = 128, tile_kv = 64, kv_step = 48, warps = 4, producer_warps = 0, stages = 2>} : tensor<1x8x16x64xbf16>, tensor<1x8x16x64xbf16>, tensor<1x8x16x64xbf16> -> tensor<1x8x16x64xbf16>
  return
}

// -----

func.func @gpu_schedule_2(%q: tensor<1x8x16x64xbf16>) {
  // expected-error @+1 {{[gpu_schedule_c3] stages must be 1 to 4, got 5}}
  %o = attn.sdpa %q, %q, %q {attn.schedule = #attn.gpu_schedule<mma = wgmma, copy = tma, tile_q = 128, tile_kv = 128, kv_step = 128, warps = 12, producer_warps = 4, stages = 5>} : tensor<1x8x16x64xbf16>, tensor<1x8x16x64xbf16>, tensor<1x8x16x64xbf16> -> tensor<1x8x16x64xbf16>
  return
}

// -----

func.func @gpu_schedule_2b(%q: tensor<1x8x16x64xbf16>) {
  // expected-error @+1 {{[gpu_schedule_c4] mma_sync: 1 or 2 stages, got 3}}
  %o = attn.sdpa %q, %q, %q {attn.schedule = #attn.gpu_schedule<mma = mma_sync, copy = cp_async, tile_q = 128, tile_kv = 64, kv_step = 64, warps = 4, producer_warps = 0, stages = 3>} : tensor<1x8x16x64xbf16>, tensor<1x8x16x64xbf16>, tensor<1x8x16x64xbf16> -> tensor<1x8x16x64xbf16>
  return
}

// -----

func.func @gpu_schedule_3(%q: tensor<1x8x16x64xbf16>) {
  // expected-error @+1 {{[gpu_schedule_c4] mma_sync: copies with cp_async}}
  %o = attn.sdpa %q, %q, %q {attn.schedule = #attn.gpu_schedule<mma = mma_sync, copy = tma, tile_q = 128, tile_kv = 64, kv_step = 64, warps = 4, producer_warps = 0, stages = 2>} : tensor<1x8x16x64xbf16>, tensor<1x8x16x64xbf16>, tensor<1x8x16x64xbf16> -> tensor<1x8x16x64xbf16>
  return
}

// -----

func.func @gpu_schedule_4(%q: tensor<1x8x16x64xbf16>) {
  // expected-error @+1 {{[gpu_schedule_c4] mma_sync: 1 to 8 warps of 16 or 32 query rows each, got 2 warps for tile_q = 128}}
  %o = attn.sdpa %q, %q, %q {attn.schedule = #attn.gpu_schedule<mma = mma_sync, copy = cp_async, tile_q = 128, tile_kv = 64, kv_step = 64, warps = 2, producer_warps = 0, stages = 2>} : tensor<1x8x16x64xbf16>, tensor<1x8x16x64xbf16>, tensor<1x8x16x64xbf16> -> tensor<1x8x16x64xbf16>
  return
}

// -----

func.func @gpu_schedule_5(%q: tensor<1x8x16x64xbf16>) {
  // expected-error @+1 {{[gpu_schedule_c4] mma_sync: one stage needs kv_step = tile_kv}}
  %o = attn.sdpa %q, %q, %q {attn.schedule = #attn.gpu_schedule<mma = mma_sync, copy = cp_async, tile_q = 128, tile_kv = 64, kv_step = 32, warps = 4, producer_warps = 0, stages = 1>} : tensor<1x8x16x64xbf16>, tensor<1x8x16x64xbf16>, tensor<1x8x16x64xbf16> -> tensor<1x8x16x64xbf16>
  return
}

// -----

func.func @gpu_schedule_6(%q: tensor<1x8x16x64xbf16>) {
  // expected-error @+1 {{[gpu_schedule_c5] wgmma: copies with tma}}
  %o = attn.sdpa %q, %q, %q {attn.schedule = #attn.gpu_schedule<mma = wgmma, copy = cp_async, tile_q = 128, tile_kv = 128, kv_step = 128, warps = 12, producer_warps = 4, stages = 2>} : tensor<1x8x16x64xbf16>, tensor<1x8x16x64xbf16>, tensor<1x8x16x64xbf16> -> tensor<1x8x16x64xbf16>
  return
}

// -----

func.func @gpu_schedule_7(%q: tensor<1x8x16x64xbf16>) {
  // expected-error @+1 {{[gpu_schedule_c5] wgmma: one producer warpgroup and a consumer warpgroup per 64 query rows (tile_q = 128: warps = 12, producer_warps = 4), got warps = 8, producer_warps = 4}}
  %o = attn.sdpa %q, %q, %q {attn.schedule = #attn.gpu_schedule<mma = wgmma, copy = tma, tile_q = 128, tile_kv = 128, kv_step = 128, warps = 8, producer_warps = 4, stages = 2>} : tensor<1x8x16x64xbf16>, tensor<1x8x16x64xbf16>, tensor<1x8x16x64xbf16> -> tensor<1x8x16x64xbf16>
  return
}

// -----

func.func @gpu_schedule_8(%q: tensor<1x8x16x64xbf16>) {
  // expected-error @+1 {{[gpu_schedule_c5] wgmma: kv_step = tile_kv and 2 to 4 stages}}
  %o = attn.sdpa %q, %q, %q {attn.schedule = #attn.gpu_schedule<mma = wgmma, copy = tma, tile_q = 128, tile_kv = 128, kv_step = 64, warps = 12, producer_warps = 4, stages = 2>} : tensor<1x8x16x64xbf16>, tensor<1x8x16x64xbf16>, tensor<1x8x16x64xbf16> -> tensor<1x8x16x64xbf16>
  return
}

// -----

func.func @gpu_schedule_persistent(%q: tensor<1x8x16x64xbf16>) {
  // expected-error @+1 {{[gpu_schedule_c4] mma_sync: is not persistent}}
  %o = attn.sdpa %q, %q, %q {attn.schedule = #attn.gpu_schedule<mma = mma_sync, copy = cp_async, tile_q = 128, tile_kv = 64, kv_step = 64, warps = 4, producer_warps = 0, stages = 2, persistent = true>} : tensor<1x8x16x64xbf16>, tensor<1x8x16x64xbf16>, tensor<1x8x16x64xbf16> -> tensor<1x8x16x64xbf16>
  return
}

// -----

func.func @linear_update_rank(%k: tensor<8x16xf32>, %v: tensor<8x32xf32>, %s: tensor<16x32xf32>, %z: tensor<16x1xf32>) {
  // expected-error @+1 {{[linear_update_c1] norm must have rank 1}}
  %0:2 = attn.linear_update %k, %v into (%s, %z) : tensor<8x16xf32>, tensor<8x32xf32> -> tensor<16x32xf32>, tensor<16x1xf32>
  return
}

// -----

func.func @linear_update_rows(%k: tensor<8x16xf32>, %v: tensor<9x32xf32>, %s: tensor<16x32xf32>, %z: tensor<16xf32>) {
  // expected-error @+1 {{[linear_update_c3] rows of phi_key and value: 8 vs 9}}
  %0:2 = attn.linear_update %k, %v into (%s, %z) : tensor<8x16xf32>, tensor<9x32xf32> -> tensor<16x32xf32>, tensor<16xf32>
  return
}

// -----

func.func @linear_update_features(%k: tensor<8x16xf32>, %v: tensor<8x32xf32>, %s: tensor<12x32xf32>, %z: tensor<16xf32>) {
  // expected-error @+1 {{[linear_update_c3] features of phi_key and state: 16 vs 12}}
  %0:2 = attn.linear_update %k, %v into (%s, %z) : tensor<8x16xf32>, tensor<8x32xf32> -> tensor<12x32xf32>, tensor<16xf32>
  return
}

// -----

func.func @linear_chunk_rank(%q: tensor<4x16xf32>, %s: tensor<16x32xf32>, %z: tensor<16x2xf32>) {
  // expected-error @+1 {{[linear_chunk_c1] norm must have rank 1}}
  %o = attn.linear_chunk %q with (%s, %z) : tensor<4x16xf32>, tensor<16x32xf32>, tensor<16x2xf32> -> tensor<4x32xf32>
  return
}

// -----

func.func @linear_chunk_features(%q: tensor<4x16xf32>, %s: tensor<16x32xf32>, %z: tensor<16xf32>, %k: tensor<8x12xf32>, %v: tensor<8x32xf32>) {
  // expected-error @+1 {{[linear_chunk_c4] features of phi_query and phi_key: 16 vs 12}}
  %o = attn.linear_chunk %q with (%s, %z) keys(%k, %v) : tensor<4x16xf32>, tensor<16x32xf32>, tensor<16xf32>, tensor<8x12xf32>, tensor<8x32xf32> -> tensor<4x32xf32>
  return
}

// -----

func.func @linear_chunk_result(%q: tensor<4x16xf32>, %s: tensor<16x32xf32>, %z: tensor<16xf32>) {
  // expected-error @+1 {{[linear_chunk_c5] the result must be [4, 32], got 'tensor<4x16xf32>'}}
  %o = attn.linear_chunk %q with (%s, %z) : tensor<4x16xf32>, tensor<16x32xf32>, tensor<16xf32> -> tensor<4x16xf32>
  return
}

// -----

func.func @linear_chunk_eps(%q: tensor<4x16xf32>, %s: tensor<16x32xf32>, %z: tensor<16xf32>) {
  // expected-error @+1 {{[linear_chunk_c6] eps must be >= 0, got -1}}
  %o = attn.linear_chunk %q with (%s, %z) {eps = -1.0 : f32} : tensor<4x16xf32>, tensor<16x32xf32>, tensor<16xf32> -> tensor<4x32xbf16>
  return
}

// -----

func.func @linear_chunk_diagonal(%q: tensor<4x16xf32>, %s: tensor<16x32xf32>, %z: tensor<16xf32>, %d: index) {
  // expected-error @+1 {{[linear_chunk_c3] a diagonal needs keys}}
  %o = attn.linear_chunk %q with (%s, %z) diagonal(%d) : tensor<4x16xf32>, tensor<16x32xf32>, tensor<16xf32> -> tensor<4x32xf32>
  return
}

// -----

func.func @project_sequence_rank(%x: tensor<1x2x8x16xf32>, %e: tensor<4x8x1xf32>) {
  // expected-error @+1 {{[project_sequence_c1] projection must have rank 2}}
  %y = attn.project_sequence %x, %e : tensor<1x2x8x16xf32>, tensor<4x8x1xf32> -> tensor<1x2x4x16xf32>
  return
}

// -----

func.func @project_sequence_n(%x: tensor<1x2x8x16xf32>, %e: tensor<4x9xf32>) {
  // expected-error @+1 {{[project_sequence_c2] the projection has 9 columns but the input has N = 8}}
  %y = attn.project_sequence %x, %e : tensor<1x2x8x16xf32>, tensor<4x9xf32> -> tensor<1x2x4x16xf32>
  return
}

// -----

func.func @project_sequence_result(%x: tensor<1x2x8x16xf32>, %e: tensor<4x8xf32>) {
  // expected-error @+1 {{[project_sequence_c3] the result must be [1, 2, 4, 16] of the input's element type, got 'tensor<1x2x8x16xf32>'}}
  %y = attn.project_sequence %x, %e : tensor<1x2x8x16xf32>, tensor<4x8xf32> -> tensor<1x2x8x16xf32>
  return
}

// -----

func.func @feature_map_shift_kind(%x: tensor<1x2x8x16xf32>, %s: tensor<1x2x8xf32>) {
  // expected-error @+1 {{[feature_map_c4] a shift only with favor_plus}}
  %f = attn.feature_map relu %x shift(%s : tensor<1x2x8xf32>) : tensor<1x2x8x16xf32> -> tensor<1x2x8x16xf32>
  return
}

// -----

func.func @feature_map_shift_shape(%x: tensor<1x2x8x16xf32>, %w: tensor<16x32xf32>, %s: tensor<1x2x9xf32>) {
  // expected-error @+1 {{[feature_map_c4] shift must be [1, 2, 8], got 'tensor<1x2x9xf32>'}}
  %f = attn.feature_map favor_plus %x, %w shift(%s : tensor<1x2x9xf32>) : tensor<1x2x8x16xf32>, tensor<16x32xf32> -> tensor<1x2x8x32xf32>
  return
}

// -----

func.func @favor_max_projection(%x: tensor<1x2x8x16xf32>, %w: tensor<12x32xf32>) {
  // expected-error @+1 {{[favor_max_c1] projection must be [d = 16, m], got 'tensor<12x32xf32>'}}
  %m = attn.favor_max %x, %w : tensor<1x2x8x16xf32>, tensor<12x32xf32> -> tensor<1x2x8xf32>
  return
}

// -----

func.func @favor_max_result(%x: tensor<1x2x8x16xf32>, %w: tensor<16x32xf32>) {
  // expected-error @+1 {{[favor_max_c2] result must be [1, 2, 8], got 'tensor<1x2x8x32xf32>'}}
  %m = attn.favor_max %x, %w : tensor<1x2x8x16xf32>, tensor<16x32xf32> -> tensor<1x2x8x32xf32>
  return
}

// -----

func.func @alibi_bias(%q: tensor<1x1x8x16xf32>) {
  // expected-error @+1 {{[alibi_c1] max_bias must be finite and positive, got 0.000000e+00}}
  %o = attn.sdpa %q, %q, %q score_mod(#attn.alibi<max_bias = 0.0>) : tensor<1x1x8x16xf32>, tensor<1x1x8x16xf32>, tensor<1x1x8x16xf32> -> tensor<1x1x8x16xf32>
  return
}

// -----

func.func @softcap_cap(%q: tensor<1x1x8x16xf32>) {
  // expected-error @+1 {{[softcap_c1] cap must be finite and positive, got -2.000000e+00}}
  %o = attn.sdpa %q, %q, %q score_mod(#attn.softcap<cap = -2.0>) : tensor<1x1x8x16xf32>, tensor<1x1x8x16xf32>, tensor<1x1x8x16xf32> -> tensor<1x1x8x16xf32>
  return
}

// -----

func.func @score_mod_not_a_mod(%q: tensor<1x1x8x16xf32>) {
  // expected-error @+1 {{invalid kind of attribute specified}}
  %o = attn.sdpa %q, %q, %q score_mod(#attn.causal) : tensor<1x1x8x16xf32>, tensor<1x1x8x16xf32>, tensor<1x1x8x16xf32> -> tensor<1x1x8x16xf32>
  return
}

// -----

func.func @kv_split_range(%q: tensor<1x1x8x16xf32>) {
  // expected-error @+1 {{[sdpa_c11] kv_split must be [s, P] with P >= 1 and 0 <= s < P, got array<i64: 2, 2>}}
  %o = attn.sdpa %q, %q, %q kv_split [2, 2] : tensor<1x1x8x16xf32>, tensor<1x1x8x16xf32>, tensor<1x1x8x16xf32> -> tensor<1x1x8x16xf32>
  return
}

// -----

func.func @kv_split_size(%q: tensor<1x1x8x16xf32>) {
  // expected-error @+1 {{[sdpa_c11] kv_split must be [s, P]}}
  %o = attn.sdpa %q, %q, %q kv_split [0] : tensor<1x1x8x16xf32>, tensor<1x1x8x16xf32>, tensor<1x1x8x16xf32> -> tensor<1x1x8x16xf32>
  return
}

// -----

func.func @merge_counts(%o: tensor<1x2x8x16xf32>, %l: tensor<1x2x8xf32>) {
  // expected-error @+1 {{[merge_c1] needs at least one part and one LSE per output, got 2 outputs and 1 LSEs}}
  %m, %ml = attn.merge %o, %o lse(%l) : (tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>), (tensor<1x2x8xf32>) -> tensor<1x2x8x16xf32>, tensor<1x2x8xf32>
  return
}

// -----

func.func @merge_shapes(%o: tensor<1x2x8x16xf32>, %p: tensor<1x2x9x16xf32>, %l: tensor<1x2x8xf32>) {
  // expected-error @+1 {{[merge_c2] each output must be [1, 2, 8, 16], got 'tensor<1x2x9x16xf32>'}}
  %m, %ml = attn.merge %o, %p lse(%l, %l) : (tensor<1x2x8x16xf32>, tensor<1x2x9x16xf32>), (tensor<1x2x8xf32>, tensor<1x2x8xf32>) -> tensor<1x2x8x16xf32>, tensor<1x2x8xf32>
  return
}

// -----

func.func @merge_types(%o: tensor<1x2x8x16xf32>, %p: tensor<1x2x8x16xbf16>, %l: tensor<1x2x8xf32>) {
  // expected-error @+1 {{[merge_c2] the outputs must have one element type}}
  %m, %ml = attn.merge %o, %p lse(%l, %l) : (tensor<1x2x8x16xf32>, tensor<1x2x8x16xbf16>), (tensor<1x2x8xf32>, tensor<1x2x8xf32>) -> tensor<1x2x8x16xf32>, tensor<1x2x8xf32>
  return
}

// -----

func.func @merge_lse(%o: tensor<1x2x8x16xf32>, %l: tensor<1x2x7xf32>) {
  // expected-error @+1 {{[merge_c3] each lse must be [1, 2, 8], got 'tensor<1x2x7xf32>'}}
  %m, %ml = attn.merge %o lse(%l) : (tensor<1x2x8x16xf32>), (tensor<1x2x7xf32>) -> tensor<1x2x8x16xf32>, tensor<1x2x8xf32>
  return
}

// -----

func.func @merge_result(%o: tensor<1x2x8x16xf32>, %l: tensor<1x2x8xf32>) {
  // expected-error @+1 {{[merge_c4] the output must have the parts' element type 'f32'}}
  %m, %ml = attn.merge %o lse(%l) : (tensor<1x2x8x16xf32>), (tensor<1x2x8xf32>) -> tensor<1x2x8x16xbf16>, tensor<1x2x8xf32>
  return
}

// -----

func.func @gather_pages_rank(%p: tensor<9x2x16xf32>, %t: tensor<4x8xi32>) {
  // expected-error @+1 {{[gather_pages_c1] pages must have rank 4}}
  %k = attn.gather_pages %p, %t : tensor<9x2x16xf32>, tensor<4x8xi32> -> tensor<4x2x128x64xf32>
  return
}

// -----

func.func @gather_pages_size(%p: tensor<9x2x?x64xf32>, %t: tensor<4x8xi32>) {
  // expected-error @+1 {{[gather_pages_c2] the page size (dim 2 of pages) must be static and >= 1, got ?}}
  %k = attn.gather_pages %p, %t : tensor<9x2x?x64xf32>, tensor<4x8xi32> -> tensor<4x2x128x64xf32>
  return
}

// -----

func.func @gather_pages_result(%p: tensor<9x2x16x64xf32>, %t: tensor<4x8xi32>) {
  // expected-error @+1 {{[gather_pages_c3] the result must be [4, 2, 128, 64] of the pages' element type, got 'tensor<4x2x64x64xf32>'}}
  %k = attn.gather_pages %p, %t : tensor<9x2x16x64xf32>, tensor<4x8xi32> -> tensor<4x2x64x64xf32>
  return
}

// -----

func.func @key_lengths_batch(%q: tensor<2x8x1x32xf32>, %k: tensor<2x2x64x32xf32>, %v: tensor<2x2x64x32xf32>, %t: tensor<3xi32>) {
  // expected-error @+1 {{[sdpa_c10] table #0 of #attn.key_lengths is per batch: its dim 0 must be B = 2, got 3}}
  %o = attn.sdpa %q, %k, %v mask(#attn.key_lengths) tables(%t : tensor<3xi32>) : tensor<2x8x1x32xf32>, tensor<2x2x64x32xf32>, tensor<2x2x64x32xf32> -> tensor<2x8x1x32xf32>
  return
}

// -----

func.func @document_batch(%s: tensor<2x8x16x32xf32>, %t: tensor<4x5xi32>) {
  // expected-error @+1 {{[mask_c3] table #0 of #attn.document is per batch: its dim 0 must be B = 2, got 4}}
  %m = attn.mask #attn.document %s tables(%t : tensor<4x5xi32>) : tensor<2x8x16x32xf32>
  return
}
