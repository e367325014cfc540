"""Run-time mask tables: what a kernel whose mask is #attn.block_sparse or
#attn.document reads, built without anything of size N×N.

  layout = attn.block_layout(n_q, n_kv, 128, 128, lambda qb, kb: kb <= qb)
  offsets = attn.document_offsets([300, 212, 512])
  o = lib["bigbird_d64"](q, k, v, tables=[layout])

Both give int32 tensors, the type the runtime takes; the runtime checks
every table (shape, strides, offsets monotone and within N_kv) before a
kernel runs and names the one that is wrong.
"""
from typing import Callable, Sequence, Union

import torch

__all__ = ["block_layout", "document_offsets"]


def _blocks(n: int, block: int, what: str) -> int:
    if n < 1 or block < 1:
        raise ValueError(f"block_layout: {what} and its block must be >= 1, got {n} and {block}")
    return (n + block - 1) // block


def block_layout(seq_q: int, seq_kv: int, block_q: int, block_k: int,
                 allowed: Union[Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
                                torch.Tensor, None] = None,
                 *, device=None) -> torch.Tensor:
    """The layout table of ``#attn.block_sparse<block_q, block_k>``:
    int32 [⌈seq_q / block_q⌉, ⌈seq_kv / block_k⌉], 1 where the block of
    queries × keys is attended.

    ``allowed`` is a per-block predicate, called once on broadcast block
    indices ``qb`` [QB, 1] and ``kb`` [1, KB] (int64 tensors) and returning
    booleans (or 0/1) of [QB, KB], e.g. ``lambda qb, kb: kb <= qb`` (causal
    by blocks) or ``lambda qb, kb: (kb - qb).abs() <= 2``; or a boolean
    tensor of that shape (a random BigBird layout); None: every block."""
    qbs, kbs = _blocks(seq_q, block_q, "seq_q"), _blocks(seq_kv, block_k, "seq_kv")
    if allowed is None:
        return torch.ones(qbs, kbs, dtype=torch.int32, device=device)
    if isinstance(allowed, torch.Tensor):
        blocks = allowed
    else:
        qb = torch.arange(qbs, device=device)[:, None]
        kb = torch.arange(kbs, device=device)[None, :]
        blocks = torch.as_tensor(allowed(qb, kb), device=device)
    try:
        blocks = torch.broadcast_to(blocks, (qbs, kbs))
    except RuntimeError:
        raise ValueError(f"block_layout: the predicate gave shape {tuple(blocks.shape)}, "
                         f"expected ({qbs}, {kbs}) blocks") from None
    return (blocks != 0).to(torch.int32).contiguous()


def document_offsets(lengths: Union[Sequence[int], torch.Tensor], *,
                     device=None) -> torch.Tensor:
    """The offsets table of ``#attn.document`` for documents of these
    lengths packed in order: int32 [D + 1], 0 = o_0 ≤ o_1 ≤ ... ≤ o_D (the
    packed length). A [B, D] tensor of lengths gives [B, D + 1]."""
    lengths = torch.as_tensor(lengths, dtype=torch.int64, device=device)
    if lengths.dim() not in (1, 2):
        raise ValueError(f"document_offsets: lengths must be [D] or [B, D], got "
                         f"{tuple(lengths.shape)}")
    if (lengths < 0).any():
        raise ValueError("document_offsets: lengths must be >= 0")
    zero = torch.zeros(*lengths.shape[:-1], 1, dtype=torch.int64, device=lengths.device)
    offsets = torch.cat([zero, lengths.cumsum(-1)], dim=-1)
    if offsets.numel() and offsets.max() > torch.iinfo(torch.int32).max:
        raise ValueError("document_offsets: the packed length exceeds int32")
    return offsets.to(torch.int32).contiguous()
