//===- AttnOps.td - attn operations ------------------------*- tablegen -*-===//

#ifndef ATTN_DIALECT_ATTN_IR_ATTNOPS_TD
#define ATTN_DIALECT_ATTN_IR_ATTNOPS_TD

include "attn/Dialect/Attn/IR/AttnAttrs.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Attn_FloatTensor : RankedTensorOf<[F32, F16, BF16]>;
def Attn_TableTensor : RankedTensorOf<[AnySignlessInteger]>;

//===----------------------------------------------------------------------===//
// Graph ops
//===----------------------------------------------------------------------===//

def Attn_ScoresOp : Attn_Op<"scores", [Pure]> {
  let summary = "attention scores S = scale · Q · Kᵀ";
  let description = [{
    `S[b, h, i, j] = scale · Σ_c Q[b, h, i, c] · K[b, h / g, j, c]` with
    `g = H_q / H_kv`. Without `scale` the op uses `1 / √d`.

    Constraints:
    * (scores_c1) `query` and `key` have rank 4.
    * (scores_c2) batch sizes match.
    * (scores_c3) the head dimension `d` of `query` and `key` match.
    * (scores_c4) `H_q` is a multiple of `H_kv`.
    * (scores_c5) the result is `[B, H_q, N_q, N_kv]`.
    * (scores_c6) `query` and `key` have one element type; the result has
      it too, or f32 (scores accumulated and kept in f32).
    * (scores_c7) `scale` is finite and positive.

    ```mlir
    %s = attn.scores %q, %k scale 0.125
        : tensor<2x8x128x64xf32>, tensor<2x2x256x64xf32> -> tensor<2x8x128x256xf32>
    ```

    Lowered by `convert-attn-to-linalg` to a batched contraction; fused into
    `attn.sdpa` by `attn-raise-sdpa`.
  }];
  let arguments = (ins Attn_FloatTensor:$query, Attn_FloatTensor:$key,
                       OptionalAttr<F32Attr>:$scale);
  let results = (outs Attn_FloatTensor:$result);
  let assemblyFormat = [{
    $query `,` $key (`scale` $scale^)? attr-dict `:` type($query) `,`
    type($key) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Attn_MaskOp : Attn_Op<"mask", [Pure, AllTypesMatch<["input", "result"]>]> {
  let summary = "remove the entries of a score matrix that a mask disallows";
  let description = [{
    `R[b, h, i, j] = allowed(b, h, i, j) ? S[b, h, i, j] : fill` where
    The mask comes first (a dialect attribute directly before a `:` would
    read the type as its own). `fill` is −∞ (`neg_inf`, the default: for a following softmax) or 0
    (`zero`: for linear attention, which normalises by a sum). The input has
    shape `[B, H_q, N_q, N_kv]`; `tables` are the run-time tables that the
    mask reads (see each mask's documentation).

    Constraints:
    * (mask_c1) the input has rank 4.
    * (mask_c2) the number of `tables` equals what the mask reads.
    * (mask_c3) each table has the rank and element type its mask requires.

    ```mlir
    %m = attn.mask #attn.causal %s : tensor<2x8x128x128xf32>
    %z = attn.mask #attn.causal %a fill zero : tensor<2x8x128x128xf32>
    ```
  }];
  let arguments = (ins Attn_FloatTensor:$input, Attn_MaskAttrInterface:$mask,
                       DefaultValuedAttr<Attn_MaskFillAttr,
                                         "MaskFill::NegInf">:$fill,
                       Variadic<Attn_TableTensor>:$tables);
  let results = (outs Attn_FloatTensor:$result);
  let assemblyFormat = [{
    $mask $input (`fill` $fill^)?
    (`tables` `(` $tables^ `:` type($tables) `)`)? attr-dict `:` type($input)
  }];
  let hasVerifier = 1;
}

def Attn_SoftmaxOp : Attn_Op<"softmax",
    [Pure, AllTypesMatch<["input", "result"]>]> {
  let summary = "row softmax over the key dimension";
  let description = [{
    `P[b, h, i, j] = exp(S[b, h, i, j] − m_i) / Σ_j exp(S[b, h, i, j] − m_i)`
    with `m_i = max_j S[b, h, i, j]`. A row whose entries are all −∞ (fully
    masked) gives zeros, never NaN.

    Constraint: (softmax_c1) the input has rank 4.

    ```mlir
    %p = attn.softmax %s : tensor<2x8x128x128xf32>
    ```
  }];
  let arguments = (ins Attn_FloatTensor:$input);
  let results = (outs Attn_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Attn_ApplyOp : Attn_Op<"apply", [Pure]> {
  let summary = "weighted sum of values O = P · V";
  let description = [{
    `O[b, h, i, e] = Σ_j P[b, h, i, j] · V[b, h / g, j, e]`, `g = H_q / H_kv`.

    Constraints:
    * (apply_c1) `probs` and `value` have rank 4.
    * (apply_c2) batch sizes match.
    * (apply_c3) the key dimension of `probs` equals `N_kv` of `value`.
    * (apply_c4) `H_q` is a multiple of `H_kv`.
    * (apply_c5) the result is `[B, H_q, N_q, d_v]`.
    * (apply_c6) the element types of operands and result are equal.

    ```mlir
    %o = attn.apply %p, %v
        : tensor<2x8x128x256xf32>, tensor<2x2x256x64xf32> -> tensor<2x8x128x64xf32>
    ```
  }];
  let arguments = (ins Attn_FloatTensor:$probs, Attn_FloatTensor:$value);
  let results = (outs Attn_FloatTensor:$result);
  let assemblyFormat = [{
    $probs `,` $value attr-dict `:` type($probs) `,` type($value) `->`
    type($result)
  }];
  let hasVerifier = 1;
}

def Attn_FeatureMapOp : Attn_Op<"feature_map", [Pure,
    AttrSizedOperandSegments]> {
  let summary = "feature map φ of kernelized (linear) attention";
  let description = [{
    Applied to each row `x` (length `d`) of a `[B, H, N, d]` tensor:

    * `identity`: φ(x) = x
    * `elu_plus_one`: φ(x) = elu(x) + 1 (x + 1 for x > 0, eˣ otherwise)
    * `relu`: φ(x) = max(x, 0)
    * `favor_plus` (Performer's positive random features, with projection
      `ω` of shape `[d, m]` as an operand): with `x̂ = x · d^(−1/4)`,
      φ(x)_r = m^(−1/2) · exp(ω_rᵀ x̂ − ‖x̂‖² / 2), so that
      E[φ(q)ᵀφ(k)] = exp(qᵀk / √d). The result is `[B, H, N, m]`. With
      `shift(%s)` (f32 `[B, H, N]`) the exponent is
      `ω_rᵀx̂ − ‖x̂‖²/2 − s[b, h, n]`: the max-stabilised features of
      `attn.linear`, from `attn.favor_max`.

    Constraints:
    * (feature_map_c1) the input has rank 4.
    * (feature_map_c2) `favor_plus` takes a rank-2 projection `[d, m]`; the
      other kinds take none.
    * (feature_map_c3) the result is `[B, H, N, d]` (`[B, H, N, m]` for
      `favor_plus`), with the input's element type.
    * (feature_map_c4) a `shift` only with `favor_plus`, f32 `[B, H, N]`.

    ```mlir
    %f = attn.feature_map elu_plus_one %q : tensor<1x8x1024x64xf32> -> tensor<1x8x1024x64xf32>
    %r = attn.feature_map favor_plus %q, %omega
        : tensor<1x8x1024x64xf32>, tensor<64x256xf32> -> tensor<1x8x1024x256xf32>
    ```
  }];
  let arguments = (ins Attn_FeatureMapKindAttr:$kind, Attn_FloatTensor:$input,
                       Optional<Attn_FloatTensor>:$projection,
                       Optional<RankedTensorOf<[F32]>>:$shift);
  let results = (outs Attn_FloatTensor:$result);
  let assemblyFormat = [{
    $kind $input (`,` $projection^)?
    (`shift` `(` $shift^ `:` type($shift) `)`)? attr-dict `:` type($input)
    (`,` type($projection)^)? `->` type($result)
  }];
  let hasVerifier = 1;
}

def Attn_FavorMaxOp : Attn_Op<"favor_max", [Pure]> {
  let summary = "the largest FAVOR+ exponent of each row";
  let description = [{
    `M[b, h, n] = max_r (ω_rᵀx̂ − ‖x̂‖²/2)` with `x̂ = x · d^(−1/4)`: the
    exponent of the largest `favor_plus` feature of row `x = X[b, h, n]`,
    in f32. Shifting a row's exponents by it (`attn.feature_map ...
    shift(%m)`) makes that feature exactly `m^(−1/2)`: no overflow, and no
    row whose features all underflow.

    Constraints:
    * (favor_max_c1) the input has rank 4 and the projection is `[d, m]`.
    * (favor_max_c2) the result is f32 `[B, H, N]`.

    ```mlir
    %m = attn.favor_max %k, %omega : tensor<1x8x1024x64xf32>, tensor<64x256xf32> -> tensor<1x8x1024xf32>
    ```
  }];
  let arguments = (ins Attn_FloatTensor:$input, Attn_FloatTensor:$projection);
  let results = (outs RankedTensorOf<[F32]>:$result);
  let assemblyFormat = [{
    $input `,` $projection attr-dict `:` type($input) `,` type($projection)
    `->` type($result)
  }];
  let hasVerifier = 1;
}

def Attn_NormalizeOp : Attn_Op<"normalize",
    [Pure, AllTypesMatch<["input", "result"]>]> {
  let summary = "row normalisation A / (Σ_j A + eps) of linear attention";
  let description = [{
    `R[b, h, i, j] = A[b, h, i, j] / (Σ_j A[b, h, i, j] + eps)`: the
    denominator φ(q)ᵀ Σ φ(k) of linear attention, written on the
    materialised `[B, H, N_q, N_kv]` matrix of the graph form.

    Constraints: (normalize_c1) the input has rank 4;
    (normalize_c2) `eps ≥ 0`.

    ```mlir
    %n = attn.normalize %a : tensor<1x8x1024x1024xf32>
    ```
  }];
  let arguments = (ins Attn_FloatTensor:$input,
                       DefaultValuedAttr<F32Attr, "1.0e-6">:$eps);
  let results = (outs Attn_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Attn_ProjectSequenceOp : Attn_Op<"project_sequence", [Pure]> {
  let summary = "low-rank projection along the sequence axis (Linformer)";
  let description = [{
    `Y[b, h, r, c] = Σ_n E[r, n] · X[b, h, n, c]`: the `N` rows of each
    (batch, head) of `X` (`[B, H, N, d]`) mixed down to `k` rows by `E`
    (`[k, N]`). Linformer projects keys and values this way before exact
    attention, which then costs O(N·k) instead of O(N²):

    ```mlir
    %pk = attn.project_sequence %k, %e : tensor<1x8x4096x64xbf16>, tensor<256x4096xbf16> -> tensor<1x8x256x64xbf16>
    %pv = attn.project_sequence %v, %f : tensor<1x8x4096x64xbf16>, tensor<256x4096xbf16> -> tensor<1x8x256x64xbf16>
    %o = attn.sdpa %q, %pk, %pv : ...
    ```

    Only without a mask: the projection mixes every position into every
    row, so causality has no meaning after it. Accumulates in f32.

    Constraints:
    * (project_sequence_c1) `input` has rank 4, `projection` rank 2.
    * (project_sequence_c2) `projection` is `[k, N]` for the input's `N`.
    * (project_sequence_c3) the result is `[B, H, k, d]` with the input's
      element type.
  }];
  let arguments = (ins Attn_FloatTensor:$input, Attn_FloatTensor:$projection);
  let results = (outs Attn_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $projection attr-dict `:` type($input) `,` type($projection)
    `->` type($result)
  }];
  let hasVerifier = 1;
}

def Attn_GatherPagesOp : Attn_Op<"gather_pages", [Pure]> {
  let summary = "a paged KV cache's keys or values, as one tensor";
  let description = [{
    PagedAttention's KV cache: the keys (or values) of every sequence live in
    pages of `S` positions in a shared pool `pages` (`[P, H, S, d]`), and the
    `m`-th page of sequence `b` is `pages[table[b, m]]` (`table` is
    `[B, M]`):

    ```
    result[b, h, j, x] = pages[table[b, ⌊j / S⌋], h, j mod S, x]   (j < M·S)
    ```

    Every entry of `table` must lie in `[0, P)`: compiled code reads what
    an entry outside names (undefined behaviour), the float64 reference
    refuses it. A sequence's cache is usually filled only part-way:
    `#attn.key_lengths` on the `attn.sdpa` that reads the result stops each
    sequence's keys at its length `L_b ≤ M·S`; the positions other masks
    see stay those of the `M·S` slots (`#attn.causal` aligns the queries to
    the last slots, not to `L_b`, which at `N_q = 1` is the same). The page
    size `S` is static (16, 64 and 256 are the usual ones).

    ```mlir
    %k = attn.gather_pages %k_pages, %table
        : tensor<?x8x16x128xbf16>, tensor<8x64xi32> -> tensor<8x8x1024x128xbf16>
    %v = attn.gather_pages %v_pages, %table
        : tensor<?x8x16x128xbf16>, tensor<8x64xi32> -> tensor<8x8x1024x128xbf16>
    %o = attn.sdpa %q, %k, %v mask(#attn.key_lengths) tables(%lengths : tensor<8xi32>)
        : tensor<8x32x1x128xbf16>, tensor<8x8x1024x128xbf16>, tensor<8x8x1024x128xbf16>
        -> tensor<8x32x1x128xbf16>
    ```

    The naive lowering (`convert-attn-to-linalg`) gathers the pages into a
    new tensor; the float64 reference evaluates it. The kernels
    (`convert-attn-to-cpu`, `convert-attn-to-gpu`) take K and V as
    contiguous tensors and do not read pages yet.

    Constraints:
    * (gather_pages_c1) `pages` has rank 4, `table` rank 2.
    * (gather_pages_c2) the page size (dim 2 of `pages`) is static and ≥ 1.
    * (gather_pages_c3) the result is `[B, H, M·S, d]` (`table`'s B and M)
      with the pages' element type.
  }];
  let arguments = (ins Attn_FloatTensor:$pages, Attn_TableTensor:$table);
  let results = (outs Attn_FloatTensor:$result);
  let assemblyFormat = [{
    $pages `,` $table attr-dict `:` type($pages) `,` type($table)
    `->` type($result)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Fused ops
//===----------------------------------------------------------------------===//

def Attn_SdpaOp : Attn_Op<"sdpa", [Pure]> {
  let summary = "exact scaled dot-product attention";
  let description = [{
    `O = softmax(mask(score_mod(scale · Q Kᵀ))) V`, and optionally the log-sum-exp of
    each score row, `LSE[b, h, i] = log Σ_j exp(S'[b, h, i, j])` (−∞ for a
    fully masked row, whose output row is 0). `scale` defaults to `1 / √d`.
    GQA/MQA: K and V may have fewer heads than Q.

    The op is the fused form of
    `attn.scores → attn.mask → attn.softmax → attn.apply`
    (`attn-raise-sdpa` builds it from that graph). Its naive lowering
    (`convert-attn-to-linalg`) materialises the N×N scores; the flash
    lowering tiles it into an online softmax over KV blocks that never does.

    Constraints:
    * (sdpa_c1) `query`, `key`, `value` have rank 4.
    * (sdpa_c2) batch sizes match.
    * (sdpa_c3) the head dimension `d` of `query` and `key` match.
    * (sdpa_c4) `key` and `value` have the same number of heads and `N_kv`.
    * (sdpa_c5) `H_q` is a multiple of `H_kv`.
    * (sdpa_c6) the output is `[B, H_q, N_q, d_v]`.
    * (sdpa_c7) the element types of `query`, `key`, `value`, `output` are
      equal.
    * (sdpa_c8) `lse`, when present, is `[B, H_q, N_q]` of `f32`.
    * (sdpa_c9) `scale` is finite and positive.
    * (sdpa_c10) `tables` are what the mask reads (as `attn.mask`).

    `score_mod`, when present, modifies each scaled score before the mask
    (`#attn.alibi`, `#attn.softcap`); the LSE is that of the modified scores.

    `kv_split [s, P]`, when present, makes the op a partial
    attention over split `s` of `P` of the keys: only keys
    `⌊N_kv·s/P⌋ ≤ j < ⌊N_kv·(s+1)/P⌋` are attended (the mask still sees every
    position as in the whole op); a row that sees no key there gives 0 and
    LSE −∞. `attn.merge` of the `P` splits' (O, LSE) is the whole op
    (`attn-split-kv` builds that).
    * (sdpa_c11) `kv_split` is `[s, P]` with `P ≥ 1` and `0 ≤ s < P`.

    ```mlir
    %o, %lse = attn.sdpa %q, %k, %v mask(#attn.causal)
        : tensor<2x8x1000x64xbf16>, tensor<2x2x1000x64xbf16>, tensor<2x2x1000x64xbf16>
        -> tensor<2x8x1000x64xbf16>, tensor<2x8x1000xf32>
    ```
  }];
  let arguments = (ins Attn_FloatTensor:$query, Attn_FloatTensor:$key,
                       Attn_FloatTensor:$value, OptionalAttr<F32Attr>:$scale,
                       OptionalAttr<Attn_MaskAttrInterface>:$mask,
                       OptionalAttr<Attn_ScoreModAttrInterface>:$score_mod,
                       OptionalAttr<DenseI64ArrayAttr>:$kv_split,
                       Variadic<Attn_TableTensor>:$tables);
  let results = (outs Attn_FloatTensor:$output,
                      Optional<RankedTensorOf<[F32]>>:$lse);
  let assemblyFormat = [{
    $query `,` $key `,` $value (`scale` $scale^)? (`mask` `(` $mask^ `)`)?
    (`score_mod` `(` $score_mod^ `)`)? (`kv_split` $kv_split^)?
    (`tables` `(` $tables^ `:` type($tables) `)`)? attr-dict
    `:` type($query) `,` type($key) `,` type($value) `->` type($output)
    (`,` type($lse)^)?
  }];
  let hasVerifier = 1;
}

def Attn_MergeOp : Attn_Op<"merge", [Pure, AttrSizedOperandSegments]> {
  let summary = "combine partial attention results exactly by their LSE";
  let description = [{
    Attention over keys split into parts (split-KV decoding, ring attention)
    from each part's output `Oᵢ` and log-sum-exp `LSEᵢ`:

    ```
    LSE = log Σᵢ exp(LSEᵢ)
    O   = Σᵢ exp(LSEᵢ − LSE) · Oᵢ
    ```

    A part whose row saw no key (`LSEᵢ = −∞`) contributes nothing; a row no
    part saw gives 0 and LSE −∞. Exact (up to rounding): the merge of the
    splits of an `attn.sdpa` is the unsplit op.

    Constraints:
    * (merge_c1) at least one part, with as many LSEs as outputs.
    * (merge_c2) the outputs are `[B, H, N, d_v]`, all of one shape and
      element type.
    * (merge_c3) the LSEs are `[B, H, N]` of `f32`.
    * (merge_c4) the results are an output of the parts' shape and element
      type and an LSE of theirs.

    ```mlir
    %o, %lse = attn.merge %o0, %o1 lse(%l0, %l1)
        : (tensor<8x32x1x128xf32>, tensor<8x32x1x128xf32>),
          (tensor<8x32x1xf32>, tensor<8x32x1xf32>)
        -> tensor<8x32x1x128xf32>, tensor<8x32x1xf32>
    ```
  }];
  let arguments = (ins Variadic<Attn_FloatTensor>:$outputs,
                       Variadic<RankedTensorOf<[F32]>>:$lses);
  let results = (outs Attn_FloatTensor:$output,
                      RankedTensorOf<[F32]>:$lse);
  let assemblyFormat = [{
    $outputs `lse` `(` $lses `)` attr-dict `:` `(` type($outputs) `)` `,`
    `(` type($lses) `)` `->` type($output) `,` type($lse)
  }];
  let hasVerifier = 1;
}

def Attn_LinearOp : Attn_Op<"linear", [Pure]> {
  let summary = "kernelized (linear) attention φ(Q)(φ(K)ᵀV)";
  let description = [{
    `O_i = Σ_j φ(q_i)ᵀφ(k_j) v_j / (Σ_j φ(q_i)ᵀφ(k_j) + eps)` over every key
    `j` (or, with `causal`, over `j ≤ i + N_kv − N_q`), with φ the feature
    map of `attn.feature_map`. Computed as written it costs O(N²); computed
    as φ(Q)(φ(K)ᵀV) (a `d × d_v` state) it costs O(N) — the reassociation
    that the linear-attention passes perform. Causal attention uses the
    recurrence `S_t = S_{t−1} + φ(k_t) v_tᵀ`, `z_t = z_{t−1} + φ(k_t)`.

    With `favor_plus`, φ is max-stabilised (as Performer's implementation
    does): each φ(q_i) is scaled so that its largest feature is m^(−1/2),
    and every φ(k_j) of a (batch, KV head) by one factor so that the largest
    feature among them is m^(−1/2) (`attn.favor_max`). With `eps = 0` both
    factors cancel; `eps` is relative to the stabilised features. Nothing
    overflows, and a denominator is 0 only where every key's features
    underflow against the largest.

    Constraints: (linear_c1)–(linear_c7) as `attn.sdpa`'s c1–c7, and
    (linear_c8) `favor_plus` takes a rank-2 `projection` `[d, m]`, the other
    feature maps take none; (linear_c9) `eps ≥ 0`.

    ```mlir
    %o = attn.linear elu_plus_one %q, %k, %v causal
        : tensor<1x8x4096x64xf32>, tensor<1x8x4096x64xf32>, tensor<1x8x4096x64xf32>
        -> tensor<1x8x4096x64xf32>
    ```
  }];
  let arguments = (ins Attn_FeatureMapKindAttr:$feature_map,
                       Attn_FloatTensor:$query, Attn_FloatTensor:$key,
                       Attn_FloatTensor:$value,
                       Optional<Attn_FloatTensor>:$projection,
                       UnitAttr:$causal,
                       DefaultValuedAttr<F32Attr, "1.0e-6">:$eps);
  let results = (outs Attn_FloatTensor:$output);
  let assemblyFormat = [{
    $feature_map $query `,` $key `,` $value
    (`projection` `(` $projection^ `:` type($projection) `)`)?
    (`causal` $causal^)? attr-dict
    `:` type($query) `,` type($key) `,` type($value) `->` type($output)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Tiled ops
//===----------------------------------------------------------------------===//

def Attn_OnlineSoftmaxOp : Attn_Op<"online_softmax", [Pure,
    AllTypesMatch<["acc", "new_acc"]>, AllTypesMatch<["max", "new_max"]>,
    AllTypesMatch<["sum", "new_sum"]>]> {
  let summary = "one step of the online softmax over a block of keys";
  let description = [{
    The loop body of FlashAttention. For a tile of scores `S` (`[T_q, T_k]`,
    already scaled and masked, f32) and the matching value tile `V`
    (`[T_k, d_v]`), it updates the running row maximum `m`, the running row
    sum `l` and the unnormalised output `acc` (`[T_q, d_v]`, f32):

    ```
    m' = max(m, max_j S[:, j])
    α  = exp(m − m')                 (1 while m' = −∞)
    P  = exp(S − m')                 (0 while m' = −∞)
    l' = α · l + Σ_j P[:, j]
    acc' = α · acc + P · V
    ```

    After the last block, `O = acc / l` (0 where `l = 0`) and
    `LSE = m + log l`. `attn-tile-flash` produces it; the naive lowering
    expands it into linalg ops on the tile.

    Constraints:
    * (online_softmax_c1) `scores`, `value` and `acc` have rank 2, `max` and
      `sum` rank 1.
    * (online_softmax_c2) `scores`, `acc`, `max` and `sum` are f32.
    * (online_softmax_c3) the tiles agree: `T_q` of scores, acc, max and sum,
      `T_k` of scores and value, `d_v` of value and acc.

    ```mlir
    %acc1, %m1, %l1 = attn.online_softmax %s, %v into (%acc, %m, %l)
        : tensor<64x64xf32>, tensor<64x128xbf16>
        -> tensor<64x128xf32>, tensor<64xf32>, tensor<64xf32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[F32]>:$scores, Attn_FloatTensor:$value,
                       RankedTensorOf<[F32]>:$acc, RankedTensorOf<[F32]>:$max,
                       RankedTensorOf<[F32]>:$sum);
  let results = (outs RankedTensorOf<[F32]>:$new_acc,
                      RankedTensorOf<[F32]>:$new_max,
                      RankedTensorOf<[F32]>:$new_sum);
  let assemblyFormat = [{
    $scores `,` $value `into` `(` $acc `,` $max `,` $sum `)` attr-dict
    `:` type($scores) `,` type($value) `->` type($acc) `,` type($max) `,`
    type($sum)
  }];
  let hasVerifier = 1;
}

def Attn_LinearUpdateOp : Attn_Op<"linear_update", [Pure,
    AllTypesMatch<["state", "new_state"]>, AllTypesMatch<["norm", "new_norm"]>]> {
  let summary = "adds a chunk of keys to the state of linear attention";
  let description = [{
    For a chunk of mapped keys `φK` (`[C, f]`) and its values `V`
    (`[C, d_v]`), it adds the chunk to the running state `S` (`[f, d_v]`,
    f32) and normaliser `z` (`[f]`, f32):

    ```
    S' = S + φKᵀ V
    z' = z + Σ_j φK[j, :]
    ```

    `S` after every chunk is φ(K)ᵀV of the reassociated form: what makes
    linear attention O(N). `attn-reassociate-linear` produces it beside
    `attn.linear_chunk`; the naive lowering expands it into linalg ops.

    Constraints:
    * (linear_update_c1) `phi_key` and `value` have rank 2, `state` rank 2,
      `norm` rank 1.
    * (linear_update_c2) `state` and `norm` are f32.
    * (linear_update_c3) the tiles agree: `C` of `phi_key` and `value`, `f`
      of `phi_key`, `state` and `norm`, `d_v` of `value` and `state`.

    ```mlir
    %s1, %z1 = attn.linear_update %fk, %v into (%s, %z)
        : tensor<64x128xf32>, tensor<64x128xbf16> -> tensor<128x128xf32>, tensor<128xf32>
    ```
  }];
  let arguments = (ins Attn_FloatTensor:$phi_key, Attn_FloatTensor:$value,
                       RankedTensorOf<[F32]>:$state,
                       RankedTensorOf<[F32]>:$norm);
  let results = (outs RankedTensorOf<[F32]>:$new_state,
                      RankedTensorOf<[F32]>:$new_norm);
  let assemblyFormat = [{
    $phi_key `,` $value `into` `(` $state `,` $norm `)` attr-dict
    `:` type($phi_key) `,` type($value) `->` type($state) `,` type($norm)
  }];
  let hasVerifier = 1;
}

def Attn_LinearChunkOp : Attn_Op<"linear_chunk", [Pure,
    AttrSizedOperandSegments]> {
  let summary = "the outputs of a chunk of queries of linear attention";
  let description = [{
    For a chunk of mapped queries `φQ` (`[R, f]`), the state `S` (`[f, d_v]`)
    and normaliser `z` (`[f]`) of the keys before the chunk, and optionally
    the chunk's own keys `φK` (`[C, f]`) and values `V` (`[C, d_v]`):

    ```
    A[i, j] = φQ[i]·φK[j]   where j ≤ i + diagonal (every j without one)
    O[i]    = (φQ[i] S + Σ_j A[i, j] V[j]) / (φQ[i]·z + Σ_j A[i, j] + eps)
    ```

    (0 where the denominator is 0). Causal linear attention in chunks is
    `O_n = linear_chunk(φQ_n, S_{n−1}, z_{n−1}, keys(φK_n, V_n) diagonal)`
    followed by `attn.linear_update` with the chunk; without keys it reads
    the outputs off a finished state (the non-causal form). Arithmetic is
    f32; the result has its own element type.

    Constraints:
    * (linear_chunk_c1) `phi_query`, `state`, and `phi_key`, `value` when
      present, have rank 2; `norm` rank 1.
    * (linear_chunk_c2) `state` and `norm` are f32.
    * (linear_chunk_c3) `phi_key` and `value` come together, and `diagonal`
      only with them.
    * (linear_chunk_c4) the tiles agree: `f` of `phi_query`, `state`, `norm`
      and `phi_key`; `C` of `phi_key` and `value`; `d_v` of `state` and
      `value`.
    * (linear_chunk_c5) the result is `[R, d_v]`.
    * (linear_chunk_c6) `eps ≥ 0`.

    ```mlir
    %o = attn.linear_chunk %fq with (%s, %z) keys(%fk, %v) diagonal(%c0)
        : tensor<64x128xf32>, tensor<128x128xf32>, tensor<128xf32>,
          tensor<64x128xf32>, tensor<64x128xbf16> -> tensor<64x128xbf16>
    ```
  }];
  let arguments = (ins Attn_FloatTensor:$phi_query,
                       RankedTensorOf<[F32]>:$state,
                       RankedTensorOf<[F32]>:$norm,
                       Optional<Attn_FloatTensor>:$phi_key,
                       Optional<Attn_FloatTensor>:$value,
                       Optional<Index>:$diagonal,
                       DefaultValuedAttr<F32Attr, "1.0e-6">:$eps);
  let results = (outs Attn_FloatTensor:$output);
  let assemblyFormat = [{
    $phi_query `with` `(` $state `,` $norm `)`
    (`keys` `(` $phi_key^ `,` $value `)`)? (`diagonal` `(` $diagonal^ `)`)?
    attr-dict `:` type($phi_query) `,` type($state) `,` type($norm)
    (`,` type($phi_key)^ `,` type($value))? `->` type($output)
  }];
  let hasVerifier = 1;
}

#endif // ATTN_DIALECT_ATTN_IR_ATTNOPS_TD
