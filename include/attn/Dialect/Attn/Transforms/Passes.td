//===- Passes.td - attn transformation passes --------------*- tablegen -*-===//

#ifndef ATTN_DIALECT_ATTN_TRANSFORMS_PASSES_TD
#define ATTN_DIALECT_ATTN_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def AttnRaiseSdpa : Pass<"attn-raise-sdpa"> {
  let summary = "Fuse scores → mask → softmax → apply into attn.sdpa";
  let description = [{
    Matches the decomposed softmax-attention graph

    ```mlir
    %s = attn.scores %q, %k scale 0.125 : ...
    %m = attn.mask #attn.causal %s : ...           // optional
    %p = attn.softmax %m : ...
    %o = attn.apply %p, %v : ...
    ```

    and replaces it by one `attn.sdpa %q, %k, %v scale 0.125
    mask(#attn.causal)`. It only fires when each intermediate value has the next op
    as its single user (otherwise the N×N intermediate is needed anyway and
    fusing would compute it twice), when the mask fills with −∞, and when Q,
    V and the output share one element type. Anything else is left as it is.
  }];
  let dependentDialects = ["::mlir::attn::AttnDialect"];
}

def AttnSparsify : Pass<"attn-sparsify"> {
  let summary = "Fold masks into attn.sdpa and classify its blocks of scores";
  let description = [{
    First folds `attn.mask` into `attn.sdpa` (`attn-raise-sdpa`'s rewrite).
    Then cuts the scores of each masked `attn.sdpa` with static N_q and
    N_kv into `block-q × block-k` blocks (the last ones ragged) and asks the
    mask (`MaskAttrInterface::classifyBlock`) what it allows of each:
    nothing (*empty*: a kernel never loads the block), everything (*full*:
    no mask to evaluate) or some of it (*partial*). It reports the counts as
    a remark on the op:

    ```
    remark: attn-sparsify: #attn.causal on 1024 × 1024 scores in 128 × 128
      blocks: 28 full, 8 partial, 28 empty (43.8% of the blocks skipped)
    ```

    A mask that reads run-time tables (block_sparse, document) is classified
    at run time; its blocks count as partial here and the remark says so.
    The classification is exact for masks without tables and blocks of up
    to 128 × 128 scores: equal to a count over every element
    (test/Dialect/Attn/attn-sparsify-brute-force.test). Larger blocks that
    a formula cannot classify (dilated windows, some unions and
    intersections) count as partial. At most 2^22 blocks are counted, and
    at most 2^26 element evaluations spent (the remark says when counting
    stopped short).
    The IR is otherwise unchanged.
  }];
  let options = [
    Option<"blockQ", "block-q", "int64_t", /*default=*/"128",
           "Query rows of a block (>= 1)">,
    Option<"blockK", "block-k", "int64_t", /*default=*/"128",
           "Keys of a block (>= 1)">,
  ];
  let dependentDialects = ["::mlir::attn::AttnDialect"];
}

def AttnSplitKV : Pass<"attn-split-kv"> {
  let summary = "Split attn.sdpa over its keys and merge the parts exactly";
  let description = [{
    Rewrites each whole `attn.sdpa` into `splits` partial ones, part `s`
    attending keys `⌊N_kv·s/P⌋ ≤ j < ⌊N_kv·(s+1)/P⌋` (`kv_split`) and
    returning its LSE, combined by `attn.merge`:

    ```
    O, LSE = attn.merge(sdpa_0(Q, K, V), …, sdpa_{P−1}(Q, K, V))
    ```

    The arithmetic of split-KV (flash-decoding) and of ring attention, at the
    tensor level: the result equals the unsplit op up to rounding, so the
    reference and attn-check check it before any kernel exists. The parts'
    outputs keep the op's element type. `splits = 1` changes nothing; ops
    that already carry a `kv_split` are left as they are.
  }];
  let options = [
    Option<"splits", "splits", "int64_t", /*default=*/"2",
           "Parts to split the keys into (1 to 1024)">,
  ];
  let dependentDialects = ["::mlir::attn::AttnDialect"];
}

def AttnTileFlash : Pass<"attn-tile-flash"> {
  let summary = "Tile attn.sdpa into an online softmax over KV blocks";
  let description = [{
    Rewrites each `attn.sdpa` into FlashAttention's loop structure on tensors:
    an `scf.forall` over (batch, query head, query block of `tile-q` rows),
    and inside it an `scf.for` over blocks of `tile-kv` keys carrying the
    running output, row maximum and row sum through `attn.online_softmax`.
    The epilogue divides by the row sum and, when the op has one, writes the
    LSE. Only `tile-q × tile-kv` scores exist at a time: memory is O(N).
    N need not divide the tiles (the last blocks are smaller).

    Masks: where a mask has a band (causal, window, dilated, intersections
    containing one), the key loop of each query block runs only over the
    keys some row of the block can see. Inside the loop the mask classifies
    each block (`MaskAttrInterface::buildBlockClass`, the run-time form of
    what `attn-sparsify` counts): a block it allows nothing of is skipped
    before any score is computed (global tokens, unions), one it allows
    entirely skips the mask (an `scf.if`), the rest evaluate it. Masks that
    read run-time tables (block_sparse, document) are evaluated on every
    block.

    ```mlir
    %o = attn.sdpa %q, %k, %v mask(#attn.causal) : ...
    // becomes
    %o = scf.forall (%b, %h, %qb) in (%B, %H, %nqb) shared_outs(%out = ...) {
      %r:3 = scf.for %ks = %lo to %hi step %c64 iter_args(%acc, %m, %l) {
        %s = attn.scores %qt, %kt ...
        %sm = scf.if %full -> ... { yield %s } else { masked %s }
        %step:3 = attn.online_softmax %sm, %vt into (%acc, %m, %l) ...
      }
      ...
    }
    ```
  }];
  let options = [
    Option<"tileQ", "tile-q", "int64_t", /*default=*/"64",
           "Query rows per block (one scf.forall iteration)">,
    Option<"tileKV", "tile-kv", "int64_t", /*default=*/"64",
           "Keys per step of the online softmax">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def AttnReassociateLinear : Pass<"attn-reassociate-linear"> {
  let summary = "Compute kernelized attention as φ(Q)(φ(K)ᵀV): O(N), never N×N";
  let description = [{
    First raises the kernelized-attention graph

    ```mlir
    %fq = attn.feature_map elu_plus_one %q : ...
    %fk = attn.feature_map elu_plus_one %k : ...
    %a = attn.scores %fq, %fk scale 1.0 : ...
    %m = attn.mask #attn.causal %a fill zero : ...     // optional
    %n = attn.normalize %m {eps = 1.0e-6 : f32} : ...
    %o = attn.apply %n, %v : ...
    ```

    to one `attn.linear` (both feature maps of one kind and projection,
    `scale` exactly 1, a causal mask filling with zero or none, one element
    type for Q, K, V and the output, and each intermediate used once).
    Then rewrites every `attn.linear` into its reassociated form, an
    `scf.forall` over (batch, query head) whose body walks the keys in
    chunks of `chunk-size`, mapping each chunk with `attn.feature_map`:

    * non-causal: the state `S = φ(K)ᵀV` (`f × d_v`) and normaliser
      `z = φ(K)ᵀ1` accumulate over the chunks (`attn.linear_update`), then
      `O = φ(Q)S / (φ(Q)z + eps)` chunk by chunk (`attn.linear_chunk`);
    * causal: chunk n's queries get `O_n = (φ(Q_n)S_{n−1} +
      tril(φ(Q_n)φ(K_n)ᵀ)V_n) / (…)` from the state of the chunks before it
      and their own chunk's keys (`attn.linear_chunk` with a diagonal), then
      the chunk joins the state. With N_q ≠ N_kv the diagonal is the
      bottom-right one of `attn.linear`; rows that see no key are 0.

    Memory is O(N·f) and time O(N·f·d_v) per head, against O(N²) for the
    definition (which `convert-attn-to-linalg` keeps: it is the reference).
    FAVOR+ is max-stabilised as `attn.linear` defines it: a first walk over
    the keys finds their largest exponent (`attn.favor_max`), and each
    chunk of queries is shifted by its rows' own.
  }];
  let options = [
    Option<"chunkSize", "chunk-size", "int64_t", /*default=*/"64",
           "Keys (and queries, causal) per chunk">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def AttnApproximateSoftmax : Pass<"attn-approximate-softmax"> {
  let summary = "Approximate softmax attention by FAVOR+ linear attention (opt-in)";
  let description = [{
    Rewrites `attn.sdpa` into `attn.linear favor_plus` with Performer's
    positive orthogonal random features: `num-features` features drawn
    from `seed` (blocks of d orthogonal Gaussian directions, each scaled to
    the length of a Gaussian vector), so that E[φ(q)ᵀφ(k)] = exp(qᵀk / √d).
    The same seed gives the same features, bit for bit. The projection is a
    constant `[d, m]` tensor beside the op. Each rewrite emits a remark: the
    result is approximate; its error falls as `num-features` grows.

    Rewritten: no mask or `#attn.causal`, the default scale (1/√d), a
    static head dim, no LSE. Any other `attn.sdpa` is left exact, with a
    remark that says why. Follow it with `attn-reassociate-linear` for the
    O(N) form.
  }];
  let options = [
    Option<"numFeatures", "num-features", "int64_t", /*default=*/"256",
           "Random features m (1 to 65536)">,
    Option<"seed", "seed", "uint64_t", /*default=*/"0",
           "Seed of the random features">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

#endif // ATTN_DIALECT_ATTN_TRANSFORMS_PASSES_TD
