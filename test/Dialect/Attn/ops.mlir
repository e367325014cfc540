// RUN: attn-opt %s | attn-opt | FileCheck %s
// RUN: attn-opt %s --mlir-print-op-generic | attn-opt | FileCheck %s

// CHECK-LABEL: func @graph
func.func @graph(%q: tensor<2x8x128x64xf32>, %k: tensor<2x2x256x64xf32>,
                 %v: tensor<2x2x256x32xf32>) -> tensor<2x8x128x32xf32> {
  // CHECK: %[[S:.+]] = attn.scores %{{.+}}, %{{.+}} scale 1.250000e-01 : tensor<2x8x128x64xf32>, tensor<2x2x256x64xf32> -> tensor<2x8x128x256xf32>
  %s = attn.scores %q, %k scale 0.125 : tensor<2x8x128x64xf32>, tensor<2x2x256x64xf32> -> tensor<2x8x128x256xf32>
  // CHECK: %[[M:.+]] = attn.mask #attn.causal %[[S]] : tensor<2x8x128x256xf32>
  %m = attn.mask #attn.causal %s : tensor<2x8x128x256xf32>
  // CHECK: %[[P:.+]] = attn.softmax %[[M]] : tensor<2x8x128x256xf32>
  %p = attn.softmax %m : tensor<2x8x128x256xf32>
  // CHECK: attn.apply %[[P]], %{{.+}} : tensor<2x8x128x256xf32>, tensor<2x2x256x32xf32> -> tensor<2x8x128x32xf32>
  %o = attn.apply %p, %v : tensor<2x8x128x256xf32>, tensor<2x2x256x32xf32> -> tensor<2x8x128x32xf32>
  return %o : tensor<2x8x128x32xf32>
}

// CHECK-LABEL: func @default_scale_dynamic
func.func @default_scale_dynamic(%q: tensor<?x?x?x?xbf16>, %k: tensor<?x?x?x?xbf16>) -> tensor<?x?x?x?xbf16> {
  // CHECK: attn.scores %{{.+}}, %{{.+}} : tensor<?x?x?x?xbf16>, tensor<?x?x?x?xbf16> -> tensor<?x?x?x?xbf16>
  %s = attn.scores %q, %k : tensor<?x?x?x?xbf16>, tensor<?x?x?x?xbf16> -> tensor<?x?x?x?xbf16>
  return %s : tensor<?x?x?x?xbf16>
}

