"""attn.sdpa: torch.nn.functional.scaled_dot_product_attention on attn's
loaded kernels, picking the one that computes what the call asks."""
import math
from typing import List, Optional, Sequence, Tuple, Union

import torch

from ._library import Kernel, loaded_kernels
from ._ops import LIBRARY, forward_only, implement

__all__ = ["NoKernelError", "sdpa", "select_kernel"]


class NoKernelError(LookupError):
    """No loaded kernel computes what an attn.sdpa call asks; the message
    lists what is loaded."""


def _describe(device_type, dtype, d, dv, mask, scale, need_lse) -> str:
    return (f"{device_type} {str(dtype)[6:]}, d={d}, d_v={dv}, mask {mask}, "
            f"scale {scale:.6g}{', with LSE' if need_lse else ''}")


def _mask_matches(kernel: Kernel, is_causal: bool, window) -> bool:
    m = kernel.mask
    if window is not None:
        return m.kind == "window" and [m.left, m.right] == list(window)
    return m.kind == ("causal" if is_causal else "none")


def select_kernel(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, *,
                  is_causal: bool = False, window: Optional[Sequence[int]] = None,
                  scale: Optional[float] = None, need_lse: bool = False) -> Kernel:
    """The loaded kernel attn.sdpa would run for these arguments: same
    device type, dtype, head dims, mask and scale (and an LSE output when
    asked for). Prefers, among the matches, one without an LSE output when
    none is needed (it writes less); then, on the CPU, a decode kernel
    (rows per task 1 to 8) whose tasks hold all of a call's few rows (N_q;
    for a kernel packed by KV head, or at N_q = 1 with GQA and no mask, the
    rows of the query heads that share a KV head), and a flash kernel
    otherwise; then the most recently loaded. Raises NoKernelError listing
    the loaded kernels."""
    d, dv = q.shape[-1], v.shape[-1]
    scale = 1.0 / math.sqrt(d) if scale is None else float(scale)
    matches = [kern for kern in loaded_kernels()
               if not kern.linear and kern.score_mod == "none"
               and kern.device_type == q.device.type and kern.dtype == q.dtype
               and kern.head_dim == d and kern.value_dim == dv
               and _mask_matches(kern, is_causal, window)
               and math.isclose(kern.scale, scale, rel_tol=1e-6)
               and (kern.has_lse or not need_lse)]
    if matches:
        group = q.shape[1] // max(k.shape[1], 1)
        packable = q.shape[2] == 1 and not is_causal and window is None

        def fit(kern):
            """0: a kernel whose tasks suit the rows a task gets; 1: a flash
            kernel for few rows; 2: a decode kernel whose tasks are too small
            (each re-reads K and V)."""
            rows = q.shape[2]
            if kern.pack_gqa or (packable and group > 1):
                rows *= group   # packed as rows (in the kernel, or _sdpa_op)
            r = kern.rows_per_task
            if r is None or r > 8:   # a GPU kernel, or a CPU flash kernel
                return 0 if r is None or rows > 8 else 1
            return 0 if rows <= r else 2
        return min(matches, key=lambda kern: (kern.has_lse and not need_lse, fit(kern)))
    mask = (f"window({window[0]}, {window[1]})" if window is not None
            else "causal" if is_causal else "none")
    wanted = _describe(q.device.type, q.dtype, d, dv, mask, scale, need_lse)
    loaded = "\n  ".join(f"{kern!r} from {kern.library.path}"
                         for kern in loaded_kernels()) or "(none: see attn.load, attn.compile)"
    raise NoKernelError(f"attn.sdpa: no loaded kernel computes {wanted}. Loaded:\n  {loaded}")


def _check_call(q, k, v, is_causal, window, enable_gqa) -> None:
    """What torch's SDPA would refuse, and what attn's kernels cannot do."""
    for name, t in (("query", q), ("key", k), ("value", v)):
        if not isinstance(t, torch.Tensor):
            raise TypeError(f"attn.sdpa: {name} is a {type(t).__name__}, not a torch.Tensor")
        if t.dim() != 4:
            raise ValueError(f"attn.sdpa: {name} has {t.dim()} dimensions; attn takes "
                             "[B, H, N, d] (torch's [B, N, H, d] memory as .transpose(1, 2))")
        if t.dtype != q.dtype:
            raise TypeError(f"attn.sdpa: {name} is {t.dtype}, query {q.dtype}")
        if t.device != q.device:
            raise ValueError(f"attn.sdpa: {name} is on {t.device}, query on {q.device}")
    if q.shape[1] != k.shape[1] and not enable_gqa:
        raise ValueError(f"attn.sdpa: query has {q.shape[1]} heads and key {k.shape[1]}: "
                         "pass enable_gqa=True for grouped-query attention")
    if window is not None:
        if is_causal:
            raise ValueError("attn.sdpa: give is_causal or window, not both "
                             "(a causal window is window=(w - 1, 0))")
        if len(window) != 2 or min(window) < 0:
            raise ValueError(f"attn.sdpa: window={tuple(window)}: expected (left, right) >= 0")
    if is_causal and q.shape[2] != k.shape[2]:
        raise ValueError(
            f"attn.sdpa: is_causal with N_q = {q.shape[2]} != N_kv = {k.shape[2]}: torch "
            "aligns its causal mask top-left, attn's kernels bottom-right (query i "
            "sees keys j <= i + N_kv - N_q); call a causal kernel of attn.load(...) "
            "directly for that")


