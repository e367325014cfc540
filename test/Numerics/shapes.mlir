// Static, dynamic and mixed shapes, every mask kind, through the reference
// lowering and the flash form (16 x 8 tiles, and 64 x 64), each checked by
// attn-check against float64 on fresh random inputs. The output and LSE types
// are as static as the operands make them; N_q = 37, N_kv = 53 (not tile
// multiples), GQA (3 query heads on 1), d = 24, d_v = 16.

// RUN: attn-opt %s --attn-reference-to-llvm | mlir-translate --mlir-to-llvmir -o %t.ll
// RUN: %compile-shared %t.ll -o %t.so
// RUN: attn-opt %s --attn-flash-to-llvm="tile-q=16 tile-kv=8" | mlir-translate --mlir-to-llvmir -o %t.flash.ll
// RUN: %compile-shared %t.flash.ll -o %t.flash.so
// RUN: attn-opt %s --attn-flash-to-llvm | mlir-translate --mlir-to-llvmir -o %t.flash64.ll
// RUN: %compile-shared %t.flash64.ll -o %t.flash64.so
// RUN: attn-check %s --lib %t.so --func none_static --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.flash.so --func none_static --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.flash64.so --func none_static --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.so --func none_static_d --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.flash.so --func none_static_d --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.flash64.so --func none_static_d --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.so --func none_static_n --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.flash.so --func none_static_n --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.flash64.so --func none_static_n --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.so --func none_mixed --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.flash.so --func none_mixed --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.flash64.so --func none_mixed --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.so --func causal_static --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.flash.so --func causal_static --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.flash64.so --func causal_static --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.so --func causal_static_d --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.flash.so --func causal_static_d --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.flash64.so --func causal_static_d --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.so --func causal_static_n --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.flash.so --func causal_static_n --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.flash64.so --func causal_static_n --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.so --func causal_mixed --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.flash.so --func causal_mixed --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.flash64.so --func causal_mixed --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.so --func window_static --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.flash.so --func window_static --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.flash64.so --func window_static --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.so --func window_static_d --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.flash.so --func window_static_d --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.flash64.so --func window_static_d --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.so --func window_static_n --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.flash.so --func window_static_n --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.flash64.so --func window_static_n --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.so --func window_mixed --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.flash.so --func window_mixed --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.flash64.so --func window_mixed --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.so --func dilated_static --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.flash.so --func dilated_static --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.flash64.so --func dilated_static --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.so --func dilated_static_d --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.flash.so --func dilated_static_d --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.flash64.so --func dilated_static_d --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.so --func dilated_static_n --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.flash.so --func dilated_static_n --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.flash64.so --func dilated_static_n --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.so --func dilated_mixed --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.flash.so --func dilated_mixed --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.flash64.so --func dilated_mixed --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.so --func global_static --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.flash.so --func global_static --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.flash64.so --func global_static --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.so --func global_static_d --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.flash.so --func global_static_d --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.flash64.so --func global_static_d --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.so --func global_static_n --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.flash.so --func global_static_n --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.flash64.so --func global_static_n --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.so --func global_mixed --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.flash.so --func global_mixed --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.flash64.so --func global_mixed --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.so --func block_sparse_static --shapes 2x3x37x24,2x1x53x24,2x1x53x16,3x4
// RUN: attn-check %s --lib %t.flash.so --func block_sparse_static --shapes 2x3x37x24,2x1x53x24,2x1x53x16,3x4
// RUN: attn-check %s --lib %t.flash64.so --func block_sparse_static --shapes 2x3x37x24,2x1x53x24,2x1x53x16,3x4
// RUN: attn-check %s --lib %t.so --func block_sparse_static_d --shapes 2x3x37x24,2x1x53x24,2x1x53x16,3x4
// RUN: attn-check %s --lib %t.flash.so --func block_sparse_static_d --shapes 2x3x37x24,2x1x53x24,2x1x53x16,3x4
// RUN: attn-check %s --lib %t.flash64.so --func block_sparse_static_d --shapes 2x3x37x24,2x1x53x24,2x1x53x16,3x4
// RUN: attn-check %s --lib %t.so --func block_sparse_static_n --shapes 2x3x37x24,2x1x53x24,2x1x53x16,3x4
// RUN: attn-check %s --lib %t.flash.so --func block_sparse_static_n --shapes 2x3x37x24,2x1x53x24,2x1x53x16,3x4
// RUN: attn-check %s --lib %t.flash64.so --func block_sparse_static_n --shapes 2x3x37x24,2x1x53x24,2x1x53x16,3x4
// RUN: attn-check %s --lib %t.so --func block_sparse_mixed --shapes 2x3x37x24,2x1x53x24,2x1x53x16,3x4
// RUN: attn-check %s --lib %t.flash.so --func block_sparse_mixed --shapes 2x3x37x24,2x1x53x24,2x1x53x16,3x4
// RUN: attn-check %s --lib %t.flash64.so --func block_sparse_mixed --shapes 2x3x37x24,2x1x53x24,2x1x53x16,3x4
// RUN: attn-check %s --lib %t.so --func document_static --shapes 2x3x37x24,2x1x53x24,2x1x53x16,2x5
// RUN: attn-check %s --lib %t.flash.so --func document_static --shapes 2x3x37x24,2x1x53x24,2x1x53x16,2x5
// RUN: attn-check %s --lib %t.flash64.so --func document_static --shapes 2x3x37x24,2x1x53x24,2x1x53x16,2x5
// RUN: attn-check %s --lib %t.so --func document_static_d --shapes 2x3x37x24,2x1x53x24,2x1x53x16,2x5
// RUN: attn-check %s --lib %t.flash.so --func document_static_d --shapes 2x3x37x24,2x1x53x24,2x1x53x16,2x5
// RUN: attn-check %s --lib %t.flash64.so --func document_static_d --shapes 2x3x37x24,2x1x53x24,2x1x53x16,2x5
// RUN: attn-check %s --lib %t.so --func document_static_n --shapes 2x3x37x24,2x1x53x24,2x1x53x16,2x5
// RUN: attn-check %s --lib %t.flash.so --func document_static_n --shapes 2x3x37x24,2x1x53x24,2x1x53x16,2x5
// RUN: attn-check %s --lib %t.flash64.so --func document_static_n --shapes 2x3x37x24,2x1x53x24,2x1x53x16,2x5
// RUN: attn-check %s --lib %t.so --func document_mixed --shapes 2x3x37x24,2x1x53x24,2x1x53x16,2x5
// RUN: attn-check %s --lib %t.flash.so --func document_mixed --shapes 2x3x37x24,2x1x53x24,2x1x53x16,2x5
// RUN: attn-check %s --lib %t.flash64.so --func document_mixed --shapes 2x3x37x24,2x1x53x24,2x1x53x16,2x5
// RUN: attn-check %s --lib %t.so --func longformer_static --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.flash.so --func longformer_static --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.flash64.so --func longformer_static --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.so --func longformer_static_d --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.flash.so --func longformer_static_d --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.flash64.so --func longformer_static_d --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.so --func longformer_static_n --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.flash.so --func longformer_static_n --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.flash64.so --func longformer_static_n --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.so --func longformer_mixed --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.flash.so --func longformer_mixed --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.flash64.so --func longformer_mixed --shapes 2x3x37x24,2x1x53x24,2x1x53x16
// RUN: attn-check %s --lib %t.so --func documents_causal_static --shapes 2x3x37x24,2x1x53x24,2x1x53x16,2x5
// RUN: attn-check %s --lib %t.flash.so --func documents_causal_static --shapes 2x3x37x24,2x1x53x24,2x1x53x16,2x5
// RUN: attn-check %s --lib %t.flash64.so --func documents_causal_static --shapes 2x3x37x24,2x1x53x24,2x1x53x16,2x5
// RUN: attn-check %s --lib %t.so --func documents_causal_static_d --shapes 2x3x37x24,2x1x53x24,2x1x53x16,2x5
// RUN: attn-check %s --lib %t.flash.so --func documents_causal_static_d --shapes 2x3x37x24,2x1x53x24,2x1x53x16,2x5
// RUN: attn-check %s --lib %t.flash64.so --func documents_causal_static_d --shapes 2x3x37x24,2x1x53x24,2x1x53x16,2x5
// RUN: attn-check %s --lib %t.so --func documents_causal_static_n --shapes 2x3x37x24,2x1x53x24,2x1x53x16,2x5
// RUN: attn-check %s --lib %t.flash.so --func documents_causal_static_n --shapes 2x3x37x24,2x1x53x24,2x1x53x16,2x5
// RUN: attn-check %s --lib %t.flash64.so --func documents_causal_static_n --shapes 2x3x37x24,2x1x53x24,2x1x53x16,2x5
// RUN: attn-check %s --lib %t.so --func documents_causal_mixed --shapes 2x3x37x24,2x1x53x24,2x1x53x16,2x5
// RUN: attn-check %s --lib %t.flash.so --func documents_causal_mixed --shapes 2x3x37x24,2x1x53x24,2x1x53x16,2x5
// RUN: attn-check %s --lib %t.flash64.so --func documents_causal_mixed --shapes 2x3x37x24,2x1x53x24,2x1x53x16,2x5