// CHECK-LABEL: func @masks
func.func @masks(%s: tensor<1x4x64x64xf16>, %layout: tensor<4x4xi8>,
                 %layout4: tensor<1x4x4x4xi8>, %offsets: tensor<5xi32>,
                 %offsets2: tensor<1x5xi64>) -> tensor<1x4x64x64xf16> {
  // CHECK: attn.mask #attn.window<left = 16, right = 0> %{{.+}} : tensor<1x4x64x64xf16>
  %0 = attn.mask #attn.window<left = 16, right = 0> %s : tensor<1x4x64x64xf16>
  // CHECK: attn.mask #attn.dilated<left = 32, right = 0, dilation = 4> %{{.+}} fill zero : tensor<1x4x64x64xf16>
  %1 = attn.mask #attn.dilated<left = 32, right = 0, dilation = 4> %0 fill zero : tensor<1x4x64x64xf16>
  // CHECK: attn.mask #attn.global<tokens = 2> %{{.+}} : tensor<1x4x64x64xf16>
  %2 = attn.mask #attn.global<tokens = 2> %1 : tensor<1x4x64x64xf16>
  // CHECK: attn.mask #attn.block_sparse<block_q = 16, block_k = 16> %{{.+}} tables(%{{.+}} : tensor<4x4xi8>) : tensor<1x4x64x64xf16>
  %3 = attn.mask #attn.block_sparse<block_q = 16, block_k = 16> %2 tables(%layout : tensor<4x4xi8>) : tensor<1x4x64x64xf16>
  // CHECK: attn.mask #attn.block_sparse<block_q = 16, block_k = 16> %{{.+}} tables(%{{.+}} : tensor<1x4x4x4xi8>)
  %4 = attn.mask #attn.block_sparse<block_q = 16, block_k = 16> %3 tables(%layout4 : tensor<1x4x4x4xi8>) : tensor<1x4x64x64xf16>
  // CHECK: attn.mask #attn.intersect<[#attn.document, #attn.causal]> %{{.+}} tables(%{{.+}} : tensor<5xi32>)
  %5 = attn.mask #attn.intersect<[#attn.document, #attn.causal]> %4 tables(%offsets : tensor<5xi32>) : tensor<1x4x64x64xf16>
  // CHECK: attn.mask #attn.union<[#attn.window<left = 8, right = 8>, #attn.global<tokens = 4>]> %{{.+}} : tensor<1x4x64x64xf16>
  %6 = attn.mask #attn.union<[#attn.window<left = 8, right = 8>, #attn.global<tokens = 4>]> %5 : tensor<1x4x64x64xf16>
  // CHECK: attn.mask #attn.union<[#attn.document, #attn.block_sparse<block_q = 16, block_k = 16>]> %{{.+}} tables(%{{.+}}, %{{.+}} : tensor<1x5xi64>, tensor<4x4xi8>)
  %7 = attn.mask #attn.union<[#attn.document, #attn.block_sparse<block_q = 16, block_k = 16>]> %6 tables(%offsets2, %layout : tensor<1x5xi64>, tensor<4x4xi8>) : tensor<1x4x64x64xf16>
  // CHECK: attn.mask #attn.intersect<[#attn.key_lengths, #attn.causal]> %{{.+}} tables(%{{.+}} : tensor<1xi32>)
  %lengths = arith.constant dense<40> : tensor<1xi32>
  %8 = attn.mask #attn.intersect<[#attn.key_lengths, #attn.causal]> %7 tables(%lengths : tensor<1xi32>) : tensor<1x4x64x64xf16>
  return %8 : tensor<1x4x64x64xf16>
}

// CHECK-LABEL: func @linear_graph
func.func @linear_graph(%q: tensor<1x8x100x64xf32>, %k: tensor<1x8x100x64xf32>,
                        %w: tensor<64x128xf32>) -> (tensor<1x8x100x64xf32>, tensor<1x8x100x128xf32>, tensor<1x8x100x100xf32>) {
  // CHECK: attn.feature_map elu_plus_one %{{.+}} : tensor<1x8x100x64xf32> -> tensor<1x8x100x64xf32>
  %0 = attn.feature_map elu_plus_one %q : tensor<1x8x100x64xf32> -> tensor<1x8x100x64xf32>
  // CHECK: attn.feature_map relu
  %1 = attn.feature_map relu %k : tensor<1x8x100x64xf32> -> tensor<1x8x100x64xf32>
  // CHECK: attn.feature_map identity
  %2 = attn.feature_map identity %0 : tensor<1x8x100x64xf32> -> tensor<1x8x100x64xf32>
  // CHECK: attn.feature_map favor_plus %{{.+}}, %{{.+}} : tensor<1x8x100x64xf32>, tensor<64x128xf32> -> tensor<1x8x100x128xf32>
  %3 = attn.feature_map favor_plus %q, %w : tensor<1x8x100x64xf32>, tensor<64x128xf32> -> tensor<1x8x100x128xf32>
  %a = attn.scores %2, %1 scale 1.0 : tensor<1x8x100x64xf32>, tensor<1x8x100x64xf32> -> tensor<1x8x100x100xf32>
  // CHECK: attn.normalize %{{.+}} {eps = 9.99999974E-5 : f32} : tensor<1x8x100x100xf32>
  %n = attn.normalize %a {eps = 1.0e-4 : f32} : tensor<1x8x100x100xf32>
  // CHECK: attn.normalize %{{.+}} : tensor<1x8x100x100xf32>
  %n2 = attn.normalize %n : tensor<1x8x100x100xf32>
  return %2, %3, %n2 : tensor<1x8x100x64xf32>, tensor<1x8x100x128xf32>, tensor<1x8x100x100xf32>
}

