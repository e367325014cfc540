//===- AttnInterfaces.td - attn attribute interfaces -------*- tablegen -*-===//

#ifndef ATTN_DIALECT_ATTN_IR_ATTNINTERFACES_TD
#define ATTN_DIALECT_ATTN_IR_ATTNINTERFACES_TD

include "mlir/IR/OpBase.td"

def Attn_MaskAttrInterface : AttrInterface<"MaskAttrInterface"> {
  let cppNamespace = "::mlir::attn";
  let description = [{
    An attention mask: a predicate `allowed(b, h, i, j)` over query `i` and key
    `j` of batch `b` and query head `h`. Entries that are not allowed are
    removed from the attention (their score becomes −∞ before a softmax, or 0
    in linear attention). Some masks read run-time tables (a block-sparse
    layout, document offsets); ops that carry a mask take those tables as
    operands, in the order the mask lists them.
  }];
  let methods = [
    InterfaceMethod<
      /*desc=*/"Number of run-time table operands this mask reads.",
      /*retTy=*/"unsigned", /*methodName=*/"getNumTables", /*args=*/(ins),
      /*methodBody=*/"", /*defaultImplementation=*/[{ return 0; }]>,
  ];
}

#endif // ATTN_DIALECT_ATTN_IR_ATTNINTERFACES_TD
