// Linformer: keys and values projected along the sequence axis to k rows
// (attn.project_sequence), then exact attention; through the reference and
// the flash lowerings vs float64. GQA, N not a multiple of anything, k < N
// and k > N.

// RUN: attn-opt %s --attn-reference-to-llvm | mlir-translate --mlir-to-llvmir -o %t.ll
// RUN: %compile-shared %t.ll -o %t.so
// RUN: attn-opt %s --attn-flash-to-llvm="tile-q=16 tile-kv=8" | mlir-translate --mlir-to-llvmir -o %t.flash.ll
// RUN: %compile-shared %t.flash.ll -o %t.flash.so
// RUN: attn-check %s --lib %t.so --func linformer --shapes 2x4x100x32,2x2x100x32,2x2x100x16,24x100,24x100
// RUN: attn-check %s --lib %t.flash.so --func linformer --shapes 2x4x100x32,2x2x100x32,2x2x100x16,24x100,24x100
// RUN: attn-check %s --lib %t.flash.so --func linformer --shapes 1x2x37x64,1x2x37x64,1x2x37x64,50x37,50x37
// RUN: attn-check %s --lib %t.flash.so --func linformer_bf16 --shapes 1x4x300x64,1x1x300x64,1x1x300x64,64x300,64x300

func.func @linformer(%q: tensor<?x?x?x?xf32>, %k: tensor<?x?x?x?xf32>, %v: tensor<?x?x?x?xf32>, %e: tensor<?x?xf32>, %f: tensor<?x?xf32>) -> tensor<?x?x?x?xf32> attributes {llvm.emit_c_interface} {
  %pk = attn.project_sequence %k, %e : tensor<?x?x?x?xf32>, tensor<?x?xf32> -> tensor<?x?x?x?xf32>
  %pv = attn.project_sequence %v, %f : tensor<?x?x?x?xf32>, tensor<?x?xf32> -> tensor<?x?x?x?xf32>
  %o = attn.sdpa %q, %pk, %pv : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>
  return %o : tensor<?x?x?x?xf32>
}

func.func @linformer_bf16(%q: tensor<?x?x?x?xbf16>, %k: tensor<?x?x?x?xbf16>, %v: tensor<?x?x?x?xbf16>, %e: tensor<?x?xbf16>, %f: tensor<?x?xbf16>) -> tensor<?x?x?x?xbf16> attributes {llvm.emit_c_interface} {
  %pk = attn.project_sequence %k, %e : tensor<?x?x?x?xbf16>, tensor<?x?xbf16> -> tensor<?x?x?x?xbf16>
  %pv = attn.project_sequence %v, %f : tensor<?x?x?x?xbf16>, tensor<?x?xbf16> -> tensor<?x?x?x?xbf16>
  %o = attn.sdpa %q, %pk, %pv : tensor<?x?x?x?xbf16>, tensor<?x?x?x?xbf16>, tensor<?x?x?x?xbf16> -> tensor<?x?x?x?xbf16>
  return %o : tensor<?x?x?x?xbf16>
}
