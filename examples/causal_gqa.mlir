// The built-in example: causal grouped-query attention written as the graph a
// frontend would produce (8 query heads sharing 2 key/value heads, N = 1000,
// d = 64). scripts/run-example.sh fuses it, lowers it, runs it and checks it.
func.func @causal_gqa(%q: tensor<1x8x1000x64xf32>, %k: tensor<1x2x1000x64xf32>,
                      %v: tensor<1x2x1000x64xf32>) -> tensor<1x8x1000x64xf32>
    attributes {llvm.emit_c_interface} {
  %s = attn.scores %q, %k scale 0.125
      : tensor<1x8x1000x64xf32>, tensor<1x2x1000x64xf32> -> tensor<1x8x1000x1000xf32>
  %m = attn.mask #attn.causal %s : tensor<1x8x1000x1000xf32>
  %p = attn.softmax %m : tensor<1x8x1000x1000xf32>
  %o = attn.apply %p, %v
      : tensor<1x8x1000x1000xf32>, tensor<1x2x1000x64xf32> -> tensor<1x8x1000x64xf32>
  return %o : tensor<1x8x1000x64xf32>
}
