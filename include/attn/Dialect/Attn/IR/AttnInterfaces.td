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
      /*desc=*/[{
        Appends what the mask requires of each run-time table it reads, in
        operand order (none by default; unions and intersections append
        their members').
      }],
      /*retTy=*/"void", /*methodName=*/"appendTableSpecs",
      /*args=*/(ins "::llvm::SmallVectorImpl<::mlir::attn::MaskTableSpec> &":$specs),
      /*methodBody=*/"", /*defaultImplementation=*/[{ return; }]>,
    InterfaceMethod<
      /*desc=*/"Number of run-time table operands this mask reads.",
      /*retTy=*/"unsigned", /*methodName=*/"getNumTables", /*args=*/(ins),
      /*methodBody=*/"", /*defaultImplementation=*/[{
        ::llvm::SmallVector<::mlir::attn::MaskTableSpec> specs;
        $_attr.appendTableSpecs(specs);
        return specs.size();
      }]>,
    InterfaceMethod<
      /*desc=*/[{
        The i1 predicate at `point`, built at `b`'s insertion point. The
        point's values are `index` scalars, or vectors of `index` (lanes of
        elements), and so is the predicate. The mask's run-time tables are
        the first getNumTables() values of `tables` (tensors, or memrefs in
        kernels: rank-4 ones hold every table as [B, H, ..., trailing] with
        0 strides where it is shared), which it drops from the front.
      }],
      /*retTy=*/"::mlir::Value", /*methodName=*/"buildAllowed",
      /*args=*/(ins "::mlir::OpBuilder &":$b, "::mlir::Location":$loc,
                    "const ::mlir::attn::MaskPoint &":$point,
                    "::llvm::ArrayRef<::mlir::Value> &":$tables)>,
    InterfaceMethod<
      /*desc=*/[{
        Whether the mask allows element `e`, on the host (the float64
        reference evaluates masks with it). Its tables are `tables`' numbers
        `firstTable` onwards.
      }],
      /*retTy=*/"bool", /*methodName=*/"isAllowed",
      /*args=*/(ins "const ::mlir::attn::MaskElement &":$e,
                    "const ::mlir::attn::MaskTables &":$tables,
                    "unsigned":$firstTable)>,
    InterfaceMethod<
      /*desc=*/[{
        The band of keys around a query's position outside which the mask
        allows nothing (unbounded and inexact by default).
      }],
      /*retTy=*/"::mlir::attn::MaskBand", /*methodName=*/"getBand",
      /*args=*/(ins), /*methodBody=*/"",
      /*defaultImplementation=*/[{ return ::mlir::attn::MaskBand{}; }]>,
    InterfaceMethod<
      /*desc=*/[{
        What the mask allows of `block`, known without run-time tables:
        Empty, Full, or Partial (some of it; the default, and what a mask
        that reads tables says).
      }],
      /*retTy=*/"::mlir::attn::BlockClass", /*methodName=*/"classifyBlock",
      /*args=*/(ins "const ::mlir::attn::MaskBlock &":$block),
      /*methodBody=*/"",
      /*defaultImplementation=*/[{ return ::mlir::attn::BlockClass::Partial; }]>,
    InterfaceMethod<
      /*desc=*/[{
        classifyBlock as IR, for blocks known at run time: i1 values (empty,
        full) for `block`. Conservative where classifyBlock is exact by
        counting elements: (false, false) means "evaluate the predicate".
        Masks that read run-time tables classify from them when `tables`
        holds them (memrefs or tensors, dropped from the front as
        buildAllowed does) and say (false, false) when it is empty.
      }],
      /*retTy=*/"std::pair<::mlir::Value, ::mlir::Value>",
      /*methodName=*/"buildBlockClass",
      /*args=*/(ins "::mlir::OpBuilder &":$b, "::mlir::Location":$loc,
                    "const ::mlir::attn::MaskBlockValues &":$block,
                    "::llvm::ArrayRef<::mlir::Value> &":$tables)>,
    InterfaceMethod<
      /*desc=*/[{
        Keys [lo, hi) (index values) outside of which the rows at positions
        [block.posLo, block.posHi) allow nothing, read from the run-time
        tables (block's keys unused): a kernel narrows its key loop to them
        beside the band. Null values where the mask bounds nothing beyond
        its band (the default) or `tables` is empty; its tables are dropped
        from the front as buildAllowed does.
      }],
      /*retTy=*/"std::pair<::mlir::Value, ::mlir::Value>",
      /*methodName=*/"buildKeyBounds",
      /*args=*/(ins "::mlir::OpBuilder &":$b, "::mlir::Location":$loc,
                    "const ::mlir::attn::MaskBlockValues &":$block,
                    "::llvm::ArrayRef<::mlir::Value> &":$tables),
      /*methodBody=*/"", /*defaultImplementation=*/[{
        tables = tables.drop_front(
            std::min<size_t>(tables.size(), $_attr.getNumTables()));
        return {};
      }]>,
  ];
}

def Attn_ScoreModAttrInterface : AttrInterface<"ScoreModAttrInterface"> {
  let cppNamespace = "::mlir::attn";
  let description = [{
    A score modification (FlexAttention's `score_mod`): an elementwise function
    `s' = mod(s, b, h, i, j)` of the scaled score `s = scale · qᵢ·kⱼ`, applied
    before the mask (a masked element stays −∞ whatever the mod would give).
    Positions are as masks see them: query `i` sits at key position
    `p = i + N_kv − N_q`.
  }];
  let methods = [
    InterfaceMethod<
      /*desc=*/[{
        The modified score at `point`, built at `b`'s insertion point.
        `score` is f32 or a vector of f32, and the point's values `index` of
        the same shape. Kernels that work in other units pass `unit`: the
        score arrives as `unit · s` and leaves as `unit · s'`.
        `headsQ` is H_q (an `index` scalar).
      }],
      /*retTy=*/"::mlir::Value", /*methodName=*/"buildScore",
      /*args=*/(ins "::mlir::OpBuilder &":$b, "::mlir::Location":$loc,
                    "::mlir::Value":$score,
                    "const ::mlir::attn::MaskPoint &":$point,
                    "::mlir::Value":$headsQ, "double":$unit)>,
    InterfaceMethod<
      /*desc=*/[{
        The modified score on the host, in float64 (the reference's).
      }],
      /*retTy=*/"double", /*methodName=*/"evaluate",
      /*args=*/(ins "double":$score, "const ::mlir::attn::MaskElement &":$e,
                    "int64_t":$headsQ)>,
  ];
}

#endif // ATTN_DIALECT_ATTN_IR_ATTNINTERFACES_TD
