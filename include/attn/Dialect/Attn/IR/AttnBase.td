//===- AttnBase.td - attn dialect definition ---------------*- tablegen -*-===//
//
// The `attn` dialect: attention graphs, fused attention ops and their masks.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_DIALECT_ATTN_IR_ATTNBASE_TD
#define ATTN_DIALECT_ATTN_IR_ATTNBASE_TD

include "mlir/IR/OpBase.td"

def Attn_Dialect : Dialect {
  let name = "attn";
  let cppNamespace = "::mlir::attn";
  let summary = "Attention graphs, fused attention and attention masks";
  let description = [{
    The `attn` dialect expresses attention at three levels:

    1. **Graph** ops on value-semantic tensors of shape `[B, H, N, d]`:
       `attn.scores` (S = scale·Q·Kᵀ), `attn.mask`, `attn.softmax`,
       `attn.apply` (P·V), `attn.feature_map` and `attn.normalize`. This is
       the form a frontend produces; it materialises the N×N score matrix.
    2. **Fused** ops: `attn.sdpa` (exact softmax attention) and `attn.linear`
       (kernelized attention φ(Q)(φ(K)ᵀV)). Raising passes match the graph into
       these; later passes tile them so that N×N never exists.
    3. Lowerings: `convert-attn-to-linalg` is the naive, materialising
       lowering of every op. It is the semantic definition of each op and the
       numerical oracle that the fast kernels are tested against.

    Conventions shared by every op:

    * Q has shape `[B, H_q, N_q, d]`, K `[B, H_kv, N_kv, d]` and V
      `[B, H_kv, N_kv, d_v]`. Grouped-query / multi-query attention: `H_kv`
      may be smaller than `H_q` when `H_q % H_kv == 0`; query head `h` reads
      key/value head `h / (H_q / H_kv)`.
    * Element types are `f32`, `f16` or `bf16`; all arithmetic of the
      reference lowering happens in `f32`.
    * Masks are attributes (`#attn.causal`, `#attn.window<...>`, ...). Every
      mask places query `i` at key position `i' = i + N_kv - N_q`
      ("bottom-right" alignment, as FlashAttention 2 does), so that a query
      block appended to a KV cache sees the whole cache.
  }];
  let useDefaultAttributePrinterParser = 1;
  let extraClassDeclaration = [{
    /// Registers the mask and enum attributes (in AttnAttrs.cpp, beside
    /// their storage classes).
    void registerAttributes();
  }];
}

class Attn_Op<string mnemonic, list<Trait> traits = []>
    : Op<Attn_Dialect, mnemonic, traits>;

#endif // ATTN_DIALECT_ATTN_IR_ATTNBASE_TD
