"""What attn's kernels compute, in float64 torch: masks as predicates and a
reference attention, for tests and for checking a kernel on your own data.

Masks are bottom-right aligned, like the attn dialect's: query row i sits at
key position i' = i + N_kv - N_q (with N_q == N_kv, causal is the usual
lower triangle).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional, Tuple

import torch

__all__ = ["Mask", "sdpa_reference"]


@dataclass(frozen=True)
class Mask:
    """A kernel's mask: ``kind`` is "none", "causal", "window" (``left`` and
    ``right`` keys around i') or "other" (a mask this package has no
    predicate for; ``text`` is the attribute as the manifest prints it)."""

    kind: str = "none"
    left: Optional[int] = None
    right: Optional[int] = None
    text: str = "none"

    @staticmethod
    def from_manifest(entry: dict) -> "Mask":
        info = entry.get("mask_info", {"kind": "other"})
        return Mask(info["kind"], info.get("left"), info.get("right"),
                    entry.get("mask", "none"))

    def allowed(self, seq_q: int, seq_kv: int, device=None,
                rows: Optional[torch.Tensor] = None) -> Optional[torch.Tensor]:
        """Boolean [len(rows), seq_kv] (rows: every query row by default),
        True where the key may be attended; None for no mask."""
        if self.kind == "none":
            return None
        if rows is None:
            rows = torch.arange(seq_q, device=device)
        pos = (rows + (seq_kv - seq_q))[:, None]
        j = torch.arange(seq_kv, device=rows.device)[None, :]
        if self.kind == "causal":
            return j <= pos
        if self.kind == "window":
            return (j >= pos - self.left) & (j <= pos + self.right)
        raise ValueError(f"mask {self.text}: no predicate for it in attn.reference "
                         "(it knows none, causal and window)")

    def __str__(self) -> str:
        if self.kind == "window":
            return f"window({self.left}, {self.right})"
        return self.kind if self.kind != "other" else self.text


def sdpa_reference(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, *,
                   mask: Mask = Mask(), scale: Optional[float] = None
                   ) -> Tuple[torch.Tensor, torch.Tensor]:
    """(O, LSE) in float64 for [B, H, N, d] tensors (any layout, GQA: query
    head h reads key head h // (H_q / H_kv)). LSE is the natural log of the
    row's sum of exp(scale * q.k); a row with no allowed key has O = 0 and
    LSE = -inf."""
    B, Hq, Nq, d = q.shape
    Hkv, Nkv = k.shape[1], k.shape[2]
    scale = 1.0 / math.sqrt(d) if scale is None else scale
    group = Hq // Hkv
    qd = q.double()
    kd = k.double().repeat_interleave(group, dim=1)
    vd = v.double().repeat_interleave(group, dim=1)
    s = (qd @ kd.transpose(-1, -2)) * scale
    allowed = mask.allowed(Nq, Nkv, device=q.device)
    if allowed is not None:
        s = s.masked_fill(~allowed, float("-inf"))
    lse = torch.logsumexp(s, dim=-1)
    # a row with no allowed key: exp(-inf - 0) = 0 (NaN inputs stay NaN)
    p = torch.exp(s - lse[..., None].masked_fill(torch.isinf(lse)[..., None], 0.0))
    return p @ vd, lse


_FEATURE_MAPS = {
    "identity": lambda x: x,
    "elu_plus_one": lambda x: torch.nn.functional.elu(x) + 1,
    "relu": torch.relu,
}


def _favor_features(x: torch.Tensor, projection: torch.Tensor, keys: bool) -> torch.Tensor:
    """FAVOR+'s φ(x)_f = m^(-1/2)·exp(ω_fᵀx̂ − ‖x̂‖²/2 − shift), x̂ = x·d^(−1/4), as
    attn.linear stabilises it: a query row shifted by its own largest
    exponent, keys by the largest of their (batch, head)."""
    xs = x * x.shape[-1] ** -0.25
    e = xs @ projection.double().to(x.device) - 0.5 * (xs * xs).sum(-1, keepdim=True)
    shift = e.amax(dim=(-2, -1), keepdim=True) if keys else e.amax(-1, keepdim=True)
    return torch.exp(e - shift) / projection.shape[1] ** 0.5


def linear_reference(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, *,
                     feature_map: str = "elu_plus_one", causal: bool = False,
                     eps: float = 1e-6, projection: Optional[torch.Tensor] = None) -> torch.Tensor:
    """attn.linear in float64, as the quadratic form: O_i = Σ_j a_ij v_j /
    (Σ_j a_ij + eps) with a_ij = φ(q_i)·φ(k_j) over every key, or, causal,
    keys j <= i + N_kv - N_q. [B, H, N, d] tensors, GQA as sdpa_reference.
    favor_plus takes its projection ω [d, m] (a FAVOR+ kernel's
    ``Kernel.projection``)."""
    if feature_map not in _FEATURE_MAPS and feature_map != "favor_plus":
        raise ValueError(f"linear_reference: feature map {feature_map!r} is not one of "
                         f"{list(_FEATURE_MAPS) + ['favor_plus']}")
    if (feature_map == "favor_plus") != (projection is not None):
        raise ValueError("linear_reference: a projection goes with favor_plus, and only there")
    Hq, Nq, Hkv, Nkv = q.shape[1], q.shape[2], k.shape[1], k.shape[2]
    group = Hq // Hkv
    if projection is not None:
        fq = _favor_features(q.double(), projection, keys=False)
        fk = _favor_features(k.double(), projection, keys=True)
    else:
        fq, fk = _FEATURE_MAPS[feature_map](q.double()), _FEATURE_MAPS[feature_map](k.double())
    a = fq @ fk.repeat_interleave(group, dim=1).transpose(-1, -2)
    if causal:
        a = a * Mask("causal").allowed(Nq, Nkv, device=q.device)
    return (a @ v.double().repeat_interleave(group, dim=1)) / (a.sum(-1, keepdim=True) + eps)
