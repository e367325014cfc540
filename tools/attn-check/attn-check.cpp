//===- attn-check.cpp - run a compiled attn function against float64 ------===//
//
// attn-check reads an attn MLIR file, generates fresh random inputs for one of
// its functions, runs the function's compiled form (a shared library holding
// `_mlir_ciface_<name>`, results as trailing out-parameters, as
// `attn-reference-to-llvm` produces) and compares every result with the
// float64 reference evaluation of the same function.
//
//   attn-opt f.mlir --attn-reference-to-llvm | mlir-translate --mlir-to-llvmir > f.ll
//   clang -shared -O2 f.ll -o f.so
//   attn-check f.mlir --lib f.so --shapes 2x4x37x16,2x2x53x16,2x2x53x16
//
// Exit status 0 when every result is within tolerance (norm-wise relative
// error ‖out − ref‖ / ‖ref‖; infinities must match exactly; NaN passes only
// where the reference has NaN, which finite inputs never give).
//
//===----------------------------------------------------------------------===//

#include "attn/Dialect/Attn/IR/AttnOps.h"
#include "attn/Dialect/Attn/Utils/KernelUtils.h"
#include "attn/Reference/Reference.h"
#include "attn/Runtime/attnrt.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Parser/Parser.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <dlfcn.h>
#include <limits>
#include <numeric>
#include <random>

using namespace mlir;
using namespace mlir::attn;
using reference::Tensor;

namespace cl = llvm::cl;

static cl::opt<std::string> inputFile(cl::Positional, cl::desc("<input.mlir>"),
                                      cl::Required);
static cl::opt<std::string> libPath("lib", cl::Required,
                                    cl::desc("shared library with the compiled function"));
static cl::opt<std::string> funcName("func",
                                     cl::desc("function to run (default: the first)"));
static cl::opt<std::string>
    shapesOpt("shapes", cl::desc("argument shapes, e.g. 2x4x37x16,2x2x53x16 "
                                 "(needed where the signature has `?`)"));
static cl::opt<uint64_t> seedOpt("seed", cl::desc("random seed (default: fresh)"),
                                 cl::init(0));
static cl::opt<double> inputScale("input-scale", cl::init(1.0),
                                  cl::desc("multiply float inputs by this (e.g. "
                                           "100 for large logits)"));
static cl::opt<double> inputOffset(
    "input-offset", cl::init(0.0),
    cl::desc("add this to float inputs after scaling (e.g. 3 keeps the "
             "denominators of linear attention with the identity map away "
             "from 0, where any float32 evaluation loses every digit)"));
static cl::opt<double> tolOpt("tol", cl::init(0.0),
                              cl::desc("relative tolerance (default by type: "
                                       "f32 1e-5, f16 2e-3, bf16 1e-2)"));
static cl::opt<double> maxExtraMb(
    "max-extra-mb", cl::init(0.0),
    cl::desc("fail if the compiled function's peak extra resident memory "
             "(peak during the call minus resident memory before it) exceeds "
             "this many MiB; shows that a kernel does not materialise N×N"));
static cl::opt<bool> skipReference(
    "skip-reference", cl::init(false),
    cl::desc("do not evaluate in float64 (the function's result types must "
             "be static): every output must be finite and --max-extra-mb "
             "hold; for sizes whose float64 evaluation would take minutes"));
enum class Abi { CInterface, CpuKernel };
static cl::opt<Abi> abi(
    "abi", cl::init(Abi::CInterface), cl::desc("how the library is called"),
    cl::values(clEnumValN(Abi::CInterface, "ciface",
                          "_mlir_ciface_<name>(inputs..., results...) on "
                          "memref descriptors (attn-reference-to-llvm, "
                          "attn-flash-to-llvm)"),
               clEnumValN(Abi::CpuKernel, "cpu-kernel",
                          "a CPU flash kernel (attn-to-cpu-pipeline, "
                          "attn-kernelgen) run through attnrt")));
static cl::opt<std::string> layout(
    "layout", cl::init("bhnd"),
    cl::desc("memory order of Q, K, V, O for --abi=cpu-kernel: bhnd "
             "([B, H, N, d]) or bnhd (torch's [B, N, H, d])"));