func.func @none_static(%q: tensor<2x3x37x24xf32>, %k: tensor<2x1x53x24xf32>, %v: tensor<2x1x53x16xf32>) -> (tensor<2x3x37x16xf32>, tensor<2x3x37xf32>) attributes {llvm.emit_c_interface} {
  %o, %lse = attn.sdpa %q, %k, %v : tensor<2x3x37x24xf32>, tensor<2x1x53x24xf32>, tensor<2x1x53x16xf32> -> tensor<2x3x37x16xf32>, tensor<2x3x37xf32>
  return %o, %lse : tensor<2x3x37x16xf32>, tensor<2x3x37xf32>
}

func.func @none_static_d(%q: tensor<?x?x?x24xf32>, %k: tensor<?x?x?x24xf32>, %v: tensor<?x?x?x16xf32>) -> (tensor<?x?x?x16xf32>, tensor<?x?x?xf32>) attributes {llvm.emit_c_interface} {
  %o, %lse = attn.sdpa %q, %k, %v : tensor<?x?x?x24xf32>, tensor<?x?x?x24xf32>, tensor<?x?x?x16xf32> -> tensor<?x?x?x16xf32>, tensor<?x?x?xf32>
  return %o, %lse : tensor<?x?x?x16xf32>, tensor<?x?x?xf32>
}

