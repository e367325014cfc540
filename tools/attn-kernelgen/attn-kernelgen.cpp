//===- attn-kernelgen.cpp - emit attention kernels for applications -------===//
//
// Reads attention functions (an attn MLIR file, or short specs on the command
// line), compiles them for one target and writes, into one directory:
//
//   <name>.mlir   the attn source of every kernel (what attn-check reads)
//   --target=cpu (attn-to-cpu-pipeline):
//     <name>.ll   LLVM IR
//     <name>.o    an object file (clang -c -O3 -march=<cpu>)
//     <name>.so   the same kernels as a shared library (for loading them)
//   --target=nvidia (attn-to-nvvm-pipeline):
//     <name>.ptx  PTX for --chip
//     <name>.cubin  ptxas's cubin for --chip (when ptxas is found)
//     <name>.fatbin  the cubin and the PTX (when fatbinary is found)
//     <name>.o    that fatbin (else the cubin, else the PTX) as <name>_image
//   <name>.h      a C header: one `attn_<kernel>(args[, stream])` per kernel,
//                 run through the attnrt runtime
//   <name>.json   the manifest: what each kernel computes and accepts, the
//                 tile sizes, the target, registers and spills (nvidia), the
//                 command that made it
//
//===----------------------------------------------------------------------===//

#include "attn/Conversion/AttnToGPU/AttnToGPU.h"
#include "attn/Conversion/Passes.h"
#include "attn/Dialect/Attn/IR/AttnOps.h"
#include "attn/Dialect/Attn/Transforms/Transforms.h"
#include "attn/Dialect/Attn/Utils/KernelUtils.h"
#include "attn/Pipelines/Pipelines.h"
#include "attn/Runtime/attnrt_abi.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstring>
#include <functional>
#include <optional>

using namespace mlir;
using namespace mlir::attn;
namespace cl = llvm::cl;

static cl::OptionCategory category("attn-kernelgen options");

static cl::opt<std::string> inputFile(cl::Positional, cl::desc("[input.mlir]"),
                                      cl::init(""), cl::cat(category));
static cl::list<std::string> specs(
    "spec", cl::cat(category),
    cl::desc("a kernel in short form instead of (or besides) an input file:\n"
             "  name=<id>,d=<head dim>[,dv=<value dim>][,dtype=f32|bf16|f16]"
             "[,mask=none|causal|window:<left>:<right>|<#attn mask>][,lse]"
             "[,scale=<s>][,score_mod=alibi|softcap:<cap>|<#attn score "
             "mod>][,rows=<cpu rows per task>]\n"
             "dtype defaults to f32 for cpu and bf16 for nvidia, e.g.\n"
             "  --spec name=causal_d64,d=64,mask=causal,lse\n"
             "  --spec 'name=longformer,d=64,mask=#attn.union<[#attn.window<"
             "left = 256, right = 256>, #attn.global<tokens = 16>]>'\n"
             "or, for linear attention (cpu):\n"
             "  name=<id>,d=<head dim>[,dv=],op=linear[,feature=identity|"
             "elu_plus_one|relu|favor_plus,features=<m>[,seed=<s>]]"
             "[,mask=causal][,eps=<e>]\n"
             "favor_plus draws m orthogonal random features from the seed "
             "(default 0)"));
static cl::opt<std::string> outDir("o", cl::desc("output directory"),
                                   cl::value_desc("dir"), cl::Required,
                                   cl::cat(category));
static cl::opt<std::string>
    baseName("name",
             cl::desc("base name of the files (default: the input's stem, or "
                      "'kernels')"),
             cl::cat(category));
static cl::opt<std::string>
    target("target", cl::init("cpu"),
           cl::desc("cpu (x86-64 with AVX-512, f32) or nvidia (tensor cores, "
                    "sm_80 and later, bf16/f16)"),
           cl::cat(category));
static cl::opt<std::string>
    cpu("cpu", cl::init("x86-64-v4"),
        cl::desc("cpu: -march for the object file (x86-64-v4 = AVX-512)"),
        cl::cat(category));
static cl::opt<std::string>
    chip("chip", cl::init("sm_80"),
         cl::desc("nvidia: the GPU, sm_80 (A100; its PTX JIT-compiles on later "
                  "GPUs) or sm_90a (H100)"),
         cl::cat(category));
static cl::opt<int64_t> tileKV("tile-kv", cl::init(64),
                               cl::desc("cpu: keys per K/V tile"),
                               cl::cat(category));
static cl::opt<int64_t> rowsPerTask(
    "rows-per-task", cl::init(mlir::attn::kDefaultRowsPerTask),
    cl::desc("cpu: query rows per task: 1, 2, 4 or 8 (the decode kernel, the "
             "head dim in lanes), 16, 32, 48, 64, 80, 96 (the register "
             "blocking) or 192 (two groups of 96 sharing each V tile; "
             "measured fastest on Sapphire Rapids)"),
    cl::cat(category));
static cl::opt<bool>
    wgmma("wgmma", cl::init(true),
          cl::desc("nvidia, sm_90a: the warp-specialised wgmma + TMA kernel "
                   "for head dims that are multiples of 64 (--wgmma=false: "
                   "mma.sync)"),
          cl::cat(category));
static cl::opt<std::string> schedule(
    "schedule", cl::init(""),
    cl::desc("nvidia: an #attn.gpu_schedule<...> for every kernel (default: "
             "chosen by chip and head dims; a kernel of an input file may "
             "carry its own as attn.schedule)"),
    cl::cat(category));
static cl::opt<std::string>
    clangPath("clang", cl::init(ATTN_CLANG_PATH),
              cl::desc("clang used to assemble the object file"),
              cl::cat(category));
static cl::opt<std::string> ptxasPath(
    "ptxas", cl::init(ATTN_PTXAS_PATH),
    cl::desc("nvidia: ptxas used to make the cubin ('none': PTX only)"),
    cl::cat(category));
static cl::opt<bool> quiet("quiet", cl::desc("no progress messages"),
                           cl::cat(category));

