//===- attn-fuzz.cpp - libFuzzer target over attn's front end -------------===//
//
// One input is a pipeline line and an MLIR module:
//
//   attn-to-nvvm-pipeline{chip=sm_90a wgmma=false}
//   func.func @f(%q: tensor<?x?x?x64xbf16>, ...) { ... attn.sdpa ... }
//
// The target parses the module (which verifies it), runs the pipeline on it
// (the pass manager verifies after each pass) and, when the result is in the
// LLVM dialect, translates it to LLVM IR. Diagnostics are the expected
// outcome of most inputs and are dropped; what libFuzzer reports is a crash:
// a signal, an LLVM ERROR (abort), or a sanitizer finding.
//
// The pipeline line is one to three comma-separated elements, each an attn
// pass or pipeline with options (the names in kFuzzedPasses), so that the
// fuzzer spends its time on attn's code and its options, not on upstream's
// passes. Reproduce an input by hand with
//
//   attn-opt --pass-pipeline="builtin.module($(head -n 1 IN))" <(tail -n +2 IN)
//
// See scripts/fuzz.sh for the seeds (every test input) and the dictionary.
//
//===----------------------------------------------------------------------===//

#include "attn/Conversion/Passes.h"
#include "attn/Dialect/Attn/IR/AttnDialect.h"
#include "attn/Dialect/Attn/Transforms/Passes.h"
#include "attn/Pipelines/Pipelines.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/raw_ostream.h"

#include <cstddef>
#include <cstdint>
#include <string>

using namespace mlir;

namespace {

/// The pipeline elements an input may name.
constexpr llvm::StringLiteral kFuzzedPasses[] = {
    "attn-raise-sdpa",         "attn-sparsify",
    "attn-split-kv",           "attn-tile-flash",
    "attn-reassociate-linear", "attn-approximate-softmax",
    "convert-attn-to-linalg",  "convert-attn-to-cpu",
    "convert-attn-to-gpu",     "attn-reference-to-llvm",
    "attn-flash-to-llvm",      "attn-to-cpu-pipeline",
    "attn-to-nvvm-pipeline",
};
constexpr size_t kMaxElements = 3;

DialectRegistry *registry = nullptr;

/// The elements of `pipeline` (split at top-level commas), or nothing if one
/// is not in kFuzzedPasses or there are too many.
std::optional<SmallVector<StringRef>> splitPipeline(StringRef pipeline) {
  SmallVector<StringRef> elements;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i <= pipeline.size(); ++i) {
    char c = i < pipeline.size() ? pipeline[i] : ',';
    depth += c == '{' ? 1 : c == '}' ? -1 : 0;
    if (c != ',' || depth != 0)
      continue;
    elements.push_back(pipeline.slice(start, i).trim());
    start = i + 1;
  }
  if (depth != 0 || elements.size() > kMaxElements)
    return std::nullopt;
  for (StringRef element : elements)
    if (!llvm::is_contained(kFuzzedPasses,
                            element.take_until([](char c) { return c == '{'; })
                                .trim()))
      return std::nullopt;
  return elements;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  attn::registerAttnPasses();
  attn::registerAttnConversionPasses();
  attn::registerAttnPipelines();
  registry = new DialectRegistry();
  registerAllDialects(*registry);
  registerAllExtensions(*registry);
  registerAllToLLVMIRTranslations(*registry);
  registry->insert<attn::AttnDialect>();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  StringRef input(reinterpret_cast<const char *>(data), size);
  auto [pipeline, source] = input.split('\n');
  if (!splitPipeline(pipeline))
    return -1; // not an input of this target: keep it out of the corpus

  MLIRContext context(*registry, MLIRContext::Threading::DISABLED);
  ScopedDiagnosticHandler quiet(&context,
                                [](Diagnostic &) { return success(); });
  // A NUL-terminated copy, as attn-opt reads a file: the lexer may look at
  // the byte after the end.
  std::string text = source.str();
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(text, &context);
  if (!module)
    return 0;
  PassManager pm(&context);
  std::string errors;
  llvm::raw_string_ostream errorStream(errors);
  if (failed(parsePassPipeline(pipeline, pm, errorStream)))
    return 0;
  if (failed(pm.run(*module)))
    return 0;

  // Lowered to the LLVM dialect (the CPU pipelines): translate it too.
  bool llvmOnly = true;
  module->walk([&](Operation *op) {
    Dialect *dialect = op->getDialect();
    if (op != module->getOperation() &&
        (!dialect || dialect->getNamespace() != "llvm"))
      llvmOnly = false;
  });
  if (llvmOnly) {
    llvm::LLVMContext llvmContext;
    (void)translateModuleToLLVMIR(*module, llvmContext);
  }
  return 0;
}