func.func @none_static_n(%q: tensor<2x3x37x?xf32>, %k: tensor<2x1x53x?xf32>, %v: tensor<2x1x53x?xf32>) -> (tensor<2x3x37x?xf32>, tensor<2x3x37xf32>) attributes {llvm.emit_c_interface} {
  %o, %lse = attn.sdpa %q, %k, %v : tensor<2x3x37x?xf32>, tensor<2x1x53x?xf32>, tensor<2x1x53x?xf32> -> tensor<2x3x37x?xf32>, tensor<2x3x37xf32>
  return %o, %lse : tensor<2x3x37x?xf32>, tensor<2x3x37xf32>
}

func.func @none_mixed(%q: tensor<?x3x?x24xf32>, %k: tensor<2x?x53x?xf32>, %v: tensor<?x1x?x16xf32>) -> (tensor<2x3x?x16xf32>, tensor<2x3x?xf32>) attributes {llvm.emit_c_interface} {
  %o, %lse = attn.sdpa %q, %k, %v : tensor<?x3x?x24xf32>, tensor<2x?x53x?xf32>, tensor<?x1x?x16xf32> -> tensor<2x3x?x16xf32>, tensor<2x3x?xf32>
  return %o, %lse : tensor<2x3x?x16xf32>, tensor<2x3x?xf32>
}

func.func @causal_static(%q: tensor<2x3x37x24xf32>, %k: tensor<2x1x53x24xf32>, %v: tensor<2x1x53x16xf32>) -> (tensor<2x3x37x16xf32>, tensor<2x3x37xf32>) attributes {llvm.emit_c_interface} {
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.causal) : tensor<2x3x37x24xf32>, tensor<2x1x53x24xf32>, tensor<2x1x53x16xf32> -> tensor<2x3x37x16xf32>, tensor<2x3x37xf32>
  return %o, %lse : tensor<2x3x37x16xf32>, tensor<2x3x37xf32>
}