namespace {

void progress(const Twine &message) {
  if (!quiet)
    llvm::errs() << "attn-kernelgen: " << message << "\n";
}

/// Sets `options` of attn-to-cpu-pipeline to what --target=cpu runs.
void setPipelineOptions(CPUPipelineOptions &options) {
  options.tileKV = tileKV;
  options.rowsPerTask = rowsPerTask;
}

/// Sets `options` of attn-to-nvvm-pipeline to what --target=nvidia runs
/// (PTX; the cubin comes from ptxas).
void setPipelineOptions(GPUPipelineOptions &options) {
  options.chip = chip;
  options.format = "isa";
  options.wgmma = wgmma;
  options.schedule = schedule;
}

/// --target and the options of its pipeline, checked before anything is
/// read or written.
LogicalResult verifyTargetOptions() {
  auto error = [](const Twine &why) {
    llvm::errs() << "attn-kernelgen: " << why << "\n";
    return failure();
  };
  // An option of the other target is a mistake, not something to ignore.
  auto notFor = [&](cl::Option &option) {
    return error("--" + option.ArgStr + " does not apply to --target=" +
                 target);
  };
  if (target == "cpu") {
    if (schedule.getNumOccurrences())
      return notFor(schedule);
    CPUPipelineOptions options;
    setPipelineOptions(options);
    return options.verify(error);
  }
  if (target == "nvidia") {
    for (cl::Option *cpuOnly : {static_cast<cl::Option *>(&tileKV),
                                static_cast<cl::Option *>(&rowsPerTask)})
      if (cpuOnly->getNumOccurrences())
        return error("--" + cpuOnly->ArgStr +
                     " does not apply to --target=nvidia (its kernels' "
                     "tiling is their --schedule)");
    GPUPipelineOptions options;
    setPipelineOptions(options);
    return options.verify(error);
  }
  return error("--target=" + target + ": expected cpu or nvidia");
}

/// `name` follows C's rules for an identifier.
bool isCIdentifier(StringRef name) {
  return !name.empty() && (llvm::isAlpha(name[0]) || name[0] == '_') &&
         llvm::all_of(name,
                      [](char c) { return llvm::isAlnum(c) || c == '_'; });
}

/// What a --spec says of linear attention (op=linear).
struct LinearSpecFields {
  std::string feature = "elu_plus_one", eps, features, seed;
};

/// FAVOR+'s projection for head dim `d` as the text of an f32 constant
/// (`dense<"0x…">`, little-endian bytes, which MLIR reads back exactly).
std::string projectionConstant(int64_t d, int64_t m, uint64_t seed) {
  std::vector<float> omega = orthogonalRandomFeatures(d, m, seed);
  std::string hex;
  for (float value : omega) {
    uint32_t bits;
    std::memcpy(&bits, &value, sizeof(bits));
    for (int byte = 0; byte < 4; ++byte)
      hex += llvm::formatv("{0:X-2}", (bits >> (8 * byte)) & 0xff).str();
  }
  return llvm::formatv("  %w = arith.constant dense<\"0x{0}\"> : "
                       "tensor<{1}x{2}xf32>\n",
                       hex, d, m)
      .str();
}

/// The attn.linear function of a --spec with op=linear (`sdpaOnly`: the spec
/// also has lse or scale, which linear attention has not).
FailureOr<std::string> linearSpecToMLIR(StringRef spec, StringRef name,
                                        int64_t d, int64_t dv, StringRef dtype,
                                        StringRef mask,
                                        const LinearSpecFields &f,
                                        bool sdpaOnly) {
  auto bad = [&](const Twine &why) {
    llvm::errs() << "attn-kernelgen: --spec '" << spec << "': " << why << "\n";
    return failure();
  };
  if (sdpaOnly)
    return bad("op=linear takes no lse or scale (linear attention has "
               "neither)");
  if (mask != "none" && mask != "causal")
    return bad("mask=" + mask + ": op=linear takes none or causal");
  double epsValue;
  if (!f.eps.empty() && (StringRef(f.eps).getAsDouble(epsValue) ||
                         !(epsValue >= 0.0) || !std::isfinite(epsValue)))
    return bad("eps=" + f.eps + ": expected a finite number >= 0");
  bool favor = f.feature == "favor_plus";
  if (!favor && !(f.features.empty() && f.seed.empty()))
    return bad("features= and seed= go with feature=favor_plus only");
  int64_t m = 0;
  uint64_t seed = 0;
  if (favor && (StringRef(f.features).getAsInteger(10, m) || m < 1 ||
                m > kMaxKernelHeadDim))
    return bad("feature=favor_plus needs features=<m>, 1 to " +
               Twine(kMaxKernelHeadDim) + (f.features.empty() ? "" : ", got ") +
               f.features);
  if (favor && dtype != "f32")
    return bad("feature=favor_plus: the linear-attention kernel is f32 "
               "(dtype=f32)");
  if (!f.seed.empty() && StringRef(f.seed).getAsInteger(10, seed))
    return bad("seed=" + f.seed + ": expected an unsigned integer");
  std::string qT = llvm::formatv("tensor<?x?x?x{0}x{1}>", d, dtype).str();
  std::string vT = llvm::formatv("tensor<?x?x?x{0}x{1}>", dv, dtype).str();
  std::string attrs = f.eps.empty() ? "" : " {eps = " + f.eps + " : f32}";
  std::string constant = favor ? projectionConstant(d, m, seed) : "";
  std::string projection =
      favor ? llvm::formatv(" projection(%w : tensor<{0}x{1}xf32>)", d, m).str()
            : "";
  return llvm::formatv(
             "// --spec {0}\n"
             "func.func @{1}(%q: {2}, %k: {2}, %v: {3}) -> {3} {{\n"
             "{7}"
             "  %o = attn.linear {4} %q, %k, %v{8}{5}{6} : {2}, {2}, {3} -> "
             "{3}\n"
             "  return %o : {3}\n"
             "}\n",
             spec, name, qT, vT, f.feature, mask == "causal" ? " causal" : "",
             attrs, constant, projection)
      .str();
}

/// The fields of a --spec: split at commas outside <...> and [...], so that
/// a mask given as an attribute (#attn.union<[...]>) keeps its own.
SmallVector<StringRef> splitSpecFields(StringRef spec) {
  SmallVector<StringRef> fields;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i <= spec.size(); ++i) {
    char c = i < spec.size() ? spec[i] : ',';
    depth += (c == '<' || c == '[') - (c == '>' || c == ']');
    if (c != ',' || depth > 0)
      continue;
    if (StringRef field = spec.slice(start, i).trim(); !field.empty())
      fields.push_back(field);
    start = i + 1;
  }
  return fields;
}

/// Expands one --spec into the text of an attn function.
FailureOr<std::string> specToMLIR(StringRef spec, StringRef defaultType,
                                  MLIRContext &context) {
  std::string name, mask = "none", scale, dtype = defaultType.str();
  std::string op = "sdpa", scoreMod, rows;
  LinearSpecFields linear;
  int64_t d = 0, dv = 0;
  bool lse = false, packGqa = false;
  for (StringRef field : splitSpecFields(spec)) {
    auto [key, value] = field.trim().split('=');
    if (key == "name")
      name = value.str();
    else if (key == "d" && !value.getAsInteger(10, d))
      continue;
    else if (key == "dv" && !value.getAsInteger(10, dv))
      continue;
    else if (key == "mask")
      mask = value.str();
    else if (key == "dtype" &&
             (value == "f32" || value == "bf16" || value == "f16"))
      dtype = value.str();
    else if (key == "lse" && value.empty())
      lse = true;
    else if (key == "pack_gqa" && value.empty())
      packGqa = true;
    else if (key == "scale")
      scale = value.str();
    else if (key == "op" && (value == "sdpa" || value == "linear"))
      op = value.str();
    else if (key == "feature" && symbolizeFeatureMapKind(value))
      linear.feature = value.str();
    else if (key == "features")
      linear.features = value.str();
    else if (key == "seed")
      linear.seed = value.str();
    else if (key == "eps")
      linear.eps = value.str();
    else if (key == "score_mod")
      scoreMod = value.str();
    else if (key == "rows")
      rows = value.str();
    else {
      llvm::errs() << "attn-kernelgen: --spec '" << spec << "': cannot read '"
                   << field << "'\n";
      return failure();
    }
  }
  auto bad = [&](const Twine &why) {
    llvm::errs() << "attn-kernelgen: --spec '" << spec << "': " << why << "\n";
    return failure();
  };
  if (name.empty() || d == 0)
    return bad("needs at least name=<id> and d=<head dim>");
  if (!isCIdentifier(name))
    return bad("name=" + name +
               ": expected a C identifier ([A-Za-z_]"
               "[A-Za-z0-9_]*), which names attn_" +
               name + " in the header");
  if (dv == 0)
    dv = d;
  for (auto [key, value] : {std::pair("d", d), std::pair("dv", dv)})
    if (value < 1 || value > kMaxKernelHeadDim)
      return bad(Twine(key) + "=" + Twine(value) + ": expected 1 to " +
                 Twine(kMaxKernelHeadDim) +
                 " (the largest head dim of any target)");
  if (op == "linear" && !rows.empty())
    return bad("rows=" + rows + ": op=linear takes none (its chunk is fixed)");
  if (op == "linear" && !scoreMod.empty())
    return bad("score_mod=" + scoreMod + ": op=linear takes none");
  if (op == "linear")
    return linearSpecToMLIR(spec, name, d, dv, dtype, mask, linear,
                            lse || !scale.empty());
  double scaleValue;
  if (!scale.empty() &&
      (StringRef(scale).getAsDouble(scaleValue) || !std::isfinite(scaleValue)))
    return bad("scale=" + scale + ": expected a finite number");
  std::string maskText;
  if (mask == "causal") {
    maskText = " mask(#attn.causal)";
  } else if (StringRef(mask).starts_with("#attn.")) {
    maskText = " mask(" + mask + ")"; // the parser checks it
  } else if (StringRef(mask).starts_with("window:")) {
    SmallVector<StringRef> parts;
    StringRef(mask).split(parts, ':');
    int64_t left, right;
    if (parts.size() != 3 || parts[1].getAsInteger(10, left) ||
        parts[2].getAsInteger(10, right)) {
      llvm::errs() << "attn-kernelgen: mask '" << mask
                   << "': expected window:<left>:<right>\n";
      return failure();
    }
    maskText = llvm::formatv(" mask(#attn.window<left = {0}, right = {1}>)",
                             left, right)
                   .str();
  } else if (mask != "none") {
    llvm::errs() << "attn-kernelgen: mask '" << mask
                 << "': expected none, causal, window:<left>:<right> or an "
                    "#attn mask attribute\n";
    return failure();
  }
  if (scoreMod == "alibi") {
    maskText += " score_mod(#attn.alibi<max_bias = 8.0>)";
  } else if (StringRef(scoreMod).starts_with("softcap:")) {
    double cap;
    if (StringRef(scoreMod).drop_front(8).getAsDouble(cap))
      return bad("score_mod=" + scoreMod + ": expected softcap:<cap>");
    maskText +=
        llvm::formatv(" score_mod(#attn.softcap<cap = {0:e16}>)", cap).str();
  } else if (StringRef(scoreMod).starts_with("#attn.")) {
    maskText += " score_mod(" + scoreMod + ")"; // the parser checks it
  } else if (!scoreMod.empty()) {
    return bad("score_mod=" + scoreMod +
               ": expected alibi, softcap:<cap> or an #attn score mod "
               "attribute");
  }
  // The mask's run-time tables become trailing int32 arguments, in their
  // shared form (the runtime accepts the per-batch forms too).
  std::string tableArgs, tableOperands, tableTypes;
  if (auto maskAttr = dyn_cast_or_null<MaskAttrInterface>(
          StringRef(mask).starts_with("#attn.") ? parseAttribute(mask, &context)
                                                : Attribute())) {
    for (auto [i, table] : llvm::enumerate(getMaskTableSpecs(maskAttr))) {
      std::string type = "tensor<";
      for (int64_t d = 0; d < table.sharedRank; ++d)
        type += "?x";
      type += "i32>";
      tableArgs += llvm::formatv(", %t{0}: {1}", i, type).str();
      tableOperands += llvm::formatv("{0}%t{1}", i ? ", " : "", i).str();
      tableTypes += (i ? ", " : "") + type;
    }
  }
  if (!tableOperands.empty())
    maskText += " tables(" + tableOperands + " : " + tableTypes + ")";
  int64_t rowsValue = 0;
  if (!rows.empty() &&
      (StringRef(rows).getAsInteger(10, rowsValue) ||
       failed(verifyCPUTiling(tileKV, rowsValue,
                              [&](const Twine &why) { return bad(why); }))))
    return failure();
  std::string qT = llvm::formatv("tensor<?x?x?x{0}x{1}>", d, dtype).str();
  std::string vT = llvm::formatv("tensor<?x?x?x{0}x{1}>", dv, dtype).str();
  std::string results = lse ? "(" + vT + ", tensor<?x?x?xf32>)" : vT;
  if (packGqa && op == "linear")
    return bad("pack_gqa: op=linear takes none");
  SmallVector<std::string> attrs;
  if (!rows.empty())
    attrs.push_back(
        llvm::formatv("{0} = {1} : i64", kRowsPerTaskAttrName, rowsValue));
  if (packGqa)
    attrs.push_back(kPackGqaAttrName.str());
  std::string funcAttrs =
      attrs.empty() ? "" : " attributes {" + llvm::join(attrs, ", ") + "}";
  std::string scaleText = scale.empty() ? "" : " scale " + scale;
  return llvm::formatv(
             "// --spec {0}\n"
             "func.func @{1}(%q: {2}, %k: {2}, %v: {3}{10}) -> {4}{9} {{\n"
             "  {5} = attn.sdpa %q, %k, %v{6}{7} : {2}, {2}, {3} -> {8}\n"
             "  return {5} : {8}\n"
             "}\n",
             spec, name, qT, vT, results, lse ? "%o, %lse" : "%o", scaleText,
             maskText, lse ? vT + ", tensor<?x?x?xf32>" : vT, funcAttrs,
             tableArgs)
      .str();
}

