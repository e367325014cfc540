// Numerics of the reference lowering: each function goes through
// attn-reference-to-llvm to a shared library, and attn-check runs it on fresh
// random inputs against the float64 evaluation of the same function
// (norm-wise relative error: f32 1e-5, f16 2e-3, bf16 1e-2; NaN never
// passes; -inf LSE of fully masked rows must match). Shapes cover N = 1,
// N not a power of two, N_q > N_kv, B and H > 1, GQA and MQA, d = 80.
// Inputs scaled by 100 give scores of magnitude ~1e4 whose f32 rounding
// (~1e-3 absolute) exp amplifies; those runs check that the output stays
// finite and close (1e-3), which is all f32 inputs allow.

// RUN: attn-opt %s --attn-reference-to-llvm | mlir-translate --mlir-to-llvmir -o %t.ll
// RUN: %compile-shared %t.ll -o %t.so
// The flash form (attn-tile-flash) must agree to the same tolerances, with
// tiles that do not divide N (16 x 8) and with the default 64 x 64.
// RUN: attn-opt %s --attn-flash-to-llvm="tile-q=16 tile-kv=8" | mlir-translate --mlir-to-llvmir -o %t.flash.ll
// RUN: %compile-shared %t.flash.ll -o %t.flash.so
// RUN: attn-opt %s --attn-flash-to-llvm | mlir-translate --mlir-to-llvmir -o %t.flash64.ll
// RUN: %compile-shared %t.flash64.ll -o %t.flash64.so
// One key (every 1x1x1x16 run): the LSE is the one score q·k/√d, a sum of
// 16 products that may cancel to ~1e-3, where float32 keeps ~1e-5 of it (it
// failed 1e-5 about once in 20 fresh seeds), so 1e-4; O is v exactly.
// RUN: attn-check %s --lib %t.so --func plain --shapes 1x1x1x16,1x1x1x16,1x1x1x16 --tol 1e-4
// RUN: attn-check %s --lib %t.so --func plain --shapes 2x4x37x16,2x2x53x16,2x2x53x8
// RUN: attn-check %s --lib %t.so --func plain --shapes 1x2x100x64,1x2x100x64,1x2x100x64
// RUN: attn-check %s --lib %t.so --func plain --shapes 2x3x7x80,2x1x129x80,2x1x129x80
// RUN: attn-check %s --lib %t.so --func plain --shapes 1x2x64x32,1x1x31x32,1x1x31x32
// RUN: attn-check %s --lib %t.so --func scaled --shapes 2x4x37x16,2x2x53x16,2x2x53x8
// RUN: attn-check %s --lib %t.so --func scaled --shapes 1x2x100x64,1x2x100x64,1x2x100x64
// RUN: attn-check %s --lib %t.so --func causal --shapes 1x1x1x16,1x1x1x16,1x1x1x16 --tol 1e-4
// RUN: attn-check %s --lib %t.so --func causal --shapes 2x4x37x16,2x2x53x16,2x2x53x8
// RUN: attn-check %s --lib %t.so --func causal --shapes 1x2x100x64,1x2x100x64,1x2x100x64
// RUN: attn-check %s --lib %t.so --func causal --shapes 2x3x7x80,2x1x129x80,2x1x129x80
// RUN: attn-check %s --lib %t.so --func causal --shapes 1x2x64x32,1x1x31x32,1x1x31x32
// RUN: attn-check %s --lib %t.so --func causal --shapes 2x4x37x16,2x2x53x16,2x2x53x8 --input-scale 100 --tol 1e-3
// RUN: attn-check %s --lib %t.so --func causal --shapes 2x3x7x80,2x1x129x80,2x1x129x80 --input-scale 100 --tol 1e-3
// RUN: attn-check %s --lib %t.so --func window --shapes 1x1x1x16,1x1x1x16,1x1x1x16 --tol 1e-4
// RUN: attn-check %s --lib %t.so --func window --shapes 2x4x37x16,2x2x53x16,2x2x53x8
// RUN: attn-check %s --lib %t.so --func window --shapes 1x2x100x64,1x2x100x64,1x2x100x64
// RUN: attn-check %s --lib %t.so --func window --shapes 2x3x7x80,2x1x129x80,2x1x129x80
// RUN: attn-check %s --lib %t.so --func window --shapes 1x2x64x32,1x1x31x32,1x1x31x32
// RUN: attn-check %s --lib %t.so --func causal_window --shapes 2x4x37x16,2x2x53x16,2x2x53x8
// RUN: attn-check %s --lib %t.so --func causal_window --shapes 1x2x100x64,1x2x100x64,1x2x100x64
// RUN: attn-check %s --lib %t.so --func causal_window --shapes 2x3x7x80,2x1x129x80,2x1x129x80
// RUN: attn-check %s --lib %t.so --func causal_window --shapes 1x2x64x32,1x1x31x32,1x1x31x32
// RUN: attn-check %s --lib %t.so --func dilated --shapes 2x4x37x16,2x2x53x16,2x2x53x8
// RUN: attn-check %s --lib %t.so --func dilated --shapes 1x2x100x64,1x2x100x64,1x2x100x64
// RUN: attn-check %s --lib %t.so --func dilated --shapes 2x3x7x80,2x1x129x80,2x1x129x80
// RUN: attn-check %s --lib %t.so --func dilated --shapes 1x2x64x32,1x1x31x32,1x1x31x32
// RUN: attn-check %s --lib %t.so --func longformer --shapes 2x4x37x16,2x2x53x16,2x2x53x8
// RUN: attn-check %s --lib %t.so --func longformer --shapes 1x2x100x64,1x2x100x64,1x2x100x64
// RUN: attn-check %s --lib %t.so --func longformer --shapes 2x3x7x80,2x1x129x80,2x1x129x80
// RUN: attn-check %s --lib %t.so --func longformer --shapes 1x2x64x32,1x1x31x32,1x1x31x32
// RUN: attn-check %s --lib %t.so --func block_sparse --shapes 2x4x37x16,2x2x53x16,2x2x53x8,3x4
// RUN: attn-check %s --lib %t.so --func block_sparse --shapes 1x2x100x64,1x2x100x64,1x2x100x64,7x7
// RUN: attn-check %s --lib %t.so --func block_sparse --shapes 2x3x7x80,2x1x129x80,2x1x129x80,1x9
// RUN: attn-check %s --lib %t.so --func block_sparse --shapes 1x2x64x32,1x1x31x32,1x1x31x32,4x2
// RUN: attn-check %s --lib %t.so --func block_sparse_per_head --shapes 2x4x37x16,2x2x53x16,2x2x53x8,2x4x5x2
// RUN: attn-check %s --lib %t.so --func block_sparse_per_head --shapes 1x2x100x64,1x2x100x64,1x2x100x64,1x2x13x4
// RUN: attn-check %s --lib %t.so --func documents_causal --shapes 1x2x100x64,1x2x100x64,1x2x100x64,1x5
// RUN: attn-check %s --lib %t.so --func documents_causal --shapes 2x2x50x16,2x2x50x16,2x2x50x16,2x5
// RUN: attn-check %s --lib %t.so --func key_lengths --shapes 4x4x3x16,4x2x77x16,4x2x77x16,4
// RUN: attn-check %s --lib %t.so --func causal_bf16 --shapes 2x4x37x16,2x2x53x16,2x2x53x8
// RUN: attn-check %s --lib %t.so --func causal_bf16 --shapes 1x2x100x64,1x2x100x64,1x2x100x64
// RUN: attn-check %s --lib %t.so --func causal_bf16 --shapes 2x3x7x80,2x1x129x80,2x1x129x80
// RUN: attn-check %s --lib %t.so --func window_f16 --shapes 2x4x37x16,2x2x53x16,2x2x53x8
// RUN: attn-check %s --lib %t.so --func window_f16 --shapes 1x2x100x64,1x2x100x64,1x2x100x64
// RUN: attn-check %s --lib %t.flash.so --func plain --shapes 1x1x1x16,1x1x1x16,1x1x1x16 --tol 1e-4
// RUN: attn-check %s --lib %t.flash.so --func plain --shapes 2x4x37x16,2x2x53x16,2x2x53x8
// RUN: attn-check %s --lib %t.flash.so --func plain --shapes 1x2x100x64,1x2x100x64,1x2x100x64
// RUN: attn-check %s --lib %t.flash.so --func plain --shapes 2x3x7x80,2x1x129x80,2x1x129x80
// RUN: attn-check %s --lib %t.flash.so --func plain --shapes 1x2x64x32,1x1x31x32,1x1x31x32
// RUN: attn-check %s --lib %t.flash.so --func scaled --shapes 2x4x37x16,2x2x53x16,2x2x53x8
// RUN: attn-check %s --lib %t.flash.so --func scaled --shapes 1x2x100x64,1x2x100x64,1x2x100x64
// RUN: attn-check %s --lib %t.flash.so --func causal --shapes 1x1x1x16,1x1x1x16,1x1x1x16 --tol 1e-4
// RUN: attn-check %s --lib %t.flash.so --func causal --shapes 2x4x37x16,2x2x53x16,2x2x53x8
// RUN: attn-check %s --lib %t.flash.so --func causal --shapes 1x2x100x64,1x2x100x64,1x2x100x64
// RUN: attn-check %s --lib %t.flash.so --func causal --shapes 2x3x7x80,2x1x129x80,2x1x129x80
// RUN: attn-check %s --lib %t.flash.so --func causal --shapes 1x2x64x32,1x1x31x32,1x1x31x32
// RUN: attn-check %s --lib %t.flash.so --func causal --shapes 2x4x37x16,2x2x53x16,2x2x53x8 --input-scale 100 --tol 1e-3
// RUN: attn-check %s --lib %t.flash.so --func causal --shapes 2x3x7x80,2x1x129x80,2x1x129x80 --input-scale 100 --tol 1e-3
// RUN: attn-check %s --lib %t.flash.so --func window --shapes 1x1x1x16,1x1x1x16,1x1x1x16 --tol 1e-4
// RUN: attn-check %s --lib %t.flash.so --func window --shapes 2x4x37x16,2x2x53x16,2x2x53x8
// RUN: attn-check %s --lib %t.flash.so --func window --shapes 1x2x100x64,1x2x100x64,1x2x100x64
// RUN: attn-check %s --lib %t.flash.so --func window --shapes 2x3x7x80,2x1x129x80,2x1x129x80
// RUN: attn-check %s --lib %t.flash.so --func window --shapes 1x2x64x32,1x1x31x32,1x1x31x32
// RUN: attn-check %s --lib %t.flash.so --func causal_window --shapes 2x4x37x16,2x2x53x16,2x2x53x8
// RUN: attn-check %s --lib %t.flash.so --func causal_window --shapes 1x2x100x64,1x2x100x64,1x2x100x64
// RUN: attn-check %s --lib %t.flash.so --func causal_window --shapes 2x3x7x80,2x1x129x80,2x1x129x80
// RUN: attn-check %s --lib %t.flash.so --func causal_window --shapes 1x2x64x32,1x1x31x32,1x1x31x32
// RUN: attn-check %s --lib %t.flash.so --func dilated --shapes 2x4x37x16,2x2x53x16,2x2x53x8
// RUN: attn-check %s --lib %t.flash.so --func dilated --shapes 1x2x100x64,1x2x100x64,1x2x100x64
// RUN: attn-check %s --lib %t.flash.so --func dilated --shapes 2x3x7x80,2x1x129x80,2x1x129x80
// RUN: attn-check %s --lib %t.flash.so --func dilated --shapes 1x2x64x32,1x1x31x32,1x1x31x32
// RUN: attn-check %s --lib %t.flash.so --func longformer --shapes 2x4x37x16,2x2x53x16,2x2x53x8
// RUN: attn-check %s --lib %t.flash.so --func longformer --shapes 1x2x100x64,1x2x100x64,1x2x100x64
// RUN: attn-check %s --lib %t.flash.so --func longformer --shapes 2x3x7x80,2x1x129x80,2x1x129x80
// RUN: attn-check %s --lib %t.flash.so --func longformer --shapes 1x2x64x32,1x1x31x32,1x1x31x32
// RUN: attn-check %s --lib %t.flash.so --func block_sparse --shapes 2x4x37x16,2x2x53x16,2x2x53x8,3x4
// RUN: attn-check %s --lib %t.flash.so --func block_sparse --shapes 1x2x100x64,1x2x100x64,1x2x100x64,7x7
// RUN: attn-check %s --lib %t.flash.so --func block_sparse --shapes 2x3x7x80,2x1x129x80,2x1x129x80,1x9
// RUN: attn-check %s --lib %t.flash.so --func block_sparse --shapes 1x2x64x32,1x1x31x32,1x1x31x32,4x2
// RUN: attn-check %s --lib %t.flash.so --func block_sparse_per_head --shapes 2x4x37x16,2x2x53x16,2x2x53x8,2x4x5x2
// RUN: attn-check %s --lib %t.flash.so --func block_sparse_per_head --shapes 1x2x100x64,1x2x100x64,1x2x100x64,1x2x13x4
// RUN: attn-check %s --lib %t.flash.so --func documents_causal --shapes 1x2x100x64,1x2x100x64,1x2x100x64,1x5
// RUN: attn-check %s --lib %t.flash.so --func documents_causal --shapes 2x2x50x16,2x2x50x16,2x2x50x16,2x5
// RUN: attn-check %s --lib %t.flash.so --func key_lengths --shapes 4x4x3x16,4x2x77x16,4x2x77x16,4
// RUN: attn-check %s --lib %t.flash64.so --func key_lengths --shapes 3x2x70x32,3x2x130x32,3x2x130x32,3
// RUN: attn-check %s --lib %t.flash.so --func causal_bf16 --shapes 2x4x37x16,2x2x53x16,2x2x53x8
// RUN: attn-check %s --lib %t.flash.so --func causal_bf16 --shapes 1x2x100x64,1x2x100x64,1x2x100x64
// RUN: attn-check %s --lib %t.flash.so --func causal_bf16 --shapes 2x3x7x80,2x1x129x80,2x1x129x80
// RUN: attn-check %s --lib %t.flash.so --func window_f16 --shapes 2x4x37x16,2x2x53x16,2x2x53x8
// RUN: attn-check %s --lib %t.flash.so --func window_f16 --shapes 1x2x100x64,1x2x100x64,1x2x100x64
// RUN: attn-check %s --lib %t.flash64.so --func plain --shapes 1x1x1x16,1x1x1x16,1x1x1x16 --tol 1e-4
// RUN: attn-check %s --lib %t.flash64.so --func plain --shapes 2x3x7x80,2x1x129x80,2x1x129x80
// RUN: attn-check %s --lib %t.flash64.so --func scaled --shapes 1x2x100x64,1x2x100x64,1x2x100x64
// RUN: attn-check %s --lib %t.flash64.so --func causal --shapes 1x2x100x64,1x2x100x64,1x2x100x64
// RUN: attn-check %s --lib %t.flash64.so --func causal --shapes 2x4x37x16,2x2x53x16,2x2x53x8 --input-scale 100 --tol 1e-3
// RUN: attn-check %s --lib %t.flash64.so --func window --shapes 2x4x37x16,2x2x53x16,2x2x53x8
// RUN: attn-check %s --lib %t.flash64.so --func window --shapes 1x2x64x32,1x1x31x32,1x1x31x32
// RUN: attn-check %s --lib %t.flash64.so --func causal_window --shapes 2x3x7x80,2x1x129x80,2x1x129x80
// RUN: attn-check %s --lib %t.flash64.so --func dilated --shapes 1x2x100x64,1x2x100x64,1x2x100x64
// RUN: attn-check %s --lib %t.flash64.so --func longformer --shapes 2x4x37x16,2x2x53x16,2x2x53x8
// RUN: attn-check %s --lib %t.flash64.so --func longformer --shapes 1x2x64x32,1x1x31x32,1x1x31x32
// RUN: attn-check %s --lib %t.flash64.so --func block_sparse --shapes 2x3x7x80,2x1x129x80,2x1x129x80,1x9
// RUN: attn-check %s --lib %t.flash64.so --func block_sparse_per_head --shapes 1x2x100x64,1x2x100x64,1x2x100x64,1x2x13x4
// RUN: attn-check %s --lib %t.flash64.so --func causal_bf16 --shapes 2x4x37x16,2x2x53x16,2x2x53x8
// RUN: attn-check %s --lib %t.flash64.so --func window_f16 --shapes 2x4x37x16,2x2x53x16,2x2x53x8

