//===- AttnAttrs.td - attn masks and enums -----------------*- tablegen -*-===//

#ifndef ATTN_DIALECT_ATTN_IR_ATTNATTRS_TD
#define ATTN_DIALECT_ATTN_IR_ATTNATTRS_TD

include "attn/Dialect/Attn/IR/AttnBase.td"
include "attn/Dialect/Attn/IR/AttnInterfaces.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

def Attn_FeatureMapKind : I32EnumAttr<"FeatureMapKind",
    "feature map φ of kernelized attention", [
      I32EnumAttrCase<"Identity", 0, "identity">,
      I32EnumAttrCase<"EluPlusOne", 1, "elu_plus_one">,
      I32EnumAttrCase<"Relu", 2, "relu">,
      I32EnumAttrCase<"FavorPlus", 3, "favor_plus">]> {
  let cppNamespace = "::mlir::attn";
  let genSpecializedAttr = 0;
}
def Attn_FeatureMapKindAttr
    : EnumAttr<Attn_Dialect, Attn_FeatureMapKind, "feature_map">;

def Attn_MaskFill : I32EnumAttr<"MaskFill",
    "value that a mask writes into removed entries", [
      I32EnumAttrCase<"NegInf", 0, "neg_inf">,
      I32EnumAttrCase<"Zero", 1, "zero">]> {
  let cppNamespace = "::mlir::attn";
  let genSpecializedAttr = 0;
}
def Attn_MaskFillAttr : EnumAttr<Attn_Dialect, Attn_MaskFill, "fill">;

def Attn_GPUMma : I32EnumAttr<"GPUMma",
    "tensor-core instruction of a GPU kernel", [
      I32EnumAttrCase<"MmaSync", 0, "mma_sync">,
      I32EnumAttrCase<"Wgmma", 1, "wgmma">]> {
  let cppNamespace = "::mlir::attn";
  let genSpecializedAttr = 0;
}

def Attn_GPUCopy : I32EnumAttr<"GPUCopy",
    "how a GPU kernel stages its tiles in shared memory", [
      I32EnumAttrCase<"CpAsync", 0, "cp_async">,
      I32EnumAttrCase<"Tma", 1, "tma">]> {
  let cppNamespace = "::mlir::attn";
  let genSpecializedAttr = 0;
}

//===----------------------------------------------------------------------===//
// Schedules
//===----------------------------------------------------------------------===//

def Attn_GPUScheduleAttr : AttrDef<Attn_Dialect, "GPUSchedule"> {
  let mnemonic = "gpu_schedule";
  let summary = "the shape of a GPU flash kernel";
  let description = [{
    What `convert-attn-to-gpu` builds for one `attn.sdpa`: the tensor-core
    instruction (`mma_sync`, sm_80; `wgmma`, sm_90a), how tiles reach shared
    memory (`cp_async`; `tma` onto mbarriers), `tile_q` query rows per CTA,
    K/V tiles of `tile_kv` keys processed in online-softmax steps of
    `kv_step`, `warps` warps per CTA of which `producer_warps` only load
    tiles (warp specialisation), and `stages` K/V tiles in flight; a
    `persistent` kernel (wgmma only; `false` when left out) is launched on
    as many CTAs as fit on the GPU at once, each walking query blocks of the
    grid in turn, so that one block's epilogue overlaps the next one's
    loads.
    `attn-select-gpu-schedule` puts one on each `attn.sdpa` as its
    `attn.schedule` attribute (chosen from the chip and the head dims, or
    given by its `schedule` option or already there); the kernel carries it
    on, and `attn-kernelgen` writes it to the manifest. It is the one place
    a GPU kernel's tiling is stated: passes, pipelines and tools take it
    whole.

    Constraints: (C1) `tile_q`, `tile_kv` and `kv_step` are multiples of 16
    from 16 to 256; (C2) `kv_step` divides `tile_kv`; (C3) `stages` is 1 to
    4; (C4) `mma_sync` copies with `cp_async`, has no producer warps, 1 to 8
    warps of 16 or 32 query rows each, `tile_kv` up to 128, 1 or 2 stages,
    one stage only with `kv_step = tile_kv`, and is not persistent; (C5) `wgmma` copies with
    `tma`, has one producer warpgroup (4 warps) and a consumer warpgroup per
    64 query rows, `kv_step = tile_kv` and 2 to 4 stages.

    ```mlir
    #attn.gpu_schedule<mma = wgmma, copy = tma, tile_q = 128, tile_kv = 128,
                       kv_step = 128, warps = 12, producer_warps = 4, stages = 2>
    ```
  }];
  let parameters = (ins "GPUMma":$mma, "GPUCopy":$copy, "int64_t":$tile_q,
                        "int64_t":$tile_kv, "int64_t":$kv_step,
                        "int64_t":$warps, "int64_t":$producer_warps,
                        "int64_t":$stages,
                        DefaultValuedParameter<"bool", "false">:$persistent);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    int64_t getThreads() const { return 32 * getWarps(); }
    /// Query rows of each warp that computes (the producers compute none).
    int64_t getRowsPerWarp() const {
      return getTileQ() / (getWarps() - getProducerWarps());
    }
  }];
}