/// What the header and manifest say about one kernel.
struct KernelInfo {
  std::string name, mask, source, dtype;
  std::string scoreMod = "none"; // the attribute's text, or "none"
  Attribute maskAttr; // null: no mask
  int64_t headDim, valueDim;
  double scale;
  bool lse;
  // CPU: rows per task (the function's own, given by --spec …,rows=, or
  // --rows-per-task).
  int64_t rowsPerTask = 0;
  bool ownRows = false;
  // An attn.linear kernel (scale 0, no LSE; maskAttr #attn.causal when
  // causal): its feature map and eps.
  bool linear = false;
  std::string featureMap;
  int64_t features = 0; // φ's width: d, or FAVOR+'s m
  double eps = 0.0;
  // attn.sdpa: the mask's run-time tables (CPU kernels take them).
  SmallVector<KernelTable> tables;
  // CPU decode: rows packed by KV head (kPackGqaAttrName).
  bool packGqa = false;
};

FailureOr<KernelInfo> describe(func::FuncOp func) {
  Operation *op = nullptr;
  func.walk([&](Operation *o) {
    if (isa<SdpaOp, LinearOp>(o))
      op = o;
  });
  if (!op)
    return func.emitError("attn-kernelgen: function has no attn.sdpa or "
                          "attn.linear");
  if (!isCIdentifier(func.getSymName()))
    return func.emitError("attn-kernelgen: the kernel name '")
           << func.getSymName()
           << "' is not a C identifier ([A-Za-z_][A-Za-z0-9_]*), which the "
              "header's attn_<name> needs";
  auto qType = cast<RankedTensorType>(op->getOperand(0).getType());
  auto vType = cast<RankedTensorType>(op->getOperand(2).getType());
  for (RankedTensorType type : {qType, vType})
    if (type.isDynamicDim(3) || type.getDimSize(3) < 1 ||
        type.getDimSize(3) > kMaxKernelHeadDim)
      return func.emitError("attn-kernelgen: the head dims d and d_v must be "
                            "static, 1 to ")
             << kMaxKernelHeadDim << " (the largest of any target), got "
             << qType << " and " << vType;
  if (auto linear = dyn_cast<LinearOp>(op)) {
    KernelInfo info;
    info.name = func.getSymName().str();
    llvm::raw_string_ostream(info.dtype) << qType.getElementType();
    info.headDim = qType.getDimSize(3);
    info.valueDim = vType.getDimSize(3);
    info.scale = 0.0;
    info.lse = false;
    info.linear = true;
    info.featureMap = stringifyFeatureMapKind(linear.getFeatureMap()).str();
    info.features = info.headDim;
    if (Value projection = linear.getProjection())
      info.features = cast<ShapedType>(projection.getType()).getDimSize(1);
    info.eps = linear.getEps().convertToDouble();
    info.mask = linear.getCausal() ? "causal" : "none";
    if (linear.getCausal())
      info.maskAttr = CausalMaskAttr::get(func.getContext());
    llvm::raw_string_ostream os(info.source);
    func.print(os);
    return info;
  }
  auto sdpa = cast<SdpaOp>(op);
  KernelInfo info;
  info.name = func.getSymName().str();
  info.ownRows = func->hasAttr(kRowsPerTaskAttrName);
  info.packGqa = func->hasAttr(kPackGqaAttrName);
  info.rowsPerTask = getFunctionRowsPerTask(func, rowsPerTask);
  llvm::raw_string_ostream(info.dtype) << qType.getElementType();
  info.headDim = qType.getDimSize(3);
  info.valueDim = vType.getDimSize(3);
  info.scale = sdpa.getScale()
                   ? sdpa.getScale()->convertToDouble()
                   : 1.0 / std::sqrt(static_cast<double>(info.headDim));
  info.lse = static_cast<bool>(sdpa.getLse());
  info.mask = "none";
  info.tables = getKernelTables(sdpa.getMaskAttr());
  if (Attribute mask = sdpa.getMaskAttr()) {
    info.maskAttr = mask;
    info.mask.clear();
    llvm::raw_string_ostream os(info.mask);
    os << mask;
  }
  if (Attribute scoreMod = sdpa.getScoreModAttr()) {
    info.scoreMod.clear();
    llvm::raw_string_ostream(info.scoreMod) << scoreMod;
  }
  llvm::raw_string_ostream os(info.source);
  func.print(os);
  return info;
}

bool writeFile(StringRef path, function_ref<void(llvm::raw_ostream &)> body) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec) {
    llvm::errs() << "attn-kernelgen: cannot write " << path << ": "
                 << ec.message() << "\n";
    return false;
  }
  body(os);
  progress("wrote " + path);
  return true;
}

/// Runs clang with `args` (args[0] is clang), stdin from `input` if given.
bool runClang(ArrayRef<StringRef> args,
              std::optional<StringRef> input = std::nullopt) {
  std::optional<StringRef> redirects[] = {input, std::nullopt, std::nullopt};
  std::string error;
  int rc = llvm::sys::ExecuteAndWait(args[0], args, std::nullopt, redirects, 0,
                                     0, &error);
  if (rc != 0)
    llvm::errs() << "attn-kernelgen: " << args[0] << " failed (" << rc << ") "
                 << error << "\n";
  return rc == 0;
}