func.func @causal_static_d(%q: tensor<?x?x?x24xf32>, %k: tensor<?x?x?x24xf32>, %v: tensor<?x?x?x16xf32>) -> (tensor<?x?x?x16xf32>, tensor<?x?x?xf32>) attributes {llvm.emit_c_interface} {
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.causal) : tensor<?x?x?x24xf32>, tensor<?x?x?x24xf32>, tensor<?x?x?x16xf32> -> tensor<?x?x?x16xf32>, tensor<?x?x?xf32>
  return %o, %lse : tensor<?x?x?x16xf32>, tensor<?x?x?xf32>
}

func.func @causal_static_n(%q: tensor<2x3x37x?xf32>, %k: tensor<2x1x53x?xf32>, %v: tensor<2x1x53x?xf32>) -> (tensor<2x3x37x?xf32>, tensor<2x3x37xf32>) attributes {llvm.emit_c_interface} {
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.causal) : tensor<2x3x37x?xf32>, tensor<2x1x53x?xf32>, tensor<2x1x53x?xf32> -> tensor<2x3x37x?xf32>, tensor<2x3x37xf32>
  return %o, %lse : tensor<2x3x37x?xf32>, tensor<2x3x37xf32>
}

func.func @causal_mixed(%q: tensor<?x3x?x24xf32>, %k: tensor<2x?x53x?xf32>, %v: tensor<?x1x?x16xf32>) -> (tensor<2x3x?x16xf32>, tensor<2x3x?xf32>) attributes {llvm.emit_c_interface} {
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.causal) : tensor<?x3x?x24xf32>, tensor<2x?x53x?xf32>, tensor<?x1x?x16xf32> -> tensor<2x3x?x16xf32>, tensor<2x3x?xf32>
  return %o, %lse : tensor<2x3x?x16xf32>, tensor<2x3x?xf32>
}

func.func @window_static(%q: tensor<2x3x37x24xf32>, %k: tensor<2x1x53x24xf32>, %v: tensor<2x1x53x16xf32>) -> (tensor<2x3x37x16xf32>, tensor<2x3x37xf32>) attributes {llvm.emit_c_interface} {
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.window<left = 5, right = 3>) : tensor<2x3x37x24xf32>, tensor<2x1x53x24xf32>, tensor<2x1x53x16xf32> -> tensor<2x3x37x16xf32>, tensor<2x3x37xf32>
  return %o, %lse : tensor<2x3x37x16xf32>, tensor<2x3x37xf32>
}

func.func @window_static_d(%q: tensor<?x?x?x24xf32>, %k: tensor<?x?x?x24xf32>, %v: tensor<?x?x?x16xf32>) -> (tensor<?x?x?x16xf32>, tensor<?x?x?xf32>) attributes {llvm.emit_c_interface} {
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.window<left = 5, right = 3>) : tensor<?x?x?x24xf32>, tensor<?x?x?x24xf32>, tensor<?x?x?x16xf32> -> tensor<?x?x?x16xf32>, tensor<?x?x?xf32>
  return %o, %lse : tensor<?x?x?x16xf32>, tensor<?x?x?xf32>
}

func.func @window_static_n(%q: tensor<2x3x37x?xf32>, %k: tensor<2x1x53x?xf32>, %v: tensor<2x1x53x?xf32>) -> (tensor<2x3x37x?xf32>, tensor<2x3x37xf32>) attributes {llvm.emit_c_interface} {
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.window<left = 5, right = 3>) : tensor<2x3x37x?xf32>, tensor<2x1x53x?xf32>, tensor<2x1x53x?xf32> -> tensor<2x3x37x?xf32>, tensor<2x3x37xf32>
  return %o, %lse : tensor<2x3x37x?xf32>, tensor<2x3x37xf32>
}

func.func @window_mixed(%q: tensor<?x3x?x24xf32>, %k: tensor<2x?x53x?xf32>, %v: tensor<?x1x?x16xf32>) -> (tensor<2x3x?x16xf32>, tensor<2x3x?xf32>) attributes {llvm.emit_c_interface} {
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.window<left = 5, right = 3>) : tensor<?x3x?x24xf32>, tensor<2x?x53x?xf32>, tensor<?x1x?x16xf32> -> tensor<2x3x?x16xf32>, tensor<2x3x?xf32>
  return %o, %lse : tensor<2x3x?x16xf32>, tensor<2x3x?xf32>
}