//===----------------------------------------------------------------------===//
// Masks
//===----------------------------------------------------------------------===//

class Attn_MaskAttr<string name, string attrMnemonic,
                    list<string> overridden = []>
    : AttrDef<Attn_Dialect, name,
              [DeclareAttrInterfaceMethods<Attn_MaskAttrInterface,
                                           overridden>]> {
  let mnemonic = attrMnemonic;
}

def Attn_CausalMaskAttr : Attn_MaskAttr<"CausalMask", "causal",
    ["getBand", "classifyBlock"]> {
  let summary = "causal mask: key j is allowed iff j ≤ i + N_kv − N_q";
  let description = [{
    Query `i` sees every key at or before its own position
    `i' = i + N_kv − N_q` (bottom-right aligned: with `N_q == N_kv` this is
    the usual lower-triangular mask; with `N_q < N_kv` the queries are the
    last `N_q` positions of the sequence). A query with `i' < 0` sees no key
    and its output row is 0.

    ```mlir
    #attn.causal
    ```
  }];
}

def Attn_WindowMaskAttr : Attn_MaskAttr<"WindowMask", "window",
    ["getBand", "classifyBlock"]> {
  let summary = "sliding-window mask: j ∈ [i' − left, i' + right]";
  let description = [{
    Key `j` is allowed for query `i` iff `i' − left ≤ j ≤ i' + right` with
    `i' = i + N_kv − N_q`. A causal sliding window of `w` keys is
    `#attn.window<left = w - 1, right = 0>`.

    Constraints: (C1) `left ≥ 0`; (C2) `right ≥ 0`.

    ```mlir
    #attn.window<left = 127, right = 0>
    ```
  }];
  let parameters = (ins "int64_t":$left, "int64_t":$right);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

def Attn_DilatedMaskAttr : Attn_MaskAttr<"DilatedMask", "dilated",
    ["getBand", "classifyBlock"]> {
  let summary = "dilated (strided) window: every `dilation`-th key of a window";
  let description = [{
    Key `j` is allowed iff it lies in the window `[i' − left, i' + right]`
    (as `#attn.window`) and `(i' − j) mod dilation == 0`: the strided
    pattern of sparse transformers and LongNet.

    Constraints: (C1) `left ≥ 0`; (C2) `right ≥ 0`; (C3) `dilation ≥ 1`.

    ```mlir
    #attn.dilated<left = 1024, right = 0, dilation = 4>
    ```
  }];
  let parameters = (ins "int64_t":$left, "int64_t":$right,
                        "int64_t":$dilation);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

def Attn_GlobalMaskAttr : Attn_MaskAttr<"GlobalMask", "global",
    ["classifyBlock"]> {
  let summary = "global tokens: the first `tokens` rows and columns";
  let description = [{
    Key `j` is allowed for query `i` iff `j < tokens` or `i' < tokens`: the
    first `tokens` positions attend to everything and are attended to by
    everything. Combine it with a window through `#attn.union` for the
    Longformer / BigBird pattern.

    Constraint: (C1) `tokens ≥ 1`.

    ```mlir
    #attn.union<[#attn.window<left = 256, right = 256>, #attn.global<tokens = 16>]>
    ```
  }];
  let parameters = (ins "int64_t":$tokens);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

def Attn_BlockSparseMaskAttr
    : Attn_MaskAttr<"BlockSparseMask", "block_sparse", ["appendTableSpecs"]> {
  let summary = "block-sparse mask with a run-time layout table";
  let description = [{
    The score matrix is cut into `block_q × block_k` blocks; block
    `(⌊i / block_q⌋, ⌊j / block_k⌋)` is allowed iff the layout table holds a
    non-zero entry there. The table is one run-time operand of integer
    elements, of shape `[⌈N_q / block_q⌉, ⌈N_kv / block_k⌉]` (shared by every
    batch and head) or `[B, H_q, ⌈N_q / block_q⌉, ⌈N_kv / block_k⌉]`. Unlike
    FlexAttention's BlockMask, nothing of size N×N is ever built to describe it.

    Constraints: (C1) `block_q ≥ 1`; (C2) `block_k ≥ 1`.

    ```mlir
    %m = attn.mask #attn.block_sparse<block_q = 128, block_k = 128> %s
           tables(%layout : tensor<?x?xi8>) : tensor<1x8x1024x1024xf32>
    ```
  }];
  let parameters = (ins "int64_t":$block_q, "int64_t":$block_k);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

def Attn_DocumentMaskAttr
    : Attn_MaskAttr<"DocumentMask", "document",
                    ["appendTableSpecs", "buildKeyBounds"]> {
  let summary = "document (packed varlen) mask with run-time segment offsets";
  let description = [{
    Several documents are packed into one sequence. The run-time table holds
    the cumulative offsets `[0 = o_0, o_1, ..., o_D]` (non-decreasing) of
    shape `[D + 1]` (shared by the batch) or `[B, D + 1]`, integer elements.
    Key `j` is allowed for query `i` iff `i'` and `j` fall in the same
    document `[o_k, o_{k+1})`; positions at or past `o_D` belong to none.
    Intersect with `#attn.causal` for causal attention inside documents.

    ```mlir
    #attn.intersect<[#attn.document, #attn.causal]>
    ```
  }];
}

def Attn_KeyLengthsMaskAttr
    : Attn_MaskAttr<"KeyLengthsMask", "key_lengths",
                    ["appendTableSpecs", "buildKeyBounds"]> {
  let summary = "per-sequence key lengths of a batch (a KV cache's fill)";
  let description = [{
    Each sequence of the batch has its own number of keys: the run-time
    table holds `L_b` for every batch `b` (shape `[B]`, integer elements,
    `0 ≤ L_b ≤ N_kv`), and key `j` is allowed for every query of batch `b`
    iff `j < L_b` — the keys a decoding step reads from a KV cache of
    `N_kv` slots filled to `L_b`. A sequence with `L_b = 0` sees nothing
    (output 0, LSE −∞). Kernels stop each sequence's key loop at `L_b`.
    The positions other masks see are unchanged (`i' = i + N_kv − N_q`):
    at `N_q = 1` the intersection with `#attn.causal` is this mask alone.

    ```mlir
    %o = attn.sdpa %q, %k, %v mask(#attn.key_lengths)
           tables(%lengths : tensor<8xi32>)
        : tensor<8x32x1x128xf32>, tensor<8x8x4096x128xf32>,
          tensor<8x8x4096x128xf32> -> tensor<8x32x1x128xf32>
    ```
  }];
}

def Attn_UnionMaskAttr
    : Attn_MaskAttr<"UnionMask", "union", ["appendTableSpecs", "classifyBlock"]> {
  let summary = "union of masks: allowed where any member allows";
  let description = [{
    Constraints: (C1) at least one member; (C2) every member is a mask.
    Run-time tables are those of the members, in order.
  }];
  let parameters = (ins "ArrayAttr":$masks);
  let assemblyFormat = "`<` $masks `>`";
  let genVerifyDecl = 1;
}

def Attn_IntersectMaskAttr
    : Attn_MaskAttr<"IntersectMask", "intersect",
                    ["appendTableSpecs", "getBand", "classifyBlock",
                     "buildKeyBounds"]> {
  let summary = "intersection of masks: allowed where every member allows";
  let description = [{
    Constraints: (C1) at least one member; (C2) every member is a mask.
    Run-time tables are those of the members, in order.
  }];
  let parameters = (ins "ArrayAttr":$masks);
  let assemblyFormat = "`<` $masks `>`";
  let genVerifyDecl = 1;
}

//===----------------------------------------------------------------------===//
// Score modifications
//===----------------------------------------------------------------------===//

// A float64 parameter, written as a plain float (`8.0`, no `: f64`).
def Attn_F64Parameter : APFloatParameter<"a float64"> {
  let parser = [{ [&]() -> ::mlir::FailureOr<::llvm::APFloat> {
    double value;
    if ($_parser.parseFloat(value))
      return ::mlir::failure();
    return ::llvm::APFloat(value);
  }() }];
  let printer = "$_printer.printFloat($_self)";
}

class Attn_ScoreModAttr<string name, string attrMnemonic>
    : AttrDef<Attn_Dialect, name,
              [DeclareAttrInterfaceMethods<Attn_ScoreModAttrInterface>]> {
  let mnemonic = attrMnemonic;
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

def Attn_AlibiAttr : Attn_ScoreModAttr<"Alibi", "alibi"> {
  let summary = "ALiBi: a bias linear in the query–key distance, per head";
  let description = [{
    Press et al., "Train Short, Test Long": `s' = s − m_h · |p − j|` for query
    head `h` at key position `p = i + N_kv − N_q` and key `j`, with the
    geometric slopes `m_h = 2^(−max_bias · (h + 1) / H_q)` (the paper's for
    `H_q` a power of two, with `max_bias = 8`). Under a causal mask this is
    FlexAttention's `score + (j − p) · m_h`; without one it is
    FlashAttention's symmetric `alibi_slopes` form.

    Constraint: (alibi_c1) `max_bias` is finite and positive.

    ```mlir
    %o = attn.sdpa %q, %k, %v mask(#attn.causal)
        score_mod(#attn.alibi<max_bias = 8.0>) : ...
    ```
  }];
  let parameters = (ins Attn_F64Parameter:$max_bias);
}

def Attn_SoftcapAttr : Attn_ScoreModAttr<"Softcap", "softcap"> {
  let summary = "tanh soft-capping of the scores";
  let description = [{
    `s' = cap · tanh(s / cap)` (Gemma 2, Grok): scores are squashed into
    `(−cap, cap)`, nearly unchanged while `|s| ≪ cap`.

    Constraint: (softcap_c1) `cap` is finite and positive.

    ```mlir
    %o = attn.sdpa %q, %k, %v score_mod(#attn.softcap<cap = 50.0>) : ...
    ```
  }];
  let parameters = (ins Attn_F64Parameter:$cap);
}

#endif // ATTN_DIALECT_ATTN_IR_ATTNATTRS_TD