/// The mask of a kernel as the manifest's "mask_info": its kind and
/// parameters, for bindings that pick kernels by mask (the Python package).
llvm::json::Object describeMask(Attribute mask) {
  if (!mask)
    return llvm::json::Object{{"kind", "none"}};
  if (isa<CausalMaskAttr>(mask))
    return llvm::json::Object{{"kind", "causal"}};
  if (auto window = dyn_cast<WindowMaskAttr>(mask))
    return llvm::json::Object{{"kind", "window"},
                              {"left", window.getLeft()},
                              {"right", window.getRight()}};
  return llvm::json::Object{{"kind", "other"}};
}

/// The manifest entry of a kernel: what it computes (targets add how).
llvm::json::Object describeInManifest(const KernelInfo &k) {
  if (k.linear)
    return llvm::json::Object{
        {"name", k.name},
        {"function", "attn_" + k.name},
        {"op", "attn.linear"},
        {"dtype", k.dtype},
        {"head_dim", k.headDim},
        {"value_dim", k.valueDim},
        {"feature_map", k.featureMap},
        {"features", k.features},
        {"eps", k.eps},
        {"mask", k.mask},
        {"mask_info", describeMask(k.maskAttr)},
        {"lse", false},
    };
  return llvm::json::Object{
      {"name", k.name},
      {"function", "attn_" + k.name},
      {"op", "attn.sdpa"},
      {"dtype", k.dtype},
      {"head_dim", k.headDim},
      {"value_dim", k.valueDim},
      {"scale", k.scale},
      {"mask", k.mask},
      {"mask_info", describeMask(k.maskAttr)},
      {"score_mod", k.scoreMod},
      {"lse", k.lse},
  };
}

/// The C initialiser of runtime struct `structName` (attnrt_abi.def) from
/// `values`, field name to C expression, in the struct's field order. A
/// field without a value, or a value without a field, is a bug here.
std::string initializer(StringRef structName,
                        const llvm::StringMap<std::string> &values) {
  std::string text = "{";
  size_t used = 0;
  for (const attnrt::abi::Field &field : attnrt::abi::kFields) {
    if (structName != field.structName)
      continue;
    auto value = values.find(field.name);
    if (value == values.end())
      llvm::report_fatal_error(Twine("attn-kernelgen: no value for ") +
                               structName + "." + field.name);
    text += llvm::formatv("\n    /* {0} */ {1},", field.name, value->second);
    ++used;
  }
  if (used != values.size())
    llvm::report_fatal_error(Twine("attn-kernelgen: a value for no field of ") +
                             structName);
  return text + "\n}";
}

/// The C initialiser {...} of one field of a kernel's tables.
template <typename T>
std::string tableArray(const KernelInfo &k, T KernelTable::*field) {
  std::string text = "{";
  for (auto [i, table] : llvm::enumerate(k.tables))
    text += (i ? ", " : "") + std::to_string(table.*field);
  return text + (k.tables.empty() ? "0}" : "}");
}

/// The manifest's description of a kernel's tables.
llvm::json::Array describeTables(const KernelInfo &k) {
  llvm::json::Array tables;
  for (const KernelTable &table : k.tables) {
    llvm::json::Object entry{{"kind", table.kind}};
    for (const attnrt::abi::Enumerator &e : attnrt::abi::kTableKinds)
      if (e.value == table.kind)
        entry["kind"] = e.text;
    if (table.kind == ATTNRT_TABLE_BLOCK_LAYOUT) {
      entry["block_q"] = table.blockQ;
      entry["block_k"] = table.blockK;
    }
    tables.push_back(std::move(entry));
  }
  return tables;
}

/// The C enumerator of `spelling` in `list` ("bf16" → ATTNRT_DTYPE_BF16).
template <size_t N>
std::string enumerator(const attnrt::abi::Enumerator (&list)[N],
                       StringRef spelling) {
  for (const attnrt::abi::Enumerator &e : list)
    if (spelling == e.text)
      return e.name;
  llvm::report_fatal_error("attn-kernelgen: no enumerator for " + spelling);
}
std::string dtypeEnumerator(StringRef spelling) {
  return enumerator(attnrt::abi::kDtypes, spelling);
}

/// `name` as a C identifier: other characters become '_'.
std::string identifier(StringRef name) {
  std::string id = name.str();
  for (char &c : id)
    if (!llvm::isAlnum(c))
      c = '_';
  if (id.empty() || llvm::isDigit(id[0]))
    id.insert(0, "_");
  return id;
}

/// The include guard of header `name`.h.
std::string headerGuard(StringRef name) {
  std::string guard = "ATTN_KERNELS_" + name.upper() + "_H";
  for (char &c : guard)
    if (!llvm::isAlnum(c))
      c = '_';
  return guard;
}

/// Writes the C header `path` for base name `name`: the banner (`about`
/// continues its comment), the include guard, `include`, and `body` inside
/// extern "C".
bool writeHeader(StringRef path, StringRef name, StringRef command,
                 StringRef about, StringRef include,
                 function_ref<void(llvm::raw_ostream &)> body) {
  std::string guard = headerGuard(name);
  return writeFile(path, [&](llvm::raw_ostream &os) {
    os << "/* Generated by attn-kernelgen; do not edit.\n"
       << " * Command: " << command << "\n"
       << about << "#ifndef " << guard << "\n#define " << guard << "\n\n"
       << "#include \"" << include << "\"\n\n"
       << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";
    body(os);
    os << "#ifdef __cplusplus\n}\n#endif\n\n#endif /* " << guard << " */\n";
  });
}

/// Writes the manifest `path`: the generator and `command`, then `fields`.
bool writeManifest(StringRef path, StringRef command,
                   llvm::json::Object fields) {
  fields["generator"] = "attn-kernelgen";
  fields["command"] = command;
  fields["runtime_abi"] = ATTNRT_ABI_VERSION;
  return writeFile(path, [&](llvm::raw_ostream &os) {
    os << llvm::formatv("{0:2}", llvm::json::Value(std::move(fields))) << "\n";
  });
}

/// Where the files go, and what made them.
struct Output {
  std::string name, command;
  std::function<std::string(StringRef)> path; // extension → file path
};

/// The header's declarations of CPU linear-attention kernel `k`: its entry
/// point, metadata, kernel struct and attn_<name>().
void writeLinearCPUDeclaration(llvm::raw_ostream &os, const KernelInfo &k) {
  os << "/* " << k.name << ": attn.linear, feature map " << k.featureMap << " ("
     << k.features << " features), d = " << k.headDim
     << ", d_v = " << k.valueDim << ", eps = " << k.eps << ", "
     << (k.maskAttr ? "causal" : "non-causal") << ", chunk " << kLinearChunk
     << ", " << cpu << ", "
     << getLinearKernelScratchBytes(k.headDim, k.features, k.valueDim,
                                    k.featureMap == "favor_plus")
     << " bytes of stack */\n"
     << "void _mlir_ciface_" << k.name
     << "(void *q, void *k, void *v, void *o, void *state, void *norm, "
        "void *key_max, int64_t phase, int64_t block_rows, int64_t begin, "
        "int64_t end);\n"
     << "extern const int64_t __attn_meta_" << k.name << "[];\n"
     << "static const attnrt_linear_kernel attn_" << k.name << "_kernel = "
     << initializer("attnrt_linear_kernel",
                    {{"name", "\"" + k.name + "\""},
                     {"head_dim", std::to_string(k.headDim)},
                     {"value_dim", std::to_string(k.valueDim)},
                     {"causal", k.maskAttr ? "1" : "0"},
                     {"feature_map",
                      enumerator(attnrt::abi::kFeatureMaps, k.featureMap)},
                     {"features", std::to_string(k.features)},
                     {"chunk", std::to_string(kLinearChunk)},
                     {"entry", "(void *)&_mlir_ciface_" + k.name},
                     {"meta", "__attn_meta_" + k.name}})
     << ";\n"
     << "static inline attnrt_status attn_" << k.name
     << "(const attnrt_sdpa_args *args) {\n"
     << "  return attnrt_linear_cpu(&attn_" << k.name
     << "_kernel, args);\n}\n\n";
}