func.func @plain(%q: tensor<?x?x?x?xf32>, %k: tensor<?x?x?x?xf32>, %v: tensor<?x?x?x?xf32>) -> (tensor<?x?x?x?xf32>, tensor<?x?x?xf32>) attributes {llvm.emit_c_interface} {
  %o, %lse = attn.sdpa %q, %k, %v : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>, tensor<?x?x?xf32>
  return %o, %lse : tensor<?x?x?x?xf32>, tensor<?x?x?xf32>
}

func.func @scaled(%q: tensor<?x?x?x?xf32>, %k: tensor<?x?x?x?xf32>, %v: tensor<?x?x?x?xf32>) -> (tensor<?x?x?x?xf32>, tensor<?x?x?xf32>) attributes {llvm.emit_c_interface} {
  %o, %lse = attn.sdpa %q, %k, %v scale 0.3 : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>, tensor<?x?x?xf32>
  return %o, %lse : tensor<?x?x?x?xf32>, tensor<?x?x?xf32>
}

func.func @causal(%q: tensor<?x?x?x?xf32>, %k: tensor<?x?x?x?xf32>, %v: tensor<?x?x?x?xf32>) -> (tensor<?x?x?x?xf32>, tensor<?x?x?xf32>) attributes {llvm.emit_c_interface} {
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.causal) : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>, tensor<?x?x?xf32>
  return %o, %lse : tensor<?x?x?x?xf32>, tensor<?x?x?xf32>
}

