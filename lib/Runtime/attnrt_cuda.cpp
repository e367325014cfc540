//===- attnrt_cuda.cpp - the attn runtime on CUDA -------------------------===//
//
// Validation of GPU calls (the checks of Validate.h, then what the kernels
// need on top: a sane descriptor, grid limits, aligned pointers and strides)
// before any CUDA call; then a launch through the driver API in the calling
// thread's context, loading each image once per context and looking each
// function up once per module. Every driver error becomes ATTNRT_ERROR_CUDA
// with the call's name.
//
//===----------------------------------------------------------------------===//

#include "attn/Runtime/attnrt_cuda.h"
#include "Validate.h"

#include <cuda.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <utility>

using namespace attnrt::detail;

namespace {

constexpr int64_t kMaxGridY = 65535;
constexpr int64_t kMaxSequence = 2147483647 - 256;
/// Dynamic shared memory a kernel gets without opting in.
constexpr int kDefaultSmemLimit = 48 * 1024;
/// Bytes of q, k, v, o elements (bf16 or f16).
constexpr int64_t kElementSize = 2;
/// The TMA boxes of kernels with tensor maps: 64 columns (one 128-byte
/// swizzled row) × tile rows; a box dimension is at most 256, a global
/// stride below 2^40 bytes.
constexpr int kBoxColumns = 64;
constexpr int kMaxBoxRows = 256;
// The sm_90a kernels store O by warpgroup: boxes of 64 rows.
constexpr int kOutputBoxRows = 64;
constexpr int64_t kMaxTmaStride = int64_t(1) << 40;

//===----------------------------------------------------------------------===//
// Validation
//===----------------------------------------------------------------------===//

/// The image starts like a cubin (ELF) or a fatbin; anything else is taken
/// for PTX text by the driver.
bool isBinaryImage(const attnrt_gpu_kernel &kernel) {
  static const unsigned char elf[] = {0x7f, 'E', 'L', 'F'};
  static const unsigned char fatbin[] = {0x50, 0xed, 0x55, 0xba};
  if (kernel.image_size < 4)
    return false;
  return !std::memcmp(kernel.image, elf, 4) ||
         !std::memcmp(kernel.image, fatbin, 4);
}

attnrt_status checkKernel(const attnrt_gpu_kernel *kernel) {
  if (!kernel)
    return fail(ATTNRT_ERROR_NULL_POINTER, "kernel is null");
  if (!kernel->name)
    return fail(ATTNRT_ERROR_NULL_POINTER, "kernel name is null");
  const char *name = kernel->name;
  if (!kernel->image)
    return fail(ATTNRT_ERROR_NULL_POINTER, "kernel %s: image is null", name);
  if (kernel->image_size == 0)
    return fail(ATTNRT_ERROR_BAD_ARGUMENT, "kernel %s: image_size is 0", name);
  if (!isBinaryImage(*kernel) &&
      static_cast<const char *>(kernel->image)[kernel->image_size - 1] != 0)
    return fail(ATTNRT_ERROR_BAD_ARGUMENT,
                "kernel %s: the image is neither a cubin nor a fatbin, and as "
                "PTX it must end in a NUL byte (the driver reads PTX up to "
                "one)",
                name);
  if (kernel->dtype != ATTNRT_DTYPE_BF16 && kernel->dtype != ATTNRT_DTYPE_F16)
    return fail(ATTNRT_ERROR_BAD_ARGUMENT,
                "kernel %s: dtype %d is neither bf16 (%d) nor f16 (%d)", name,
                static_cast<int>(kernel->dtype), ATTNRT_DTYPE_BF16,
                ATTNRT_DTYPE_F16);
  if (kernel->head_dim < 1 || kernel->value_dim < 1)
    return fail(ATTNRT_ERROR_BAD_ARGUMENT,
                "kernel %s: head_dim and value_dim must be >= 1, got %lld and "
                "%lld",
                name, static_cast<long long>(kernel->head_dim),
                static_cast<long long>(kernel->value_dim));
  if (kernel->tile_q < 1)
    return fail(ATTNRT_ERROR_BAD_ARGUMENT,
                "kernel %s: tile_q must be >= 1, got %lld", name,
                static_cast<long long>(kernel->tile_q));
  if (kernel->threads < 32 || kernel->threads > 1024 ||
      kernel->threads % 32 != 0)
    return fail(ATTNRT_ERROR_BAD_ARGUMENT,
                "kernel %s: threads must be a multiple of 32 in [32, 1024], "
                "got %d",
                name, kernel->threads);
  if (kernel->smem_bytes < 0)
    return fail(ATTNRT_ERROR_BAD_ARGUMENT,
                "kernel %s: smem_bytes must be >= 0, got %d", name,
                kernel->smem_bytes);
  if (kernel->tensor_maps != 0 && kernel->tensor_maps != 1)
    return fail(ATTNRT_ERROR_BAD_ARGUMENT,
                "kernel %s: tensor_maps must be 0 or 1, got %d", name,
                kernel->tensor_maps);
  if (kernel->persistent != 0 && kernel->persistent != 1)
    return fail(ATTNRT_ERROR_BAD_ARGUMENT,
                "kernel %s: persistent must be 0 or 1, got %d", name,
                kernel->persistent);
  if (!kernel->tensor_maps)
    return ATTNRT_OK;
  // TMA boxes: 64 columns (128 bytes) × at most 256 rows.
  if (kernel->tile_q > kMaxBoxRows || kernel->tile_kv < 1 ||
      kernel->tile_kv > kMaxBoxRows)
    return fail(ATTNRT_ERROR_BAD_ARGUMENT,
                "kernel %s: with tensor_maps, tile_q and tile_kv must be 1 to "
                "%d (TMA box rows), got %lld and %lld",
                name, kMaxBoxRows, static_cast<long long>(kernel->tile_q),
                static_cast<long long>(kernel->tile_kv));
  if (kernel->head_dim % kBoxColumns || kernel->value_dim % kBoxColumns)
    return fail(ATTNRT_ERROR_BAD_ARGUMENT,
                "kernel %s: with tensor_maps, head_dim and value_dim must be "
                "multiples of %d, got %lld and %lld",
                name, kBoxColumns, static_cast<long long>(kernel->head_dim),
                static_cast<long long>(kernel->value_dim));
  return ATTNRT_OK;
}

/// Blocks along the grid's x dimension: one per tile_q query rows.
int64_t gridX(const attnrt_gpu_kernel &kernel, const attnrt_sdpa_gpu_args &a) {
  return a.seq_q / kernel.tile_q + (a.seq_q % kernel.tile_q != 0);
}

/// The strides of `v` but the last (d's, which is 1) are multiples of
/// `elements`.
attnrt_status checkStrideAlignment(const View &v, int64_t elements,
                                   const char *why) {
  for (int i = 0; i < v.rank - 1; ++i)
    if (v.strides[i] % elements != 0)
      return fail(ATTNRT_ERROR_ALIGNMENT,
                  "%s stride %d is %lld; it must be a multiple of %lld "
                  "elements (%s)",
                  v.name, i, static_cast<long long>(v.strides[i]),
                  static_cast<long long>(elements), why);
  return ATTNRT_OK;
}

/// Every check of attnrt_sdpa_cuda_check; fills `views` when they pass and
/// says whether the call is `empty` (nothing to compute).
attnrt_status check(const attnrt_gpu_kernel *kernel,
                    const attnrt_sdpa_gpu_args *a, SdpaViews &views,
                    bool &empty) {
  if (attnrt_status s = checkKernel(kernel))
    return s;
  if (!a)
    return fail(ATTNRT_ERROR_NULL_POINTER, "args is null");
  KernelShape shape{kernel->name, kernel->head_dim, kernel->value_dim,
                    kernel->has_lse != 0, kElementSize};
  if (attnrt_status s = checkSdpaShape(shape, *a, views, empty))
    return s;
  if (empty)
    return ATTNRT_OK;

  if (a->batch > kMaxGridY / a->heads_q)
    return fail(ATTNRT_ERROR_BAD_SIZE,
                "batch * heads_q (%lld * %lld) must be <= %lld (grid.y)",
                static_cast<long long>(a->batch),
                static_cast<long long>(a->heads_q),
                static_cast<long long>(kMaxGridY));
  // The kernels compare key positions in 32-bit arithmetic (which also keeps
  // grid.x, ceil(seq_q / tile_q), below its limit of 2^31 − 1).
  for (auto [n, what] :
       {std::pair(a->seq_q, "seq_q"), std::pair(a->seq_kv, "seq_kv")})
    if (n > kMaxSequence)
      return fail(ATTNRT_ERROR_BAD_SIZE,
                  "%s (%lld) must be <= %lld (the kernels' 32-bit key "
                  "positions)",
                  what, static_cast<long long>(n),
                  static_cast<long long>(kMaxSequence));

  for (const View *in : {&views.q, &views.k, &views.v}) {
    if (attnrt_status s = checkBaseAlignment(*in, 16, "cp.async"))
      return s;
    if (attnrt_status s =
            checkStrideAlignment(*in, 8, "16-byte rows for cp.async"))
      return s;
  }
  if (attnrt_status s = checkBaseAlignment(views.o, 4, "4-byte stores"))
    return s;
  if (attnrt_status s = checkStrideAlignment(views.o, 2, "4-byte stores"))
    return s;
  if (shape.hasLse)
    if (attnrt_status s = checkBaseAlignment(views.lse, 4, "f32"))
      return s;
  if (kernel->tensor_maps)
    for (const View *in : {&views.q, &views.k, &views.v, &views.o})
      for (int i = 0; i < in->rank - 1; ++i)
        if (in->strides[i] >= kMaxTmaStride / kElementSize)
          return fail(ATTNRT_ERROR_BAD_STRIDE,
                      "%s stride %d is %lld elements; a TMA tensor map takes "
                      "strides below 2^40 bytes",
                      in->name, i, static_cast<long long>(in->strides[i]));

  return checkSdpaOverlaps(views, shape.hasLse);
}

//===----------------------------------------------------------------------===//
// CUDA
//===----------------------------------------------------------------------===//

/// Names a driver error. Without a driver (the toolkit's stub libcuda),
/// cuGetErrorName and cuGetErrorString fail too: then it is a number.
std::string describe(CUresult result) {
  const char *name = nullptr, *text = nullptr;
  if (cuGetErrorName(result, &name) == CUDA_SUCCESS && name &&
      cuGetErrorString(result, &text) == CUDA_SUCCESS && text)
    return std::string(name) + " (" + text + ")";
  std::string number = "CUDA error " + std::to_string(result);
  if (result == CUDA_ERROR_STUB_LIBRARY)
    number += " (CUDA_ERROR_STUB_LIBRARY: libcuda.so.1 is the toolkit's "
              "stub, not a driver)";
  return number;
}

/// Records a failed driver call, with `log` if not empty, and returns
/// ATTNRT_ERROR_CUDA.
attnrt_status cudaFail(const char *call, CUresult result,
                       const char *log = "") {
  return fail(ATTNRT_ERROR_CUDA, "%s failed: %s%s%s", call,
              describe(result).c_str(), *log ? ": " : "", log);
}

/// The context of this call: the calling thread's current one, else device
/// 0's primary context (retained once per process), made current.
attnrt_status currentContext(CUcontext &context) {
  if (CUresult r = cuCtxGetCurrent(&context))
    return cudaFail("cuCtxGetCurrent", r);
  if (context)
    return ATTNRT_OK;

  struct Primary {
    CUcontext context = nullptr;
    const char *failedCall = nullptr;
    CUresult result = CUDA_SUCCESS;
  };
  static const Primary primary = [] {
    Primary p;
    CUdevice device;
    if ((p.result = cuDeviceGet(&device, 0)))
      p.failedCall = "cuDeviceGet";
    else if ((p.result = cuDevicePrimaryCtxRetain(&p.context, device)))
      p.failedCall = "cuDevicePrimaryCtxRetain";
    return p;
  }();
  if (primary.failedCall)
    return cudaFail(primary.failedCall, primary.result);
  if (CUresult r = cuCtxSetCurrent(primary.context))
    return cudaFail("cuCtxSetCurrent", r);
  context = primary.context;
  return ATTNRT_OK;
}

/// The context a call launches in (currentContext's) and its device;
/// initialises the driver on the first call.
attnrt_status contextOfCall(CUcontext &context, CUdevice &device) {
  // Once per process; like the CUDA runtime, a failure is final.
  static const CUresult initResult = cuInit(0);
  if (initResult)
    return cudaFail("cuInit", initResult);
  if (attnrt_status s = currentContext(context))
    return s;
  if (CUresult r = cuCtxGetDevice(&device))
    return cudaFail("cuCtxGetDevice", r);
  return ATTNRT_OK;
}

/// `v` is memory a kernel in `context` (on `device`) can read: device memory
/// of that device, or managed memory; not host memory, nor another device's
/// (its kernels would fault on it: peer access is not used). Only the first
/// byte is looked at: that the view fits its allocation is the caller's to
/// know (a caching allocator's block, or memory mapped piecewise, has no
/// bounds the driver could tell).
attnrt_status checkDevicePointer(const View &v, CUdevice device) {
  CUmemorytype type{};
  int managed = 0, ordinal = -1;
  CUpointer_attribute attributes[] = {CU_POINTER_ATTRIBUTE_MEMORY_TYPE,
                                      CU_POINTER_ATTRIBUTE_IS_MANAGED,
                                      CU_POINTER_ATTRIBUTE_DEVICE_ORDINAL};
  void *values[] = {&type, &managed, &ordinal};
  CUresult r = cuPointerGetAttributes(3, attributes, values,
                                      reinterpret_cast<CUdeviceptr>(v.data));
  if (r)
    return cudaFail("cuPointerGetAttributes", r);
  // Memory CUDA does not know leaves the type 0.
  if (type == 0)
    return fail(ATTNRT_ERROR_BAD_ARGUMENT,
                "%s is not a device pointer (CUDA does not know %p)", v.name,
                v.data);
  if (type != CU_MEMORYTYPE_DEVICE && type != CU_MEMORYTYPE_UNIFIED)
    return fail(ATTNRT_ERROR_BAD_ARGUMENT,
                "%s is not a device pointer (%p is host memory)", v.name,
                v.data);
  if (!managed && ordinal != device)
    return fail(ATTNRT_ERROR_BAD_ARGUMENT,
                "%s is memory of device %d, but the current context is on "
                "device %d",
                v.name, ordinal, static_cast<int>(device));
  return ATTNRT_OK;
}

/// A kernel's function, the dynamic shared memory it is opened up to, the
/// CTAs of it the device runs at once (found for persistent kernels), and
/// the metadata its image holds (attn_meta_<name>).
struct Function {
  CUfunction function = nullptr;
  int smemLimit = kDefaultSmemLimit;
  int64_t residentCtas = 0;
  bool hasMeta = false;
  int64_t meta[ATTNRT_META_SIZE] = {};
};

/// Reads `attn_meta_<name>` of `module` into `f` (f.hasMeta stays false if
/// the image has none). The copy goes through a stream of its own that
/// synchronises with no other: a plain cuMemcpyDtoH would wait for the
/// legacy default stream and is refused while the caller captures a graph.
attnrt_status readMeta(CUmodule module, const char *name, Function &f) {
  std::string symbol = std::string("attn_meta_") + name;
  CUdeviceptr address;
  size_t bytes = 0;
  CUresult r = cuModuleGetGlobal(&address, &bytes, module, symbol.c_str());
  if (r == CUDA_ERROR_NOT_FOUND)
    return ATTNRT_OK;
  if (r)
    return cudaFail("cuModuleGetGlobal", r);
  if (bytes != sizeof(f.meta))
    return fail(ATTNRT_ERROR_KERNEL_MISMATCH,
                "kernel %s: %s has %zu bytes, attn metadata has %zu", name,
                symbol.c_str(), bytes, sizeof(f.meta));
  CUstream stream;
  if (CUresult r = cuStreamCreate(&stream, CU_STREAM_NON_BLOCKING))
    return cudaFail("cuStreamCreate", r);
  CUresult copied = cuMemcpyDtoHAsync(f.meta, address, sizeof(f.meta), stream);
  CUresult synced = copied ? copied : cuStreamSynchronize(stream);
  cuStreamDestroy(stream);
  if (copied || synced)
    return cudaFail(copied ? "cuMemcpyDtoHAsync (the kernel's metadata)"
                           : "cuStreamSynchronize (the kernel's metadata)",
                    copied ? copied : synced);
  f.hasMeta = true;
  return ATTNRT_OK;
}

/// The metadata a kernel's image must hold for `kernel` (of attn.sdpa, or
/// one entry point of a linear-attention kernel, which adds its own fields).
using Meta = int64_t[ATTNRT_META_SIZE];
void expectMeta(const attnrt_gpu_kernel &kernel, Meta &expected) {
  expected[ATTNRT_META_DTYPE] = kernel.dtype;
  expected[ATTNRT_META_HEAD_DIM] = kernel.head_dim;
  expected[ATTNRT_META_VALUE_DIM] = kernel.value_dim;
  expected[ATTNRT_META_HAS_LSE] = kernel.has_lse != 0;
  expected[ATTNRT_META_ROWS] = kernel.tile_q;
  expected[ATTNRT_META_THREADS] = kernel.threads;
  expected[ATTNRT_META_SMEM_BYTES] = kernel.smem_bytes;
  expected[ATTNRT_META_TILE_KV] = kernel.tile_kv;
  expected[ATTNRT_META_TENSOR_MAPS] = kernel.tensor_maps;
  expected[ATTNRT_META_PERSISTENT] = kernel.persistent;
}

// Modules are cached per (image, context handle) for the process's life: a
// context destroyed while the process runs (cuDevicePrimaryCtxReset,
// cudaDeviceReset) must not be followed by launches through this runtime.
std::mutex cacheMutex;
std::map<std::pair<const void *, CUcontext>, CUmodule> modules;
std::map<std::pair<CUmodule, std::string>, Function> functions;

/// How many CTAs of `f` (launched as `kernel` says) `device` runs at once.
attnrt_status countResidentCtas(const attnrt_gpu_kernel &kernel,
                                CUdevice device, Function &f) {
  int perSM = 0, sms = 0;
  if (CUresult r = cuOccupancyMaxActiveBlocksPerMultiprocessor(
          &perSM, f.function, kernel.threads, kernel.smem_bytes))
    return cudaFail("cuOccupancyMaxActiveBlocksPerMultiprocessor", r);
  if (CUresult r = cuDeviceGetAttribute(
          &sms, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, device))
    return cudaFail("cuDeviceGetAttribute", r);
  // (None at all: the launch reports why.)
  f.residentCtas = static_cast<int64_t>(std::max(perSM, 1)) * std::max(sms, 1);
  return ATTNRT_OK;
}

/// The function of `kernel` in `context` (current on this thread, on
/// `device`): loads its image on first use in this context, looks the
/// function up on first use in that module, and raises its shared memory
/// limit when it needs more than the default. `resident`: the CTAs the
/// device runs at once, for persistent kernels (else 0).
attnrt_status getFunction(const attnrt_gpu_kernel &kernel, const Meta &expected,
                          CUcontext context, CUdevice device,
                          CUfunction &result, int64_t &resident) {
  std::lock_guard<std::mutex> lock(cacheMutex);
  CUmodule &module = modules[{kernel.image, context}];
  if (!module) {
    // For PTX, the JIT's log says what it rejected.
    char log[384] = "";
    CUjit_option options[] = {CU_JIT_ERROR_LOG_BUFFER,
                              CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES};
    void *values[] = {log, reinterpret_cast<void *>(sizeof(log))};
    CUmodule loaded;
    if (CUresult r =
            cuModuleLoadDataEx(&loaded, kernel.image, 2, options, values))
      return cudaFail("cuModuleLoadDataEx", r, log);
    module = loaded;
  }

  Function &f = functions[{module, kernel.name}];
  if (!f.function) {
    CUfunction found;
    if (CUresult r = cuModuleGetFunction(&found, module, kernel.name))
      return cudaFail("cuModuleGetFunction", r);
    if (attnrt_status s = readMeta(module, kernel.name, f))
      return s;
    f.function = found;
  }
  if (attnrt_status s = checkKernelMeta(kernel.name, "attn_meta_",
                                        f.hasMeta ? f.meta : nullptr, expected))
    return s;
  if (kernel.smem_bytes > f.smemLimit) {
    if (CUresult r = cuFuncSetAttribute(
            f.function, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
            kernel.smem_bytes))
      return cudaFail("cuFuncSetAttribute", r);
    f.smemLimit = kernel.smem_bytes;
  }
  if (kernel.persistent && !f.residentCtas)
    if (attnrt_status s = countResidentCtas(kernel, device, f))
      return s;
  result = f.function;
  resident = f.residentCtas;
  return ATTNRT_OK;
}

/// The kernel's parameters, as cuLaunchKernel takes them: the fields of the
/// memref descriptors of q, k, v, o (11 each) and lse (9), every field 8
/// bytes: allocated and aligned pointer, offset 0, sizes, element strides;
/// then, for kernels with tensor maps, those of q, k, v and o.
struct KernelParams {
  static constexpr int kMaxParams = 4 * 11 + 9 + 4;
  int64_t values[kMaxParams];
  void *pointers[kMaxParams];
  CUtensorMap maps[4];
  int count = 0, mapCount = 0;

