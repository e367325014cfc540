"""The torch custom ops every attn call goes through.

  attn::run(q, k, v, kernel) -> (o, lse)            outputs allocated
  attn::run_out(q, k, v, o!, lse!?, kernel) -> ()   outputs given
  attn::sdpa(...) -> (o, lse)                       (attn._sdpa) picks the kernel

`kernel` is a loaded kernel's handle (attn._library). Each op has a fake
(meta) implementation giving the outputs' shapes, dtypes and strides without
running anything, so torch.compile traces through the op (no graph break)
and CUDA graphs capture the launch, which goes to torch's current stream.
An op with no matching LSE output returns an empty tensor in its place.
"""
from typing import Optional

import torch

from ._library import kernel_by_handle

__all__ = ["LIBRARY", "forward_only", "implement"]


def forward_only(who: str, *tensors) -> None:
    """attn's kernels have no backward: refuse inputs that need one."""
    if torch.is_grad_enabled() and any(
            isinstance(t, torch.Tensor) and t.requires_grad for t in tensors):
        raise NotImplementedError(
            f"{who}: attn's kernels compute the forward pass only, and an input "
            "requires grad; call it under torch.no_grad() or torch.inference_mode()")


# The ops' schemas, defined once here; their implementations are plain
# Python functions on the dispatcher (torch.library.Library: a fraction of
# the per-call cost of the custom_op decorator's wrappers).
LIBRARY = torch.library.Library("attn", "DEF")
LIBRARY.define("run(Tensor q, Tensor k, Tensor v, int kernel) -> (Tensor, Tensor)")
LIBRARY.define("run_out(Tensor q, Tensor k, Tensor v, Tensor(a!) o, Tensor(b!)? lse, "
               "int kernel) -> ()")


def implement(name: str, fn, fake) -> None:
    """Registers `fn` for every backend and `fake` as the meta function of
    op attn::`name`."""
    LIBRARY.impl(name, fn, "CompositeExplicitAutograd")
    torch.library.register_fake(f"attn::{name}", fake, lib=LIBRARY)


def run(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, kernel: int):
    kern = kernel_by_handle(kernel)
    kern.check_tensors(q, k, v)
    o, lse = kern.empty_outputs(q)
    kern.run(q, k, v, o, lse if kern.has_lse else None, checked=True)
    return o, lse


def _run_fake(q, k, v, kernel):
    kern = kernel_by_handle(kernel)
    kern.check_tensors(q, k, v)
    return kern.empty_outputs(q)


def run_out(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, o: torch.Tensor,
            lse: Optional[torch.Tensor], kernel: int) -> None:
    kernel_by_handle(kernel).run(q, k, v, o, lse)


def _run_out_fake(q, k, v, o, lse, kernel):
    kernel_by_handle(kernel).check_tensors(q, k, v, o, lse)


implement("run", run, _run_fake)
implement("run_out", run_out, _run_out_fake)
