"""Kernel sets (attn-kernelgen's manifests) loaded into the process.

A Library is one manifest's kernels; a Kernel runs on torch tensors through
attnrt. Every loaded kernel gets a handle, its index in a process-wide
registry, which is how the torch custom ops (attn._ops) name it. Libraries
are never unloaded: the runtime caches GPU images by address for the life of
the process, so what they point at must live as long.
"""
from __future__ import annotations

import ctypes
import json
import os
import threading
from collections.abc import Mapping
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

import torch

from ._runtime import Runtime, runtime
from .reference import Mask

__all__ = ["Kernel", "Library", "load", "kernel_by_handle", "loaded_kernels"]

_TORCH_DTYPES = {"f32": torch.float32, "bf16": torch.bfloat16, "f16": torch.float16}
_DEVICE_TYPES = {"cpu": "cpu", "nvidia": "cuda"}
# CPU features an -march needs (what /proc/cpuinfo calls them); a kernel
# built for more than the CPU has dies of SIGILL, so load() refuses it.
_MARCH_FLAGS = {"x86-64-v4": ("avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"),
                "x86-64-v3": ("avx2", "fma", "bmi2")}


def _cpu_flags() -> Optional[set]:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return None


def _empty_in_order_of(like: torch.Tensor, shape, dtype) -> torch.Tensor:
    """An empty tensor of `shape` whose memory order is that of `like` (so
    torch's [B, N, H, d] memory, seen as [B, H, N, d], stays so)."""
    order = sorted(range(len(shape)), key=lambda i: (-like.stride(i), i))
    physical = torch.empty([shape[i] for i in order], dtype=dtype, device=like.device)
    return physical.permute([order.index(i) for i in range(len(shape))])