  void push(int64_t value) {
    values[count] = value;
    pointers[count] = &values[count];
    ++count;
  }
  void push(const View &v) {
    int64_t data = static_cast<int64_t>(reinterpret_cast<uintptr_t>(v.data));
    push(data); // allocated
    push(data); // aligned
    push(0);    // offset
    for (int i = 0; i < v.rank; ++i)
      push(v.sizes[i]);
    for (int i = 0; i < v.rank; ++i)
      push(v.strides[i]);
  }

  /// The tensor map of `v` ([B, H, N, cols], element strides): boxes of 64
  /// columns × `rows` rows with the 128-byte swizzle, zero-filled past
  /// each end — what the sm_90a kernels' TMA loads and wgmma descriptors
  /// expect.
  attnrt_status pushTensorMap(const View &v, attnrt_dtype dtype,
                              int64_t rows) {
    cuuint64_t dims[4] = {static_cast<cuuint64_t>(v.sizes[3]),
                          static_cast<cuuint64_t>(v.sizes[2]),
                          static_cast<cuuint64_t>(v.sizes[1]),
                          static_cast<cuuint64_t>(v.sizes[0])};
    cuuint64_t strides[3] = {
        static_cast<cuuint64_t>(v.strides[2] * kElementSize),
        static_cast<cuuint64_t>(v.strides[1] * kElementSize),
        static_cast<cuuint64_t>(v.strides[0] * kElementSize)};
    cuuint32_t box[4] = {kBoxColumns, static_cast<cuuint32_t>(rows), 1, 1};
    cuuint32_t elementStrides[4] = {1, 1, 1, 1};
    CUtensorMap &map = maps[mapCount++];
    if (CUresult r = cuTensorMapEncodeTiled(
            &map,
            dtype == ATTNRT_DTYPE_BF16 ? CU_TENSOR_MAP_DATA_TYPE_BFLOAT16
                                       : CU_TENSOR_MAP_DATA_TYPE_FLOAT16,
            4, const_cast<void *>(v.data), dims, strides, box, elementStrides,
            CU_TENSOR_MAP_INTERLEAVE_NONE, CU_TENSOR_MAP_SWIZZLE_128B,
            CU_TENSOR_MAP_L2_PROMOTION_L2_256B,
            CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE))
      return cudaFail("cuTensorMapEncodeTiled", r);
    pointers[count++] = &map;
    return ATTNRT_OK;
  }