/// --target=cpu: LLVM IR, an object, the header and the manifest.
int emitCPU(ModuleOp module, MLIRContext &context, ArrayRef<KernelInfo> kernels,
            const Output &out) {
  const std::string &name = out.name, &command = out.command;
  auto path = out.path;
  CPUPipelineOptions options;
  setPipelineOptions(options);
  const int64_t cpuTileKV = options.tileKV;
  std::string pipeline =
      "attn-to-cpu-pipeline{tile-kv=" + std::to_string(cpuTileKV) +
      " rows-per-task=" + std::to_string(rowsPerTask) + "}";
  progress(Twine("[1/5] ") + Twine(kernels.size()) +
           " kernel(s); lowering with " + pipeline);
  PassManager pm(&context);
  buildCPUPipeline(pm, options);
  if (failed(pm.run(module))) {
    llvm::errs() << "attn-kernelgen: lowering failed (see the diagnostics "
                    "above)\n";
    return 1;
  }

  progress("[2/5] translating to LLVM IR");
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, llvmContext, name);
  if (!llvmModule) {
    llvm::errs() << "attn-kernelgen: translation to LLVM IR failed\n";
    return 1;
  }
  // Name the command inside the object file too (`strings <name>.o`).
  llvm::Constant *text = llvm::ConstantDataArray::getString(
      llvmContext, "attn-kernelgen: " + command);
  new llvm::GlobalVariable(*llvmModule, text->getType(), /*isConstant=*/true,
                           llvm::GlobalValue::ExternalLinkage, text,
                           "attn_kernelgen_command_cpu_" + identifier(name));
  if (!writeFile(path(".ll"), [&](llvm::raw_ostream &os) {
        os << "; Generated by: " << command << "\n";
        llvmModule->print(os, nullptr);
      }))
    return 1;

  progress("[3/5] assembling " + path(".o") + " with " + clangPath +
           " -march=" + cpu);
  std::string march = "-march=" + cpu;
  std::string llPath = path(".ll"), objPath = path(".o");
  if (!runClang({clangPath, "-c", "-O3", march, "-fPIC", "-Wno-override-module",
                 llPath, "-o", objPath}))
    return 1;
  // The same kernels as a shared library, for programs that load kernels
  // at run time (the Python package) rather than link them.
  progress("[4/5] linking " + path(".so"));
  std::string soPath = path(".so");
  if (!runClang({clangPath, "-shared", objPath, "-o", soPath}))
    return 1;

  progress("[5/5] writing the header and the manifest");
  std::string about =
      (" * Link " + name +
       ".o and libattnrt. Each kernel computes\n"
       " * attn.sdpa in f32 for any B, H_q, H_kv (H_q % H_kv == 0), N_q and\n"
       " * N_kv >= 1 (B, H_q or N_q = 0: nothing to do) and any strides with a\n"
       " * contiguous head dim, keeping the scratch the comment of each names\n"
       " * on the stack of the threads that run it. */\n");
  if (!writeHeader(
          path(".h"), name, command, about, "attn/Runtime/attnrt.h",
          [&](llvm::raw_ostream &os) {
            for (const KernelInfo &k : kernels) {
              if (k.linear) {
                writeLinearCPUDeclaration(os, k);
                continue;
              }
              os << "/* " << k.name << ": d = " << k.headDim
                 << ", d_v = " << k.valueDim << ", scale = " << k.scale
                 << ", mask " << k.mask
                 << (k.scoreMod == "none" ? "" : ", score_mod " + k.scoreMod)
                 << ", LSE " << (k.lse ? "yes" : "no") << ", tile-kv "
                 << cpuTileKV << ", rows per task " << k.rowsPerTask
                 << (k.packGqa ? " packed by KV head" : "") << ", " << cpu
                 << ", "
                 << getCPUKernelScratchBytes(k.headDim, k.valueDim, cpuTileKV,
                                             k.rowsPerTask)
                 << " bytes of stack */\n"
                 << "void _mlir_ciface_" << k.name
                 << (k.lse ? "(void *q, void *k, void *v, void *o, void *lse, "
                           : "(void *q, void *k, void *v, void *o, ");
              for (size_t i = 0; i < k.tables.size(); ++i)
                os << "void *table" << i << ", ";
              os << "int64_t begin, int64_t end);\n"
                 << "extern const int64_t __attn_meta_" << k.name << "[];\n"
                 << "static const attnrt_cpu_kernel attn_" << k.name
                 << "_kernel = "
                 << initializer(
                        "attnrt_cpu_kernel",
                        {{"name", "\"" + k.name + "\""},
                         {"head_dim", std::to_string(k.headDim)},
                         {"value_dim", std::to_string(k.valueDim)},
                         {"has_lse", k.lse ? "1" : "0"},
                         {"rows_per_task", std::to_string(k.rowsPerTask)},
                         {"entry", "(void *)&_mlir_ciface_" + k.name},
                         {"meta", "__attn_meta_" + k.name},
                         {"num_tables", std::to_string(k.tables.size())},
                         {"table_kinds", tableArray(k, &KernelTable::kind)},
                         {"table_block_q", tableArray(k, &KernelTable::blockQ)},
                         {"table_block_k", tableArray(k, &KernelTable::blockK)},
                         {"pack_gqa", k.packGqa ? "1" : "0"}})
                 << ";\n"
                 << "static inline attnrt_status attn_" << k.name
                 << "(const attnrt_sdpa_args *args) {\n"
                 << "  return attnrt_sdpa_cpu(&attn_" << k.name
                 << "_kernel, args);\n}\n\n";
            }
          }))
    return 1;

  llvm::json::Array entries;
  for (const KernelInfo &k : kernels) {
    llvm::json::Object entry = describeInManifest(k);
    entry["symbol"] = "_mlir_ciface_" + k.name;
    if (k.linear) {
      entry["accepts"] =
          "B, H_q, H_kv with H_q % H_kv == 0, N_q, N_kv >= 1 at run time "
          "(causal: N_q <= N_kv); element strides free, head dim contiguous";
      entry["tiles"] = llvm::json::Object{{"chunk", kLinearChunk}};
      entry["stack_bytes"] = getLinearKernelScratchBytes(
          k.headDim, k.features, k.valueDim, k.featureMap == "favor_plus");
      if (k.featureMap == "favor_plus") // ω [d][features padded to 16]
        entry["projection_symbol"] = "__attn_omega_" + k.name;
      entries.push_back(std::move(entry));
      continue;
    }
    entry["accepts"] =
        "B, H_q, H_kv with H_q % H_kv == 0, N_q, N_kv >= 1 at run time (B, "
        "H_q or N_q = 0: nothing to do); element strides free, head dim "
        "contiguous";
    entry["tiles"] = llvm::json::Object{{"rows_per_task", k.rowsPerTask},
                                        {"tile_kv", cpuTileKV},
                                        {"pack_gqa", k.packGqa}};
    entry["tables"] = describeTables(k);
    entry["stack_bytes"] = getCPUKernelScratchBytes(k.headDim, k.valueDim,
                                                    cpuTileKV, k.rowsPerTask);
    entries.push_back(std::move(entry));
  }
  llvm::json::Object manifest{
      {"target",
       llvm::json::Object{{"kind", "cpu"},
                          {"triple", llvmModule->getTargetTriple().str()},
                          {"march", cpu},
                          {"pipeline", pipeline}}},
      {"files", llvm::json::Object{{"source", name + ".mlir"},
                                   {"llvm_ir", name + ".ll"},
                                   {"object", name + ".o"},
                                   {"shared_library", name + ".so"},
                                   {"header", name + ".h"}}},
      {"kernels", std::move(entries)},
  };
  return writeManifest(path(".json"), command, std::move(manifest)) ? 0 : 1;
}

/// What ptxas said about one kernel.
struct PtxasReport {
  int64_t registers = -1, spillStores = 0, spillLoads = 0, stackBytes = 0;
};

/// The ptxas to run: --ptxas, else the one on PATH; empty if none.
std::string findPtxas() {
  if (llvm::sys::fs::can_execute(ptxasPath))
    return ptxasPath;
  llvm::ErrorOr<std::string> found = llvm::sys::findProgramByName("ptxas");
  return found ? *found : std::string();
}