class Kernel:
    """One generated kernel: what it computes, and a callable running it.

    ``kernel(q, k, v)`` takes [B, H, N, d] tensors in index order with any
    strides whose last (the head dim) is 1: torch's [B, N, H, d] memory
    passes as ``q.transpose(1, 2)``. It returns O ([B, H_q, N_q, d_v], q's
    memory order), or (O, LSE) when the kernel has an LSE output (f32
    [B, H_q, N_q], natural log). ``o=`` (and ``lse=``) give the outputs to
    write instead. GQA: H_q a multiple of H_kv. CUDA kernels run on torch's
    current stream of the tensors' device. The call is a torch custom op
    (``torch.ops.attn.run`` / ``run_out``), so it works under torch.compile
    and CUDA graph capture. Forward only.

    A linear-attention kernel (``op == "attn.linear"``) is called the same
    way and computes attn.linear: feature map ``feature_map``, ``eps``,
    causal when its mask is; it has no LSE and no scale (None). On CUDA each
    call allocates the workspace the runtime asks for (``workspace_bytes``)
    on the tensors' device.

    Attributes: name, op ("attn.sdpa" or "attn.linear"), target ("cpu" or
    "nvidia"), device_type ("cpu" or "cuda"), dtype (torch), head_dim,
    value_dim, has_lse, mask (a reference.Mask), scale, feature_map,
    features and eps (linear kernels; None otherwise), info (the manifest
    entry), library, handle.
    """

    def __init__(self, library: "Library", info: dict, handle: int, struct):
        self.library = library
        self.info = info
        self.handle = handle
        self.name: str = info["name"]
        self.target: str = library.target
        self.device_type: str = _DEVICE_TYPES[library.target]
        if info["dtype"] not in _TORCH_DTYPES:
            raise ValueError(f"{library.path}: kernel {self.name}: dtype "
                             f"{info['dtype']!r} is not one of {list(_TORCH_DTYPES)}")
        self.dtype: torch.dtype = _TORCH_DTYPES[info["dtype"]]
        self.head_dim = int(info["head_dim"])
        self.value_dim = int(info["value_dim"])
        self.has_lse = bool(info["lse"])
        self.mask = Mask.from_manifest(info)
        self.op: str = info.get("op", "attn.sdpa")
        self.linear = self.op == "attn.linear"
        self.scale = None if self.linear else float(info["scale"])
        self.feature_map = info.get("feature_map") if self.linear else None
        # φ's width: head_dim, or FAVOR+'s feature count (linear kernels).
        self.features = int(info["features"]) if self.linear else None
        self.eps = float(info["eps"]) if self.linear else None
        # The score mod compiled in ("none", or its #attn attribute): attn.sdpa
        # never picks a kernel that has one; run it with Kernel.run.
        self.score_mod: str = info.get("score_mod", "none")
        # CPU attn.sdpa kernels: query rows per task (1 to 8: the decode
        # kernel); None otherwise.
        self.rows_per_task: Optional[int] = (
            int(info["tiles"]["rows_per_task"])
            if self.target == "cpu" and not self.linear else None)
        # CPU decode kernels packed by KV head: a task's rows are (query head,
        # query) pairs of the heads that share a KV head.
        self.pack_gqa: bool = bool(info.get("tiles", {}).get("pack_gqa", False))
        # The mask's run-time tables (CPU attn.sdpa kernels of block_sparse
        # and document masks): the manifest's {"kind", "block_q", "block_k"}
        # of each, in the order calls pass them (``tables=``).
        self.tables: List[dict] = list(info.get("tables", []))
        self.struct = struct

    @property
    def projection(self) -> Optional[torch.Tensor]:
        """FAVOR+'s projection ω [head_dim, features] (float32, a copy) that the
        kernel was compiled with; None for other kernels."""
        symbol = self.info.get("projection_symbol")
        if symbol is None:
            return None
        padded = (self.features + 15) // 16 * 16   # the kernel's rows: 16-lane multiples
        address = ctypes.cast(self.library._cpu_so[symbol], ctypes.c_void_p).value
        data = (ctypes.c_float * (self.head_dim * padded)).from_address(address)
        rows = torch.frombuffer(bytearray(data), dtype=torch.float32).view(self.head_dim, padded)
        return rows[:, :self.features].clone()

    def __repr__(self) -> str:
        if self.linear:
            return (f"Kernel({self.name}: attn.linear {self.feature_map} "
                    f"({self.features} features), {self.device_type} "
                    f"{str(self.dtype)[6:]}, d={self.head_dim}, d_v={self.value_dim}, "
                    f"mask {self.mask}, eps {self.eps:.3g})")
        return (f"Kernel({self.name}: {self.device_type} {str(self.dtype)[6:]}, "
                f"d={self.head_dim}, d_v={self.value_dim}, mask {self.mask}, "
                + (f"score_mod {self.score_mod}, " if self.score_mod != "none" else "")
                + f"scale {self.scale:.6g}, lse={'yes' if self.has_lse else 'no'})")

    # -- the torch entry point -------------------------------------------

    def __call__(self, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, *,
                 o: Optional[torch.Tensor] = None, lse: Optional[torch.Tensor] = None,
                 tables: Sequence[torch.Tensor] = ()):
        from . import _ops
        _ops.forward_only(f"attn kernel {self.name}", q, k, v)
        if self.tables or tables:
            # Mask tables (attn.block_layout, attn.document_offsets, key
            # lengths): a direct call, not a torch custom op.
            if o is None:
                o, lse = self.empty_outputs(q)
                lse = lse if self.has_lse else None
            self.run(q, k, v, o, lse, tables=tables)
            return (o, lse) if self.has_lse else o
        if o is None and lse is None:
            o, lse = torch.ops.attn.run(q, k, v, self.handle)
        else:
            if o is None or (lse is None) == self.has_lse:
                raise ValueError(
                    f"attn kernel {self.name}: give o{' and lse' if self.has_lse else ''} "
                    "to write into, or neither"
                    + ("" if self.has_lse else " (the kernel has no LSE output)"))
            torch.ops.attn.run_out(q, k, v, o, lse, self.handle)
        return (o, lse) if self.has_lse else o

    # -- checks and the call itself (used by the ops) ---------------------

    def check_tensors(self, q, k, v, o=None, lse=None) -> None:
        """What the runtime cannot see, or can say better with the tensors'
        names: types, dtypes, devices, shapes, a contiguous head dim."""
        who = f"attn kernel {self.name}"
        named = [("q", q), ("k", k), ("v", v)] + (
            [("o", o)] if o is not None else []) + ([("lse", lse)] if lse is not None else [])
        for name, t in named:
            if not isinstance(t, torch.Tensor):
                raise TypeError(f"{who}: {name} is a {type(t).__name__}, not a torch.Tensor")
            want = torch.float32 if name == "lse" else self.dtype
            if t.dtype != want:
                raise TypeError(f"{who}: {name} is {t.dtype}, the kernel takes {want}")
            if t.device.type != self.device_type:
                raise ValueError(f"{who}: {name} is on {t.device}, the kernel runs on "
                                 f"{self.device_type}")
            if t.device != q.device:
                raise ValueError(f"{who}: {name} is on {t.device}, q on {q.device}")
            rank = 3 if name == "lse" else 4
            if t.dim() != rank:
                raise ValueError(f"{who}: {name} has {t.dim()} dimensions, expected {rank} "
                                 + ("([B, H_q, N_q])" if rank == 3 else "([B, H, N, d])"))
        B, Hq, Nq, d = q.shape
        Hkv, Nkv = k.shape[1], k.shape[2]
        expect = [("q", q, (B, Hq, Nq, self.head_dim)),
                  ("k", k, (B, Hkv, Nkv, self.head_dim)),
                  ("v", v, (B, Hkv, Nkv, self.value_dim))]
        if o is not None:
            expect.append(("o", o, (B, Hq, Nq, self.value_dim)))
        if lse is not None:
            expect.append(("lse", lse, (B, Hq, Nq)))
        for name, t, shape in expect:
            if tuple(t.shape) != shape:
                raise ValueError(f"{who}: {name} has shape {tuple(t.shape)}, expected "
                                 f"{shape} (q is {tuple(q.shape)}, k {tuple(k.shape)})")
        if Hkv == 0 or Hq % Hkv:
            raise ValueError(f"{who}: H_q = {Hq} query heads is not a multiple of "
                             f"H_kv = {Hkv} key heads")
        for name, t, _ in expect[:4]:
            if t.stride(-1) != 1 and t.shape[-1] > 1:
                raise ValueError(f"{who}: {name}'s head dim (the last) is not contiguous "
                                 f"(stride {t.stride(-1)}); call .contiguous() on it")

    def empty_outputs(self, q: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """O in q's memory order and LSE [B, H_q, N_q] f32 (an empty tensor
        when the kernel has none); uninitialised."""
        B, Hq, Nq, d = q.shape
        o = (torch.empty_like(q) if d == self.value_dim and q.is_contiguous()
             else _empty_in_order_of(q, (B, Hq, Nq, self.value_dim), self.dtype))
        shape = (B, Hq, Nq) if self.has_lse else (0,)
        return o, torch.empty(shape, dtype=torch.float32, device=q.device)

    def check_tables(self, tables: Sequence[torch.Tensor]) -> None:
        """The mask tables' count, types and device (the runtime checks
        their shapes and contents, naming the table)."""
        who = f"attn kernel {self.name}"
        if len(tables) != len(self.tables):
            kinds = ", ".join(t["kind"] for t in self.tables) or "none"
            raise ValueError(f"{who}: its mask reads {len(self.tables)} run-time "
                             f"table(s) ({kinds}), got {len(tables)}")
        for i, t in enumerate(tables):
            if not isinstance(t, torch.Tensor) or t.dtype != torch.int32 or t.device.type != "cpu":
                got = (f"{t.dtype} on {t.device}" if isinstance(t, torch.Tensor)
                       else type(t).__name__)
                raise TypeError(f"{who}: tables[{i}] ({self.tables[i]['kind']}) must be "
                                f"an int32 CPU tensor, got {got}")

    def make_args(self, q, k, v, o, lse=None, tables=()):
        """The runtime's argument struct for these tensors ([B, H, N, d]
        index order) and mask tables; nothing is checked here."""
        rt = self.library.runtime
        a = rt.structs["attnrt_sdpa_args" if self.target == "cpu" else "attnrt_sdpa_gpu_args"]()
        a.q, a.k, a.v, a.o = q.data_ptr(), k.data_ptr(), v.data_ptr(), o.data_ptr()
        a.lse = lse.data_ptr() if lse is not None else None
        a.batch, a.heads_q, a.heads_kv = q.shape[0], q.shape[1], k.shape[1]
        a.seq_q, a.seq_kv = q.shape[2], k.shape[2]
        a.q_strides[:] = q.stride()
        a.k_strides[:] = k.stride()
        a.v_strides[:] = v.stride()
        a.o_strides[:] = o.stride()
        if lse is not None:
            a.lse_strides[:] = lse.stride()
        if tables:
            structs = (rt.structs["attnrt_table"] * len(tables))()
            for s, t in zip(structs, tables):
                s.data, s.rank = t.data_ptr(), t.dim()
                s.sizes[:t.dim()] = t.shape
                s.strides[:t.dim()] = t.stride()
            a.tables = ctypes.cast(structs, ctypes.c_void_p).value
            a.num_tables = len(tables)
            a.keep_alive = (structs, tables)
        return a

    def workspace_bytes(self, args) -> Tuple[int, int, str]:
        """A CUDA linear kernel's workspace for `args`: (status, bytes,
        message)."""
        rt = self.library.runtime
        size = ctypes.c_size_t(0)
        status = rt.cuda.attnrt_linear_cuda_workspace(
            ctypes.byref(self.struct), ctypes.byref(args), ctypes.byref(size))
        return status, size.value, (rt.last_error() if status else "")

    def call(self, args, stream=None, workspace=None) -> Tuple[int, str]:
        """Runs the kernel on prepared `args`: (status, message), no raise.
        CUDA: `stream` is a torch.cuda.Stream, a raw CUstream (int) or None
        for torch's current stream; the caller makes the device current. A
        CUDA linear kernel takes `workspace` (a uint8 tensor; None: one of
        workspace_bytes(args) is allocated on the current device)."""
        rt = self.library.runtime
        if self.target == "cpu":
            run = rt.lib.attnrt_linear_cpu if self.linear else rt.lib.attnrt_sdpa_cpu
            status = run(ctypes.byref(self.struct), ctypes.byref(args))
            return status, (rt.last_error() if status else "")
        if stream is None:
            stream = torch.cuda.current_stream()
        handle = ctypes.c_void_p(getattr(stream, "cuda_stream", stream) or None)
        if not self.linear:
            status = rt.cuda.attnrt_sdpa_cuda(ctypes.byref(self.struct),
                                              ctypes.byref(args), handle)
            return status, (rt.last_error() if status else "")
        if workspace is None:
            status, size, message = self.workspace_bytes(args)
            if status:
                return status, message
            workspace = torch.empty(size, dtype=torch.uint8, device="cuda")
        status = rt.cuda.attnrt_linear_cuda(
            ctypes.byref(self.struct), ctypes.byref(args),
            ctypes.c_void_p(workspace.data_ptr() if workspace.numel() else None),
            workspace.numel(), handle)
        return status, (rt.last_error() if status else "")

    def check_only(self, args) -> Tuple[int, str]:
        """The runtime's validation of `args` alone (no launch)."""
        rt = self.library.runtime
        if self.target == "cpu":
            fn = rt.lib.attnrt_linear_check if self.linear else rt.lib.attnrt_sdpa_check
        else:
            fn = rt.cuda.attnrt_linear_cuda_check if self.linear else rt.cuda.attnrt_sdpa_cuda_check
        status = fn(ctypes.byref(self.struct), ctypes.byref(args))
        return status, (rt.last_error() if status else "")

    def run(self, q, k, v, o, lse=None, stream=None, checked=False, tables=()) -> None:
        """Checks the tensors (unless `checked`: the caller did, and made o
        and lse) and the mask tables, then runs the kernel into o (and lse);
        raises AttnrtError with the runtime's message on a non-OK status."""
        if not checked:
            self.check_tensors(q, k, v, o, lse)
        self.check_tables(tables)
        if self.has_lse and lse is None:
            raise ValueError(f"attn kernel {self.name}: the kernel writes an LSE: give lse")
        args = self.make_args(q, k, v, o, lse, tables)
        if self.target == "cpu":
            status, _ = self.call(args)
        else:
            with torch.cuda.device(q.device):
                status, _ = self.call(args, stream)
        self.library.runtime.check(status)


class Library(Mapping):
    """The kernels of one manifest, by name: ``lib["causal_d64"](q, k, v)``.

    Attributes: path (the manifest), manifest (its JSON), target ("cpu" or
    "nvidia"), kernels (name to Kernel), cache_hit (for attn.compile: whether
    the kernels came from its cache)."""

    def __init__(self, path: str, rt: Runtime):
        self.path = path
        self.runtime = rt
        self.cache_hit = False
        with open(path) as f:
            self.manifest = json.load(f)
        m = self.manifest
        if m.get("generator") != "attn-kernelgen" or "kernels" not in m:
            raise ValueError(f"{path}: not a manifest of attn-kernelgen")
        if m.get("runtime_abi") != rt.abi_version:
            raise ValueError(
                f"{path}: made for runtime ABI {m.get('runtime_abi', '(none: older)')}, "
                f"the runtime has {rt.abi_version}: regenerate it with this attn-kernelgen")
        self.target = m["target"]["kind"]
        if self.target not in _DEVICE_TYPES:
            raise ValueError(f"{path}: target {self.target!r} is neither cpu nor nvidia")
        self._here = os.path.dirname(path)
        self._keep: list = []   # what the kernel structs point into
        self.kernels: Dict[str, Kernel] = {}

    def _file(self, key: str) -> str:
        name = self.manifest["files"].get(key)
        path = os.path.join(self._here, name) if name else ""
        if not name or not os.path.exists(path):
            raise ValueError(f"{self.path}: no {key} file ({path or 'not in the manifest'})")
        return path

    def _cpu_structs(self) -> List[Tuple[dict, object]]:
        march = self.manifest["target"].get("march", "")
        flags = _cpu_flags()
        missing = [f for f in _MARCH_FLAGS.get(march, ()) if flags is not None and f not in flags]
        if missing:
            raise RuntimeError(f"{self.path}: the kernels are built for -march={march}, "
                               f"and this CPU lacks {', '.join(missing)}; regenerate them "
                               "with attn-kernelgen --cpu=native")
        so = ctypes.CDLL(self._file("shared_library"))
        self._keep.append(so)
        self._cpu_so = so
        make = self.runtime.structs["attnrt_cpu_kernel"]
        make_linear = self.runtime.structs["attnrt_linear_kernel"]
        out = []
        for info in self.manifest["kernels"]:
            name = info["name"].encode()
            self._keep.append(name)
            address = lambda symbol: ctypes.cast(so[symbol], ctypes.c_void_p).value
            if info.get("op") == "attn.linear":
                out.append((info, make_linear(
                    name=name, head_dim=info["head_dim"], value_dim=info["value_dim"],
                    causal=int(info["mask_info"]["kind"] == "causal"),
                    feature_map=self.runtime.feature_map[info["feature_map"]],
                    features=info["features"],
                    chunk=info["tiles"]["chunk"], entry=address(info["symbol"]),
                    meta=address("__attn_meta_" + info["name"]))))
                continue
            kernel = make(name=name, head_dim=info["head_dim"],
                          value_dim=info["value_dim"], has_lse=int(info["lse"]),
                          rows_per_task=info["tiles"]["rows_per_task"],
                          entry=address(info["symbol"]),
                          meta=address("__attn_meta_" + info["name"]))
            # The mask's run-time tables (calls through this package pass
            # none, which attnrt refuses for such a kernel by name).
            kernel.pack_gqa = int(info["tiles"].get("pack_gqa", False))
            tables = info.get("tables", [])
            kernel.num_tables = len(tables)
            for i, table in enumerate(tables):
                kernel.table_kinds[i] = self.runtime.table_kind[table["kind"]]
                kernel.table_block_q[i] = table.get("block_q", 0)
                kernel.table_block_k[i] = table.get("block_k", 0)
            out.append((info, kernel))
        return out

    def _gpu_structs(self) -> List[Tuple[dict, object]]:
        # The image the generated object embeds: the fatbin (cubin + PTX),
        # else the cubin, else the PTX with its NUL (image_size counts it).
        files = self.manifest["files"]
        kind = next((k for k in ("fatbin", "cubin") if files.get(k)), "ptx")
        with open(self._file(kind), "rb") as f:
            data = f.read() + (b"\0" if kind == "ptx" else b"")
        image = ctypes.create_string_buffer(data, len(data))
        self.image_kind, self.image_path = kind, self._file(kind)
        self._keep.append(image)
        make = self.runtime.structs["attnrt_gpu_kernel"]
        make_linear = self.runtime.structs["attnrt_linear_gpu_kernel"]
        out = []
        for info in self.manifest["kernels"]:
            if info["dtype"] not in self.runtime.dtype:
                raise ValueError(f"{self.path}: kernel {info['name']}: dtype "
                                 f"{info['dtype']!r} is not one of {list(self.runtime.dtype)}")
            name = info.get("entry", info["name"]).encode()
            self._keep.append(name)
            if info.get("op") == "attn.linear":
                out.append((info, make_linear(
                    name=name, image=ctypes.addressof(image), image_size=len(data),
                    dtype=self.runtime.dtype[info["dtype"]],
                    head_dim=info["head_dim"], value_dim=info["value_dim"],
                    causal=int(info["mask_info"]["kind"] == "causal"),
                    feature_map=self.runtime.feature_map[info["feature_map"]],
                    features=info["features"], chunk=info["tiles"]["chunk"],
                    value_tile=info["tiles"]["value_tile"],
                    threads=info["threads"], smem_bytes=info["smem_bytes"],
                    sums_smem_bytes=next(e["smem_bytes"] for e in info["entries"]
                                         if e["entry"].endswith("_sums")))))
                continue
            out.append((info, make(name=name, image=ctypes.addressof(image),
                                   image_size=len(data),
                                   dtype=self.runtime.dtype[info["dtype"]],
                                   head_dim=info["head_dim"], value_dim=info["value_dim"],
                                   has_lse=int(info["lse"]), tile_q=info["tiles"]["tile_q"],
                                   threads=info["threads"], smem_bytes=info["smem_bytes"],
                                   tile_kv=info["tiles"]["tile_kv"],
                                   tensor_maps=int(info.get("tensor_maps", False)),
                                   persistent=int(info.get("persistent", False)))))
        return out

    def __getitem__(self, name: str) -> Kernel:
        try:
            return self.kernels[name]
        except KeyError:
            raise KeyError(f"{self.path} has no kernel {name!r}; it has "
                           f"{', '.join(self.kernels)}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self.kernels)

    def __len__(self) -> int:
        return len(self.kernels)

    def __repr__(self) -> str:
        return f"Library({self.path}: {self.target}, {', '.join(self.kernels)})"


_lock = threading.RLock()
_kernels: List[Kernel] = []
_libraries: Dict[tuple, Library] = {}


def load(manifest: str) -> Library:
    """Loads the kernels that attn-kernelgen described in `manifest` (its
    .json) and returns them as a Library: ``attn.load(p)["name"](q, k, v)``.
    attn.sdpa considers every loaded kernel. Loading the same unchanged
    manifest again returns the same Library. CPU kernels need the
    manifest's shared library (<name>.so), GPU kernels its image (fatbin,
    cubin or PTX), beside it."""
    path = os.path.realpath(manifest)
    st = os.stat(path)
    key = (path, st.st_mtime_ns, st.st_size)
    with _lock:
        if key in _libraries:
            return _libraries[key]
        lib = Library(path, runtime())
        structs = lib._cpu_structs() if lib.target == "cpu" else lib._gpu_structs()
        kernels = [Kernel(lib, info, len(_kernels) + i, struct)
                   for i, (info, struct) in enumerate(structs)]
        _kernels.extend(kernels)   # all or nothing
        lib.kernels = {k.name: k for k in kernels}
        _libraries[key] = lib
        return lib


def kernel_by_handle(handle: int) -> Kernel:
    if not 0 <= handle < len(_kernels):
        raise ValueError(f"attn: no loaded kernel has handle {handle}")
    return _kernels[handle]


def loaded_kernels() -> List[Kernel]:
    """Every loaded kernel, the most recently loaded first."""
    with _lock:
        return list(reversed(_kernels))
