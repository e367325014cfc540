// attn-split-kv: an attn.sdpa split into P parts over its keys (kv_split),
// merged by attn.merge, equals the unsplit op. Every compiled split graph is
// checked against the float64 reference of the *unsplit* source; and the
// float64 reference of the split graph (parts and merge evaluated in
// float64) against the compiled unsplit op. Splits 1, 2, 3, 7 and 16 (more
// parts than keys: empty parts, LSE −∞, contribute nothing), masks whose
// parts see rows with no key, GQA, N_q above and below N_kv, both layouts.

// RUN: attn-opt %s --attn-reference-to-llvm | mlir-translate --mlir-to-llvmir -o %t.whole.ll
// RUN: %compile-shared %t.whole.ll -o %t.whole.so
// RUN: attn-opt %s --attn-split-kv=splits=1 > %t.split1.mlir
// RUN: attn-opt %t.split1.mlir --attn-reference-to-llvm | mlir-translate --mlir-to-llvmir -o %t.split1.ll
// RUN: %compile-shared %t.split1.ll -o %t.split1.so
// RUN: attn-check %s --lib %t.split1.so --func plain_d32 --shapes 2x4x37x32,2x2x53x32,2x2x53x32 --input-scale 2
// RUN: attn-check %s --lib %t.split1.so --func plain_d32 --shapes 1x2x70x32,1x1x45x32,1x1x45x32 --layout bnhd --input-scale 2
// RUN: attn-check %s --lib %t.split1.so --func plain_d32 --shapes 1x2x3x32,1x2x5x32,1x2x5x32 --input-scale 2
// RUN: attn-check %s --lib %t.split1.so --func causal_d32 --shapes 2x4x37x32,2x2x53x32,2x2x53x32 --input-scale 2
// RUN: attn-check %s --lib %t.split1.so --func causal_d32 --shapes 1x2x70x32,1x1x45x32,1x1x45x32 --layout bnhd --input-scale 2
// RUN: attn-check %s --lib %t.split1.so --func causal_d32 --shapes 1x2x3x32,1x2x5x32,1x2x5x32 --input-scale 2
// RUN: attn-check %s --lib %t.split1.so --func window_d64 --shapes 2x4x37x64,2x2x53x64,2x2x53x64 --input-scale 2
// RUN: attn-check %s --lib %t.split1.so --func window_d64 --shapes 1x2x70x64,1x1x45x64,1x1x45x64 --layout bnhd --input-scale 2
// RUN: attn-check %s --lib %t.split1.so --func window_d64 --shapes 1x2x3x64,1x2x5x64,1x2x5x64 --input-scale 2
// RUN: attn-check %s --lib %t.split1.so --func longformer_alibi_d32 --shapes 2x4x37x32,2x2x53x32,2x2x53x32 --input-scale 2
// RUN: attn-check %s --lib %t.split1.so --func longformer_alibi_d32 --shapes 1x2x70x32,1x1x45x32,1x1x45x32 --layout bnhd --input-scale 2
// RUN: attn-check %s --lib %t.split1.so --func longformer_alibi_d32 --shapes 1x2x3x32,1x2x5x32,1x2x5x32 --input-scale 2
// RUN: attn-opt %s --attn-split-kv=splits=2 > %t.split2.mlir
// RUN: attn-opt %t.split2.mlir --attn-reference-to-llvm | mlir-translate --mlir-to-llvmir -o %t.split2.ll
// RUN: %compile-shared %t.split2.ll -o %t.split2.so
// RUN: attn-check %s --lib %t.split2.so --func plain_d32 --shapes 2x4x37x32,2x2x53x32,2x2x53x32 --input-scale 2
// RUN: attn-check %s --lib %t.split2.so --func plain_d32 --shapes 1x2x70x32,1x1x45x32,1x1x45x32 --layout bnhd --input-scale 2
// RUN: attn-check %s --lib %t.split2.so --func plain_d32 --shapes 1x2x3x32,1x2x5x32,1x2x5x32 --input-scale 2
// RUN: attn-check %s --lib %t.split2.so --func causal_d32 --shapes 2x4x37x32,2x2x53x32,2x2x53x32 --input-scale 2
// RUN: attn-check %s --lib %t.split2.so --func causal_d32 --shapes 1x2x70x32,1x1x45x32,1x1x45x32 --layout bnhd --input-scale 2
// RUN: attn-check %s --lib %t.split2.so --func causal_d32 --shapes 1x2x3x32,1x2x5x32,1x2x5x32 --input-scale 2
// RUN: attn-check %s --lib %t.split2.so --func window_d64 --shapes 2x4x37x64,2x2x53x64,2x2x53x64 --input-scale 2
// RUN: attn-check %s --lib %t.split2.so --func window_d64 --shapes 1x2x70x64,1x1x45x64,1x1x45x64 --layout bnhd --input-scale 2
// RUN: attn-check %s --lib %t.split2.so --func window_d64 --shapes 1x2x3x64,1x2x5x64,1x2x5x64 --input-scale 2
// RUN: attn-check %s --lib %t.split2.so --func longformer_alibi_d32 --shapes 2x4x37x32,2x2x53x32,2x2x53x32 --input-scale 2
// RUN: attn-check %s --lib %t.split2.so --func longformer_alibi_d32 --shapes 1x2x70x32,1x1x45x32,1x1x45x32 --layout bnhd --input-scale 2
// RUN: attn-check %s --lib %t.split2.so --func longformer_alibi_d32 --shapes 1x2x3x32,1x2x5x32,1x2x5x32 --input-scale 2
// RUN: attn-opt %s --attn-split-kv=splits=3 > %t.split3.mlir
// RUN: attn-opt %t.split3.mlir --attn-flash-to-llvm="tile-q=16 tile-kv=8" | mlir-translate --mlir-to-llvmir -o %t.split3.ll
// RUN: %compile-shared %t.split3.ll -o %t.split3.so
// RUN: attn-check %s --lib %t.split3.so --func plain_d32 --shapes 2x4x37x32,2x2x53x32,2x2x53x32 --input-scale 2
// RUN: attn-check %s --lib %t.split3.so --func plain_d32 --shapes 1x2x70x32,1x1x45x32,1x1x45x32 --layout bnhd --input-scale 2
// RUN: attn-check %s --lib %t.split3.so --func plain_d32 --shapes 1x2x3x32,1x2x5x32,1x2x5x32 --input-scale 2
// RUN: attn-check %t.split3.mlir --lib %t.whole.so --func plain_d32 --shapes 2x4x37x32,2x2x53x32,2x2x53x32 --input-scale 2
// RUN: attn-check %s --lib %t.split3.so --func causal_d32 --shapes 2x4x37x32,2x2x53x32,2x2x53x32 --input-scale 2
// RUN: attn-check %s --lib %t.split3.so --func causal_d32 --shapes 1x2x70x32,1x1x45x32,1x1x45x32 --layout bnhd --input-scale 2
// RUN: attn-check %s --lib %t.split3.so --func causal_d32 --shapes 1x2x3x32,1x2x5x32,1x2x5x32 --input-scale 2
// RUN: attn-check %t.split3.mlir --lib %t.whole.so --func causal_d32 --shapes 2x4x37x32,2x2x53x32,2x2x53x32 --input-scale 2
// RUN: attn-check %s --lib %t.split3.so --func window_d64 --shapes 2x4x37x64,2x2x53x64,2x2x53x64 --input-scale 2
// RUN: attn-check %s --lib %t.split3.so --func window_d64 --shapes 1x2x70x64,1x1x45x64,1x1x45x64 --layout bnhd --input-scale 2
// RUN: attn-check %s --lib %t.split3.so --func window_d64 --shapes 1x2x3x64,1x2x5x64,1x2x5x64 --input-scale 2
// RUN: attn-check %t.split3.mlir --lib %t.whole.so --func window_d64 --shapes 2x4x37x64,2x2x53x64,2x2x53x64 --input-scale 2
// RUN: attn-check %s --lib %t.split3.so --func longformer_alibi_d32 --shapes 2x4x37x32,2x2x53x32,2x2x53x32 --input-scale 2
// RUN: attn-check %s --lib %t.split3.so --func longformer_alibi_d32 --shapes 1x2x70x32,1x1x45x32,1x1x45x32 --layout bnhd --input-scale 2
// RUN: attn-check %s --lib %t.split3.so --func longformer_alibi_d32 --shapes 1x2x3x32,1x2x5x32,1x2x5x32 --input-scale 2
// RUN: attn-check %t.split3.mlir --lib %t.whole.so --func longformer_alibi_d32 --shapes 2x4x37x32,2x2x53x32,2x2x53x32 --input-scale 2
// RUN: attn-opt %s --attn-split-kv=splits=7 > %t.split7.mlir
// RUN: attn-opt %t.split7.mlir --attn-reference-to-llvm | mlir-translate --mlir-to-llvmir -o %t.split7.ll
// RUN: %compile-shared %t.split7.ll -o %t.split7.so
// RUN: attn-check %s --lib %t.split7.so --func plain_d32 --shapes 2x4x37x32,2x2x53x32,2x2x53x32 --input-scale 2
// RUN: attn-check %s --lib %t.split7.so --func plain_d32 --shapes 1x2x70x32,1x1x45x32,1x1x45x32 --layout bnhd --input-scale 2
// RUN: attn-check %s --lib %t.split7.so --func plain_d32 --shapes 1x2x3x32,1x2x5x32,1x2x5x32 --input-scale 2
// RUN: attn-check %s --lib %t.split7.so --func causal_d32 --shapes 2x4x37x32,2x2x53x32,2x2x53x32 --input-scale 2
// RUN: attn-check %s --lib %t.split7.so --func causal_d32 --shapes 1x2x70x32,1x1x45x32,1x1x45x32 --layout bnhd --input-scale 2
// RUN: attn-check %s --lib %t.split7.so --func causal_d32 --shapes 1x2x3x32,1x2x5x32,1x2x5x32 --input-scale 2
// RUN: attn-check %s --lib %t.split7.so --func window_d64 --shapes 2x4x37x64,2x2x53x64,2x2x53x64 --input-scale 2
// RUN: attn-check %s --lib %t.split7.so --func window_d64 --shapes 1x2x70x64,1x1x45x64,1x1x45x64 --layout bnhd --input-scale 2
// RUN: attn-check %s --lib %t.split7.so --func window_d64 --shapes 1x2x3x64,1x2x5x64,1x2x5x64 --input-scale 2
// RUN: attn-check %s --lib %t.split7.so --func longformer_alibi_d32 --shapes 2x4x37x32,2x2x53x32,2x2x53x32 --input-scale 2
// RUN: attn-check %s --lib %t.split7.so --func longformer_alibi_d32 --shapes 1x2x70x32,1x1x45x32,1x1x45x32 --layout bnhd --input-scale 2
// RUN: attn-check %s --lib %t.split7.so --func longformer_alibi_d32 --shapes 1x2x3x32,1x2x5x32,1x2x5x32 --input-scale 2
// RUN: attn-opt %s --attn-split-kv=splits=16 > %t.split16.mlir
// RUN: attn-opt %t.split16.mlir --attn-flash-to-llvm="tile-q=16 tile-kv=8" | mlir-translate --mlir-to-llvmir -o %t.split16.ll
// RUN: %compile-shared %t.split16.ll -o %t.split16.so
// RUN: attn-check %s --lib %t.split16.so --func plain_d32 --shapes 2x4x37x32,2x2x53x32,2x2x53x32 --input-scale 2
// RUN: attn-check %s --lib %t.split16.so --func plain_d32 --shapes 1x2x70x32,1x1x45x32,1x1x45x32 --layout bnhd --input-scale 2
// RUN: attn-check %s --lib %t.split16.so --func plain_d32 --shapes 1x2x3x32,1x2x5x32,1x2x5x32 --input-scale 2
// RUN: attn-check %t.split16.mlir --lib %t.whole.so --func plain_d32 --shapes 2x4x37x32,2x2x53x32,2x2x53x32 --input-scale 2
// RUN: attn-check %s --lib %t.split16.so --func causal_d32 --shapes 2x4x37x32,2x2x53x32,2x2x53x32 --input-scale 2
// RUN: attn-check %s --lib %t.split16.so --func causal_d32 --shapes 1x2x70x32,1x1x45x32,1x1x45x32 --layout bnhd --input-scale 2
// RUN: attn-check %s --lib %t.split16.so --func causal_d32 --shapes 1x2x3x32,1x2x5x32,1x2x5x32 --input-scale 2
// RUN: attn-check %t.split16.mlir --lib %t.whole.so --func causal_d32 --shapes 2x4x37x32,2x2x53x32,2x2x53x32 --input-scale 2
// RUN: attn-check %s --lib %t.split16.so --func window_d64 --shapes 2x4x37x64,2x2x53x64,2x2x53x64 --input-scale 2
// RUN: attn-check %s --lib %t.split16.so --func window_d64 --shapes 1x2x70x64,1x1x45x64,1x1x45x64 --layout bnhd --input-scale 2
// RUN: attn-check %s --lib %t.split16.so --func window_d64 --shapes 1x2x3x64,1x2x5x64,1x2x5x64 --input-scale 2
// RUN: attn-check %t.split16.mlir --lib %t.whole.so --func window_d64 --shapes 2x4x37x64,2x2x53x64,2x2x53x64 --input-scale 2
// RUN: attn-check %s --lib %t.split16.so --func longformer_alibi_d32 --shapes 2x4x37x32,2x2x53x32,2x2x53x32 --input-scale 2
// RUN: attn-check %s --lib %t.split16.so --func longformer_alibi_d32 --shapes 1x2x70x32,1x1x45x32,1x1x45x32 --layout bnhd --input-scale 2
// RUN: attn-check %s --lib %t.split16.so --func longformer_alibi_d32 --shapes 1x2x3x32,1x2x5x32,1x2x5x32 --input-scale 2
// RUN: attn-check %t.split16.mlir --lib %t.whole.so --func longformer_alibi_d32 --shapes 2x4x37x32,2x2x53x32,2x2x53x32 --input-scale 2