func.func @window(%q: tensor<?x?x?x?xf32>, %k: tensor<?x?x?x?xf32>, %v: tensor<?x?x?x?xf32>) -> (tensor<?x?x?x?xf32>, tensor<?x?x?xf32>) attributes {llvm.emit_c_interface} {
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.window<left = 5, right = 3>) : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>, tensor<?x?x?xf32>
  return %o, %lse : tensor<?x?x?x?xf32>, tensor<?x?x?xf32>
}

func.func @causal_window(%q: tensor<?x?x?x?xf32>, %k: tensor<?x?x?x?xf32>, %v: tensor<?x?x?x?xf32>) -> (tensor<?x?x?x?xf32>, tensor<?x?x?xf32>) attributes {llvm.emit_c_interface} {
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.window<left = 16, right = 0>) : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>, tensor<?x?x?xf32>
  return %o, %lse : tensor<?x?x?x?xf32>, tensor<?x?x?xf32>
}

func.func @dilated(%q: tensor<?x?x?x?xf32>, %k: tensor<?x?x?x?xf32>, %v: tensor<?x?x?x?xf32>) -> (tensor<?x?x?x?xf32>, tensor<?x?x?xf32>) attributes {llvm.emit_c_interface} {
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.dilated<left = 40, right = 0, dilation = 3>) : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>, tensor<?x?x?xf32>
  return %o, %lse : tensor<?x?x?x?xf32>, tensor<?x?x?xf32>
}