/// Runs `ptxas` on `ptxPath`, writing `cubinPath`; returns its per-kernel
/// report (from -v), or std::nullopt (with its messages printed) if it
/// failed.
std::optional<llvm::StringMap<PtxasReport>>
runPtxas(StringRef ptxas, StringRef ptxPath, StringRef cubinPath) {
  SmallString<128> log;
  if (llvm::sys::fs::createTemporaryFile("attn-ptxas", "log", log))
    return std::nullopt;
  std::string arch = "-arch=" + chip;
  SmallVector<StringRef> args = {ptxas,   arch, "-O3",    "-v",
                                 ptxPath, "-o", cubinPath};
  std::optional<StringRef> redirects[] = {std::nullopt, StringRef(log),
                                          StringRef(log)};
  std::string error;
  int rc = llvm::sys::ExecuteAndWait(ptxas, args, std::nullopt, redirects, 0, 0,
                                     &error);
  auto text = llvm::MemoryBuffer::getFile(log);
  llvm::sys::fs::remove(log);
  if (rc != 0) {
    llvm::errs() << "attn-kernelgen: " << ptxas << " failed (" << rc << ") "
                 << error << "\n";
    if (text)
      llvm::errs() << (*text)->getBuffer();
    return std::nullopt;
  }
  // "Compiling entry function 'k' for 'sm_90a'" opens a kernel's lines:
  // "N bytes stack frame, N bytes spill stores, N bytes spill loads" and
  // "Used N registers, ...".
  llvm::StringMap<PtxasReport> reports;
  PtxasReport *current = nullptr;
  SmallVector<StringRef> lines;
  if (text)
    (*text)->getBuffer().split(lines, '\n');
  for (StringRef line : lines) {
    if (size_t at = line.find("Compiling entry function '");
        at != StringRef::npos) {
      StringRef rest = line.drop_front(at + 26);
      current = &reports[rest.take_until([](char c) { return c == '\''; })];
      continue;
    }
    // A non-inlined device function gets its own "Function properties"
    // block: it is not the kernel's.
    if (size_t at = line.find("Function properties for ");
        at != StringRef::npos && current &&
        !reports.count(line.drop_front(at + 24).trim()))
      current = nullptr;
    if (!current)
      continue;
    auto numberBefore = [&](StringRef what, int64_t &into) {
      size_t at = line.find(what);
      if (at == StringRef::npos)
        return;
      StringRef head = line.take_front(at).rtrim();
      head = head.drop_front(head.find_last_of(" :") + 1);
      head.getAsInteger(10, into);
    };
    numberBefore(" bytes stack frame", current->stackBytes);
    numberBefore(" bytes spill stores", current->spillStores);
    numberBefore(" bytes spill loads", current->spillLoads);
    if (size_t at = line.find("Used "); at != StringRef::npos)
      line.drop_front(at + 5)
          .take_until([](char c) { return c == ' '; })
          .getAsInteger(10, current->registers);
  }
  return reports;
}

/// The entry points of GPU kernel `k` in its image: its name, or a linear
/// kernel's three phases.
SmallVector<std::string> gpuEntries(const KernelInfo &k) {
  if (!k.linear)
    return {k.name};
  SmallVector<std::string> entries;
  for (const char *suffix : kLinearGPUEntries)
    entries.push_back(k.name + suffix);
  return entries;
}

/// The dynamic shared memory of each entry point of a GPU linear-attention
/// kernel (its `attn.smem_bytes`).
struct LinearSmem {
  int64_t sums = 0, outputs = 0;
};

/// The header's declarations of GPU linear-attention kernel `k` (entry
/// points with `smem` bytes of shared memory in image `symbol`).
void writeLinearGPUDeclaration(llvm::raw_ostream &os, const KernelInfo &k,
                               StringRef symbol, LinearSmem smem) {
  os << "/* " << k.name << ": attn.linear, feature map " << k.featureMap << ", "
     << k.dtype << ", d = " << k.headDim << ", d_v = " << k.valueDim
     << ", eps = " << k.eps << ", " << (k.maskAttr ? "causal" : "non-causal")
     << ", chunk " << kLinearGPUChunk << ", " << kLinearGPUThreads
     << " threads, " << smem.sums << " (sums) and " << smem.outputs
     << " (outputs) bytes of shared memory */\n"
     << "static inline attnrt_linear_gpu_kernel attn_" << k.name
     << "_kernel(void) {\n"
     << "  attnrt_linear_gpu_kernel kernel = "
     << initializer(
            "attnrt_linear_gpu_kernel",
            {{"name", "\"" + k.name + "\""},
             {"image", symbol.str() + "_image"},
             {"image_size", symbol.str() + "_image_size"},
             {"dtype", dtypeEnumerator(k.dtype)},
             {"head_dim", std::to_string(k.headDim)},
             {"value_dim", std::to_string(k.valueDim)},
             {"causal", k.maskAttr ? "1" : "0"},
             {"feature_map",
              enumerator(attnrt::abi::kFeatureMaps, k.featureMap)},
             {"features", std::to_string(k.features)},
             {"chunk", std::to_string(kLinearGPUChunk)},
             {"value_tile", std::to_string(getLinearGPUValueTile(k.valueDim))},
             {"threads", std::to_string(kLinearGPUThreads)},
             {"smem_bytes", std::to_string(smem.outputs)},
             {"sums_smem_bytes", std::to_string(smem.sums)}})
     << ";\n  return kernel;\n}\n"
     << "/* The workspace bytes attn_" << k.name << " needs for `args`. */\n"
     << "static inline attnrt_status attn_" << k.name
     << "_workspace(const attnrt_sdpa_gpu_args *args, size_t *bytes) {\n"
     << "  attnrt_linear_gpu_kernel kernel = attn_" << k.name << "_kernel();\n"
     << "  return attnrt_linear_cuda_workspace(&kernel, args, bytes);\n}\n"
     << "static inline attnrt_status attn_" << k.name
     << "(const attnrt_sdpa_gpu_args *args, void *workspace,\n"
     << "    size_t workspace_bytes, void *stream) {\n"
     << "  attnrt_linear_gpu_kernel kernel = attn_" << k.name << "_kernel();\n"
     << "  return attnrt_linear_cuda(&kernel, args, workspace, "
        "workspace_bytes, stream);\n}\n\n";
}

/// What convert-attn-to-gpu recorded on a kernel for its launch.
struct LaunchInfo {
  GPUScheduleAttr schedule;
  int64_t smemBytes = 0;
  bool tensorMaps() const { return schedule.getCopy() == GPUCopy::Tma; }
};