  /// O's tensor map, boxes of 64 rows, when its rows are 16-byte aligned;
  /// else a zeroed one: the kernel tests the same alignment and then
  /// stores its fragments instead (4-byte alignment, checked before).
  attnrt_status pushOutputMap(const View &o, attnrt_dtype dtype) {
    bool aligned = reinterpret_cast<uintptr_t>(o.data) % 16 == 0;
    for (int i = 0; i < o.rank - 1; ++i)
      aligned = aligned && o.strides[i] % (16 / kElementSize) == 0;
    if (aligned)
      return pushTensorMap(o, dtype, kOutputBoxRows);
    CUtensorMap &map = maps[mapCount++];
    memset(&map, 0, sizeof(map));
    pointers[count++] = &map;
    return ATTNRT_OK;
  }
};

//===----------------------------------------------------------------------===//
// Linear attention
//===----------------------------------------------------------------------===//

/// Tasks a phase aims at (blocks × heads): enough CTAs to fill a GPU a few
/// times over, chosen from the sizes alone so that the workspace size is a
/// function of the arguments.
constexpr int64_t kLinearTasks = 512;

/// How a call splits its rows: keys in blocks of `keyRows` (a workspace
/// state each), the rows of the outputs phase in blocks of `taskRows`
/// (causal: the key blocks), all multiples of the chunk.
struct LinearPlan {
  int64_t keyRows, keyBlocks, taskRows, taskBlocks, stateFloats;
  size_t workspaceBytes;
};

/// Blocks of whole chunks over `n` rows, about kLinearTasks over `heads`.
void splitRows(int64_t n, int64_t heads, int64_t chunk, int64_t &rows,
               int64_t &blocks) {
  int64_t want = std::max<int64_t>(1, (kLinearTasks + heads - 1) / heads);
  int64_t chunks = (n + chunk - 1) / chunk;
  rows = (chunks + want - 1) / want * chunk;
  blocks = (n + rows - 1) / rows;
}

LinearPlan planLinear(const attnrt_linear_gpu_kernel &kernel,
                      const attnrt_sdpa_gpu_args &a) {
  LinearPlan p;
  const int64_t headsQ = a.batch * a.heads_q, headsKV = a.batch * a.heads_kv;
  splitRows(a.seq_kv, kernel.causal ? headsQ : headsKV, kernel.chunk, p.keyRows,
            p.keyBlocks);
  if (kernel.causal) {
    p.taskRows = p.keyRows;
    p.taskBlocks = p.keyBlocks;
  } else {
    splitRows(a.seq_q, headsQ, kernel.chunk, p.taskRows, p.taskBlocks);
  }
  p.stateFloats = kernel.features * kernel.value_dim + kernel.features;
  p.workspaceBytes =
      static_cast<size_t>(headsKV * p.keyBlocks * p.stateFloats) *
      sizeof(float);
  return p;
}

/// Entry point `suffix` of a linear-attention kernel, launched with `smem`
/// bytes of shared memory, as a GPU kernel struct (its name in `name`, which
/// must outlive the struct).
attnrt_gpu_kernel linearEntry(const attnrt_linear_gpu_kernel &kernel,
                              const char *suffix, int smem, std::string &name) {
  name = std::string(kernel.name) + suffix;
  attnrt_gpu_kernel entry{};
  entry.name = name.c_str();
  entry.image = kernel.image;
  entry.image_size = kernel.image_size;
  entry.dtype = kernel.dtype;
  entry.head_dim = kernel.head_dim;
  entry.value_dim = kernel.value_dim;
  entry.tile_q = kernel.chunk;
  entry.tile_kv = kernel.value_tile;
  entry.threads = kernel.threads;
  entry.smem_bytes = smem;
  return entry;
}

/// Every check of attnrt_linear_cuda_check: the struct, then the arguments
/// as attnrt_sdpa_cuda_check takes them (no LSE), and N_q <= N_kv when
/// causal.
attnrt_status checkLinear(const attnrt_linear_gpu_kernel *kernel,
                          const attnrt_sdpa_gpu_args *a, SdpaViews &views,
                          bool &empty) {
  if (!kernel)
    return fail(ATTNRT_ERROR_NULL_POINTER, "kernel is null");
  if (!kernel->name)
    return fail(ATTNRT_ERROR_NULL_POINTER, "kernel name is null");
  const char *name = kernel->name;
  if (kernel->causal != 0 && kernel->causal != 1)
    return fail(ATTNRT_ERROR_BAD_ARGUMENT,
                "kernel %s: causal must be 0 or 1, got %d", name,
                kernel->causal);
  if (kernel->feature_map != ATTNRT_FEATURE_IDENTITY &&
      kernel->feature_map != ATTNRT_FEATURE_ELU_PLUS_ONE &&
      kernel->feature_map != ATTNRT_FEATURE_RELU)
    return fail(ATTNRT_ERROR_BAD_ARGUMENT,
                "kernel %s: feature_map %d is none of identity (%d), "
                "elu_plus_one (%d) and relu (%d), the GPU kernels' maps",
                name, kernel->feature_map, ATTNRT_FEATURE_IDENTITY,
                ATTNRT_FEATURE_ELU_PLUS_ONE, ATTNRT_FEATURE_RELU);
  if (kernel->features != kernel->head_dim)
    return fail(ATTNRT_ERROR_BAD_ARGUMENT,
                "kernel %s: features (%lld) must equal head_dim (%lld)", name,
                static_cast<long long>(kernel->features),
                static_cast<long long>(kernel->head_dim));
  if (kernel->chunk < 1)
    return fail(ATTNRT_ERROR_BAD_ARGUMENT,
                "kernel %s: chunk must be >= 1, got %lld", name,
                static_cast<long long>(kernel->chunk));
  if (kernel->value_tile < 1 || kernel->value_dim % kernel->value_tile)
    return fail(ATTNRT_ERROR_BAD_ARGUMENT,
                "kernel %s: value_tile (%lld) must be >= 1 and divide "
                "value_dim (%lld)",
                name, static_cast<long long>(kernel->value_tile),
                static_cast<long long>(kernel->value_dim));
  if (kernel->sums_smem_bytes < 0)
    return fail(ATTNRT_ERROR_BAD_ARGUMENT,
                "kernel %s: sums_smem_bytes must be >= 0, got %d", name,
                kernel->sums_smem_bytes);
  if (attnrt_status s = checkLinearNoLse(name, a))
    return s;
  std::string entryName;
  attnrt_gpu_kernel entry =
      linearEntry(*kernel, "", kernel->smem_bytes, entryName);
  if (attnrt_status s = check(&entry, a, views, empty))
    return s;
  return empty ? ATTNRT_OK : checkLinearCausal(name, kernel->causal, *a);
}

/// The workspace: large enough, 16-byte aligned, apart from every tensor.
attnrt_status checkWorkspace(const attnrt_linear_gpu_kernel &kernel,
                             const SdpaViews &views, const LinearPlan &plan,
                             const void *workspace, size_t bytes, View &view) {
  if (bytes < plan.workspaceBytes)
    return fail(ATTNRT_ERROR_BAD_ARGUMENT,
                "kernel %s: workspace_bytes is %zu; this call needs %zu "
                "(attnrt_linear_cuda_workspace)",
                kernel.name, bytes, plan.workspaceBytes);
  if (!workspace)
    return fail(ATTNRT_ERROR_NULL_POINTER, "kernel %s: workspace is null",
                kernel.name);
  static const int64_t unit = 1;
  view = View{
      "workspace", workspace,
      1,           {static_cast<int64_t>(plan.workspaceBytes / sizeof(float))},
      &unit,       sizeof(float)};
  if (attnrt_status s = checkBaseAlignment(view, 16, "f32 state rows"))
    return s;
  for (const View *other : views.used(false))
    if (attnrt_status s = checkDisjoint(view, *other))
      return s;
  return ATTNRT_OK;
}

} // namespace