func.func @longformer(%q: tensor<?x?x?x?xf32>, %k: tensor<?x?x?x?xf32>, %v: tensor<?x?x?x?xf32>) -> (tensor<?x?x?x?xf32>, tensor<?x?x?xf32>) attributes {llvm.emit_c_interface} {
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.union<[#attn.window<left = 4, right = 4>, #attn.global<tokens = 3>]>) : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>, tensor<?x?x?xf32>
  return %o, %lse : tensor<?x?x?x?xf32>, tensor<?x?x?xf32>
}

func.func @block_sparse(%q: tensor<?x?x?x?xf32>, %k: tensor<?x?x?x?xf32>, %v: tensor<?x?x?x?xf32>, %t0: tensor<?x?xi8>) -> (tensor<?x?x?x?xf32>, tensor<?x?x?xf32>) attributes {llvm.emit_c_interface} {
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.block_sparse<block_q = 16, block_k = 16>) tables(%t0 : tensor<?x?xi8>) : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>, tensor<?x?x?xf32>
  return %o, %lse : tensor<?x?x?x?xf32>, tensor<?x?x?xf32>
}

func.func @block_sparse_per_head(%q: tensor<?x?x?x?xf32>, %k: tensor<?x?x?x?xf32>, %v: tensor<?x?x?x?xf32>, %t0: tensor<?x?x?x?xi32>) -> (tensor<?x?x?x?xf32>, tensor<?x?x?xf32>) attributes {llvm.emit_c_interface} {
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.block_sparse<block_q = 8, block_k = 32>) tables(%t0 : tensor<?x?x?x?xi32>) : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>, tensor<?x?x?xf32>
  return %o, %lse : tensor<?x?x?x?xf32>, tensor<?x?x?xf32>
}