static cl::opt<int> threads("num-threads", cl::init(1),
                            cl::desc("attnrt threads for --abi=cpu-kernel"));
static cl::opt<double> density("density", cl::init(0.5),
                               cl::desc("density of random block-sparse layouts"));
static cl::list<std::string> injections(
    "inject", cl::CommaSeparated,
    cl::desc("put a special value at one random element of an argument, "
             "e.g. --inject 0=nan,2=inf (values: nan, inf, -inf or a number); "
             "the reference sees the same inputs, and NaN must then appear "
             "exactly where the float64 evaluation has it"));

namespace {

/// One argument or result in the kernel's memory layout, with a memref
/// descriptor {allocated, aligned, offset, sizes[r], strides[r]}.
struct Buffer {
  RankedTensorType type;
  SmallVector<int64_t> shape;
  std::vector<uint8_t> bytes;
  std::vector<int64_t> descriptor;

  /// Element strides of the logical shape (row-major unless permuted).
  SmallVector<int64_t> strides;

  /// A buffer for a tensor of logical `shape`. With `nhSwapped` (rank 4
  /// only), memory holds [B, N, H, d] — torch's layout — while indices stay
  /// [B, H, N, d].
  Buffer(RankedTensorType type, ArrayRef<int64_t> shape, bool nhSwapped = false)
      : type(type), shape(shape) {
    int64_t n = 1;
    for (int64_t s : shape)
      n *= s;
    bytes.assign(std::max<int64_t>(n, 1) * elementBytes(), 0);
    int64_t rank = shape.size();
    SmallVector<int64_t> order = llvm::to_vector(llvm::seq<int64_t>(0, rank));
    if (nhSwapped && rank == 4)
      std::swap(order[1], order[2]);
    strides.assign(rank, 0);
    int64_t stride = 1;
    for (int64_t i = rank - 1; i >= 0; --i) {
      strides[order[i]] = stride;
      stride *= shape[order[i]];
    }
    descriptor.assign(3 + 2 * rank, 0);
    auto ptr = reinterpret_cast<int64_t>(bytes.data());
    descriptor[0] = descriptor[1] = ptr;
    for (int64_t d = 0; d < rank; ++d) {
      descriptor[3 + d] = shape[d];
      descriptor[3 + rank + d] = strides[d];
    }
  }

  /// The memory index of the element at row-major logical index `flat`.
  int64_t physical(int64_t flat) const {
    int64_t offset = 0;
    for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
      offset += (flat % shape[d]) * strides[d];
      flat /= shape[d];
    }
    return offset;
  }

  Type elementType() const { return type.getElementType(); }
  int64_t elementBytes() const {
    unsigned bits = elementType().getIntOrFloatBitWidth();
    return bits == 1 ? 1 : bits / 8;
  }

  /// Writes `value`, rounded to the element type; returns the rounded value.
  double store(int64_t i, double value) {
    uint8_t *p = bytes.data() + physical(i) * elementBytes();
    Type t = elementType();
    if (t.isF32()) {
      float f = static_cast<float>(value);
      std::memcpy(p, &f, 4);
      return f;
    }
    if (auto ft = dyn_cast<FloatType>(t)) {
      llvm::APFloat f(value);
      bool lost;
      f.convert(ft.getFloatSemantics(), llvm::APFloat::rmNearestTiesToEven, &lost);
      uint16_t bits = static_cast<uint16_t>(f.bitcastToAPInt().getZExtValue());
      std::memcpy(p, &bits, 2);
      return load(i);
    }
    int64_t v = static_cast<int64_t>(value);
    std::memcpy(p, &v, elementBytes()); // little endian
    return static_cast<double>(v);
  }

  double load(int64_t i) const {
    const uint8_t *p = bytes.data() + physical(i) * elementBytes();
    Type t = elementType();
    if (t.isF32()) {
      float f;
      std::memcpy(&f, p, 4);
      return f;
    }
    if (auto ft = dyn_cast<FloatType>(t)) {
      uint16_t bits;
      std::memcpy(&bits, p, 2);
      llvm::APFloat f(ft.getFloatSemantics(), llvm::APInt(16, bits));
      return f.convertToFloat();
    }
    int64_t v = 0;
    std::memcpy(&v, p, elementBytes());
    return static_cast<double>(v);
  }
};

