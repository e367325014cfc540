// The cases of attn-sparsify-brute-force.test: masks without tables, sizes
// that no block divides, N_q < N_kv and N_q > N_kv.

func.func @causal_square(%q: tensor<1x1x600x8xf32>, %k: tensor<1x1x600x8xf32>, %v: tensor<1x1x600x8xf32>) -> tensor<1x1x600x8xf32> {
  %o = attn.sdpa %q, %k, %v mask(#attn.causal) : tensor<1x1x600x8xf32>, tensor<1x1x600x8xf32>, tensor<1x1x600x8xf32> -> tensor<1x1x600x8xf32>
  return %o : tensor<1x1x600x8xf32>
}
func.func @causal_fewer_queries(%q: tensor<1x1x200x8xf32>, %k: tensor<1x1x650x8xf32>, %v: tensor<1x1x650x8xf32>) -> tensor<1x1x200x8xf32> {
  %o = attn.sdpa %q, %k, %v mask(#attn.causal) : tensor<1x1x200x8xf32>, tensor<1x1x650x8xf32>, tensor<1x1x650x8xf32> -> tensor<1x1x200x8xf32>
  return %o : tensor<1x1x200x8xf32>
}
func.func @causal_more_queries(%q: tensor<1x1x650x8xf32>, %k: tensor<1x1x200x8xf32>, %v: tensor<1x1x200x8xf32>) -> tensor<1x1x650x8xf32> {
  %o = attn.sdpa %q, %k, %v mask(#attn.causal) : tensor<1x1x650x8xf32>, tensor<1x1x200x8xf32>, tensor<1x1x200x8xf32> -> tensor<1x1x650x8xf32>
  return %o : tensor<1x1x650x8xf32>
}
func.func @window(%q: tensor<1x1x500x8xf32>, %k: tensor<1x1x520x8xf32>, %v: tensor<1x1x520x8xf32>) -> tensor<1x1x500x8xf32> {
  %o = attn.sdpa %q, %k, %v mask(#attn.window<left = 100, right = 30>) : tensor<1x1x500x8xf32>, tensor<1x1x520x8xf32>, tensor<1x1x520x8xf32> -> tensor<1x1x500x8xf32>
  return %o : tensor<1x1x500x8xf32>
}
func.func @dilated(%q: tensor<1x1x400x8xf32>, %k: tensor<1x1x400x8xf32>, %v: tensor<1x1x400x8xf32>) -> tensor<1x1x400x8xf32> {
  %o = attn.sdpa %q, %k, %v mask(#attn.dilated<left = 150, right = 0, dilation = 3>) : tensor<1x1x400x8xf32>, tensor<1x1x400x8xf32>, tensor<1x1x400x8xf32> -> tensor<1x1x400x8xf32>
  return %o : tensor<1x1x400x8xf32>
}
func.func @dilated_one(%q: tensor<1x1x300x8xf32>, %k: tensor<1x1x300x8xf32>, %v: tensor<1x1x300x8xf32>) -> tensor<1x1x300x8xf32> {
  %o = attn.sdpa %q, %k, %v mask(#attn.dilated<left = 70, right = 10, dilation = 1>) : tensor<1x1x300x8xf32>, tensor<1x1x300x8xf32>, tensor<1x1x300x8xf32> -> tensor<1x1x300x8xf32>
  return %o : tensor<1x1x300x8xf32>
}
func.func @global(%q: tensor<1x1x450x8xf32>, %k: tensor<1x1x300x8xf32>, %v: tensor<1x1x300x8xf32>) -> tensor<1x1x450x8xf32> {
  %o = attn.sdpa %q, %k, %v mask(#attn.global<tokens = 70>) : tensor<1x1x450x8xf32>, tensor<1x1x300x8xf32>, tensor<1x1x300x8xf32> -> tensor<1x1x450x8xf32>
  return %o : tensor<1x1x450x8xf32>
}
func.func @longformer(%q: tensor<1x1x500x8xf32>, %k: tensor<1x1x500x8xf32>, %v: tensor<1x1x500x8xf32>) -> tensor<1x1x500x8xf32> {
  %o = attn.sdpa %q, %k, %v mask(#attn.union<[#attn.window<left = 64, right = 64>, #attn.global<tokens = 20>]>) : tensor<1x1x500x8xf32>, tensor<1x1x500x8xf32>, tensor<1x1x500x8xf32> -> tensor<1x1x500x8xf32>
  return %o : tensor<1x1x500x8xf32>
}
func.func @causal_window(%q: tensor<1x1x500x8xf32>, %k: tensor<1x1x500x8xf32>, %v: tensor<1x1x500x8xf32>) -> tensor<1x1x500x8xf32> {
  %o = attn.sdpa %q, %k, %v mask(#attn.intersect<[#attn.causal, #attn.window<left = 120, right = 0>]>) : tensor<1x1x500x8xf32>, tensor<1x1x500x8xf32>, tensor<1x1x500x8xf32> -> tensor<1x1x500x8xf32>
  return %o : tensor<1x1x500x8xf32>
}
func.func @mirror(%q: tensor<1x1x256x8xf32>, %k: tensor<1x1x256x8xf32>, %v: tensor<1x1x256x8xf32>) -> tensor<1x1x256x8xf32> {
  %o = attn.sdpa %q, %k, %v mask(#attn.union<[#attn.causal, #attn.window<left = 0, right = 300>]>) : tensor<1x1x256x8xf32>, tensor<1x1x256x8xf32>, tensor<1x1x256x8xf32> -> tensor<1x1x256x8xf32>
  return %o : tensor<1x1x256x8xf32>
}
func.func @nested(%q: tensor<1x1x400x8xf32>, %k: tensor<1x1x430x8xf32>, %v: tensor<1x1x430x8xf32>) -> tensor<1x1x400x8xf32> {
  %o = attn.sdpa %q, %k, %v mask(#attn.intersect<[#attn.union<[#attn.window<left = 40, right = 40>, #attn.global<tokens = 33>]>, #attn.causal]>) : tensor<1x1x400x8xf32>, tensor<1x1x430x8xf32>, tensor<1x1x430x8xf32> -> tensor<1x1x400x8xf32>
  return %o : tensor<1x1x400x8xf32>
}
