"""Runs attn's generated GPU kernels from Python, for bench/gpu_check.py and
bench/gpu_bench.py.

  rt = Runtime("build-gpu/libattnrt_cuda.so",
               "kernels-generated/nvidia/attn_gpu_kernels.json")
  kern = rt.kernels["sdpa_d128_bf16_causal"]       # names come from the manifest
  o, lse = rt.alloc_outputs(kern, q, k)            # or your own tensors
  rt.run(kern, q, k, v, o, lse)                    # raises AttnrtError

The kernels are what attn-kernelgen --target nvidia wrote: the manifest (JSON)
describes each one and names the image (fatbin, cubin or PTX) that holds them all.
This module mirrors the runtime's two structs (include/attn/Runtime/
attnrt_cuda.h) with ctypes and calls attnrt_sdpa_cuda on torch CUDA tensors
given in [B, H, N, d] index order with any strides: torch's usual [B, N, H, d]
memory is just q.transpose(1, 2). The runtime validates everything (sizes,
strides, alignment, device memory) and returns a status; every non-OK status
becomes an AttnrtError carrying attnrt_last_error()'s text.

Lifetimes: the runtime loads each image once and caches it by its address for
the life of the process, so the image buffers live in the Runtime object
(keep it alive as long as you launch). Launches are asynchronous: the tensors
must outlive the kernel, which torch's caching allocator guarantees for
tensors used on their own stream (record_stream them for other streams).
"""
import ctypes
import json
import os
import re

import torch

# attnrt_status (include/attn/Runtime/attnrt.h).
ATTNRT_OK = 0
ATTNRT_ERROR_NULL_POINTER = 1    # a required pointer is null
ATTNRT_ERROR_BAD_SIZE = 2        # a size is < 1 or heads don't divide
ATTNRT_ERROR_BAD_STRIDE = 3      # a stride is < 1, or d is not contiguous
ATTNRT_ERROR_OVERLAP = 4         # O or LSE overlaps itself or an input
ATTNRT_ERROR_KERNEL_MISMATCH = 5 # the arguments don't fit the kernel
ATTNRT_ERROR_BAD_ARGUMENT = 6    # anything else (e.g. host memory)
ATTNRT_ERROR_CUDA = 7            # a CUDA driver call failed
ATTNRT_ERROR_ALIGNMENT = 8       # a GPU pointer or stride is misaligned
STATUS_NAMES = {v: k for k, v in list(globals().items())
                if k.startswith("ATTNRT_") and isinstance(v, int)}

# attnrt_dtype (include/attn/Runtime/attnrt_cuda.h) and the torch dtype of
# q, k, v and o for each manifest "dtype" (lse is always f32).
DTYPES = {"bf16": (1, torch.bfloat16), "f16": (2, torch.float16)}


class GpuKernel(ctypes.Structure):
    """struct attnrt_gpu_kernel: field for field, same C types (C's
    alignment rules give the same padding in both)."""
    _fields_ = [("name", ctypes.c_char_p),
                ("image", ctypes.c_void_p),
                ("image_size", ctypes.c_size_t),
                ("dtype", ctypes.c_int),          # enum attnrt_dtype
                ("head_dim", ctypes.c_int64),
                ("value_dim", ctypes.c_int64),
                ("has_lse", ctypes.c_int),
                ("tile_q", ctypes.c_int64),
                ("threads", ctypes.c_int),
                ("smem_bytes", ctypes.c_int)]


class GpuArgs(ctypes.Structure):
    """struct attnrt_sdpa_gpu_args: device pointers, sizes, element strides."""
    _fields_ = [("q", ctypes.c_void_p), ("k", ctypes.c_void_p),
                ("v", ctypes.c_void_p), ("o", ctypes.c_void_p),
                ("lse", ctypes.c_void_p),
                ("batch", ctypes.c_int64), ("heads_q", ctypes.c_int64),
                ("heads_kv", ctypes.c_int64), ("seq_q", ctypes.c_int64),
                ("seq_kv", ctypes.c_int64),
                ("q_strides", ctypes.c_int64 * 4), ("k_strides", ctypes.c_int64 * 4),
                ("v_strides", ctypes.c_int64 * 4), ("o_strides", ctypes.c_int64 * 4),
                ("lse_strides", ctypes.c_int64 * 3)]


class AttnrtError(RuntimeError):
    """A non-OK attnrt_status; .status is its number, the text the runtime's."""

    def __init__(self, status, message):
        self.status = status
        super().__init__(f"{STATUS_NAMES.get(status, status)}: {message}")


