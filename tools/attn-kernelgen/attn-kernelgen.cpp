//===- attn-kernelgen.cpp - emit attention kernels for applications -------===//
//
// Reads attention functions (an attn MLIR file, or short specs on the command
// line), compiles them with attn-to-cpu-pipeline and writes, into one
// directory:
//
//   <name>.mlir   the attn source of every kernel (what attn-check reads)
//   <name>.ll     LLVM IR
//   <name>.o      an object file (clang -c -O3 -march=<cpu>)
//   <name>.h      a C header: one `attn_<kernel>(const attnrt_sdpa_args *)`
//                 per kernel, run through the attnrt runtime
//   <name>.json   the manifest: what each kernel computes and accepts, the
//                 tile sizes, the target, the command that made it
//
//===----------------------------------------------------------------------===//

#include "attn/Conversion/Passes.h"
#include "attn/Dialect/Attn/IR/AttnOps.h"
#include "attn/Pipelines/Pipelines.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace mlir;
using namespace mlir::attn;
namespace cl = llvm::cl;

static cl::OptionCategory category("attn-kernelgen options");

static cl::opt<std::string> inputFile(
    cl::Positional, cl::desc("[input.mlir]"), cl::init(""), cl::cat(category));
static cl::list<std::string> specs(
    "spec", cl::cat(category),
    cl::desc("a kernel in short form instead of (or besides) an input file:\n"
             "  name=<id>,d=<head dim>[,dv=<value dim>][,mask=none|causal|"
             "window:<left>:<right>][,lse][,scale=<s>]\n"
             "e.g. --spec name=causal_d64,d=64,mask=causal,lse"));
static cl::opt<std::string> outDir("o", cl::desc("output directory"),
                                   cl::value_desc("dir"), cl::Required,
                                   cl::cat(category));
static cl::opt<std::string> baseName(
    "name", cl::desc("base name of the files (default: the input's stem, or "
                     "'kernels')"),
    cl::cat(category));
static cl::opt<std::string> target("target", cl::init("cpu"),
                                   cl::desc("target: cpu (NVIDIA comes later)"),
                                   cl::cat(category));
static cl::opt<std::string> cpu(
    "cpu", cl::init("x86-64-v4"),
    cl::desc("-march for the object file (x86-64-v4 = AVX-512)"),
    cl::cat(category));
static cl::opt<int64_t> tileKV("tile-kv", cl::init(64),
                               cl::desc("keys per online-softmax step"),
                               cl::cat(category));
static cl::opt<int64_t> rowsPerTask(
    "rows-per-task", cl::init(96),
    cl::desc("query rows per task: 32, 48, 64, 80 or 96 (the register "
             "blocking; 96 measured fastest on Sapphire Rapids)"),
    cl::cat(category));
static cl::opt<std::string> clangPath(
    "clang", cl::init(ATTN_CLANG_PATH),
    cl::desc("clang used to assemble the object file"), cl::cat(category));
static cl::opt<bool> quiet("quiet", cl::desc("no progress messages"),
                           cl::cat(category));

