// The CPU flash kernel with masks that read run-time tables (block-sparse
// layouts, document offsets, and unions / intersections with them: BigBird,
// causal documents) against float64, through attnrt: ragged sizes, GQA, N_q
// above and below N_kv, both layouts, several threads, shared and per-batch
// tables, layouts whose blocks the kernel's tiles straddle. Tiles are
// classified from the tables at run time: empty ones skipped, full ones not
// masked, the rest evaluate the predicate in lanes.

// RUN: attn-opt %s --attn-to-cpu-pipeline | mlir-translate --mlir-to-llvmir -o %t.ll
// RUN: %compile-shared -march=%host_march %t.ll -o %t.so
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func layout_d32 --shapes 2x4x77x32,2x2x77x32,2x2x77x32,2x3 --num-threads 3
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func layout_d32 --shapes 1x2x300x32,1x1x517x32,1x1x517x32,5x17 --layout bnhd --density 0.2 --num-threads 2
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func layout_bh_d64 --shapes 2x4x100x64,2x2x260x64,2x2x260x64,2x4x7x5 --num-threads 2
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func layout_bh_d64 --shapes 1x2x1x64,1x1x700x64,1x1x700x64,1x2x1x11 --tol 1e-4
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func documents_d32 --shapes 2x4x77x32,2x2x77x32,2x2x77x32,5 --num-threads 3
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func documents_d32 --shapes 1x2x500x32,1x1x500x32,1x1x500x32,9 --layout bnhd --num-threads 2
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func causal_documents_d64 --shapes 2x4x300x64,2x2x300x64,2x2x300x64,2x4 --num-threads 2
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func causal_documents_d64 --shapes 2x2x90x64,2x2x333x64,2x2x333x64,2x7 --layout bnhd
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func bigbird_d32 --shapes 2x4x77x32,2x2x77x32,2x2x77x32,5x3 --num-threads 3 --density 0.3
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func bigbird_d32 --shapes 1x2x400x32,1x1x600x32,1x1x600x32,25x19 --layout bnhd --num-threads 2 --density 0.1
// Per-sequence key lengths (a KV cache filled to L_b): each batch's key
// loop stops at its length.
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func key_lengths_d64 --shapes 5x4x3x64,5x2x333x64,5x2x333x64,5 --num-threads 2
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func key_lengths_d64 --shapes 3x4x200x64,3x1x517x64,3x1x517x64,3 --layout bnhd --seed 7
// RUN: attn-check %s --lib %t.so --abi cpu-kernel --func causal_key_lengths_d32 --shapes 4x2x1x32,4x2x700x32,4x2x700x32,4 --num-threads 3
// The decode blocking (rows per task 16, keys in lanes) reads the same tables.
// RUN: attn-opt %s --attn-to-cpu-pipeline=rows-per-task=16 | mlir-translate --mlir-to-llvmir -o %t.16.ll
// RUN: %compile-shared -march=%host_march %t.16.ll -o %t.16.so
// RUN: attn-check %s --lib %t.16.so --abi cpu-kernel --func layout_d32 --shapes 2x4x77x32,2x2x77x32,2x2x77x32,2x3 --num-threads 3
// RUN: attn-check %s --lib %t.16.so --abi cpu-kernel --func causal_documents_d64 --shapes 1x4x5x64,1x2x700x64,1x2x700x64,1x6
// RUN: attn-check %s --lib %t.16.so --abi cpu-kernel --func bigbird_d32 --shapes 2x8x1x32,2x2x700x32,2x2x700x32,1x22
// RUN: attn-check %s --lib %t.16.so --abi cpu-kernel --func key_lengths_d64 --shapes 6x8x1x64,6x2x900x64,6x2x900x64,6 --num-threads 2

func.func @layout_d32(%q: tensor<?x?x?x32xf32>, %k: tensor<?x?x?x32xf32>, %v: tensor<?x?x?x32xf32>, %t: tensor<?x?xi32>) -> (tensor<?x?x?x32xf32>, tensor<?x?x?xf32>) {
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.block_sparse<block_q = 64, block_k = 32>) tables(%t : tensor<?x?xi32>) : tensor<?x?x?x32xf32>, tensor<?x?x?x32xf32>, tensor<?x?x?x32xf32> -> tensor<?x?x?x32xf32>, tensor<?x?x?xf32>
  return %o, %lse : tensor<?x?x?x32xf32>, tensor<?x?x?xf32>
}