func.func @dilated_static(%q: tensor<2x3x37x24xf32>, %k: tensor<2x1x53x24xf32>, %v: tensor<2x1x53x16xf32>) -> (tensor<2x3x37x16xf32>, tensor<2x3x37xf32>) attributes {llvm.emit_c_interface} {
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.dilated<left = 40, right = 0, dilation = 3>) : tensor<2x3x37x24xf32>, tensor<2x1x53x24xf32>, tensor<2x1x53x16xf32> -> tensor<2x3x37x16xf32>, tensor<2x3x37xf32>
  return %o, %lse : tensor<2x3x37x16xf32>, tensor<2x3x37xf32>
}

func.func @dilated_static_d(%q: tensor<?x?x?x24xf32>, %k: tensor<?x?x?x24xf32>, %v: tensor<?x?x?x16xf32>) -> (tensor<?x?x?x16xf32>, tensor<?x?x?xf32>) attributes {llvm.emit_c_interface} {
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.dilated<left = 40, right = 0, dilation = 3>) : tensor<?x?x?x24xf32>, tensor<?x?x?x24xf32>, tensor<?x?x?x16xf32> -> tensor<?x?x?x16xf32>, tensor<?x?x?xf32>
  return %o, %lse : tensor<?x?x?x16xf32>, tensor<?x?x?xf32>
}

func.func @dilated_static_n(%q: tensor<2x3x37x?xf32>, %k: tensor<2x1x53x?xf32>, %v: tensor<2x1x53x?xf32>) -> (tensor<2x3x37x?xf32>, tensor<2x3x37xf32>) attributes {llvm.emit_c_interface} {
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.dilated<left = 40, right = 0, dilation = 3>) : tensor<2x3x37x?xf32>, tensor<2x1x53x?xf32>, tensor<2x1x53x?xf32> -> tensor<2x3x37x?xf32>, tensor<2x3x37xf32>
  return %o, %lse : tensor<2x3x37x?xf32>, tensor<2x3x37xf32>
}

func.func @dilated_mixed(%q: tensor<?x3x?x24xf32>, %k: tensor<2x?x53x?xf32>, %v: tensor<?x1x?x16xf32>) -> (tensor<2x3x?x16xf32>, tensor<2x3x?xf32>) attributes {llvm.emit_c_interface} {
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.dilated<left = 40, right = 0, dilation = 3>) : tensor<?x3x?x24xf32>, tensor<2x?x53x?xf32>, tensor<?x1x?x16xf32> -> tensor<2x3x?x16xf32>, tensor<2x3x?xf32>
  return %o, %lse : tensor<2x3x?x16xf32>, tensor<2x3x?xf32>
}

func.func @global_static(%q: tensor<2x3x37x24xf32>, %k: tensor<2x1x53x24xf32>, %v: tensor<2x1x53x16xf32>) -> (tensor<2x3x37x16xf32>, tensor<2x3x37xf32>) attributes {llvm.emit_c_interface} {
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.global<tokens = 3>) : tensor<2x3x37x24xf32>, tensor<2x1x53x24xf32>, tensor<2x1x53x16xf32> -> tensor<2x3x37x16xf32>, tensor<2x3x37xf32>
  return %o, %lse : tensor<2x3x37x16xf32>, tensor<2x3x37xf32>
}

func.func @global_static_d(%q: tensor<?x?x?x24xf32>, %k: tensor<?x?x?x24xf32>, %v: tensor<?x?x?x16xf32>) -> (tensor<?x?x?x16xf32>, tensor<?x?x?xf32>) attributes {llvm.emit_c_interface} {
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.global<tokens = 3>) : tensor<?x?x?x24xf32>, tensor<?x?x?x24xf32>, tensor<?x?x?x16xf32> -> tensor<?x?x?x16xf32>, tensor<?x?x?xf32>
  return %o, %lse : tensor<?x?x?x16xf32>, tensor<?x?x?xf32>
}

