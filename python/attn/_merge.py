"""attn.merge: partial attention results combined exactly by their LSEs, as
the attn.merge op defines it (split-KV, ring attention)."""
from typing import Sequence, Tuple

import torch

__all__ = ["merge"]


def merge(outputs: Sequence[torch.Tensor], lses: Sequence[torch.Tensor]
          ) -> Tuple[torch.Tensor, torch.Tensor]:
    """(O, LSE) of attention over the union of disjoint key sets from each
    set's (Oᵢ [B, H, N, d_v], LSEᵢ [B, H, N] f32):

        LSE = log Σᵢ exp(LSEᵢ),   O = Σᵢ exp(LSEᵢ − LSE) · Oᵢ

    A part whose row saw no key (LSEᵢ = −inf) contributes nothing; a row no
    part saw gives O = 0 and LSE = −inf. Computed in float32 (float64 for
    float64 parts); O has the parts' dtype."""
    if len(outputs) == 0 or len(outputs) != len(lses):
        raise ValueError(f"attn.merge: {len(outputs)} outputs and {len(lses)} LSEs: "
                         "expected at least one part and one LSE per output")
    first = outputs[0]
    if first.dim() != 4:
        raise ValueError(f"attn.merge: outputs are [B, H, N, d_v], got {tuple(first.shape)}")
    for o, lse in zip(outputs, lses):
        if o.shape != first.shape or o.dtype != first.dtype or o.device != first.device:
            raise ValueError("attn.merge: every output must have the first's shape, dtype "
                             f"and device; got {tuple(o.shape)} {o.dtype} on {o.device}")
        if lse.shape != first.shape[:3] or not lse.is_floating_point():
            raise ValueError(f"attn.merge: each LSE must be a float [B, H, N] = "
                             f"{tuple(first.shape[:3])}, got {tuple(lse.shape)} {lse.dtype}")
    work = torch.float64 if first.dtype == torch.float64 else torch.float32
    stacked = torch.stack([lse.to(work) for lse in lses])
    lse = torch.logsumexp(stacked, dim=0)  # −inf where every part is −inf
    # Rows no part saw: weights 0, not exp(−inf − (−inf)) = NaN (a NaN LSE
    # still gives NaN).
    weights = torch.where(torch.isneginf(lse), 0.0, torch.exp(stacked - lse))
    o = sum(w[..., None] * part.to(work) for w, part in zip(weights, outputs))
    return o.to(first.dtype), lse