extern "C" {

attnrt_status attnrt_linear_cuda_check(const attnrt_linear_gpu_kernel *kernel,
                                       const attnrt_sdpa_gpu_args *a) {
  SdpaViews views;
  bool empty;
  return checkLinear(kernel, a, views, empty);
}

attnrt_status
attnrt_linear_cuda_workspace(const attnrt_linear_gpu_kernel *kernel,
                             const attnrt_sdpa_gpu_args *a, size_t *bytes) {
  if (!bytes)
    return fail(ATTNRT_ERROR_NULL_POINTER, "bytes is null");
  SdpaViews views;
  bool empty;
  if (attnrt_status s = checkLinear(kernel, a, views, empty))
    return s;
  *bytes = empty ? 0 : planLinear(*kernel, *a).workspaceBytes;
  return ATTNRT_OK;
}

attnrt_status attnrt_linear_cuda(const attnrt_linear_gpu_kernel *kernel,
                                 const attnrt_sdpa_gpu_args *a, void *workspace,
                                 size_t workspace_bytes, void *stream) {
  SdpaViews views;
  bool empty;
  if (attnrt_status s = checkLinear(kernel, a, views, empty))
    return s;
  if (empty)
    return ATTNRT_OK;
  const LinearPlan plan = planLinear(*kernel, *a);
  View work;
  if (attnrt_status s = checkWorkspace(*kernel, views, plan, workspace,
                                       workspace_bytes, work))
    return s;
  CUcontext context;
  CUdevice device;
  if (attnrt_status s = contextOfCall(context, device))
    return s;
  for (const View *view : {&views.q, &views.k, &views.v, &views.o, &work})
    if (attnrt_status s = checkDevicePointer(*view, device))
      return s;

  KernelParams params;
  for (const View *view : {&views.q, &views.k, &views.v, &views.o, &work})
    params.push(*view);
  params.push(plan.keyRows);
  params.push(plan.taskRows);
  // Sums and prefix sums of the key blocks' states: of every block for a
  // non-causal call, which reads the last prefix sum; of all but the last
  // for a causal one, whose block j starts from the sum of blocks before it.
  // No prefix for one state. Each entry point has shared memory of its own
  // (the prefix none: a whole grid of it is resident at once).
  const int64_t headsQ = a->batch * a->heads_q,
                headsKV = a->batch * a->heads_kv;
  const int64_t summed = plan.keyBlocks - (kernel->causal ? 1 : 0);
  const int64_t valueTiles = kernel->value_dim / kernel->value_tile;
  struct Phase {
    const char *suffix;
    int64_t x, y;
    int smem;
    bool run;
  } phases[] = {{"_sums", summed * valueTiles, headsKV, kernel->sums_smem_bytes,
                 summed > 0},
                {"_prefix",
                 (plan.stateFloats + kernel->threads - 1) / kernel->threads,
                 headsKV, 0, summed > 1},
                {"_outputs", plan.taskBlocks * valueTiles, headsQ,
                 kernel->smem_bytes, true}};
  for (const Phase &phase : phases) {
    if (!phase.run)
      continue;
    std::string name;
    attnrt_gpu_kernel entry =
        linearEntry(*kernel, phase.suffix, phase.smem, name);
    Meta expected = {};
    expectMeta(entry, expected);
    expected[ATTNRT_META_OP] = ATTNRT_OP_LINEAR;
    expected[ATTNRT_META_CAUSAL] = kernel->causal;
    expected[ATTNRT_META_FEATURE_MAP] = kernel->feature_map;
    expected[ATTNRT_META_FEATURES] = kernel->features;
    CUfunction function = nullptr;
    int64_t resident = 0;
    if (attnrt_status s =
            getFunction(entry, expected, context, device, function, resident))
      return s;
    if (CUresult r = cuLaunchKernel(function, static_cast<unsigned>(phase.x),
                                    static_cast<unsigned>(phase.y), 1,
                                    static_cast<unsigned>(kernel->threads), 1,
                                    1, static_cast<unsigned>(phase.smem),
                                    static_cast<CUstream>(stream),
                                    params.pointers, nullptr))
      return cudaFail("cuLaunchKernel", r);
  }
  return ATTNRT_OK;
}

attnrt_status attnrt_sdpa_cuda_check(const attnrt_gpu_kernel *kernel,
                                     const attnrt_sdpa_gpu_args *a) {
  SdpaViews views;
  bool empty;
  return check(kernel, a, views, empty);
}

attnrt_status attnrt_sdpa_cuda(const attnrt_gpu_kernel *kernel,
                               const attnrt_sdpa_gpu_args *a, void *stream) {
  SdpaViews views;
  bool empty;
  if (attnrt_status s = check(kernel, a, views, empty))
    return s;
  if (empty)
    return ATTNRT_OK;
  bool hasLse = kernel->has_lse != 0;
  CUcontext context;
  CUdevice device;
  if (attnrt_status s = contextOfCall(context, device))
    return s;
  for (const View *view : {&views.q, &views.k, &views.v, &views.o})
    if (attnrt_status s = checkDevicePointer(*view, device))
      return s;
  if (hasLse)
    if (attnrt_status s = checkDevicePointer(views.lse, device))
      return s;

  CUfunction function = nullptr;
  int64_t resident = 0;
  Meta expected = {};
  expectMeta(*kernel, expected);
  if (attnrt_status s =
          getFunction(*kernel, expected, context, device, function, resident))
    return s;
  KernelParams params;
  for (const View *view : {&views.q, &views.k, &views.v, &views.o})
    params.push(*view);
  if (hasLse)
    params.push(views.lse);
  if (kernel->tensor_maps)
    for (auto [view, rows] :
         {std::pair(&views.q, kernel->tile_q), std::pair(&views.k, kernel->tile_kv),
          std::pair(&views.v, kernel->tile_kv)})
      if (attnrt_status s = params.pushTensorMap(*view, kernel->dtype, rows))
        return s;
  if (kernel->tensor_maps)
    if (attnrt_status s = params.pushOutputMap(views.o, kernel->dtype))
      return s;
  // The grid: a CTA per (query block, batch·head), or, persistent, as many
  // of them as run at once, each walking those blocks.
  int64_t blocksX = gridX(*kernel, *a), blocksY = a->batch * a->heads_q;
  if (kernel->persistent) {
    blocksX = std::min(blocksX * blocksY, resident);
    blocksY = 1;
  }
  if (CUresult r = cuLaunchKernel(
          function, static_cast<unsigned>(blocksX),
          static_cast<unsigned>(blocksY), 1,
          static_cast<unsigned>(kernel->threads), 1, 1,
          static_cast<unsigned>(kernel->smem_bytes),
          static_cast<CUstream>(stream), params.pointers, nullptr))
    return cudaFail("cuLaunchKernel", r);
  return ATTNRT_OK;
}

} // extern "C"