namespace {

void progress(const Twine &message) {
  if (!quiet)
    llvm::errs() << "attn-kernelgen: " << message << "\n";
}

/// Expands one --spec into the text of an attn function.
FailureOr<std::string> specToMLIR(StringRef spec) {
  std::string name, mask = "none", scale;
  int64_t d = 0, dv = 0;
  bool lse = false;
  SmallVector<StringRef> fields;
  spec.split(fields, ',', -1, /*KeepEmpty=*/false);
  for (StringRef field : fields) {
    auto [key, value] = field.trim().split('=');
    if (key == "name")
      name = value.str();
    else if (key == "d" && !value.getAsInteger(10, d))
      continue;
    else if (key == "dv" && !value.getAsInteger(10, dv))
      continue;
    else if (key == "mask")
      mask = value.str();
    else if (key == "lse" && value.empty())
      lse = true;
    else if (key == "scale")
      scale = value.str();
    else {
      llvm::errs() << "attn-kernelgen: --spec '" << spec << "': cannot read '"
                   << field << "'\n";
      return failure();
    }
  }
  if (name.empty() || d < 1) {
    llvm::errs() << "attn-kernelgen: --spec '" << spec
                 << "' needs at least name=<id> and d=<head dim>\n";
    return failure();
  }
  if (dv == 0)
    dv = d;
  std::string maskText;
  if (mask == "causal") {
    maskText = " mask(#attn.causal)";
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
                 << "': expected none, causal or window:<left>:<right>\n";
    return failure();
  }
  std::string qT = llvm::formatv("tensor<?x?x?x{0}xf32>", d).str();
  std::string vT = llvm::formatv("tensor<?x?x?x{0}xf32>", dv).str();
  std::string results = lse ? "(" + vT + ", tensor<?x?x?xf32>)" : vT;
  std::string scaleText = scale.empty() ? "" : " scale " + scale;
  return llvm::formatv(
             "// --spec {0}\n"
             "func.func @{1}(%q: {2}, %k: {2}, %v: {3}) -> {4} {{\n"
             "  {5} = attn.sdpa %q, %k, %v{6}{7} : {2}, {2}, {3} -> {8}\n"
             "  return {5} : {8}\n"
             "}\n",
             spec, name, qT, vT, results, lse ? "%o, %lse" : "%o", scaleText,
             maskText, lse ? vT + ", tensor<?x?x?xf32>" : vT)
      .str();
}

/// What the header and manifest say about one kernel.
struct KernelInfo {
  std::string name, mask, source;
  int64_t headDim, valueDim;
  double scale;
  bool lse;
};

FailureOr<KernelInfo> describe(func::FuncOp func) {
  SdpaOp sdpa;
  func.walk([&](SdpaOp op) { sdpa = op; });
  if (!sdpa)
    return func.emitError("attn-kernelgen: function has no attn.sdpa");
  auto qType = cast<RankedTensorType>(sdpa.getQuery().getType());
  auto vType = cast<RankedTensorType>(sdpa.getValue().getType());
  KernelInfo info;
  info.name = func.getSymName().str();
  info.headDim = qType.getDimSize(3);
  info.valueDim = vType.getDimSize(3);
  info.scale = sdpa.getScale()
                   ? sdpa.getScale()->convertToDouble()
                   : 1.0 / std::sqrt(static_cast<double>(info.headDim));
  info.lse = static_cast<bool>(sdpa.getLse());
  info.mask = "none";
  if (Attribute mask = sdpa.getMaskAttr()) {
    info.mask.clear();
    llvm::raw_string_ostream os(info.mask);
    os << mask;
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

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  std::string command = "attn-kernelgen";
  for (int i = 1; i < argc; ++i)
    command += " " + std::string(argv[i]);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "attn-kernelgen: compile attention into kernels that applications link\n\n"
      "Each function of the input whose body is one attn.sdpa of its\n"
      "arguments (f32, static head dim; no mask, causal or window) becomes a\n"
      "CPU kernel. Link <name>.o and libattnrt, include <name>.h, and call\n"
      "attn_<kernel>(&args): sizes are run-time, strides are free as long as\n"
      "the head dim is contiguous, N need not divide the tiles.\n\n"
      "  attn-kernelgen --spec name=causal_d64,d=64,mask=causal,lse -o out/\n"
      "  attn-kernelgen my_kernels.mlir -o out/ --cpu=native\n");

  if (target != "cpu") {
    llvm::errs() << "attn-kernelgen: --target=" << target
                 << " is not supported yet (only cpu)\n";
    return 1;
  }
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
    FailureOr<std::string> text = specToMLIR(spec);
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

  SmallVector<KernelInfo> kernels;
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
  std::string name = baseName;
  if (name.empty())
    name = inputFile.empty() ? "kernels"
                             : llvm::sys::path::stem(inputFile).str();
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

  std::string pipeline = "attn-to-cpu-pipeline{tile-kv=" +
                         std::to_string(tileKV) + " rows-per-task=" +
                         std::to_string(rowsPerTask) + "}";
  progress(Twine("[1/4] ") + Twine(kernels.size()) + " kernel(s); lowering with " +
           pipeline);
  if (!writeFile(path(".mlir"), [&](llvm::raw_ostream &os) {
        os << "// Generated by: " << command << "\n";
        for (const KernelInfo &k : kernels)
          os << k.source << "\n";
      }))
    return 1;
  PassManager pm(&context);
  CPUPipelineOptions options;
  options.tileKV = tileKV;
  options.rowsPerTask = rowsPerTask;
  buildCPUPipeline(pm, options);
  if (failed(pm.run(*module))) {
    llvm::errs() << "attn-kernelgen: lowering failed (see the diagnostics "
                    "above)\n";
    return 1;
  }

  progress("[2/4] translating to LLVM IR");
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(*module, llvmContext, name);
  if (!llvmModule) {
    llvm::errs() << "attn-kernelgen: translation to LLVM IR failed\n";
    return 1;
  }
  // Name the command inside the object file too (`strings <name>.o`).
  llvm::Constant *text =
      llvm::ConstantDataArray::getString(llvmContext, "attn-kernelgen: " + command);
  new llvm::GlobalVariable(*llvmModule, text->getType(), /*isConstant=*/true,
                           llvm::GlobalValue::ExternalLinkage, text,
                           "attn_kernelgen_command_" + name);
  if (!writeFile(path(".ll"), [&](llvm::raw_ostream &os) {
        os << "; Generated by: " << command << "\n";
        llvmModule->print(os, nullptr);
      }))
    return 1;

  progress("[3/4] assembling " + path(".o") + " with " + clangPath +
           " -march=" + cpu);
  std::string march = "-march=" + cpu;
  std::string llPath = path(".ll"), objPath = path(".o");
  SmallVector<StringRef> clangArgs = {clangPath, "-c", "-O3", march, "-fPIC",
                                      "-Wno-override-module", llPath, "-o",
                                      objPath};
  std::string error;
  int rc = llvm::sys::ExecuteAndWait(clangPath, clangArgs, std::nullopt, {}, 0,
                                     0, &error);
  if (rc != 0) {
    llvm::errs() << "attn-kernelgen: " << clangPath << " failed (" << rc
                 << ") " << error << "\n";
    return 1;
  }

  progress("[4/4] writing the header and the manifest");
  std::string guard = "ATTN_KERNELS_" + StringRef(name).upper() + "_H";
  for (char &c : guard)
    if (!llvm::isAlnum(c))
      c = '_';
  if (!writeFile(path(".h"), [&](llvm::raw_ostream &os) {
        os << "/* Generated by attn-kernelgen; do not edit.\n"
           << " * Command: " << command << "\n"
           << " * Link " << name << ".o and libattnrt. Each kernel computes\n"
           << " * attn.sdpa in f32 for any B, H_q, H_kv (H_q % H_kv == 0),\n"
           << " * N_q, N_kv >= 1 and any strides with a contiguous head dim. */\n"
           << "#ifndef " << guard << "\n#define " << guard << "\n\n"
           << "#include \"attn/Runtime/attnrt.h\"\n\n"
           << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";
        for (const KernelInfo &k : kernels) {
          os << "/* " << k.name << ": d = " << k.headDim
             << ", d_v = " << k.valueDim << ", scale = " << k.scale
             << ", mask " << k.mask << ", LSE " << (k.lse ? "yes" : "no")
             << ", tile-kv " << tileKV << ", rows per task "
             << static_cast<int64_t>(rowsPerTask) << ", " << cpu << " */\n"
             << "void _mlir_ciface_" << k.name
             << (k.lse ? "(void *q, void *k, void *v, void *o, void *lse, "
                       : "(void *q, void *k, void *v, void *o, ")
             << "int64_t begin, int64_t end);\n"
             << "static const attnrt_cpu_kernel attn_" << k.name
             << "_kernel = {\"" << k.name << "\", " << k.headDim << ", "
             << k.valueDim << ", " << (k.lse ? 1 : 0) << ", "
             << static_cast<int64_t>(rowsPerTask) << ", (void *)&_mlir_ciface_"
             << k.name << "};\n"
             << "static inline attnrt_status attn_" << k.name
             << "(const attnrt_sdpa_args *args) {\n"
             << "  return attnrt_sdpa_cpu(&attn_" << k.name
             << "_kernel, args);\n}\n\n";
        }
        os << "#ifdef __cplusplus\n}\n#endif\n\n#endif /* " << guard
           << " */\n";
      }))
    return 1;

  llvm::json::Array entries;
  for (const KernelInfo &k : kernels)
    entries.push_back(llvm::json::Object{
        {"name", k.name},
        {"function", "attn_" + k.name},
        {"symbol", "_mlir_ciface_" + k.name},
        {"op", "attn.sdpa"},
        {"dtype", "f32"},
        {"head_dim", k.headDim},
        {"value_dim", k.valueDim},
        {"scale", k.scale},
        {"mask", k.mask},
        {"lse", k.lse},
        {"accepts",
         "B, H_q, H_kv with H_q % H_kv == 0, N_q, N_kv >= 1 at run time; "
         "element strides free, head dim contiguous"},
        {"tiles", llvm::json::Object{{"rows_per_task", int64_t(rowsPerTask)},
                                     {"tile_kv", int64_t(tileKV)}}},
    });
  llvm::json::Object manifest{
      {"generator", "attn-kernelgen"},
      {"command", command},
      {"target", llvm::json::Object{{"kind", "cpu"},
                                    {"triple", llvmModule->getTargetTriple().str()},
                                    {"march", cpu},
                                    {"pipeline", pipeline}}},
      {"files", llvm::json::Object{{"source", name + ".mlir"},
                                   {"llvm_ir", name + ".ll"},
                                   {"object", name + ".o"},
                                   {"header", name + ".h"}}},
      {"kernels", std::move(entries)},
  };
  if (!writeFile(path(".json"), [&](llvm::raw_ostream &os) {
        os << llvm::formatv("{0:2}", llvm::json::Value(std::move(manifest)))
           << "\n";
      }))
    return 1;
  return 0;
}
