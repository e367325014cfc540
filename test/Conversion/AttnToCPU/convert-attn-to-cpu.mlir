// RUN: attn-opt %s --split-input-file --convert-attn-to-cpu --verify-diagnostics | FileCheck %s

// The kernel ABI: strided memrefs, results as out-parameters, a task range.
// A task is two groups of 96 rows (m and l of both are the key loop's
// state), sharing the packed V tile; each group steps only through the tiles
// its rows see. The scores are broadcast-FMAs, the mask is evaluated only for
// blocks leaving the band or at the ragged end.
// What it computes, for attnrt to check kernel structs against: magic,
// version, f32 (3), d, d_v, LSE, rows per task.
// CHECK: memref.global "public" constant @__attn_meta_causal : memref<18xi64> = dense<[7022365736608035937, 9, 3, 64, 64, 1, 192, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]>
// CHECK-LABEL: func.func @causal(
// CHECK-SAME: %[[Q:.+]]: memref<?x?x?x?xf32, strided<[?, ?, ?, 1], offset: ?>>,
// CHECK-SAME: %[[LSE:.+]]: memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>>, %[[BEGIN:.+]]: index, %[[END:.+]]: index)
// CHECK-SAME: attributes {llvm.emit_c_interface}
// CHECK-DAG: memref.alloca() {alignment = 64 : i64} : memref<64x192xf32>
// CHECK-DAG: memref.alloca() {alignment = 64 : i64} : memref<64x64xf32>
// CHECK: scf.for %{{.+}} = %[[BEGIN]] to %[[END]]
// CHECK: scf.for {{.+}} iter_args({{.+}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK: memref.prefetch
// CHECK: scf.if %{{.+}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK: vector.broadcast %{{.+}} : f32 to vector<16xf32>
// CHECK: vector.fma
// CHECK: scf.if
// CHECK: arith.cmpi sge, %{{.+}}, %{{.+}} : vector<16xi64>
// CHECK: arith.maxnumf %{{.+}}, %{{.+}} : vector<16xf32>
// CHECK: math.floor %{{.+}} : vector<16xf32>
// CHECK: arith.bitcast %{{.+}} : vector<16xi32> to vector<16xf32>
// CHECK: vector.fma
// CHECK: math.log
// CHECK-NOT: attn.
func.func @causal(%q: tensor<?x?x?x64xf32>, %k: tensor<?x?x?x64xf32>, %v: tensor<?x?x?x64xf32>) -> (tensor<?x?x?x64xf32>, tensor<?x?x?xf32>) {
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.causal) : tensor<?x?x?x64xf32>, tensor<?x?x?x64xf32>, tensor<?x?x?x64xf32> -> tensor<?x?x?x64xf32>, tensor<?x?x?xf32>
  return %o, %lse : tensor<?x?x?x64xf32>, tensor<?x?x?xf32>
}

// -----

// No mask and no LSE: one output memref, no lane compares for the band.
// CHECK-LABEL: func.func @plain(
// CHECK-SAME: %{{.+}}: memref<?x?x?x?xf32, strided<[?, ?, ?, 1], offset: ?>>, %{{.+}}: index, %{{.+}}: index)
// CHECK-NOT: math.log
func.func @plain(%q: tensor<2x8x100x32xf32>, %k: tensor<2x8x100x32xf32>, %v: tensor<2x8x100x32xf32>) -> tensor<2x8x100x32xf32> {
  %o = attn.sdpa %q, %k, %v : tensor<2x8x100x32xf32>, tensor<2x8x100x32xf32>, tensor<2x8x100x32xf32> -> tensor<2x8x100x32xf32>
  return %o : tensor<2x8x100x32xf32>
}

// -----

// expected-error @+1 {{convert-attn-to-cpu: the CPU kernel computes whole attn.sdpa ops, not kv_split parts (attn-flash-to-llvm does)}}
func.func @part(%q: tensor<?x?x?x64xf32>, %k: tensor<?x?x?x64xf32>, %v: tensor<?x?x?x64xf32>) -> (tensor<?x?x?x64xf32>, tensor<?x?x?xf32>) {
  %o, %lse = attn.sdpa %q, %k, %v kv_split [1, 4] : tensor<?x?x?x64xf32>, tensor<?x?x?x64xf32>, tensor<?x?x?x64xf32> -> tensor<?x?x?x64xf32>, tensor<?x?x?xf32>
  return %o, %lse : tensor<?x?x?x64xf32>, tensor<?x?x?xf32>
}

// -----

// expected-error @+1 {{convert-attn-to-cpu: the CPU kernel supports f32 only, got 'bf16'}}
func.func @bf16(%q: tensor<?x?x?x64xbf16>, %k: tensor<?x?x?x64xbf16>, %v: tensor<?x?x?x64xbf16>) -> tensor<?x?x?x64xbf16> {
  %o = attn.sdpa %q, %k, %v : tensor<?x?x?x64xbf16>, tensor<?x?x?x64xbf16>, tensor<?x?x?x64xbf16> -> tensor<?x?x?x64xbf16>
  return %o : tensor<?x?x?x64xbf16>
}