/// Calls `fn` with pointers to each descriptor.
bool callKernel(void *fn, std::vector<Buffer *> &args) {
  std::vector<void *> p;
  for (Buffer *b : args)
    p.push_back(b->descriptor.data());
  using F = void (*)(...);
  auto f = reinterpret_cast<F>(fn);
  switch (p.size()) {
  case 1: f(p[0]); return true;
  case 2: f(p[0], p[1]); return true;
  case 3: f(p[0], p[1], p[2]); return true;
  case 4: f(p[0], p[1], p[2], p[3]); return true;
  case 5: f(p[0], p[1], p[2], p[3], p[4]); return true;
  case 6: f(p[0], p[1], p[2], p[3], p[4], p[5]); return true;
  case 7: f(p[0], p[1], p[2], p[3], p[4], p[5], p[6]); return true;
  case 8: f(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7]); return true;
  case 9: f(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8]); return true;
  case 10: f(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9]); return true;
  default: return false;
  }
}

/// Parses "2x4x37x16,2x2x53x16" into shapes.
std::optional<SmallVector<SmallVector<int64_t>>> parseShapes(StringRef text) {
  SmallVector<SmallVector<int64_t>> shapes;
  SmallVector<StringRef> parts;
  text.split(parts, ',', -1, /*KeepEmpty=*/false);
  for (StringRef part : parts) {
    SmallVector<StringRef> dims;
    part.trim().split(dims, 'x');
    SmallVector<int64_t> shape;
    for (StringRef d : dims) {
      int64_t v;
      if (d.getAsInteger(10, v) || v < 0)
        return std::nullopt;
      shape.push_back(v);
    }
    shapes.push_back(shape);
  }
  return shapes;
}

/// A --inject entry: argument index and value.
struct Injection {
  unsigned arg;
  double value;
};

std::optional<Injection> parseInjection(StringRef text) {
  auto [index, value] = text.split('=');
  Injection inj;
  if (index.trim().getAsInteger(10, inj.arg))
    return std::nullopt;
  value = value.trim();
  if (value == "nan")
    inj.value = std::nan("");
  else if (value == "inf" || value == "-inf")
    inj.value = (value == "inf" ? 1 : -1) * std::numeric_limits<double>::infinity();
  else if (value.getAsDouble(inj.value))
    return std::nullopt;
  return inj;
}

/// Finds what run-time table `arg` is, if a mask reads it.
std::optional<MaskTableSpec> tableRole(BlockArgument arg) {
  for (Operation *user : arg.getUsers()) {
    MaskAttrInterface mask;
    OperandRange tables = user->getOperands();
    if (auto m = dyn_cast<MaskOp>(user)) {
      mask = m.getMask();
      tables = m.getTables();
    } else if (auto s = dyn_cast<SdpaOp>(user)) {
      mask = s.getMaskAttr();
      tables = s.getTables();
    } else {
      continue;
    }
    SmallVector<MaskTableSpec> specs = getMaskTableSpecs(mask);
    for (auto [spec, value] : llvm::zip(specs, tables))
      if (value == arg)
        return spec;
  }
  return std::nullopt;
}

/// The pages in the pool of the attn.gather_pages whose table is `arg`
/// (dim 0 of its pages argument), if it is one.
template <typename Buffers>
std::optional<int64_t> numPagesOf(BlockArgument arg, const Buffers &buffers) {
  for (Operation *user : arg.getUsers())
    if (auto g = dyn_cast<GatherPagesOp>(user))
      if (auto pages = dyn_cast<BlockArgument>(g.getPages());
          pages && g.getTable() == arg)
        return buffers[pages.getArgNumber()]->shape[0];
  return std::nullopt;
}

