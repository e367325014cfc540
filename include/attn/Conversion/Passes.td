//===- Passes.td - attn conversion passes ------------------*- tablegen -*-===//

#ifndef ATTN_CONVERSION_PASSES_TD
#define ATTN_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertAttnToLinalg : Pass<"convert-attn-to-linalg"> {
  let summary = "Naive lowering of every attn op to linalg on tensors";
  let description = [{
    Lowers each attn op to `linalg.generic` / `linalg.fill` / `tensor` ops on
    tensors, exactly as its description defines it: the score matrix is
    materialised (O(N²) memory), masks are evaluated elementwise, softmax is
    the three-pass max / exp-sum / divide. All arithmetic happens in `f32`;
    results are truncated to the op's element type. GQA is a broadcast of the
    key/value heads. Dynamic dimensions are supported throughout.

    This lowering is the semantic reference of the dialect: the fast
    lowerings are tested against it and against a float64 C++ reference
    (`attn-check`). It fails with a diagnostic, never silently, on an op it
    cannot lower.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def AttnExpandMath : Pass<"attn-expand-math"> {
  let summary = "Replace f32 math functions by polynomial approximations";
  let description = [{
    Rewrites `math.exp`, `math.log`, `math.tanh`, ... on f32 scalars and
    vectors into arithmetic (upstream's polynomial approximations, max.
    relative error ≈ 1e-7 for exp), so CPU code calls no libm function and
    vectorises. Run before `convert-math-to-llvm`.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::math::MathDialect",
    "::mlir::vector::VectorDialect",
  ];
}

def AttnLowerCopies : Pass<"attn-lower-copies"> {
  let summary = "Turn memref.copy into linalg.copy so copies become loops";
  let description = [{
    Bufferization copies strided tiles with `memref.copy`, which the LLVM
    lowering turns into a call to `memrefCopy` from MLIR's C runner utils
    whenever a layout is not contiguous. Rewriting each copy into
    `linalg.copy` lets `convert-linalg-to-loops` expand it in place, so the
    generated code depends on no runtime library.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def AttnDistinctResults : Pass<"attn-distinct-results"> {
  let summary = "Copy a tensor that a function returns more than once";
  let description = [{
    Replaces the second and later occurrences of a tensor value among the
    operands of a `func.return` by a `linalg.copy` of it, so that every
    result of the function bufferizes to a buffer of its own. The CPU
    pipelines run it before bufferization: MLIR 22's
    `buffer-results-to-out-params{hoist-static-allocs}` crashes when two
    results are the same allocation (found by fuzzing attn-opt).

    ```mlir
    return %o, %o : tensor<4xf32>, tensor<4xf32>
    // becomes
    %e = tensor.empty() : tensor<4xf32>
    %c = linalg.copy ins(%o : tensor<4xf32>) outs(%e : tensor<4xf32>) -> tensor<4xf32>
    return %o, %c : tensor<4xf32>, tensor<4xf32>
    ```
  }];
  let dependentDialects = [
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def ConvertAttnToCPU : Pass<"convert-attn-to-cpu", "ModuleOp"> {
  let summary = "Lower attn.sdpa and attn.linear functions to vectorised CPU kernels";
  let description = [{
    Rewrites each function whose body is one `attn.sdpa` of its arguments
    (the form `attn-kernelgen` writes) into a kernel on strided memrefs:

    ```mlir
    func.func @f(%q, %k, %v, %o : memref<?x?x?x?xf32, strided<[?, ?, ?, 1], offset: ?>>,
                 [%lse : memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>>,]
                 %begin: index, %end: index) attributes {llvm.emit_c_interface}
    ```

    It computes tasks `[begin, end)` of `B · H_q · ⌈N_q / R⌉`, each a
    (batch, query head, block of R = `rows-per-task` query rows), so the
    caller chooses how
    to spread them over threads (attnrt's pool hands out tasks
    dynamically). Any strides work as long as the head dim is contiguous:
    `[B, H, N, d]` and `[B, N, H, d]` alike.

    What the kernel computes (element type, d, d_v, LSE, R) is published as
    the public constant `__attn_meta_<name>` (`attnrt.h`'s `ATTNRT_META_*`
    layout), which attnrt checks every kernel struct against.

    The body is the flash schedule of `attn-tile-flash` with the R query rows
    of a task in the lanes of R/16 `vector<16xf32>` (AVX-512): the V rows of
    each KV tile are packed contiguously (K rows are read in place), the next
    tile's K and V rows are prefetched into L2, scores and `P·V` are
    broadcast-FMA loops over register blocks of keys / value columns (up to
    24 accumulators), the online softmax reduces across registers only, exp is
    polynomial after `attn-expand-math`. R = 192 is two groups of 96 rows
    that share each packed tile, each skipping the tiles its own rows
    cannot see. R = 1, 2, 4 or 8 (decode: a task is the few query rows of
    one head, or the query heads of a KV head packed as rows) takes another
    body, with the head dim in lanes instead of rows: per key and row one
    d-long dot product and reduction, the tile's online softmax with keys in
    lanes, then `P·V` in register blocks of R rows × 16/R vectors of value
    columns; the tile after next prefetched; masks as predicates on keys in
    lanes, score mods on them too. Key loops are bounded by the mask's band where it has one;
    per tile, each group asks the mask what it allows of its block
    (`MaskAttrInterface::buildBlockClass`): an empty block is skipped, a full
    one is not masked, the rest (and the ragged last tile) evaluate the
    predicate on 16 rows in lanes (a band compare for causal and window).
    Fails with a diagnostic on what it does not support: element types other
    than f32, dynamic head dims, `d_v` not a multiple of the register block,
    masks that read run-time tables (block_sparse, document).

    A function whose body is one `attn.linear` (identity, elu+1 or relu
    features; f32; static head dims up to 256) becomes a kernel of the
    reassociated O(N) form instead:

    ```mlir
    func.func @f(%q, %k, %v, %o : memref<?x?x?x?xf32, strided<[?, ?, ?, 1], offset: ?>>,
                 %state: memref<?x?x?x?xf32>, %norm: memref<?x?x?xf32>,
                 %key_max: memref<?x?xf32>,
                 %phase: index, %block_rows: index, %begin: index, %end: index)
    ```

    attnrt runs it in phases over a workspace of one `features × d_v` state
    per (batch, KV head, block of `block_rows` keys): block sums of
    `φ(K)ᵀV` and `φ(K)ᵀ1`, their prefix sums, then the outputs in chunks of
    64 rows (causal: `φQ_c S + tril(φQ_c φK_cᵀ) V_c` over the prefix state,
    the state moving every chunk). Every product is a broadcast-FMA register
    block of 4 rows × 4 `vector<16xf32>`. `favor_plus` takes its projection
    as a constant of the function (m ≤ 256 features; a function argument is
    rejected with a diagnostic): the kernel keeps it as a global, and a
    first phase finds each key block's largest exponent, so that every key
    of a (batch, head) is shifted by the head's largest, as `attn.linear`
    defines FAVOR+.
  }];
  let options = [
    Option<"tileKV", "tile-kv", "int64_t", /*default=*/"64",
           "Keys per online-softmax step (a multiple of the register block)">,
    Option<"rowsPerTask", "rows-per-task", "int64_t",
           /*default=*/"::mlir::attn::kDefaultRowsPerTask",
           "Query rows per task: 1, 2, 4 or 8 (the decode kernel: the head "
           "dim in lanes, tile-kv a multiple of 16), or in 1 to 6 "
           "lane-vectors: 16, 32 or 48 (register blocks of 8 keys / value "
           "columns), 64, 80 or 96 (blocks of 4), or 192 (two groups of 96)">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect",
  ];
}

def AttnSelectGPUSchedule : Pass<"attn-select-gpu-schedule"> {
  let summary = "Choose the GPU kernel schedule of each attn.sdpa";
  let description = [{
    Puts an `#attn.gpu_schedule` on each `attn.sdpa` as its `attn.schedule`
    attribute, which `convert-attn-to-gpu` then builds:

    ```mlir
    %o = attn.sdpa %q, %k, %v {attn.schedule = #attn.gpu_schedule<mma = wgmma,
        copy = tma, tile_q = 128, tile_kv = 128, kv_step = 128, warps = 12,
        producer_warps = 4, stages = 2>} : ...
    ```

    A schedule the op already carries is kept; else the `schedule` option's,
    else the one measured fastest for `chip` and the head dims: on sm_90a
    (with `wgmma`, the default) and d, d_v multiples of 64 up to 256, the
    warp-specialised wgmma + TMA kernel (128 query rows, 128 keys per tile,
    64 at d_v = 256); else mma.sync with 128 query rows and steps of 64 keys
    up to d = 128, 64 rows and 32 keys beyond.

    Fails with a diagnostic on an op whose head dims are not static, or whose
    schedule does not fit the chip (wgmma needs sm_90a) or the head dims
    (wgmma needs multiples of 64 up to 256).
  }];
  let options = [
    Option<"chip", "chip", "std::string", /*default=*/"\"sm_80\"",
           "The GPU the kernels are for: sm_80 (mma.sync) or sm_90a">,
    Option<"wgmma", "wgmma", "bool", /*default=*/"true",
           "On sm_90a, the warp-specialised wgmma + TMA kernel for head dims "
           "that are multiples of 64 up to 256 (else mma.sync)">,
    Option<"schedule", "schedule", "std::string", /*default=*/"\"\"",
           "An #attn.gpu_schedule for every attn.sdpa that carries none "
           "(empty: chosen by chip and head dims)">,
  ];
  let dependentDialects = ["::mlir::attn::AttnDialect"];
}

def ConvertAttnToGPU : Pass<"convert-attn-to-gpu", "ModuleOp"> {
  let summary = "Lower attn.sdpa and attn.linear functions to tensor-core "
                "GPU kernels";
  let description = [{
    Rewrites each function whose body is one `attn.sdpa` of its arguments
    (the form `attn-kernelgen` writes) into a kernel of the `gpu.module`
    named by `module` (created if absent; the enclosing module becomes a
    `gpu.container_module`), built to the `#attn.gpu_schedule` the op
    carries as `attn.schedule` (`attn-select-gpu-schedule` puts it there;
    an op without one gets what that pass chooses for sm_80). The kernel
    carries the schedule on. An mma.sync schedule gives a `gpu.func`:

    ```mlir
    gpu.func @f(%q, %k, %v, %o : memref<?x?x?x?xbf16, strided<[?, ?, ?, 1], offset: ?>>,
                [%lse : memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>>])
        kernel attributes {known_block_size = array<i32: 128, 1, 1>,
                           attn.smem_bytes = 87040 : i64, ...}
    ```

    Launch it on a grid of `(⌈N_q / tile_q⌉, B · H_q)` CTAs of
    `32 · warps` threads (each warp owns 16 or 32 query rows) with `attn.smem_bytes`
    of dynamic shared memory. The module also holds the global
    `attn_meta_<name>` (`attnrt.h`'s `ATTNRT_META_*` layout: element type,
    d, d_v, LSE, tile_q, threads, shared memory), which attnrt reads from the
    loaded image to check the kernel struct it is given. Any strides work as long as the head dim is
    contiguous, rows are 16-byte aligned and the output's 4-byte aligned
    (attnrt checks all of it).

    The body is FlashAttention-2's decomposition of the flash schedule:
    the CTA's Q tile and double-buffered K/V tiles are staged in shared
    memory by `cp.async` (`nvgpu.device_async_copy`, zero-filled past the
    ends), both products run on tensor cores (`nvvm.mma.sync` m16n8k16 with
    f32 accumulation, operands by `nvgpu.ldmatrix`), the online softmax lives
    in the accumulator registers (exp2 with `scale · log2 e` folded in, row
    reductions by quad shuffles), and P is re-packed to bf16/f16 A fragments
    without leaving registers. Key loops are bounded by the mask band; only
    tiles leaving it (or passing N_kv) are masked.

    A wgmma schedule (sm_90a; d and d_v multiples of 64 up to 256) gives
    the Hopper kernel instead: an
    `llvm.func` with the `nvvm.kernel` attribute (a `gpu.func` cannot declare
    the `__grid_constant__` parameters it needs), taking the same memref
    descriptors followed by three 128-byte `CUtensorMap`s of q, k and v
    (64-byte aligned, `llvm.byval` + `nvvm.grid_constant`), which attnrt
    encodes for each call (`attn.tensor_maps = 1`). It is warp-specialised
    (FlashAttention-3's decomposition): a producer warpgroup
    (`setmaxnreg` 24) whose one thread loads Q and a ring of K/V
    tiles by TMA (`nvvm.cp.async.bulk.tensor`, 64-column boxes with the
    128-byte swizzle, completing on mbarriers), and consumer warpgroups
    (`setmaxnreg` up to 240) of 64 query rows each that run S = Q·Kᵀ as a
    shared × shared `nvvm.wgmma.mma_async` and O += P·V with P in registers
    (register-A wgmma, inline PTX: no upstream op has it), software-pipelined
    by one key tile so that the softmax of one tile overlaps the P·V product
    of the one before. A consumer warpgroup per 64 query rows and a ring of
    `stages` K/V tiles, as the schedule says.

    A function whose body is one `attn.linear` (identity, elu+1 or relu
    features; bf16/f16; d, d_v multiples of 16 up to 128) becomes three
    mma.sync kernels of the reassociated O(N) form instead, the phases of the
    CPU kernel on tensor cores, which attnrt launches in turn over a
    workspace of one f32 state (φKᵀV, φKᵀ1) per (batch, KV head, block of
    keys):

    ```mlir
    gpu.func @f_sums, @f_prefix, @f_outputs(
        %q, %k, %v, %o : memref<?x?x?x?xbf16, strided<[?, ?, ?, 1], offset: ?>>,
        %workspace : memref<?xf32>, %key_rows : index, %task_rows : index)
    ```

    `_sums` sums each block's keys into its state, `_prefix` turns the
    states into prefix sums (causal: of every block but the last, which
    nothing reads), `_outputs` computes `φQ S / (φQ z + eps)` for
    blocks of rows in chunks of 64 — causal: `(φQ_c S + tril(φQ_c φK_cᵀ)
    V_c) / (φQ_c z + tril(…) 1 + eps)`, the state moving every chunk. All
    products are m16n8k16 `mma.sync` with f32 accumulators; the state is
    summed in f32 and rounded to bf16/f16 as the operand of `φQ·S`. A CTA
    takes 64 value columns of d_v = 128 (two CTAs an SM), and each phase
    streams its chunks by `cp.async` as many stages ahead (up to 4) as one
    shared-memory budget holds.

    Fails with a diagnostic on what it does not support: element types other
    than bf16/f16, head dims that are not multiples of 16 up to 256 (128 for
    attn.linear), masks other than causal / window / their intersections,
    tiles that need more shared memory than an SM has, the `favor_plus`
    feature map (its kernel is the CPU one).
  }];
  let options = [
    Option<"moduleName", "module", "std::string", /*default=*/"\"attn_kernels\"",
           "The gpu.module that receives the kernels">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::NVVM::NVVMDialect",
    "::mlir::nvgpu::NVGPUDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect",
  ];
}

#endif // ATTN_CONVERSION_PASSES_TD