// -----

// expected-error @+1 {{convert-attn-to-cpu: the head dims d and d_v must be static}}
func.func @dynamic_d(%q: tensor<?x?x?x?xf32>, %k: tensor<?x?x?x?xf32>, %v: tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32> {
  %o = attn.sdpa %q, %k, %v : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>
  return %o : tensor<?x?x?x?xf32>
}

// -----

// The scratch of a task lives on the stack: head dims are bounded.
// expected-error @+1 {{convert-attn-to-cpu: d and d_v must be 1 to 256, got d = 2147483648, d_v = 64}}
func.func @huge_d(%q: tensor<?x?x?x2147483648xf32>, %k: tensor<?x?x?x2147483648xf32>, %v: tensor<?x?x?x64xf32>) -> tensor<?x?x?x64xf32> {
  %o = attn.sdpa %q, %k, %v scale 1.0 : tensor<?x?x?x2147483648xf32>, tensor<?x?x?x2147483648xf32>, tensor<?x?x?x64xf32> -> tensor<?x?x?x64xf32>
  return %o : tensor<?x?x?x64xf32>
}

// -----

// expected-error @+1 {{convert-attn-to-cpu: d_v must be a multiple of 4, got 18}}
func.func @odd_dv(%q: tensor<?x?x?x64xf32>, %k: tensor<?x?x?x64xf32>, %v: tensor<?x?x?x18xf32>) -> tensor<?x?x?x18xf32> {
  %o = attn.sdpa %q, %k, %v : tensor<?x?x?x64xf32>, tensor<?x?x?x64xf32>, tensor<?x?x?x18xf32> -> tensor<?x?x?x18xf32>
  return %o : tensor<?x?x?x18xf32>
}

// -----

// A mask beyond a band: blocks it empties are skipped, blocks it leaves
// partial evaluate its predicate on 16 rows in lanes.
// CHECK-LABEL: func.func @dilated(
// CHECK: scf.if
// CHECK: arith.remsi %{{.+}}, %{{.+}} : vector<16xindex>
func.func @dilated(%q: tensor<?x?x?x64xf32>, %k: tensor<?x?x?x64xf32>, %v: tensor<?x?x?x64xf32>) -> tensor<?x?x?x64xf32> {
  %o = attn.sdpa %q, %k, %v mask(#attn.dilated<left = 8, right = 0, dilation = 2>) : tensor<?x?x?x64xf32>, tensor<?x?x?x64xf32>, tensor<?x?x?x64xf32> -> tensor<?x?x?x64xf32>
  return %o : tensor<?x?x?x64xf32>
}

// -----

// A document mask narrows each task's key loop to its rows' documents: the
// documents of its first and last rows (a scan of the offsets each), their
// offsets as the loop's bounds.
// CHECK-LABEL: func.func @documents(
// CHECK: scf.for %{{.+}} iter_args
// CHECK: scf.for %{{.+}} iter_args
// CHECK: %[[LO:.+]] = arith.index_cast %{{.+}} : i32 to index
// CHECK: %[[HI:.+]] = arith.index_cast %{{.+}} : i32 to index
// CHECK: %[[FROM:.+]] = arith.maxsi %{{.+}}, %[[LO]] : index
// CHECK: %[[CUT:.+]] = arith.minsi %{{.+}}, %[[HI]] : index
// CHECK: %[[TO:.+]] = arith.maxsi %[[CUT]], %[[FROM]] : index
// CHECK: scf.for %{{.+}} = %[[FROM]] to %[[TO]] step %{{.+}} iter_args
func.func @documents(%q: tensor<?x?x?x32xf32>, %k: tensor<?x?x?x32xf32>, %v: tensor<?x?x?x32xf32>, %t: tensor<?xi32>) -> tensor<?x?x?x32xf32> {
  %o = attn.sdpa %q, %k, %v mask(#attn.document) tables(%t : tensor<?xi32>) : tensor<?x?x?x32xf32>, tensor<?x?x?x32xf32>, tensor<?x?x?x32xf32> -> tensor<?x?x?x32xf32>
  return %o : tensor<?x?x?x32xf32>
}

// -----

// expected-error @+1 {{convert-attn-to-cpu: expects a function (q, k, v, tables...) whose body is one attn.sdpa of its arguments}}
func.func @not_alone(%q: tensor<?x?x?x64xf32>, %k: tensor<?x?x?x64xf32>, %v: tensor<?x?x?x64xf32>) -> tensor<?x?x?x64xf32> {
  %o = attn.sdpa %q, %k, %v : tensor<?x?x?x64xf32>, tensor<?x?x?x64xf32>, tensor<?x?x?x64xf32> -> tensor<?x?x?x64xf32>
  %o2 = attn.sdpa %o, %k, %v : tensor<?x?x?x64xf32>, tensor<?x?x?x64xf32>, tensor<?x?x?x64xf32> -> tensor<?x?x?x64xf32>
  return %o2 : tensor<?x?x?x64xf32>
}