// CHECK-LABEL: func @fused
func.func @fused(%q: tensor<2x8x1000x64xbf16>, %k: tensor<2x2x1000x64xbf16>,
                 %v: tensor<2x2x1000x64xbf16>, %layout: tensor<?x?xi8>,
                 %w: tensor<64x256xbf16>)
    -> (tensor<2x8x1000x64xbf16>, tensor<2x8x1000xf32>, tensor<2x8x1000x64xbf16>,
        tensor<2x8x1000x64xbf16>, tensor<2x8x1000x64xbf16>) {
  // CHECK: %{{.+}}, %{{.+}} = attn.sdpa %{{.+}}, %{{.+}}, %{{.+}} mask(#attn.causal) : tensor<2x8x1000x64xbf16>, tensor<2x2x1000x64xbf16>, tensor<2x2x1000x64xbf16> -> tensor<2x8x1000x64xbf16>, tensor<2x8x1000xf32>
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.causal) : tensor<2x8x1000x64xbf16>, tensor<2x2x1000x64xbf16>, tensor<2x2x1000x64xbf16> -> tensor<2x8x1000x64xbf16>, tensor<2x8x1000xf32>
  // CHECK: attn.sdpa %{{.+}}, %{{.+}}, %{{.+}} scale 1.250000e-01 mask(#attn.block_sparse<block_q = 64, block_k = 64>) tables(%{{.+}} : tensor<?x?xi8>) : {{.+}} -> tensor<2x8x1000x64xbf16>
  %o2 = attn.sdpa %q, %k, %v scale 0.125 mask(#attn.block_sparse<block_q = 64, block_k = 64>) tables(%layout : tensor<?x?xi8>) : tensor<2x8x1000x64xbf16>, tensor<2x2x1000x64xbf16>, tensor<2x2x1000x64xbf16> -> tensor<2x8x1000x64xbf16>
  // CHECK: attn.linear elu_plus_one %{{.+}}, %{{.+}}, %{{.+}} causal : {{.+}} -> tensor<2x8x1000x64xbf16>
  %o3 = attn.linear elu_plus_one %q, %k, %v causal : tensor<2x8x1000x64xbf16>, tensor<2x2x1000x64xbf16>, tensor<2x2x1000x64xbf16> -> tensor<2x8x1000x64xbf16>
  // CHECK: attn.linear favor_plus %{{.+}}, %{{.+}}, %{{.+}} projection(%{{.+}} : tensor<64x256xbf16>) : {{.+}} -> tensor<2x8x1000x64xbf16>
  %o4 = attn.linear favor_plus %q, %k, %v projection(%w : tensor<64x256xbf16>) : tensor<2x8x1000x64xbf16>, tensor<2x2x1000x64xbf16>, tensor<2x2x1000x64xbf16> -> tensor<2x8x1000x64xbf16>
  return %o, %lse, %o2, %o3, %o4 : tensor<2x8x1000x64xbf16>, tensor<2x8x1000xf32>, tensor<2x8x1000x64xbf16>, tensor<2x8x1000x64xbf16>, tensor<2x8x1000x64xbf16>
}