LIBRARY.define("sdpa(Tensor q, Tensor k, Tensor v, bool is_causal, int[]? window, "
               "float? scale, bool need_lse) -> (Tensor, Tensor)")


def _decode_rows(x: torch.Tensor, heads_kv: int) -> torch.Tensor:
    """[B, H_q, 1, ...] as [B, H_kv, g, ...] by strides: the g query heads
    that share a KV head become the g rows of one head."""
    return x.select(2, 0).unflatten(1, (heads_kv, x.shape[1] // heads_kv))


def _sdpa_op(q, k, v, is_causal, window, scale, need_lse):
    kern = select_kernel(q, k, v, is_causal=is_causal, window=window, scale=scale,
                         need_lse=need_lse)
    kern.check_tensors(q, k, v)
    o, lse = kern.empty_outputs(q)
    run_q, run_o, run_lse = q, o, lse if kern.has_lse else None
    if (q.device.type == "cpu" and q.shape[2] == 1 and q.shape[1] > k.shape[1]
            and kern.mask.kind == "none" and not kern.pack_gqa):
        # CPU decode with GQA: one query row per head. Run the kernel on the query
        # heads of each KV head as the rows of one head (views of q, o and
        # the LSE, nothing copied): each task reads its K and V once instead
        # of once per query head.
        hkv = k.shape[1]
        run_q, run_o = _decode_rows(q, hkv), _decode_rows(o, hkv)
        run_lse = _decode_rows(lse, hkv) if kern.has_lse else None
    kern.run(run_q, k, v, run_o, run_lse, checked=True)
    return o, lse if need_lse else lse.new_empty((0,))


def _sdpa_fake(q, k, v, is_causal, window, scale, need_lse):
    kern = select_kernel(q, k, v, is_causal=is_causal, window=window, scale=scale,
                         need_lse=need_lse)
    kern.check_tensors(q, k, v)
    o, lse = kern.empty_outputs(q)
    return o, lse if need_lse else lse.new_empty((0,))


implement("sdpa", _sdpa_op, _sdpa_fake)


def sdpa(query: torch.Tensor, key: torch.Tensor, value: torch.Tensor,
         attn_mask: Optional[torch.Tensor] = None, dropout_p: float = 0.0,
         is_causal: bool = False, scale: Optional[float] = None,
         enable_gqa: bool = False, *, window: Optional[Tuple[int, int]] = None,
         return_lse: bool = False
         ) -> Union[torch.Tensor, Tuple[torch.Tensor, torch.Tensor]]:
    """Scaled dot-product attention on attn's generated kernels: a drop-in
    for ``torch.nn.functional.scaled_dot_product_attention``.

    query [B, H_q, N_q, d], key [B, H_kv, N_kv, d], value [B, H_kv, N_kv, d_v]
    in torch's index order with any strides whose last (the head dim) is 1:
    torch's [B, N, H, d] memory passes as ``x.transpose(1, 2)``. Returns O
    [B, H_q, N_q, d_v] in query's memory order, or (O, LSE) with
    ``return_lse=True`` (LSE: f32 [B, H_q, N_q], natural log, -inf where a
    row sees no key).

    The kernel is chosen among those loaded (attn.load, attn.compile): the
    device type of the tensors (cpu kernels: float32; nvidia kernels:
    bfloat16 and float16), their dtype, d and d_v, the mask, the scale
    (default 1/sqrt(d), to f32 precision; kernels are compiled for one scale) and, with
    return_lse, an LSE output. No match raises NoKernelError listing what is
    loaded; bad tensors raise TypeError or ValueError naming the tensor; a
    runtime error raises AttnrtError with the runtime's message.

    Masks: is_causal (N_q == N_kv, where torch's top-left and attn's
    bottom-right alignment agree), or ``window=(left, right)``: query i sees
    keys j with i' - left <= j <= i' + right, i' = i + N_kv - N_q.
    enable_gqa: H_q a multiple of H_kv, as in torch. Not supported: attn_mask
    (compile a mask into a kernel instead) and dropout_p > 0; nor autograd
    (forward only). Works under torch.compile (fullgraph) and in CUDA graphs:
    the call is the custom op torch.ops.attn.sdpa; CUDA kernels run on
    torch's current stream.
    """
    if attn_mask is not None:
        raise NotImplementedError("attn.sdpa: attn_mask is not supported; attn compiles "
                                  "masks into kernels (is_causal=, window=)")
    if dropout_p != 0.0:
        raise NotImplementedError("attn.sdpa: dropout_p must be 0 (attn's kernels have "
                                  "no dropout)")
    _check_call(query, key, value, is_causal, window, enable_gqa)
    forward_only("attn.sdpa", query, key, value)
    o, lse = torch.ops.attn.sdpa(query, key, value, bool(is_causal),
                                 None if window is None else [int(w) for w in window],
                                 None if scale is None else float(scale), bool(return_lse))
    return (o, lse) if return_lse else o