func.func @plain_d32(%q: tensor<?x?x?x32xf32>, %k: tensor<?x?x?x32xf32>, %v: tensor<?x?x?x32xf32>) -> (tensor<?x?x?x32xf32>, tensor<?x?x?xf32>) attributes {llvm.emit_c_interface} {
  %o, %lse = attn.sdpa %q, %k, %v : tensor<?x?x?x32xf32>, tensor<?x?x?x32xf32>, tensor<?x?x?x32xf32> -> tensor<?x?x?x32xf32>, tensor<?x?x?xf32>
  return %o, %lse : tensor<?x?x?x32xf32>, tensor<?x?x?xf32>
}

func.func @causal_d32(%q: tensor<?x?x?x32xf32>, %k: tensor<?x?x?x32xf32>, %v: tensor<?x?x?x32xf32>) -> (tensor<?x?x?x32xf32>, tensor<?x?x?xf32>) attributes {llvm.emit_c_interface} {
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.causal) : tensor<?x?x?x32xf32>, tensor<?x?x?x32xf32>, tensor<?x?x?x32xf32> -> tensor<?x?x?x32xf32>, tensor<?x?x?xf32>
  return %o, %lse : tensor<?x?x?x32xf32>, tensor<?x?x?xf32>
}

func.func @window_d64(%q: tensor<?x?x?x64xf32>, %k: tensor<?x?x?x64xf32>, %v: tensor<?x?x?x64xf32>) -> (tensor<?x?x?x64xf32>, tensor<?x?x?xf32>) attributes {llvm.emit_c_interface} {
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.window<left = 20, right = 6>) : tensor<?x?x?x64xf32>, tensor<?x?x?x64xf32>, tensor<?x?x?x64xf32> -> tensor<?x?x?x64xf32>, tensor<?x?x?xf32>
  return %o, %lse : tensor<?x?x?x64xf32>, tensor<?x?x?xf32>
}

func.func @longformer_alibi_d32(%q: tensor<?x?x?x32xf32>, %k: tensor<?x?x?x32xf32>, %v: tensor<?x?x?x32xf32>) -> (tensor<?x?x?x32xf32>, tensor<?x?x?xf32>) attributes {llvm.emit_c_interface} {
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.union<[#attn.window<left = 12, right = 12>, #attn.global<tokens = 3>]>) score_mod(#attn.alibi<max_bias = 8.0>) : tensor<?x?x?x32xf32>, tensor<?x?x?x32xf32>, tensor<?x?x?x32xf32> -> tensor<?x?x?x32xf32>, tensor<?x?x?xf32>
  return %o, %lse : tensor<?x?x?x32xf32>, tensor<?x?x?xf32>
}
