"""Runs attn's generated GPU kernels from Python, for bench/gpu_check.py and
bench/gpu_bench.py, through the attn package (python/attn): the runtime's
structs and statuses come from there (the runtime's own description of
itself), none are mirrored here.

  rt = Runtime("kernels-generated/nvidia/attn_gpu_kernels.json")
  kern = rt.kernels["sdpa_d128_bf16_causal"]       # an attn.Kernel
  o, lse = rt.alloc_outputs(kern, q, k)            # or your own tensors
  rt.run(kern, q, k, v, o, lse)                    # raises attn.AttnrtError
  status, message = rt.call(kern, rt.make_args(kern, q, k, v, o, lse))

The runtime is the package's (built by pip install ./python), or the one in
$ATTN_RUNTIME_DIR. Tensors are [B, H, N, d] in index order with any strides
(torch's [B, N, H, d] memory is q.transpose(1, 2)). make_args/call/
check_only are the raw runtime, unchecked, for the tests of its own
argument errors; run checks the tensors first.
"""
import os
import sys

import torch

try:
    import attn
except ImportError:   # not installed: the source tree's (needs ATTN_RUNTIME_DIR)
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))), "python"))
    import attn

AttnrtError = attn.AttnrtError
# ATTNRT_OK, ATTNRT_ERROR_* as the runtime numbers them
STATUSES = attn._runtime.runtime().status
globals().update(STATUSES)
STATUS_NAMES = {value: name for name, value in STATUSES.items()}


class Runtime:
    """The kernels of one nvidia manifest, through the attn package."""

    def __init__(self, manifest_path):
        self.library = attn.load(manifest_path)
        if self.library.target != "nvidia":
            raise ValueError(f"{manifest_path}: target {self.library.target!r} is not nvidia")
        self.manifest_path = self.library.path
        self.manifest = self.library.manifest
        self.kernels = dict(self.library.kernels)
        self.image_kind = self.library.image_kind
        self.image_path = self.library.image_path

    def kernel(self, kernel):
        return self.kernels[kernel] if isinstance(kernel, str) else kernel

    def make_args(self, kernel, q, k, v, o, lse):
        """The runtime's argument struct, unchecked (the runtime checks)."""
        return self.kernel(kernel).make_args(q, k, v, o, lse)

    def call(self, kernel, args, stream=None):
        """attnrt_sdpa_cuda on prepared arguments: (status, message)."""
        return self.kernel(kernel).call(args, stream)

    def check_only(self, kernel, args):
        """attnrt_sdpa_cuda_check: validation only, no CUDA call."""
        return self.kernel(kernel).check_only(args)

    def run(self, kernel, q, k, v, o, lse=None, stream=None):
        """Checks the tensors and launches on `stream` (default: torch's
        current); raises AttnrtError on a non-OK status."""
        self.kernel(kernel).run(q, k, v, o, lse, stream)
        return o, lse

    def alloc_outputs(self, kernel, q, k, fill=float("nan")):
        """o (q's memory order) and lse (None when the kernel has none),
        filled with `fill`."""
        kernel = self.kernel(kernel)
        o, lse = kernel.empty_outputs(q)
        o.fill_(fill)
        lse.fill_(fill)
        return o, (lse if kernel.has_lse else None)
