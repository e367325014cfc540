// RUN: attn-opt %s --split-input-file --attn-sparsify --verify-diagnostics | FileCheck %s
// RUN: not attn-opt %s --attn-sparsify=block-q=0 2>&1 | FileCheck %s --check-prefix=OPTION

// OPTION: attn-sparsify: block-q=0: expected >= 1

// The issue's example: causal N = 1024 in 128-blocks.
// CHECK-LABEL: func.func @causal
// CHECK: attn.sdpa %{{.*}} mask(#attn.causal)
func.func @causal(%q: tensor<1x8x1024x64xf32>, %k: tensor<1x8x1024x64xf32>, %v: tensor<1x8x1024x64xf32>) -> tensor<1x8x1024x64xf32> {
  // expected-remark @+1 {{attn-sparsify: #attn.causal on 1024 × 1024 scores in 128 × 128 blocks: 28 full, 8 partial, 28 empty (43.8% of the blocks skipped)}}
  %o = attn.sdpa %q, %k, %v mask(#attn.causal) : tensor<1x8x1024x64xf32>, tensor<1x8x1024x64xf32>, tensor<1x8x1024x64xf32> -> tensor<1x8x1024x64xf32>
  return %o : tensor<1x8x1024x64xf32>
}

// -----

// The graph's attn.mask is folded into attn.sdpa first.
// CHECK-LABEL: func.func @graph
// CHECK-NOT: attn.mask
// CHECK: attn.sdpa %{{.*}} mask(#attn.window<left = 127, right = 0>)
func.func @graph(%q: tensor<1x2x512x32xf32>, %k: tensor<1x2x512x32xf32>, %v: tensor<1x2x512x32xf32>) -> tensor<1x2x512x32xf32> {
  %s = attn.scores %q, %k : tensor<1x2x512x32xf32>, tensor<1x2x512x32xf32> -> tensor<1x2x512x512xf32>
  %m = attn.mask #attn.window<left = 127, right = 0> %s : tensor<1x2x512x512xf32>
  %p = attn.softmax %m : tensor<1x2x512x512xf32>
  // expected-remark @+1 {{attn-sparsify: #attn.window<left = 127, right = 0> on 512 × 512 scores in 128 × 128 blocks: 0 full, 7 partial, 9 empty (56.2% of the blocks skipped)}}
  %o = attn.apply %p, %v : tensor<1x2x512x512xf32>, tensor<1x2x512x32xf32> -> tensor<1x2x512x32xf32>
  return %o : tensor<1x2x512x32xf32>
}

// -----

// Tables are read at run time: every block is partial here.
func.func @block_sparse(%q: tensor<1x1x256x32xf32>, %k: tensor<1x1x256x32xf32>, %v: tensor<1x1x256x32xf32>, %layout: tensor<2x2xi8>) -> tensor<1x1x256x32xf32> {
  // expected-remark @+1 {{attn-sparsify: #attn.block_sparse<block_q = 128, block_k = 128> on 256 × 256 scores in 128 × 128 blocks: 0 full, 4 partial, 0 empty (0.0% of the blocks skipped); its run-time tables classify the partial ones at run time}}
  %o = attn.sdpa %q, %k, %v mask(#attn.block_sparse<block_q = 128, block_k = 128>) tables(%layout : tensor<2x2xi8>) : tensor<1x1x256x32xf32>, tensor<1x1x256x32xf32>, tensor<1x1x256x32xf32> -> tensor<1x1x256x32xf32>
  return %o : tensor<1x1x256x32xf32>
}

// -----

// A table-free union whose members are both partial somewhere is classified
// element by element there: causal ∪ its mirror image allows everything.
func.func @mirror(%q: tensor<1x1x300x32xf32>, %k: tensor<1x1x300x32xf32>, %v: tensor<1x1x300x32xf32>) -> tensor<1x1x300x32xf32> {
  // expected-remark @+1 {{0 partial, 0 empty}}
  %o = attn.sdpa %q, %k, %v mask(#attn.union<[#attn.causal, #attn.window<left = 0, right = 300>]>) : tensor<1x1x300x32xf32>, tensor<1x1x300x32xf32>, tensor<1x1x300x32xf32> -> tensor<1x1x300x32xf32>
  return %o : tensor<1x1x300x32xf32>
}

// -----

// Dynamic sequence lengths, or no mask: nothing to count, no remark.
func.func @dynamic(%q: tensor<1x1x?x32xf32>, %k: tensor<1x1x?x32xf32>, %v: tensor<1x1x?x32xf32>) -> tensor<1x1x?x32xf32> {
  %o = attn.sdpa %q, %k, %v mask(#attn.causal) : tensor<1x1x?x32xf32>, tensor<1x1x?x32xf32>, tensor<1x1x?x32xf32> -> tensor<1x1x?x32xf32>
  return %o : tensor<1x1x?x32xf32>
}
func.func @unmasked(%q: tensor<1x1x64x32xf32>, %k: tensor<1x1x64x32xf32>, %v: tensor<1x1x64x32xf32>) -> tensor<1x1x64x32xf32> {
  %o = attn.sdpa %q, %k, %v : tensor<1x1x64x32xf32>, tensor<1x1x64x32xf32>, tensor<1x1x64x32xf32> -> tensor<1x1x64x32xf32>
  return %o : tensor<1x1x64x32xf32>
}

// -----

// Too many blocks to count at compile time: the remark says so.
func.func @huge(%q: tensor<1x1x8388608x16xbf16>, %k: tensor<1x1x8388608x16xbf16>, %v: tensor<1x1x8388608x16xbf16>) -> tensor<1x1x8388608x16xbf16> {
  // expected-remark @+1 {{attn-sparsify: #attn.causal on 8388608 × 8388608 scores: 4294967296 blocks of 128 × 128 are more than 4194304 to count; use larger blocks}}
  %o = attn.sdpa %q, %k, %v mask(#attn.causal) : tensor<1x1x8388608x16xbf16>, tensor<1x1x8388608x16xbf16>, tensor<1x1x8388608x16xbf16> -> tensor<1x1x8388608x16xbf16>
  return %o : tensor<1x1x8388608x16xbf16>
}

// -----

// Blocks a formula cannot classify are counted element by element within a
// budget; past it they count as partial and the remark says so.
func.func @budget(%q: tensor<1x1x262144x16xbf16>, %k: tensor<1x1x262144x16xbf16>, %v: tensor<1x1x262144x16xbf16>) -> tensor<1x1x262144x16xbf16> {
  // expected-remark @+1 {{0 full, 2098176 partial, 2096128 empty (50.0% of the blocks skipped); counting stopped after 67108864 element evaluations, so some partial blocks may be empty or full}}
  %o = attn.sdpa %q, %k, %v mask(#attn.dilated<left = 1000000000, right = 0, dilation = 2>) : tensor<1x1x262144x16xbf16>, tensor<1x1x262144x16xbf16>, tensor<1x1x262144x16xbf16> -> tensor<1x1x262144x16xbf16>
  return %o : tensor<1x1x262144x16xbf16>
}