// A GPU schedule on an attn.sdpa round-trips (convert-attn-to-gpu builds its
// kernel to it).
// CHECK-LABEL: func.func @scheduled
// CHECK: attn.sdpa %{{.+}}, %{{.+}}, %{{.+}} {attn.schedule = #attn.gpu_schedule<mma = wgmma, copy = tma, tile_q = 128, tile_kv = 128, kv_step = 128, warps = 12, producer_warps = 4, stages = 2>}
func.func @scheduled(%q: tensor<1x8x16x64xbf16>) -> tensor<1x8x16x64xbf16> {
  %o = attn.sdpa %q, %q, %q {attn.schedule = #attn.gpu_schedule<mma = wgmma, copy = tma, tile_q = 128, tile_kv = 128, kv_step = 128, warps = 12, producer_warps = 4, stages = 2>} : tensor<1x8x16x64xbf16>, tensor<1x8x16x64xbf16>, tensor<1x8x16x64xbf16> -> tensor<1x8x16x64xbf16>
  return %o : tensor<1x8x16x64xbf16>
}

// The tiled ops of linear attention and Linformer's projection.
// CHECK-LABEL: func.func @linear_tiles
// CHECK: attn.linear_update %{{.+}}, %{{.+}} into(%{{.+}}, %{{.+}}) : tensor<8x16xf32>, tensor<8x32xbf16> -> tensor<16x32xf32>, tensor<16xf32>
// CHECK: attn.linear_chunk %{{.+}} with(%{{.+}}, %{{.+}}) keys(%{{.+}}, %{{.+}}) diagonal(%{{.+}}) {eps = 1.000000e-03 : f32} : tensor<4x16xf32>, tensor<16x32xf32>, tensor<16xf32>, tensor<8x16xf32>, tensor<8x32xbf16> -> tensor<4x32xbf16>
// CHECK: attn.linear_chunk %{{.+}} with(%{{.+}}, %{{.+}}) : tensor<4x16xf32>, tensor<16x32xf32>, tensor<16xf32> -> tensor<4x32xf32>
// CHECK: attn.project_sequence %{{.+}}, %{{.+}} : tensor<1x2x8x32xbf16>, tensor<4x8xbf16> -> tensor<1x2x4x32xbf16>
// CHECK: attn.favor_max %{{.+}}, %{{.+}} : tensor<1x2x8x32xbf16>, tensor<32x16xbf16> -> tensor<1x2x8xf32>
// CHECK: attn.feature_map favor_plus %{{.+}}, %{{.+}} shift(%{{.+}} : tensor<1x2x8xf32>) : tensor<1x2x8x32xbf16>, tensor<32x16xbf16> -> tensor<1x2x8x16xbf16>
func.func @linear_tiles(%fq: tensor<4x16xf32>, %fk: tensor<8x16xf32>, %v: tensor<8x32xbf16>, %s: tensor<16x32xf32>, %z: tensor<16xf32>, %d: index, %x: tensor<1x2x8x32xbf16>, %e: tensor<4x8xbf16>) -> (tensor<4x32xbf16>, tensor<4x32xf32>, tensor<1x2x4x32xbf16>) {
  %s1, %z1 = attn.linear_update %fk, %v into (%s, %z) : tensor<8x16xf32>, tensor<8x32xbf16> -> tensor<16x32xf32>, tensor<16xf32>
  %o = attn.linear_chunk %fq with (%s, %z) keys(%fk, %v) diagonal(%d) {eps = 1.0e-3 : f32} : tensor<4x16xf32>, tensor<16x32xf32>, tensor<16xf32>, tensor<8x16xf32>, tensor<8x32xbf16> -> tensor<4x32xbf16>
  %o2 = attn.linear_chunk %fq with (%s1, %z1) : tensor<4x16xf32>, tensor<16x32xf32>, tensor<16xf32> -> tensor<4x32xf32>
  %y = attn.project_sequence %x, %e : tensor<1x2x8x32xbf16>, tensor<4x8xbf16> -> tensor<1x2x4x32xbf16>
  %w = arith.constant dense<0.5> : tensor<32x16xbf16>
  %m = attn.favor_max %x, %w : tensor<1x2x8x32xbf16>, tensor<32x16xbf16> -> tensor<1x2x8xf32>
  %f = attn.feature_map favor_plus %x, %w shift(%m : tensor<1x2x8xf32>) : tensor<1x2x8x32xbf16>, tensor<32x16xbf16> -> tensor<1x2x8x16xbf16>
  return %o, %o2, %y : tensor<4x32xbf16>, tensor<4x32xf32>, tensor<1x2x4x32xbf16>
}

// Score mods: ALiBi and tanh soft-capping, alone and beside a mask.
// CHECK-LABEL: func.func @score_mods
// CHECK: attn.sdpa %{{.+}}, %{{.+}}, %{{.+}} mask(#attn.causal) score_mod(#attn.alibi<max_bias = 8.000000e+00>) :
// CHECK: attn.sdpa %{{.+}}, %{{.+}}, %{{.+}} score_mod(#attn.softcap<cap = 3.000000e+01>) :
// CHECK: attn.sdpa %{{.+}}, %{{.+}}, %{{.+}} mask(#attn.block_sparse<block_q = 4, block_k = 4>) score_mod(#attn.softcap<cap = 1.000000e-01>) tables(%{{.+}} : tensor<2x2xi8>) :
func.func @score_mods(%q: tensor<1x2x8x16xf32>, %t: tensor<2x2xi8>) -> (tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>) {
  %a = attn.sdpa %q, %q, %q mask(#attn.causal) score_mod(#attn.alibi<max_bias = 8.0>) : tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32> -> tensor<1x2x8x16xf32>
  %b = attn.sdpa %q, %q, %q score_mod(#attn.softcap<cap = 30.0>) : tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32> -> tensor<1x2x8x16xf32>
  %c = attn.sdpa %q, %q, %q mask(#attn.block_sparse<block_q = 4, block_k = 4>) score_mod(#attn.softcap<cap = 0.1>) tables(%t : tensor<2x2xi8>) : tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32> -> tensor<1x2x8x16xf32>
  return %a, %b, %c : tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>
}

// Split-KV: a part of an attn.sdpa and the merge of parts.
// CHECK-LABEL: func.func @split_merge
// CHECK: attn.sdpa %{{.+}}, %{{.+}}, %{{.+}} mask(#attn.causal) kv_split [1, 2] : {{.*}} -> tensor<1x2x8x16xf32>, tensor<1x2x8xf32>
// CHECK: attn.merge %{{.+}}, %{{.+}} lse(%{{.+}}, %{{.+}}) : (tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>), (tensor<1x2x8xf32>, tensor<1x2x8xf32>) -> tensor<1x2x8x16xf32>, tensor<1x2x8xf32>
func.func @split_merge(%q: tensor<1x2x8x16xf32>, %o0: tensor<1x2x8x16xf32>, %l0: tensor<1x2x8xf32>) -> (tensor<1x2x8x16xf32>, tensor<1x2x8xf32>) {
  %o1, %l1 = attn.sdpa %q, %q, %q mask(#attn.causal) kv_split [1, 2] : tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32> -> tensor<1x2x8x16xf32>, tensor<1x2x8xf32>
  %o, %l = attn.merge %o0, %o1 lse(%l0, %l1) : (tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>), (tensor<1x2x8xf32>, tensor<1x2x8xf32>) -> tensor<1x2x8x16xf32>, tensor<1x2x8xf32>
  return %o, %l : tensor<1x2x8x16xf32>, tensor<1x2x8xf32>
}

// A paged KV cache: keys gathered from pages of 16 through a block table.
// CHECK-LABEL: func.func @paged
// CHECK: attn.gather_pages %{{.+}}, %{{.+}} : tensor<?x2x16x64xbf16>, tensor<4x8xi32> -> tensor<4x2x128x64xbf16>
func.func @paged(%pages: tensor<?x2x16x64xbf16>, %table: tensor<4x8xi32>) -> tensor<4x2x128x64xbf16> {
  %k = attn.gather_pages %pages, %table : tensor<?x2x16x64xbf16>, tensor<4x8xi32> -> tensor<4x2x128x64xbf16>
  return %k : tensor<4x2x128x64xbf16>
}