/// N_kv of the attn.sdpa whose mask reads `arg`: its key argument's dim 2,
/// or a gathered key's M·S.
template <typename Buffers>
std::optional<int64_t> keyCapacityOf(BlockArgument arg,
                                     const Buffers &buffers) {
  for (Operation *user : arg.getUsers()) {
    auto sdpa = dyn_cast<SdpaOp>(user);
    if (!sdpa)
      continue;
    Value key = sdpa.getKey();
    if (auto g = key.getDefiningOp<GatherPagesOp>()) {
      auto table = dyn_cast<BlockArgument>(g.getTable());
      if (!table)
        continue;
      return buffers[table.getArgNumber()]->shape[1] *
             cast<RankedTensorType>(g.getPages().getType()).getDimSize(2);
    }
    if (auto k = dyn_cast<BlockArgument>(key))
      return buffers[k.getArgNumber()]->shape[2];
  }
  return std::nullopt;
}

bool swapNH() { return abi == Abi::CpuKernel && layout == "bnhd"; }

/// Runs the CPU kernel `entry` (an attn.sdpa or attn.linear kernel, as its
/// metadata says) through attnrt on the buffers.
bool runCpuKernel(func::FuncOp func, void *library, void *entry,
                  ArrayRef<Buffer *> args, ArrayRef<Buffer *> results) {
  std::string name = func.getSymName().str();
  // The kernel publishes what it was compiled for beside its entry point;
  // attnrt checks the rest of the struct against it.
  std::string symbol = "__attn_meta_" + name;
  auto *meta =
      reinterpret_cast<const int64_t *>(dlsym(library, symbol.c_str()));
  if (!meta) {
    llvm::errs() << "attn-check: the library has no " << symbol
                 << " (not a convert-attn-to-cpu kernel?)\n";
    return false;
  }
  bool hasLse = results.size() == 2;
  SdpaOp sdpa;
  func.walk([&](SdpaOp op) { sdpa = op; });
  SmallVector<KernelTable> kinds =
      getKernelTables(sdpa ? sdpa.getMaskAttr() : MaskAttrInterface());
  if (args.size() != 3 + kinds.size()) {
    llvm::errs() << "attn-check: --abi=cpu-kernel needs @" << name
                 << "(q, k, v, the mask's " << kinds.size() << " tables)\n";
    return false;
  }
  std::vector<attnrt_table> tables;
  for (const Buffer *table : args.drop_front(3)) {
    if (!table->elementType().isInteger(32)) {
      llvm::errs() << "attn-check: --abi=cpu-kernel takes i32 mask tables, "
                      "got "
                   << table->type << "\n";
      return false;
    }
    attnrt_table t{};
    t.data = reinterpret_cast<const int32_t *>(table->bytes.data());
    t.rank = static_cast<int64_t>(table->shape.size());
    llvm::copy(table->shape, t.sizes);
    llvm::copy(table->strides, t.strides);
    tables.push_back(t);
  }
  attnrt_sdpa_args a{};
  a.tables = tables.data();
  a.num_tables = static_cast<int64_t>(tables.size());
  a.q = reinterpret_cast<const float *>(args[0]->bytes.data());
  a.k = reinterpret_cast<const float *>(args[1]->bytes.data());
  a.v = reinterpret_cast<const float *>(args[2]->bytes.data());
  a.o = reinterpret_cast<float *>(results[0]->bytes.data());
  a.lse =
      hasLse ? reinterpret_cast<float *>(results[1]->bytes.data()) : nullptr;
  a.batch = args[0]->shape[0];
  a.heads_q = args[0]->shape[1];
  a.heads_kv = args[1]->shape[1];
  a.seq_q = args[0]->shape[2];
  a.seq_kv = args[1]->shape[2];
  llvm::copy(args[0]->strides, a.q_strides);
  llvm::copy(args[1]->strides, a.k_strides);
  llvm::copy(args[2]->strides, a.v_strides);
  llvm::copy(results[0]->strides, a.o_strides);
  if (hasLse)
    llvm::copy(results[1]->strides, a.lse_strides);
  attnrt_status status = attnrt_set_num_threads(threads);
  if (status == ATTNRT_OK && meta[ATTNRT_META_OP] == ATTNRT_OP_LINEAR) {
    attnrt_linear_kernel kernel{};
    kernel.name = name.c_str();
    kernel.head_dim = args[0]->shape[3];
    kernel.value_dim = args[2]->shape[3];
    kernel.causal = static_cast<int>(meta[ATTNRT_META_CAUSAL]);
    kernel.feature_map = static_cast<int>(meta[ATTNRT_META_FEATURE_MAP]);
    kernel.features = meta[ATTNRT_META_FEATURES];
    kernel.chunk = meta[ATTNRT_META_ROWS];
    kernel.entry = entry;
    kernel.meta = meta;
    status = attnrt_linear_cpu(&kernel, &a);
  } else if (status == ATTNRT_OK) {
    attnrt_cpu_kernel kernel{};
    kernel.name = name.c_str();
    kernel.head_dim = args[0]->shape[3];
    kernel.value_dim = args[2]->shape[3];
    kernel.has_lse = hasLse;
    kernel.rows_per_task = meta[ATTNRT_META_ROWS];
    kernel.pack_gqa = static_cast<int>(meta[ATTNRT_META_PACK_GQA]);
    kernel.entry = entry;
    kernel.meta = meta;
    kernel.num_tables = static_cast<int>(kinds.size());
    for (auto [i, table] : llvm::enumerate(kinds)) {
      kernel.table_kinds[i] = table.kind;
      kernel.table_block_q[i] = table.blockQ;
      kernel.table_block_k[i] = table.blockK;
    }
    status = attnrt_sdpa_cpu(&kernel, &a);
  }
  if (status != ATTNRT_OK) {
    llvm::errs() << "attn-check: attnrt: " << attnrt_last_error() << "\n";
    return false;
  }
  return true;
}

