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
    fusing would compute it twice) and when the mask fills with −∞. Anything
    else is left as it is.
  }];
  let dependentDialects = ["::mlir::attn::AttnDialect"];
}

#endif // ATTN_DIALECT_ATTN_TRANSFORMS_PASSES_TD