/// --target=nvidia: PTX, a cubin, an object holding the image, the header and
/// the manifest.
int emitNVIDIA(ModuleOp module, MLIRContext &context,
               ArrayRef<KernelInfo> kernels, const Output &out) {
  const std::string &name = out.name, &command = out.command;
  const std::string symbol = identifier(name); // <symbol>_image in the .o
  auto path = out.path;
  for (const KernelInfo &k : kernels) {
    if (k.ownRows) {
      llvm::errs() << "attn-kernelgen: kernel " << k.name
                   << ": rows per task (rows=, " << kRowsPerTaskAttrName
                   << ") is a CPU option; a GPU kernel's tiles come from its "
                      "schedule\n";
      return 1;
    }
    if (k.packGqa) {
      llvm::errs() << "attn-kernelgen: kernel " << k.name << ": pack_gqa ("
                   << kPackGqaAttrName
                   << ") packs the rows of a CPU kernel; the GPU "
                      "kernels have no such form yet\n";
      return 1;
    }
  }
  GPUPipelineOptions options;
  setPipelineOptions(options);
  std::string pipeline =
      llvm::formatv("attn-to-nvvm-pipeline{{chip={0} wgmma={1}{2}}", chip,
                    bool(wgmma),
                    schedule.empty() ? "" : " schedule='" + schedule + "'")
          .str();
  progress(Twine("[1/5] ") + Twine(kernels.size()) +
           " kernel(s); lowering with " + pipeline);
  PassManager convert(&context);
  buildGPUKernelsPipeline(convert, options);
  if (failed(convert.run(module))) {
    llvm::errs() << "attn-kernelgen: lowering failed (see the diagnostics "
                    "above)\n";
    return 1;
  }
  // The geometry a launch needs, before the kernels become LLVM functions.
  // (gpu.func kernels, and the llvm.func kernels that take tensor maps.)
  // (Linear-attention kernels have no schedule: their entry points' shared
  // memory alone.)
  llvm::StringMap<LaunchInfo> launch;
  llvm::StringMap<int64_t> linearSmem;
  module.walk([&](Operation *f) {
    auto s = f->getAttrOfType<GPUScheduleAttr>(kScheduleAttrName);
    auto smem = f->getAttrOfType<IntegerAttr>("attn.smem_bytes");
    if (smem && !s)
      linearSmem[SymbolTable::getSymbolName(f).getValue()] = smem.getInt();
    if (!s || !smem)
      return;
    launch[SymbolTable::getSymbolName(f).getValue()] = {s, smem.getInt()};
  });
  PassManager lower(&context);
  buildGPUKernelsToBinaryPipeline(lower, options);
  if (failed(lower.run(module))) {
    llvm::errs() << "attn-kernelgen: lowering to NVVM failed (see the "
                    "diagnostics above)\n";
    return 1;
  }

  progress("[2/5] writing the PTX for " + chip);
  std::string ptx;
  module.walk([&](gpu::BinaryOp binary) {
    for (Attribute object : binary.getObjects())
      if (auto o = dyn_cast<gpu::ObjectAttr>(object))
        ptx = o.getObject().str();
  });
  if (ptx.empty()) {
    llvm::errs() << "attn-kernelgen: the pipeline produced no PTX\n";
    return 1;
  }
  if (!writeFile(path(".ptx"), [&](llvm::raw_ostream &os) {
        os << "// Generated by: " << command << "\n" << ptx;
      }))
    return 1;

  std::string cubinPath = path(".cubin");
  std::optional<llvm::StringMap<PtxasReport>> reports;
  std::string ptxas = ptxasPath == "none" ? std::string() : findPtxas();
  if (!ptxas.empty()) {
    progress("[3/5] assembling " + cubinPath + " with ptxas -arch=" + chip);
    reports = runPtxas(ptxas, path(".ptx"), cubinPath);
    if (!reports)
      return 1;
  } else {
    progress("[3/5] no ptxas (--ptxas, PATH): embedding the PTX, which the "
             "driver compiles when it loads it");
  }
  for (const KernelInfo &k : kernels)
    for (const std::string &entry : gpuEntries(k)) {
      if (!reports || !reports->count(entry))
        continue;
      const PtxasReport &r = reports->lookup(entry);
      if (r.spillStores || r.spillLoads)
        llvm::errs() << "attn-kernelgen: warning: " << entry << " spills ("
                     << r.spillStores << " bytes stored, " << r.spillLoads
                     << " loaded) with " << r.registers << " registers\n";
    }

  // The image: a fatbin of the cubin and the PTX (the driver loads the cubin
  // on --chip and JIT-compiles the PTX on later GPUs), else the cubin alone,
  // else the PTX with its NUL.
  std::string imageKind = "ptx", imagePath;
  if (reports) {
    imageKind = "cubin";
    imagePath = cubinPath;
    SmallString<128> fatbinary(llvm::sys::path::parent_path(ptxas));
    llvm::sys::path::append(fatbinary, "fatbinary");
    if (!llvm::sys::fs::can_execute(fatbinary)) {
      llvm::ErrorOr<std::string> found =
          llvm::sys::findProgramByName("fatbinary");
      fatbinary = found ? *found : "";
    }
    if (!fatbinary.empty()) {
      std::string sm = StringRef(chip).drop_front(3).str(); // sm_90a → 90a
      std::string create = "--create=" + path(".fatbin");
      std::string elf = "--image3=kind=elf,sm=" + sm + ",file=" + cubinPath;
      std::string ptxImage =
          "--image3=kind=ptx,sm=" + sm + ",file=" + path(".ptx");
      std::string error;
      SmallVector<StringRef> args = {fatbinary, "-64", create, elf, ptxImage};
      if (llvm::sys::ExecuteAndWait(fatbinary, args, std::nullopt, {}, 0, 0,
                                    &error) != 0) {
        llvm::errs() << "attn-kernelgen: " << fatbinary << " failed " << error
                     << "\n";
        return 1;
      }
      imageKind = "fatbin";
      imagePath = path(".fatbin");
    }
  }
  progress("[4/5] embedding the " + imageKind + " in " + path(".o"));
  std::string image;
  if (!imagePath.empty()) {
    auto bytes = llvm::MemoryBuffer::getFile(imagePath, /*IsText=*/false);
    if (!bytes) {
      llvm::errs() << "attn-kernelgen: cannot read " << imagePath << "\n";
      return 1;
    }
    image = (*bytes)->getBuffer().str();
  } else {
    image = ptx;
    image.push_back('\0');
  }
  SmallString<128> imageSource;
  if (llvm::sys::fs::createTemporaryFile("attn-image", "c", imageSource)) {
    llvm::errs() << "attn-kernelgen: cannot create a temporary file\n";
    return 1;
  }
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(imageSource, ec);
    os << "#include <stddef.h>\n"
       << "const char attn_kernelgen_command_nvidia_" << symbol << "[] = \"";
    os.write_escaped("attn-kernelgen: " + command);
    os << "\";\n__attribute__((aligned(64))) const unsigned char " << symbol
       << "_image[] = {";
    for (size_t i = 0; i < image.size(); ++i)
      os << (i % 24 ? "" : "\n") << unsigned(uint8_t(image[i])) << ",";
    os << "};\nconst size_t " << symbol << "_image_size = " << image.size()
       << ";\n";
  }
  std::string objPath = path(".o");
  // From stdin, so that no temporary file name lands in the object.
  bool compiled =
      runClang({clangPath, "-c", "-O2", "-fPIC", "-x", "c", "-", "-o", objPath},
               StringRef(imageSource));
  llvm::sys::fs::remove(imageSource);
  if (!compiled)
    return 1;

  progress("[5/5] writing the header and the manifest");
  std::string about =
      " * Link " + name +
      ".o, libattnrt_cuda and libattnrt. Each kernel computes attn.sdpa\n"
      " * (or attn.linear, over a workspace) on the GPU (" +
      chip + " " + imageKind +
      ") for any B, H_q, H_kv (H_q % H_kv == 0, B * H_q <= 65535),\n"
      " * N_q, N_kv >= 1 (B, H_q or N_q = 0: nothing to do) and any strides\n"
      " * with a contiguous head dim:\n"
      " * 16-byte aligned rows of q, k, v, 4-byte aligned pairs of o. */\n";
  if (!writeHeader(
          path(".h"), name, command, about, "attn/Runtime/attnrt_cuda.h",
          [&](llvm::raw_ostream &os) {
            os << "extern const unsigned char " << symbol << "_image[];\n"
               << "extern const size_t " << symbol << "_image_size;\n\n";
            for (const KernelInfo &k : kernels) {
              if (k.linear) {
                writeLinearGPUDeclaration(
                    os, k, symbol,
                    {linearSmem.lookup(k.name + "_sums"),
                     linearSmem.lookup(k.name + "_outputs")});
                continue;
              }
              const LaunchInfo &l = launch.lookup(k.name);
              os << "/* " << k.name << ": " << k.dtype << ", d = " << k.headDim
                 << ", d_v = " << k.valueDim << ", scale = " << k.scale
                 << ", mask " << k.mask << ", LSE " << (k.lse ? "yes" : "no")
                 << ", tile-q " << l.schedule.getTileQ() << ", tile-kv "
                 << l.schedule.getTileKv() << " (steps of "
                 << l.schedule.getKvStep() << "), " << l.schedule.getThreads()
                 << " threads, " << l.smemBytes
                 << " bytes of shared memory */\n"
                 << "static inline attnrt_gpu_kernel attn_" << k.name
                 << "_kernel(void) {\n"
                 << "  attnrt_gpu_kernel kernel = "
                 << initializer("attnrt_gpu_kernel",
                                {{"name", "\"" + k.name + "\""},
                                 {"image", symbol + "_image"},
                                 {"image_size", symbol + "_image_size"},
                                 {"dtype", dtypeEnumerator(k.dtype)},
                                 {"head_dim", std::to_string(k.headDim)},
                                 {"value_dim", std::to_string(k.valueDim)},
                                 {"has_lse", k.lse ? "1" : "0"},
                                 {"tile_q",
                                  std::to_string(l.schedule.getTileQ())},
                                 {"threads",
                                  std::to_string(l.schedule.getThreads())},
                                 {"smem_bytes", std::to_string(l.smemBytes)},
                                 {"tile_kv",
                                  std::to_string(l.schedule.getTileKv())},
                                 {"tensor_maps",
                                  l.tensorMaps() ? "1" : "0"},
                                 {"persistent",
                                  l.schedule.getPersistent() ? "1" : "0"}})
                 << ";\n  return kernel;\n}\n"
                 << "static inline attnrt_status attn_" << k.name
                 << "(const attnrt_sdpa_gpu_args *args, void *stream) {\n"
                 << "  attnrt_gpu_kernel kernel = attn_" << k.name
                 << "_kernel();\n"
                 << "  return attnrt_sdpa_cuda(&kernel, args, stream);\n}\n\n";
            }
          }))
    return 1;

  // ptxas's registers and spills of entry point `name`, if it ran.
  auto addReport = [&](llvm::json::Object &entry, const std::string &name) {
    if (!reports || !reports->count(name))
      return;
    const PtxasReport &r = reports->lookup(name);
    entry["registers"] = r.registers;
    entry["spills"] =
        llvm::json::Object{{"stores", r.spillStores}, {"loads", r.spillLoads}};
  };
  llvm::json::Array entries;
  for (const KernelInfo &k : kernels) {
    if (k.linear) {
      llvm::json::Object entry = describeInManifest(k);
      entry["accepts"] =
          "B, H_q, H_kv with H_q % H_kv == 0 and B * H_q <= 65535, N_q, N_kv "
          ">= 1 at run time (causal: N_q <= N_kv); element strides free with "
          "a contiguous head dim, 16-byte aligned rows of q, k, v; a "
          "workspace (attnrt_linear_cuda_workspace)";
      entry["tiles"] =
          llvm::json::Object{{"chunk", kLinearGPUChunk},
                             {"value_tile", getLinearGPUValueTile(k.valueDim)}};
      entry["threads"] = kLinearGPUThreads;
      entry["smem_bytes"] = linearSmem.lookup(k.name + "_outputs");
      llvm::json::Array phases;
      for (const std::string &name : gpuEntries(k)) {
        llvm::json::Object phase{{"entry", name},
                                 {"smem_bytes", linearSmem.lookup(name)}};
        addReport(phase, name);
        phases.push_back(std::move(phase));
      }
      entry["entries"] = std::move(phases);
      entries.push_back(std::move(entry));
      continue;
    }
    const LaunchInfo &l = launch.lookup(k.name);
    llvm::json::Object entry = describeInManifest(k);
    entry["entry"] = k.name;
    entry["accepts"] =
        "B, H_q, H_kv with H_q % H_kv == 0 and B * H_q <= 65535, N_q, N_kv "
        ">= 1 at run time (B, H_q or N_q = 0: nothing to do); element strides "
        "free with a contiguous head dim, 16-byte aligned rows of q, k, v";
    GPUScheduleAttr s = l.schedule;
    entry["tiles"] = llvm::json::Object{{"tile_q", s.getTileQ()},
                                        {"tile_kv", s.getTileKv()},
                                        {"kv_step", s.getKvStep()}};
    entry["threads"] = s.getThreads();
    entry["smem_bytes"] = l.smemBytes;
    entry["tensor_maps"] = l.tensorMaps();
    entry["persistent"] = s.getPersistent();
    std::string printed;
    llvm::raw_string_ostream os(printed);
    Attribute(s).print(os);
    entry["schedule"] = printed;
    addReport(entry, k.name);
    entries.push_back(std::move(entry));
  }
  llvm::json::Object files{{"source", name + ".mlir"},
                           {"ptx", name + ".ptx"},
                           {"object", name + ".o"},
                           {"header", name + ".h"}};
  if (reports)
    files["cubin"] = name + ".cubin";
  if (imageKind == "fatbin")
    files["fatbin"] = name + ".fatbin";
  llvm::json::Object manifest{
      {"target", llvm::json::Object{{"kind", "nvidia"},
                                    {"chip", chip},
                                    {"image", imageKind},
                                    {"pipeline", pipeline}}},
      {"files", std::move(files)},
      {"kernels", std::move(entries)},
  };
  return writeManifest(path(".json"), command, std::move(manifest)) ? 0 : 1;
}
} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  std::string command = "attn-kernelgen";
  for (int i = 1; i < argc; ++i)
    command += " " + std::string(argv[i]);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "attn-kernelgen: compile attention into kernels that applications "
      "link\n\n"
      "Each function of the input whose body is one attn.sdpa of its\n"
      "arguments (static head dim; no mask, causal or window) becomes a\n"
      "kernel: f32 on the CPU, bf16/f16 with f32 accumulation on NVIDIA GPUs.\n"
      "Link <name>.o and libattnrt (and libattnrt_cuda for nvidia), include\n"
      "<name>.h, and call attn_<kernel>(&args) (cpu) or\n"
      "attn_<kernel>(&args, stream) (nvidia): sizes are run-time, strides are\n"
      "free as long as the head dim is contiguous, N need not divide the\n"
      "tiles.\n\n"
      "  attn-kernelgen --spec name=causal_d64,d=64,mask=causal,lse -o out/\n"
      "  attn-kernelgen my_kernels.mlir -o out/ --cpu=native\n"
      "  attn-kernelgen --target=nvidia --chip=sm_90a \\\n"
      "      --spec name=causal_d128,d=128,mask=causal,lse -o out/\n");

  if (failed(verifyTargetOptions()))
    return 1;
  if (inputFile.empty() && specs.empty()) {
    llvm::errs() << "attn-kernelgen: give an input file or at least one "
                    "--spec (see --help)\n";
    return 1;
  }

  DialectRegistry registry;
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerAllToLLVMIRTranslations(registry);
  registry.insert<AttnDialect>();
  MLIRContext context(registry);

  // The source: the input file's text followed by the expanded specs.
  std::string source;
  if (!inputFile.empty()) {
    auto buffer = llvm::MemoryBuffer::getFileOrSTDIN(inputFile);
    if (!buffer) {
      llvm::errs() << "attn-kernelgen: cannot read " << inputFile << "\n";
      return 1;
    }
    source = (*buffer)->getBuffer().str();
  }
  for (StringRef spec : specs) {
    FailureOr<std::string> text =
        specToMLIR(spec, target == "cpu" ? "f32" : "bf16", context);
    if (failed(text))
      return 1;
    source += *text;
  }
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(
          source, inputFile.empty() ? "<specs>" : inputFile.getValue()),
      llvm::SMLoc());
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  if (!module)
    return 1;

  std::vector<KernelInfo> kernels;
  for (auto func : module->getOps<func::FuncOp>()) {
    FailureOr<KernelInfo> info = describe(func);
    if (failed(info))
      return 1;
    kernels.push_back(*info);
  }
  if (kernels.empty()) {
    llvm::errs() << "attn-kernelgen: no function to compile\n";
    return 1;
  }
  // The header declares attn_<kernel> and attn_<kernel>_kernel for each.
  llvm::StringSet<> cNames;
  for (const KernelInfo &k : kernels)
    for (const std::string &cName :
         {"attn_" + k.name, "attn_" + k.name + "_kernel"})
      if (!cNames.insert(cName).second) {
        llvm::errs() << "attn-kernelgen: kernel " << k.name << ": the header "
                     << "would declare " << cName << " twice; rename it\n";
        return 1;
      }
  std::string name = baseName;
  if (name.empty())
    name =
        inputFile.empty() ? "kernels" : llvm::sys::path::stem(inputFile).str();
  if (name.empty() || name == "." || name == ".." ||
      StringRef(name).find_first_of("/\\") != StringRef::npos) {
    llvm::errs() << "attn-kernelgen: --name='" << name
                 << "': expected a file name without a directory\n";
    return 1;
  }
  if (std::error_code ec = llvm::sys::fs::create_directories(outDir)) {
    llvm::errs() << "attn-kernelgen: cannot create " << outDir << ": "
                 << ec.message() << "\n";
    return 1;
  }
  auto path = [&](StringRef ext) {
    SmallString<128> p(outDir);
    llvm::sys::path::append(p, name + ext);
    return std::string(p);
  };

  Output out{name, command, path};
  int status = target == "cpu" ? emitCPU(*module, context, kernels, out)
                               : emitNVIDIA(*module, context, kernels, out);
  // The source last, once everything else is written: a failed run leaves
  // no new <name>.mlir beside older kernels.
  if (status != 0 || !writeFile(path(".mlir"), [&](llvm::raw_ostream &os) {
        os << "// Generated by: " << command << "\n";
        for (const KernelInfo &k : kernels)
          os << k.source << "\n";
      }))
    return 1;
  return 0;
}