func.func @global_static_n(%q: tensor<2x3x37x?xf32>, %k: tensor<2x1x53x?xf32>, %v: tensor<2x1x53x?xf32>) -> (tensor<2x3x37x?xf32>, tensor<2x3x37xf32>) attributes {llvm.emit_c_interface} {
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.global<tokens = 3>) : tensor<2x3x37x?xf32>, tensor<2x1x53x?xf32>, tensor<2x1x53x?xf32> -> tensor<2x3x37x?xf32>, tensor<2x3x37xf32>
  return %o, %lse : tensor<2x3x37x?xf32>, tensor<2x3x37xf32>
}

func.func @global_mixed(%q: tensor<?x3x?x24xf32>, %k: tensor<2x?x53x?xf32>, %v: tensor<?x1x?x16xf32>) -> (tensor<2x3x?x16xf32>, tensor<2x3x?xf32>) attributes {llvm.emit_c_interface} {
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.global<tokens = 3>) : tensor<?x3x?x24xf32>, tensor<2x?x53x?xf32>, tensor<?x1x?x16xf32> -> tensor<2x3x?x16xf32>, tensor<2x3x?xf32>
  return %o, %lse : tensor<2x3x?x16xf32>, tensor<2x3x?xf32>
}

func.func @block_sparse_static(%q: tensor<2x3x37x24xf32>, %k: tensor<2x1x53x24xf32>, %v: tensor<2x1x53x16xf32>, %t: tensor<3x4xi8>) -> (tensor<2x3x37x16xf32>, tensor<2x3x37xf32>) attributes {llvm.emit_c_interface} {
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.block_sparse<block_q = 16, block_k = 16>) tables(%t : tensor<3x4xi8>) : tensor<2x3x37x24xf32>, tensor<2x1x53x24xf32>, tensor<2x1x53x16xf32> -> tensor<2x3x37x16xf32>, tensor<2x3x37xf32>
  return %o, %lse : tensor<2x3x37x16xf32>, tensor<2x3x37xf32>
}

func.func @block_sparse_static_d(%q: tensor<?x?x?x24xf32>, %k: tensor<?x?x?x24xf32>, %v: tensor<?x?x?x16xf32>, %t: tensor<?x?xi8>) -> (tensor<?x?x?x16xf32>, tensor<?x?x?xf32>) attributes {llvm.emit_c_interface} {
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.block_sparse<block_q = 16, block_k = 16>) tables(%t : tensor<?x?xi8>) : tensor<?x?x?x24xf32>, tensor<?x?x?x24xf32>, tensor<?x?x?x16xf32> -> tensor<?x?x?x16xf32>, tensor<?x?x?xf32>
  return %o, %lse : tensor<?x?x?x16xf32>, tensor<?x?x?xf32>
}

func.func @block_sparse_static_n(%q: tensor<2x3x37x?xf32>, %k: tensor<2x1x53x?xf32>, %v: tensor<2x1x53x?xf32>, %t: tensor<?x?xi8>) -> (tensor<2x3x37x?xf32>, tensor<2x3x37xf32>) attributes {llvm.emit_c_interface} {
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.block_sparse<block_q = 16, block_k = 16>) tables(%t : tensor<?x?xi8>) : tensor<2x3x37x?xf32>, tensor<2x1x53x?xf32>, tensor<2x1x53x?xf32> -> tensor<2x3x37x?xf32>, tensor<2x3x37xf32>
  return %o, %lse : tensor<2x3x37x?xf32>, tensor<2x3x37xf32>
}

func.func @block_sparse_mixed(%q: tensor<?x3x?x24xf32>, %k: tensor<2x?x53x?xf32>, %v: tensor<?x1x?x16xf32>, %t: tensor<?x?xi8>) -> (tensor<2x3x?x16xf32>, tensor<2x3x?xf32>) attributes {llvm.emit_c_interface} {
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.block_sparse<block_q = 16, block_k = 16>) tables(%t : tensor<?x?xi8>) : tensor<?x3x?x24xf32>, tensor<2x?x53x?xf32>, tensor<?x1x?x16xf32> -> tensor<2x3x?x16xf32>, tensor<2x3x?xf32>
  return %o, %lse : tensor<2x3x?x16xf32>, tensor<2x3x?xf32>
}