double defaultTolerance(Type t) {
  if (t.isBF16())
    return 1e-2;
  if (t.isF16())
    return 2e-3;
  return 1e-5;
}

/// A field of /proc/self/status in KiB (VmRSS, VmHWM), -1 if unknown.
int64_t procStatusKiB(StringRef field) {
  // /proc files report size 0: read them as a stream.
  auto buffer = llvm::MemoryBuffer::getFileAsStream("/proc/self/status");
  if (!buffer)
    return -1;
  SmallVector<StringRef> lines;
  (*buffer)->getBuffer().split(lines, '\n');
  for (StringRef line : lines) {
    if (!line.consume_front(field) || !line.consume_front(":"))
      continue;
    int64_t kib;
    if (!line.trim().consumeInteger(10, kib))
      return kib;
  }
  return -1;
}

/// Resets the process's peak resident memory (VmHWM) to the current one.
bool resetPeakRss() {
  std::FILE *f = std::fopen("/proc/self/clear_refs", "w");
  if (!f)
    return false;
  bool ok = std::fputs("5", f) >= 0;
  return std::fclose(f) == 0 && ok;
}

std::string shapeStr(ArrayRef<int64_t> shape) {
  std::string s;
  llvm::raw_string_ostream os(s);
  llvm::interleave(shape, os, "x");
  return s;
}

} // namespace

