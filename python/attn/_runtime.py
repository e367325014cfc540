"""attnrt, the C runtime, through ctypes.

The structs are not written down here: libattnrt describes its own interface
(attnrt_abi_json(), made from include/attn/Runtime/attnrt_abi.def, the one
description that the C headers and attn-kernelgen also take theirs from), and
this module builds its ctypes mirrors from that description, checking that
ctypes lays every field where the C compiler did.
"""
from __future__ import annotations

import ctypes
import json
import os
import threading
from typing import Optional

__all__ = ["AttnrtError", "Runtime", "runtime", "runtime_dir"]

_KINDS = {"ptr": ctypes.c_void_p, "str": ctypes.c_char_p,
          "i64": ctypes.c_int64, "i32": ctypes.c_int, "size": ctypes.c_size_t}


class AttnrtError(RuntimeError):
    """A call into attnrt returned a non-OK status.

    Attributes: ``status`` (the number), ``status_name`` (e.g.
    ``"ATTNRT_ERROR_BAD_STRIDE"``) and ``message`` (the runtime's own text,
    ``attnrt_last_error()``)."""

    def __init__(self, status: int, status_name: str, message: str):
        self.status = status
        self.status_name = status_name or str(status)
        self.message = message
        super().__init__(f"{self.status_name}: {message}")


def _struct(name: str, desc: dict) -> type:
    """A ctypes.Structure for struct `name` as `desc` (the ABI's) lays it out;
    raises if ctypes would put any field elsewhere."""
    fields = []
    for f in sorted(desc["fields"], key=lambda f: f["offset"]):
        ctype = _KINDS[f["kind"]]
        fields.append((f["name"], ctype * f["count"] if f["count"] > 1 else ctype))
    cls = type(name, (ctypes.Structure,), {"_fields_": fields})
    for f in desc["fields"]:
        if getattr(cls, f["name"]).offset != f["offset"]:
            raise ImportError(f"attn: ctypes places {name}.{f['name']} at "
                              f"{getattr(cls, f['name']).offset}, the runtime at "
                              f"{f['offset']}")
    if ctypes.sizeof(cls) != desc["size"]:
        raise ImportError(f"attn: ctypes makes {name} {ctypes.sizeof(cls)} bytes, "
                          f"the runtime {desc['size']}")
    return cls


def runtime_dir() -> str:
    """Where libattnrt.so is looked for: $ATTN_RUNTIME_DIR, else the
    package's own copy (built by ``pip install ./python``)."""
    return os.environ.get("ATTN_RUNTIME_DIR") or os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "_lib")


class Runtime:
    """libattnrt (and, on first use, libattnrt_cuda) with the structs of its
    interface: ``structs["attnrt_sdpa_args"]`` and so on."""

    def __init__(self, directory: str):
        self.directory = directory
        path = os.path.join(directory, "libattnrt.so")
        if not os.path.exists(path):
            raise ImportError(
                f"attn: no runtime at {path}. Install the package with "
                "`pip install ./python` (it builds the runtime), or point "
                "ATTN_RUNTIME_DIR at a directory holding libattnrt.so (attn's "
                "build/lib)")
        self.lib = ctypes.CDLL(path)
        for fn, res, args in (("attnrt_abi_json", ctypes.c_char_p, []),
                              ("attnrt_last_error", ctypes.c_char_p, []),
                              ("attnrt_status_name", ctypes.c_char_p, [ctypes.c_int]),
                              ("attnrt_set_num_threads", ctypes.c_int, [ctypes.c_int]),
                              ("attnrt_get_num_threads", ctypes.c_int, [])):
            getattr(self.lib, fn).restype = res
            getattr(self.lib, fn).argtypes = args
        abi = json.loads(self.lib.attnrt_abi_json().decode())
        self.abi_version: int = abi["version"]
        self.status: dict = abi["status"]
        self.dtype: dict = abi["dtype"]
        self.feature_map: dict = abi["feature_map"]
        self.table_kind: dict = abi["table_kind"]
        self.structs = {n: _struct(n, d) for n, d in abi["structs"].items()}
        cpu_kernel = ctypes.POINTER(self.structs["attnrt_cpu_kernel"])
        cpu_args = ctypes.POINTER(self.structs["attnrt_sdpa_args"])
        for fn in ("attnrt_sdpa_cpu", "attnrt_sdpa_check"):
            getattr(self.lib, fn).restype = ctypes.c_int
            getattr(self.lib, fn).argtypes = [cpu_kernel, cpu_args]
        linear_kernel = ctypes.POINTER(self.structs["attnrt_linear_kernel"])
        for fn in ("attnrt_linear_cpu", "attnrt_linear_check"):
            getattr(self.lib, fn).restype = ctypes.c_int
            getattr(self.lib, fn).argtypes = [linear_kernel, cpu_args]
        self._cuda = None
        self._cuda_lock = threading.Lock()

    @property
    def cuda(self) -> ctypes.CDLL:
        """libattnrt_cuda, loaded on first use (it needs the CUDA driver)."""
        with self._cuda_lock:
            if self._cuda is None:
                path = os.path.join(self.directory, "libattnrt_cuda.so")
                if not os.path.exists(path):
                    raise RuntimeError(
                        f"attn: no {path}: the runtime was built without CUDA "
                        "(no cuda.h when the package was installed)")
                lib = ctypes.CDLL(path)
                kernel = ctypes.POINTER(self.structs["attnrt_gpu_kernel"])
                args = ctypes.POINTER(self.structs["attnrt_sdpa_gpu_args"])
                lib.attnrt_sdpa_cuda.restype = ctypes.c_int
                lib.attnrt_sdpa_cuda.argtypes = [kernel, args, ctypes.c_void_p]
                lib.attnrt_sdpa_cuda_check.restype = ctypes.c_int
                lib.attnrt_sdpa_cuda_check.argtypes = [kernel, args]
                linear = ctypes.POINTER(self.structs["attnrt_linear_gpu_kernel"])
                lib.attnrt_linear_cuda.restype = ctypes.c_int
                lib.attnrt_linear_cuda.argtypes = [linear, args, ctypes.c_void_p,
                                                   ctypes.c_size_t, ctypes.c_void_p]
                lib.attnrt_linear_cuda_workspace.restype = ctypes.c_int
                lib.attnrt_linear_cuda_workspace.argtypes = [
                    linear, args, ctypes.POINTER(ctypes.c_size_t)]
                lib.attnrt_linear_cuda_check.restype = ctypes.c_int
                lib.attnrt_linear_cuda_check.argtypes = [linear, args]
                self._cuda = lib
            return self._cuda

    def last_error(self) -> str:
        return (self.lib.attnrt_last_error() or b"").decode(errors="replace")

    def status_name(self, status: int) -> str:
        return (self.lib.attnrt_status_name(status) or b"").decode()

    def error(self, status: int) -> AttnrtError:
        """The exception for `status`, with this thread's last message."""
        return AttnrtError(status, self.status_name(status), self.last_error())

    def check(self, status: int) -> None:
        """Raises AttnrtError unless `status` is ATTNRT_OK."""
        if status != self.status["ATTNRT_OK"]:
            raise self.error(status)


_runtime: Optional[Runtime] = None
_runtime_lock = threading.Lock()


def runtime() -> Runtime:
    """The process's runtime, loaded on first use from runtime_dir()."""
    global _runtime
    with _runtime_lock:
        if _runtime is None:
            _runtime = Runtime(runtime_dir())
        return _runtime