func.func @document_static(%q: tensor<2x3x37x24xf32>, %k: tensor<2x1x53x24xf32>, %v: tensor<2x1x53x16xf32>, %t: tensor<2x5xi64>) -> (tensor<2x3x37x16xf32>, tensor<2x3x37xf32>) attributes {llvm.emit_c_interface} {
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.document) tables(%t : tensor<2x5xi64>) : tensor<2x3x37x24xf32>, tensor<2x1x53x24xf32>, tensor<2x1x53x16xf32> -> tensor<2x3x37x16xf32>, tensor<2x3x37xf32>
  return %o, %lse : tensor<2x3x37x16xf32>, tensor<2x3x37xf32>
}

func.func @document_static_d(%q: tensor<?x?x?x24xf32>, %k: tensor<?x?x?x24xf32>, %v: tensor<?x?x?x16xf32>, %t: tensor<?x?xi64>) -> (tensor<?x?x?x16xf32>, tensor<?x?x?xf32>) attributes {llvm.emit_c_interface} {
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.document) tables(%t : tensor<?x?xi64>) : tensor<?x?x?x24xf32>, tensor<?x?x?x24xf32>, tensor<?x?x?x16xf32> -> tensor<?x?x?x16xf32>, tensor<?x?x?xf32>
  return %o, %lse : tensor<?x?x?x16xf32>, tensor<?x?x?xf32>
}

func.func @document_static_n(%q: tensor<2x3x37x?xf32>, %k: tensor<2x1x53x?xf32>, %v: tensor<2x1x53x?xf32>, %t: tensor<?x?xi64>) -> (tensor<2x3x37x?xf32>, tensor<2x3x37xf32>) attributes {llvm.emit_c_interface} {
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.document) tables(%t : tensor<?x?xi64>) : tensor<2x3x37x?xf32>, tensor<2x1x53x?xf32>, tensor<2x1x53x?xf32> -> tensor<2x3x37x?xf32>, tensor<2x3x37xf32>
  return %o, %lse : tensor<2x3x37x?xf32>, tensor<2x3x37xf32>
}

func.func @document_mixed(%q: tensor<?x3x?x24xf32>, %k: tensor<2x?x53x?xf32>, %v: tensor<?x1x?x16xf32>, %t: tensor<?x?xi64>) -> (tensor<2x3x?x16xf32>, tensor<2x3x?xf32>) attributes {llvm.emit_c_interface} {
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.document) tables(%t : tensor<?x?xi64>) : tensor<?x3x?x24xf32>, tensor<2x?x53x?xf32>, tensor<?x1x?x16xf32> -> tensor<2x3x?x16xf32>, tensor<2x3x?xf32>
  return %o, %lse : tensor<2x3x?x16xf32>, tensor<2x3x?xf32>
}