class Mask:
    """A manifest "mask" string as a predicate over (query row, key column).
    Bottom-right aligned: query i sits at key position i + N_kv - N_q."""

    def __init__(self, text):
        self.text = text
        self.left = self.right = None
        if text == "none":
            self.kind = "none"
        elif text == "#attn.causal":
            self.kind = "causal"
        else:
            m = re.fullmatch(r"#attn\.window<left = (\d+), right = (\d+)>", text)
            # Another mask loads (a benchmark may not need it) but has no
            # predicate here: allowed() raises.
            self.kind = "window" if m else "unknown"
            if m:
                self.left, self.right = int(m.group(1)), int(m.group(2))

    def allowed(self, seq_q, seq_kv, device, rows=None):
        """Boolean [len(rows), seq_kv] (rows defaults to every query row),
        True where the key may be attended; None for no mask."""
        if self.kind == "none":
            return None
        if rows is None:
            rows = torch.arange(seq_q, device=device)
        pos = (rows + (seq_kv - seq_q))[:, None]   # i' = i + N_kv - N_q
        j = torch.arange(seq_kv, device=device)[None, :]
        if self.kind == "causal":
            return j <= pos
        if self.kind == "window":
            return (j >= pos - self.left) & (j <= pos + self.right)
        raise ValueError(f"mask {self.text!r}: known here are only none, "
                         "#attn.causal and #attn.window<left = L, right = R>")

    def __str__(self):
        return self.text


class Kernel:
    """One manifest entry: what it computes plus the C struct to launch it."""

    def __init__(self, info, image):
        self.info = info
        self.name = info["name"]
        self.entry = info.get("entry", self.name)
        self.dtype_name = info["dtype"]
        if self.dtype_name not in DTYPES:
            raise ValueError(f"kernel {self.name}: dtype {self.dtype_name!r} is "
                             "neither bf16 nor f16")
        dtype_enum, self.dtype = DTYPES[self.dtype_name]
        self.head_dim = int(info["head_dim"])
        self.value_dim = int(info["value_dim"])
        self.has_lse = bool(info["lse"])
        self.mask = Mask(info["mask"])
        self.scale = float(info["scale"])
        self._name_bytes = self.entry.encode()   # c_char_p doesn't own it
        self._image = image                     # nor does c_void_p
        self.struct = GpuKernel(self._name_bytes, ctypes.addressof(image),
                                ctypes.sizeof(image), dtype_enum,
                                self.head_dim, self.value_dim, int(self.has_lse),
                                int(info["tiles"]["tile_q"]), int(info["threads"]),
                                int(info["smem_bytes"]))

    def __repr__(self):
        return (f"Kernel({self.name}: {self.dtype_name}, d={self.head_dim}, "
                f"mask {self.mask}, lse={self.has_lse})")


def _image_buffer(data):
    """A ctypes buffer holding `data`; it owns the bytes the runtime reads."""
    buf = ctypes.create_string_buffer(len(data))
    ctypes.memmove(buf, data, len(data))
    return buf