/// Tensors shaped as `func`'s results (--skip-reference): static dims as
/// they are; a dynamic one, in a kernel function (q, k, v) -> (o[, lse]),
/// from the arguments' shapes: o is [B, H_q, N_q, d_v], lse [B, H_q, N_q].
static FailureOr<SmallVector<Tensor>>
resultsWithoutReference(func::FuncOp func, ArrayRef<Tensor> args) {
  SmallVector<Tensor> results;
  for (Type type : func.getResultTypes()) {
    auto tensor = dyn_cast<RankedTensorType>(type);
    bool kernelForm = args.size() >= 3 && args[0].shape.size() == 4 &&
                      args[2].shape.size() == 4 && tensor &&
                      (tensor.getRank() == 3 || tensor.getRank() == 4);
    if (!tensor || (!tensor.hasStaticShape() && !kernelForm)) {
      llvm::errs() << "attn-check: --skip-reference needs static result "
                      "types or a kernel function (q, k, v), got "
                   << type << "\n";
      return failure();
    }
    SmallVector<int64_t> shape(tensor.getShape());
    for (auto [i, dim] : llvm::enumerate(shape))
      if (ShapedType::isDynamic(dim))
        dim = i < 3 ? args[0].shape[i] : args[2].shape[3];
    results.emplace_back(shape);
  }
  return results;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::ParseCommandLineOptions(argc, argv,
                              "attn-check: compiled attn function vs float64\n");

  DialectRegistry registry;
  registry.insert<AttnDialect, arith::ArithDialect, func::FuncDialect,
                  tensor::TensorDialect>();
  MLIRContext context(registry);
  context.allowUnregisteredDialects(false);
  llvm::SourceMgr sourceMgr;
  OwningOpRef<ModuleOp> module =
      parseSourceFile<ModuleOp>(inputFile, sourceMgr, &context);
  if (!module)
    return 2;

  func::FuncOp func;
  for (auto f : module->getOps<func::FuncOp>())
    if (!func && (funcName.empty() || f.getSymName() == funcName))
      func = f;
  if (!func) {
    llvm::errs() << "attn-check: no function '" << funcName << "' in "
                 << inputFile << "\n";
    return 2;
  }

  SmallVector<SmallVector<int64_t>> shapes;
  if (!shapesOpt.empty()) {
    auto parsed = parseShapes(shapesOpt);
    if (!parsed || parsed->size() != func.getNumArguments()) {
      llvm::errs() << "attn-check: --shapes must give one shape per argument ("
                   << func.getNumArguments() << ")\n";
      return 2;
    }
    shapes = *parsed;
  }

  uint64_t seed = seedOpt ? seedOpt.getValue() : std::random_device{}();
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);

  // Arguments: shapes, then random values rounded to the argument type.
  std::vector<std::unique_ptr<Buffer>> buffers;
  SmallVector<Tensor> refArgs;
  int64_t maxLen = 1;
  for (auto [index, arg] : llvm::enumerate(func.getArguments())) {
    auto type = dyn_cast<RankedTensorType>(arg.getType());
    if (!type) {
      llvm::errs() << "attn-check: argument #" << index
                   << " is not a ranked tensor\n";
      return 2;
    }
    SmallVector<int64_t> shape(type.getShape());
    if (!shapes.empty()) {
      shape = shapes[index];
      bool fits = shape.size() == type.getShape().size();
      for (auto [given, declared] : llvm::zip(shape, type.getShape()))
        fits &= ShapedType::isDynamic(declared) || given == declared;
      if (!fits) {
        llvm::errs() << "attn-check: shape " << shapeStr(shape)
                     << " does not fit argument #" << index << " " << type
                     << "\n";
        return 2;
      }
    } else if (!type.hasStaticShape()) {
      llvm::errs() << "attn-check: argument #" << index << " " << type
                   << " is dynamic; pass --shapes\n";
      return 2;
    }
    if (isa<FloatType>(type.getElementType()) && shape.size() == 4)
      maxLen = std::max(maxLen, shape[2]);
    buffers.push_back(std::make_unique<Buffer>(type, shape, swapNH()));
    refArgs.emplace_back(shape);
  }
  for (auto [index, arg] : llvm::enumerate(func.getArguments())) {
    Buffer &buf = *buffers[index];
    Tensor &ref = refArgs[index];
    if (isa<FloatType>(buf.elementType())) {
      for (int64_t i = 0; i < ref.size(); ++i)
        ref.data[i] = buf.store(i, normal(rng) * inputScale + inputOffset);
      continue;
    }
    std::optional<MaskTableSpec> role = tableRole(arg);
    bool isDocument = role && isa<DocumentMaskAttr>(role->mask);
    if (std::optional<int64_t> pages = numPagesOf(arg, buffers)) {
      // Each sequence's pages: distinct ones in a random order where the
      // pool holds enough, as an allocator gives them.
      std::vector<int64_t> order(*pages);
      for (int64_t row = 0; row < buf.shape[0]; ++row) {
        std::iota(order.begin(), order.end(), 0);
        std::shuffle(order.begin(), order.end(), rng);
        for (int64_t m = 0; m < buf.shape[1]; ++m) {
          int64_t at = row * buf.shape[1] + m;
          ref.data[at] = buf.store(
              at, m < *pages ? order[m]
                             : static_cast<int64_t>(uniform(rng) * *pages));
        }
      }
      continue;
    }
    if (role && isa<KeyLengthsMaskAttr>(role->mask)) {
      // L_b in [0, N_kv]: a quarter full, one in eight empty, the rest any.
      int64_t keyLen = keyCapacityOf(arg, buffers).value_or(maxLen);
      for (int64_t b = 0; b < ref.size(); ++b) {
        double u = uniform(rng);
        int64_t length =
            u < 0.25    ? keyLen
            : u < 0.375 ? 0
                        : static_cast<int64_t>(uniform(rng) * (keyLen + 1));
        ref.data[b] = buf.store(b, std::min(length, keyLen));
      }
      continue;
    }
    int64_t rowLen = buf.shape.empty() ? 1 : buf.shape.back();
    for (int64_t row = 0; row < ref.size() / std::max<int64_t>(rowLen, 1); ++row) {
      if (isDocument) {
        // Sorted offsets 0 = o_0 ≤ ... ≤ o_D ≤ N, the last usually N.
        std::vector<int64_t> cuts = {0};
        for (int64_t k = 1; k < rowLen; ++k)
          cuts.push_back(static_cast<int64_t>(uniform(rng) * (maxLen + 1)));
        std::sort(cuts.begin() + 1, cuts.end());
        if (rowLen > 1 && uniform(rng) < 0.75)
          cuts.back() = maxLen;
        for (int64_t k = 0; k < rowLen; ++k)
          ref.data[row * rowLen + k] = buf.store(row * rowLen + k, cuts[k]);
        continue;
      }
      for (int64_t k = 0; k < rowLen; ++k)
        ref.data[row * rowLen + k] =
            buf.store(row * rowLen + k, uniform(rng) < density ? 1 : 0);
    }
  }

  for (StringRef text : injections) {
    std::optional<Injection> inj = parseInjection(text);
    if (!inj || inj->arg >= buffers.size() ||
        !isa<FloatType>(buffers[inj->arg]->elementType()) ||
        refArgs[inj->arg].size() == 0) {
      llvm::errs() << "attn-check: --inject " << text
                   << ": expected <index of a non-empty float argument>="
                      "<nan|inf|-inf|number>\n";
      return 2;
    }
    Tensor &ref = refArgs[inj->arg];
    int64_t at = static_cast<int64_t>(uniform(rng) * ref.size()) % ref.size();
    ref.data[at] = buffers[inj->arg]->store(at, inj->value);
    llvm::outs() << "inject: argument #" << inj->arg << " element " << at
                 << " = " << ref.data[at] << "\n";
  }

  auto now = [] { return std::chrono::steady_clock::now(); };
  auto seconds = [](auto a, auto b) {
    return std::chrono::duration<double>(b - a).count();
  };
  auto refStart = now();
  FailureOr<SmallVector<Tensor>> expected =
      skipReference ? resultsWithoutReference(func, refArgs)
                    : reference::evaluate(func, refArgs);
  if (failed(expected))
    return 2;
  double refSeconds = seconds(refStart, now());

  // Out-parameters, shaped as the reference results.
  std::vector<Buffer *> callArgs;
  for (auto &b : buffers)
    callArgs.push_back(b.get());
  std::vector<std::unique_ptr<Buffer>> outputs;
  for (auto [type, ref] : llvm::zip(func.getResultTypes(), *expected)) {
    outputs.push_back(std::make_unique<Buffer>(cast<RankedTensorType>(type),
                                               ref.shape, swapNH()));
    for (int64_t i = 0; i < ref.size(); ++i) // poison: NaN never passes
      outputs.back()->store(i, std::nan(""));
    callArgs.push_back(outputs.back().get());
  }

  void *lib = dlopen(libPath.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    llvm::errs() << "attn-check: cannot load " << libPath << ": " << dlerror()
                 << "\n";
    return 2;
  }
  std::string symbol = ("_mlir_ciface_" + func.getSymName()).str();
  void *fn = dlsym(lib, symbol.c_str());
  if (!fn) {
    llvm::errs() << "attn-check: " << libPath << " has no " << symbol
                 << " (mark the function `attributes {llvm.emit_c_interface}`)\n";
    return 2;
  }
  bool peakReset = resetPeakRss();
  int64_t rssBefore = procStatusKiB("VmRSS");
  auto kernelStart = now();
  if (abi == Abi::CpuKernel) {
    std::vector<Buffer *> ins(callArgs.begin(),
                              callArgs.begin() + buffers.size());
    std::vector<Buffer *> outs(callArgs.begin() + buffers.size(),
                               callArgs.end());
    if (ins.size() < 3 || outs.empty() || outs.size() > 2) {
      llvm::errs() << "attn-check: --abi=cpu-kernel needs @"
                   << func.getSymName()
                   << "(q, k, v[, tables]) -> (o[, lse])\n";
      return 2;
    }
    if (!runCpuKernel(func, lib, fn, ins, outs))
      return 2;
  } else if (!callKernel(fn, callArgs)) {
    llvm::errs() << "attn-check: too many arguments\n";
    return 2;
  }
  double kernelSeconds = seconds(kernelStart, now());
  int64_t peak = procStatusKiB("VmHWM");
  double extraMb = (peakReset && peak >= 0 && rssBefore >= 0)
                       ? static_cast<double>(peak - rssBefore) / 1024.0
                       : -1.0;

  bool allPass = true;
  for (auto [index, ref] : llvm::enumerate(*expected)) {
    const Buffer &out = *outputs[index];
    if (skipReference) {
      int64_t nonFinite = 0;
      for (int64_t i = 0; i < ref.size(); ++i)
        nonFinite += !std::isfinite(out.load(i));
      allPass &= nonFinite == 0;
      llvm::outs() << (nonFinite == 0 ? "PASS" : "FAIL") << " @"
                   << func.getSymName() << " result #" << index << " ["
                   << shapeStr(ref.shape) << "] non_finite=" << nonFinite
                   << " (float64 evaluation skipped) seed=" << seed << "\n";
      continue;
    }
    double errSq = 0.0, refSq = 0.0, maxAbs = 0.0;
    int64_t nanCount = 0, nanMismatch = 0, infMismatch = 0;
    for (int64_t i = 0; i < ref.size(); ++i) {
      double got = out.load(i), want = ref.data[i];
      // NaN passes only where the float64 evaluation has NaN too (special
      // inputs, --inject); with finite inputs, never.
      if (std::isnan(got) || std::isnan(want)) {
        nanCount += std::isnan(got);
        nanMismatch += std::isnan(got) != std::isnan(want);
        continue;
      }
      if (std::isinf(want) || std::isinf(got)) {
        infMismatch += got != want;
        continue;
      }
      errSq += (got - want) * (got - want);
      refSq += want * want;
      maxAbs = std::max(maxAbs, std::fabs(got - want));
    }
    double rel = refSq > 0.0 ? std::sqrt(errSq / refSq) : std::sqrt(errSq);
    double tol = tolOpt > 0.0 ? tolOpt.getValue()
                              : defaultTolerance(out.elementType());
    bool pass = nanMismatch == 0 && infMismatch == 0 && rel <= tol;
    allPass &= pass;
    llvm::outs() << (pass ? "PASS" : "FAIL") << " @" << func.getSymName()
                 << " result #" << index << " [" << shapeStr(ref.shape)
                 << "] rel_err=" << llvm::format("%.3e", rel)
                 << " max_abs_err=" << llvm::format("%.3e", maxAbs)
                 << " nan=" << nanCount << " nan_mismatch=" << nanMismatch
                 << " inf_mismatch=" << infMismatch
                 << " tol=" << llvm::format("%.0e", tol) << " seed=" << seed
                 << "\n";
  }
  llvm::outs() << "time: compiled " << llvm::format("%.3f", kernelSeconds)
               << " s, float64 reference " << llvm::format("%.3f", refSeconds)
               << " s\n";
  if (extraMb >= 0.0)
    llvm::outs() << "memory: compiled function peak extra "
                 << llvm::format("%.1f", extraMb) << " MiB\n";
  if (maxExtraMb > 0.0) {
    bool within = extraMb >= 0.0 && extraMb <= maxExtraMb;
    llvm::outs() << (within ? "PASS" : "FAIL") << " memory: peak extra "
                 << llvm::format("%.1f", extraMb) << " MiB, limit "
                 << llvm::format("%.1f", maxExtraMb.getValue()) << " MiB\n";
    allPass &= within;
  }
  return allPass ? 0 : 1;
}
