"""attn from Python: run the attention kernels that attn-kernelgen generates
on PyTorch tensors (CPU and CUDA), as torch custom ops.

  import attn
  lib = attn.load("out/kernels.json")          # attn-kernelgen's manifest
  o = lib["causal_d64"](q, k, v)               # one kernel, [B, H, N, d] tensors
  o = attn.sdpa(q, k, v, is_causal=True)       # like torch's SDPA, on a loaded kernel
  lib = attn.compile("name=causal_d64,d=64,mask=causal", target="cpu")  # cached
  o = lib["bigbird"](q, k, v, tables=[attn.block_layout(n, n, 64, 64, pred)])

No MLIR is needed at run time: the package carries attn's runtime
(libattnrt), built when it is installed (``pip install ./python``); only
attn.compile needs the compiler, attn-kernelgen. See help(attn.sdpa),
help(attn.load), help(attn.compile) and help(attn.Kernel).
"""
from ._runtime import AttnrtError
from ._library import Kernel, Library, load, loaded_kernels
from . import _ops  # noqa: F401  (registers torch.ops.attn.run, run_out)
from ._sdpa import NoKernelError, sdpa, select_kernel
from ._compile import CompileError, compile, find_kernelgen
from ._merge import merge
from ._tables import block_layout, document_offsets
from .reference import Mask, linear_reference, sdpa_reference

__version__ = "0.1.0"

__all__ = ["AttnrtError", "CompileError", "Kernel", "Library", "Mask", "NoKernelError",
           "block_layout", "compile", "document_offsets", "find_kernelgen", "get_num_threads", "load", "loaded_kernels",
           "linear_reference", "merge", "sdpa", "sdpa_reference", "select_kernel", "set_num_threads"]


def set_num_threads(threads: int) -> None:
    """Threads the CPU kernels use (default: the machine's hardware
    threads); raises AttnrtError outside [1, 4096]."""
    from ._runtime import runtime
    rt = runtime()
    rt.check(rt.lib.attnrt_set_num_threads(int(threads)))


def get_num_threads() -> int:
    """Threads the CPU kernels use."""
    from ._runtime import runtime
    return runtime().lib.attnrt_get_num_threads()