class Runtime:
    """libattnrt_cuda.so plus the kernels of one manifest."""

    def __init__(self, lib_path, manifest_path):
        lib_path = os.path.abspath(lib_path)
        # libattnrt_cuda.so finds libattnrt.so through its rpath ($ORIGIN);
        # loading libattnrt.so first by its path (when it is beside it) makes
        # attnrt_last_error reachable however the library was linked.
        base = os.path.join(os.path.dirname(lib_path), "libattnrt.so")
        self.base = ctypes.CDLL(base) if os.path.exists(base) else None
        self.lib = ctypes.CDLL(lib_path)
        for f in (self.lib.attnrt_sdpa_cuda, self.lib.attnrt_sdpa_cuda_check):
            f.restype = ctypes.c_int
        self.lib.attnrt_sdpa_cuda.argtypes = [ctypes.POINTER(GpuKernel),
                                              ctypes.POINTER(GpuArgs),
                                              ctypes.c_void_p]
        self.lib.attnrt_sdpa_cuda_check.argtypes = [ctypes.POINTER(GpuKernel),
                                                    ctypes.POINTER(GpuArgs)]
        last_error = (self.base or self.lib).attnrt_last_error
        last_error.restype = ctypes.c_char_p
        last_error.argtypes = []
        self._last_error = last_error

        self.manifest_path = os.path.abspath(manifest_path)
        with open(self.manifest_path) as f:
            self.manifest = json.load(f)
        target = self.manifest.get("target", {})
        if target.get("kind") != "nvidia":
            raise ValueError(f"{manifest_path}: target {target!r} is not nvidia")
        # The image the kernels live in, as the generated object embeds it:
        # the fatbin (cubin + PTX), else the cubin, else the PTX,
        # NUL-terminated (image_size counts the NUL).
        files = self.manifest["files"]
        here = os.path.dirname(self.manifest_path)
        self.image_kind = next(
            (kind for kind in ("fatbin", "cubin") if files.get(kind)), "ptx")
        self.image_path = os.path.join(here, files[self.image_kind])
        data = open(self.image_path, "rb").read()
        if self.image_kind == "ptx":
            data += b"\0"
        # One buffer for every kernel: the runtime loads it once per context.
        self._image = _image_buffer(data)
        self.kernels = {}
        for info in self.manifest["kernels"]:
            self.kernels[info["name"]] = Kernel(info, self._image)

    def last_error(self):
        return (self._last_error() or b"").decode(errors="replace")

    # -- arguments ---------------------------------------------------------

    def kernel(self, kernel):
        return self.kernels[kernel] if isinstance(kernel, str) else kernel

    def make_args(self, kernel, q, k, v, o, lse):
        """The C arguments for tensors in [B, H, N, d] index order. Checks
        here only what the runtime cannot see (that the tensors' shapes agree
        with each other and their dtypes with the kernel); the runtime checks
        the rest, including that the memory is on the GPU."""
        kernel = self.kernel(kernel)
        B, Hq, Nq, d = q.shape
        Bk, Hkv, Nkv, dk = k.shape
        dv = kernel.value_dim
        expect = {"k": ((B, Hkv, Nkv, kernel.head_dim), k),
                  "v": ((B, Hkv, Nkv, dv), v),
                  "o": ((B, Hq, Nq, dv), o),
                  "q": ((B, Hq, Nq, kernel.head_dim), q)}
        for name, (shape, t) in expect.items():
            if tuple(t.shape) != shape:
                raise ValueError(f"{kernel.name}: {name} has shape {tuple(t.shape)}, "
                                 f"expected {shape}")
            if t.dtype != kernel.dtype:
                raise ValueError(f"{kernel.name}: {name} is {t.dtype}, the kernel "
                                 f"takes {kernel.dtype}")
        if lse is not None:
            if tuple(lse.shape) != (B, Hq, Nq):
                raise ValueError(f"{kernel.name}: lse has shape {tuple(lse.shape)}, "
                                 f"expected {(B, Hq, Nq)}")
            if lse.dtype != torch.float32:
                raise ValueError(f"{kernel.name}: lse is {lse.dtype}, not float32")
        a = GpuArgs()
        a.q, a.k, a.v, a.o = q.data_ptr(), k.data_ptr(), v.data_ptr(), o.data_ptr()
        a.lse = lse.data_ptr() if lse is not None else None
        a.batch, a.heads_q, a.heads_kv, a.seq_q, a.seq_kv = B, Hq, Hkv, Nq, Nkv
        a.q_strides[:] = q.stride()
        a.k_strides[:] = k.stride()
        a.v_strides[:] = v.stride()
        a.o_strides[:] = o.stride()
        if lse is not None:
            a.lse_strides[:] = lse.stride()
        return a

    # -- calls -------------------------------------------------------------

    def call(self, kernel, args, stream=None):
        """attnrt_sdpa_cuda on prepared arguments: (status, message), no
        raise. stream: a torch.cuda.Stream, a raw CUstream (int), or None for
        torch's current stream."""
        kernel = self.kernel(kernel)
        if stream is None:
            stream = torch.cuda.current_stream()
        handle = stream.cuda_stream if hasattr(stream, "cuda_stream") else stream
        status = self.lib.attnrt_sdpa_cuda(ctypes.byref(kernel.struct),
                                           ctypes.byref(args),
                                           ctypes.c_void_p(handle or None))
        return status, (self.last_error() if status else "")

    def check_only(self, kernel, args):
        """attnrt_sdpa_cuda_check: validation only, no CUDA call."""
        kernel = self.kernel(kernel)
        status = self.lib.attnrt_sdpa_cuda_check(ctypes.byref(kernel.struct),
                                                 ctypes.byref(args))
        return status, (self.last_error() if status else "")

    def run(self, kernel, q, k, v, o, lse=None, stream=None):
        """Launches `kernel` on torch tensors ([B, H, N, d] index order, any
        strides) on `stream` (default: torch's current stream); asynchronous.
        Raises AttnrtError with the runtime's message on a non-OK status."""
        args = self.make_args(kernel, q, k, v, o, lse)
        status, message = self.call(kernel, args, stream)
        if status != ATTNRT_OK:
            raise AttnrtError(status, message)
        return o, lse

    def alloc_outputs(self, kernel, q, k, fill=float("nan")):
        """o ([B, H_q, N_q, d_v], q's memory order) and lse ([B, H_q, N_q]
        f32, None when the kernel has none), filled with `fill`."""
        kernel = self.kernel(kernel)
        B, Hq, Nq, _ = q.shape
        # Same memory order as q where it can (torch's [B, N, H, d] stays so).
        o = (torch.empty_like(q) if kernel.value_dim == q.shape[-1] else
             torch.empty(B, Hq, Nq, kernel.value_dim, dtype=q.dtype, device=q.device))
        o.fill_(fill)
        lse = (torch.full((B, Hq, Nq), fill, dtype=torch.float32, device=q.device)
               if kernel.has_lse else None)
        return o, lse