func.func @documents_causal(%q: tensor<?x?x?x?xf32>, %k: tensor<?x?x?x?xf32>, %v: tensor<?x?x?x?xf32>, %t0: tensor<?x?xi64>) -> (tensor<?x?x?x?xf32>, tensor<?x?x?xf32>) attributes {llvm.emit_c_interface} {
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.intersect<[#attn.document, #attn.causal]>) tables(%t0 : tensor<?x?xi64>) : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>, tensor<?x?x?xf32>
  return %o, %lse : tensor<?x?x?x?xf32>, tensor<?x?x?xf32>
}

func.func @causal_bf16(%q: tensor<?x?x?x?xbf16>, %k: tensor<?x?x?x?xbf16>, %v: tensor<?x?x?x?xbf16>) -> (tensor<?x?x?x?xbf16>, tensor<?x?x?xf32>) attributes {llvm.emit_c_interface} {
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.causal) : tensor<?x?x?x?xbf16>, tensor<?x?x?x?xbf16>, tensor<?x?x?x?xbf16> -> tensor<?x?x?x?xbf16>, tensor<?x?x?xf32>
  return %o, %lse : tensor<?x?x?x?xbf16>, tensor<?x?x?xf32>
}

func.func @window_f16(%q: tensor<?x?x?x?xf16>, %k: tensor<?x?x?x?xf16>, %v: tensor<?x?x?x?xf16>) -> (tensor<?x?x?x?xf16>) attributes {llvm.emit_c_interface} {
  %o = attn.sdpa %q, %k, %v mask(#attn.window<left = 8, right = 8>) : tensor<?x?x?x?xf16>, tensor<?x?x?x?xf16>, tensor<?x?x?x?xf16> -> tensor<?x?x?x?xf16>
  return %o : tensor<?x?x?x?xf16>
}

// Per-sequence key lengths: batch b sees keys j < L_b.
func.func @key_lengths(%q: tensor<?x?x?x?xf32>, %k: tensor<?x?x?x?xf32>, %v: tensor<?x?x?x?xf32>, %t0: tensor<?xi32>) -> (tensor<?x?x?x?xf32>, tensor<?x?x?xf32>) attributes {llvm.emit_c_interface} {
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.key_lengths) tables(%t0 : tensor<?xi32>) : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>, tensor<?x?x?xf32>
  return %o, %lse : tensor<?x?x?x?xf32>, tensor<?x?x?xf32>
}