func.func @layout_bh_d64(%q: tensor<?x?x?x64xf32>, %k: tensor<?x?x?x64xf32>, %v: tensor<?x?x?x64xf32>, %t: tensor<?x?x?x?xi32>) -> (tensor<?x?x?x64xf32>, tensor<?x?x?xf32>) {
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.block_sparse<block_q = 16, block_k = 64>) tables(%t : tensor<?x?x?x?xi32>) : tensor<?x?x?x64xf32>, tensor<?x?x?x64xf32>, tensor<?x?x?x64xf32> -> tensor<?x?x?x64xf32>, tensor<?x?x?xf32>
  return %o, %lse : tensor<?x?x?x64xf32>, tensor<?x?x?xf32>
}

func.func @documents_d32(%q: tensor<?x?x?x32xf32>, %k: tensor<?x?x?x32xf32>, %v: tensor<?x?x?x32xf32>, %t: tensor<?xi32>) -> (tensor<?x?x?x32xf32>, tensor<?x?x?xf32>) {
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.document) tables(%t : tensor<?xi32>) : tensor<?x?x?x32xf32>, tensor<?x?x?x32xf32>, tensor<?x?x?x32xf32> -> tensor<?x?x?x32xf32>, tensor<?x?x?xf32>
  return %o, %lse : tensor<?x?x?x32xf32>, tensor<?x?x?xf32>
}

func.func @causal_documents_d64(%q: tensor<?x?x?x64xf32>, %k: tensor<?x?x?x64xf32>, %v: tensor<?x?x?x64xf32>, %t: tensor<?x?xi32>) -> (tensor<?x?x?x64xf32>, tensor<?x?x?xf32>) {
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.intersect<[#attn.document, #attn.causal]>) tables(%t : tensor<?x?xi32>) : tensor<?x?x?x64xf32>, tensor<?x?x?x64xf32>, tensor<?x?x?x64xf32> -> tensor<?x?x?x64xf32>, tensor<?x?x?xf32>
  return %o, %lse : tensor<?x?x?x64xf32>, tensor<?x?x?xf32>
}

// BigBird: a window, global tokens and random blocks.
func.func @bigbird_d32(%q: tensor<?x?x?x32xf32>, %k: tensor<?x?x?x32xf32>, %v: tensor<?x?x?x32xf32>, %t: tensor<?x?xi32>) -> (tensor<?x?x?x32xf32>, tensor<?x?x?xf32>) {
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.union<[#attn.window<left = 20, right = 20>, #attn.global<tokens = 4>, #attn.block_sparse<block_q = 16, block_k = 32>]>) tables(%t : tensor<?x?xi32>) : tensor<?x?x?x32xf32>, tensor<?x?x?x32xf32>, tensor<?x?x?x32xf32> -> tensor<?x?x?x32xf32>, tensor<?x?x?xf32>
  return %o, %lse : tensor<?x?x?x32xf32>, tensor<?x?x?xf32>
}

// A KV cache of N_kv slots filled to L_b in each sequence.
func.func @key_lengths_d64(%q: tensor<?x?x?x64xf32>, %k: tensor<?x?x?x64xf32>, %v: tensor<?x?x?x64xf32>, %t: tensor<?xi32>) -> (tensor<?x?x?x64xf32>, tensor<?x?x?xf32>) {
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.key_lengths) tables(%t : tensor<?xi32>) : tensor<?x?x?x64xf32>, tensor<?x?x?x64xf32>, tensor<?x?x?x64xf32> -> tensor<?x?x?x64xf32>, tensor<?x?x?xf32>
  return %o, %lse : tensor<?x?x?x64xf32>, tensor<?x?x?xf32>
}

func.func @causal_key_lengths_d32(%q: tensor<?x?x?x32xf32>, %k: tensor<?x?x?x32xf32>, %v: tensor<?x?x?x32xf32>, %t: tensor<?xi32>) -> (tensor<?x?x?x32xf32>, tensor<?x?x?xf32>) {
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.intersect<[#attn.key_lengths, #attn.causal]>) tables(%t : tensor<?xi32>) : tensor<?x?x?x32xf32>, tensor<?x?x?x32xf32>, tensor<?x?x?x32xf32> -> tensor<?x?x?x32xf32>, tensor<?x?x?xf32>
  return %o, %lse : tensor<?x?x?x32xf32>, tensor<?x?x?xf32>
}