func.func @longformer_static(%q: tensor<2x3x37x24xf32>, %k: tensor<2x1x53x24xf32>, %v: tensor<2x1x53x16xf32>) -> (tensor<2x3x37x16xf32>, tensor<2x3x37xf32>) attributes {llvm.emit_c_interface} {
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.union<[#attn.window<left = 4, right = 4>, #attn.global<tokens = 3>]>) : tensor<2x3x37x24xf32>, tensor<2x1x53x24xf32>, tensor<2x1x53x16xf32> -> tensor<2x3x37x16xf32>, tensor<2x3x37xf32>
  return %o, %lse : tensor<2x3x37x16xf32>, tensor<2x3x37xf32>
}

func.func @longformer_static_d(%q: tensor<?x?x?x24xf32>, %k: tensor<?x?x?x24xf32>, %v: tensor<?x?x?x16xf32>) -> (tensor<?x?x?x16xf32>, tensor<?x?x?xf32>) attributes {llvm.emit_c_interface} {
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.union<[#attn.window<left = 4, right = 4>, #attn.global<tokens = 3>]>) : tensor<?x?x?x24xf32>, tensor<?x?x?x24xf32>, tensor<?x?x?x16xf32> -> tensor<?x?x?x16xf32>, tensor<?x?x?xf32>
  return %o, %lse : tensor<?x?x?x16xf32>, tensor<?x?x?xf32>
}

func.func @longformer_static_n(%q: tensor<2x3x37x?xf32>, %k: tensor<2x1x53x?xf32>, %v: tensor<2x1x53x?xf32>) -> (tensor<2x3x37x?xf32>, tensor<2x3x37xf32>) attributes {llvm.emit_c_interface} {
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.union<[#attn.window<left = 4, right = 4>, #attn.global<tokens = 3>]>) : tensor<2x3x37x?xf32>, tensor<2x1x53x?xf32>, tensor<2x1x53x?xf32> -> tensor<2x3x37x?xf32>, tensor<2x3x37xf32>
  return %o, %lse : tensor<2x3x37x?xf32>, tensor<2x3x37xf32>
}

func.func @longformer_mixed(%q: tensor<?x3x?x24xf32>, %k: tensor<2x?x53x?xf32>, %v: tensor<?x1x?x16xf32>) -> (tensor<2x3x?x16xf32>, tensor<2x3x?xf32>) attributes {llvm.emit_c_interface} {
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.union<[#attn.window<left = 4, right = 4>, #attn.global<tokens = 3>]>) : tensor<?x3x?x24xf32>, tensor<2x?x53x?xf32>, tensor<?x1x?x16xf32> -> tensor<2x3x?x16xf32>, tensor<2x3x?xf32>
  return %o, %lse : tensor<2x3x?x16xf32>, tensor<2x3x?xf32>
}

func.func @documents_causal_static(%q: tensor<2x3x37x24xf32>, %k: tensor<2x1x53x24xf32>, %v: tensor<2x1x53x16xf32>, %t: tensor<2x5xi64>) -> (tensor<2x3x37x16xf32>, tensor<2x3x37xf32>) attributes {llvm.emit_c_interface} {
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.intersect<[#attn.document, #attn.causal]>) tables(%t : tensor<2x5xi64>) : tensor<2x3x37x24xf32>, tensor<2x1x53x24xf32>, tensor<2x1x53x16xf32> -> tensor<2x3x37x16xf32>, tensor<2x3x37xf32>
  return %o, %lse : tensor<2x3x37x16xf32>, tensor<2x3x37xf32>
}

func.func @documents_causal_static_d(%q: tensor<?x?x?x24xf32>, %k: tensor<?x?x?x24xf32>, %v: tensor<?x?x?x16xf32>, %t: tensor<?x?xi64>) -> (tensor<?x?x?x16xf32>, tensor<?x?x?xf32>) attributes {llvm.emit_c_interface} {
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.intersect<[#attn.document, #attn.causal]>) tables(%t : tensor<?x?xi64>) : tensor<?x?x?x24xf32>, tensor<?x?x?x24xf32>, tensor<?x?x?x16xf32> -> tensor<?x?x?x16xf32>, tensor<?x?x?xf32>
  return %o, %lse : tensor<?x?x?x16xf32>, tensor<?x?x?xf32>
}

func.func @documents_causal_static_n(%q: tensor<2x3x37x?xf32>, %k: tensor<2x1x53x?xf32>, %v: tensor<2x1x53x?xf32>, %t: tensor<?x?xi64>) -> (tensor<2x3x37x?xf32>, tensor<2x3x37xf32>) attributes {llvm.emit_c_interface} {
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.intersect<[#attn.document, #attn.causal]>) tables(%t : tensor<?x?xi64>) : tensor<2x3x37x?xf32>, tensor<2x1x53x?xf32>, tensor<2x1x53x?xf32> -> tensor<2x3x37x?xf32>, tensor<2x3x37xf32>
  return %o, %lse : tensor<2x3x37x?xf32>, tensor<2x3x37xf32>
}

func.func @documents_causal_mixed(%q: tensor<?x3x?x24xf32>, %k: tensor<2x?x53x?xf32>, %v: tensor<?x1x?x16xf32>, %t: tensor<?x?xi64>) -> (tensor<2x3x?x16xf32>, tensor<2x3x?xf32>) attributes {llvm.emit_c_interface} {
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.intersect<[#attn.document, #attn.causal]>) tables(%t : tensor<?x?xi64>) : tensor<?x3x?x24xf32>, tensor<2x?x53x?xf32>, tensor<?x1x?x16xf32> -> tensor<2x3x?x16xf32>, tensor<2x3x?xf32>
  return %o, %lse : tensor<2x3x?x16xf32>, tensor<2x3x?xf32>
}
