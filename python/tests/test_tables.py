"""Masks with run-time tables from Python: attn.block_layout and
attn.document_offsets build them (never N×N), kernels of #attn.block_sparse
and #attn.document masks take them, and the runtime refuses bad ones by
name. Results against a float64 reference with the dense mask the tables
describe."""
import math

import pytest
import torch

import attn
from conftest import kernelgen

SPECS = [
    "name=bigbird,d=32,mask=#attn.union<[#attn.window<left = 8, right = 8>, "
    "#attn.global<tokens = 2>, #attn.block_sparse<block_q = 16, block_k = 32>]>,lse",
    "name=layout_bh,d=64,mask=#attn.block_sparse<block_q = 64, block_k = 64>",
    "name=docs,d=64,mask=#attn.intersect<[#attn.document, #attn.causal]>,lse",
    "name=docs_decode,d=64,mask=#attn.document,rows=4",
    "name=cache,d=64,mask=#attn.key_lengths,rows=4,pack_gqa,lse",
]


@pytest.fixture(scope="module")
def lib(tmp_path_factory):
    if not kernelgen():
        pytest.skip("no attn-kernelgen here")
    return attn.compile(SPECS, target="cpu", kernelgen=kernelgen(),
                        cache_dir=str(tmp_path_factory.mktemp("tables")))


def reference(q, k, v, allowed):
    """float64 attention under a boolean [B or 1, H or 1, N_q, N_kv] mask;
    rows without a key give 0 and LSE -inf."""
    q, k, v = (t.double() for t in (q, k, v))
    group = q.shape[1] // k.shape[1]
    k, v = k.repeat_interleave(group, 1), v.repeat_interleave(group, 1)
    s = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
    s = s.masked_fill(~allowed, -math.inf)
    lse = torch.logsumexp(s, -1)
    p = torch.exp(s - lse[..., None]).nan_to_num(0.0)
    return p @ v, lse


def layout_mask(layout, n_q, n_kv, bq, bk):
    qb = torch.arange(n_q) // bq
    kb = torch.arange(n_kv) // bk
    return layout[..., qb[:, None], kb[None, :]] != 0


def document_mask(offsets, n_q, n_kv):
    """allowed[b, 0, i, j]: position i + n_kv - n_q and key j in one document."""
    def doc(pos, o):
        d = torch.searchsorted(o[..., 1:].contiguous(), pos.expand(*o.shape[:-1], -1),
                               right=True)
        return torch.where(pos < o[..., -1:], d, -1)
    o = offsets.long().reshape(-1, offsets.shape[-1])
    pos = (torch.arange(n_q) + n_kv - n_q)[None, :]
    dq, dk = doc(pos, o), doc(torch.arange(n_kv)[None, :], o)
    return ((dq[:, :, None] == dk[:, None, :]) & (dq[:, :, None] >= 0))[:, None]


def close(got, want, tol=1e-5):
    err = (got.double() - want).norm() / want.norm().clamp_min(1e-300)
    assert err < tol, err


def test_helpers():
    layout = attn.block_layout(100, 70, 32, 16, lambda qb, kb: kb <= qb)
    assert layout.dtype == torch.int32 and layout.shape == (4, 5)
    assert layout.tolist()[1] == [1, 1, 0, 0, 0]
    assert attn.block_layout(10, 10, 4, 4).sum() == 9
    assert attn.document_offsets([3, 0, 5]).tolist() == [0, 3, 3, 8]
    assert attn.document_offsets([[1, 2], [3, 4]]).tolist() == [[0, 1, 3], [0, 3, 7]]
    with pytest.raises(ValueError, match="expected \\(4, 5\\) blocks"):
        attn.block_layout(100, 70, 32, 16, torch.ones(3, 5, dtype=torch.bool))
    with pytest.raises(ValueError, match=">= 0"):
        attn.document_offsets([3, -1])


@pytest.mark.parametrize("n_q,n_kv,threads", [(77, 77, 3), (300, 517, 2), (1, 700, 1)])
def test_bigbird(lib, n_q, n_kv, threads):
    torch.manual_seed(n_q)
    attn.set_num_threads(threads)
    q = torch.randn(2, 4, n_q, 32)
    k, v = torch.randn(2, 2, n_kv, 32), torch.randn(2, 2, n_kv, 32)
    layout = attn.block_layout(n_q, n_kv, 16, 32, torch.rand(math.ceil(n_q / 16),
                                                             math.ceil(n_kv / 32)) < 0.2)
    o, lse = lib["bigbird"](q, k, v, tables=[layout])
    pos = torch.arange(n_q)[:, None] + n_kv - n_q
    j = torch.arange(n_kv)[None, :]
    allowed = ((j - pos).abs() <= 8) | (j < 2) | (pos < 2) | layout_mask(layout, n_q, n_kv, 16, 32)
    want_o, want_lse = reference(q, k, v, allowed)
    close(o, want_o)
    assert torch.equal(torch.isinf(lse), torch.isinf(want_lse))
    close(lse.nan_to_num(0, 0, 0), want_lse.nan_to_num(0, 0, 0))


def test_layout_per_head_and_torch_memory(lib):
    torch.manual_seed(1)
    B, H, N = 2, 4, 200
    q, k, v = (torch.randn(B, N, H, 64).transpose(1, 2) for _ in range(3))
    layout = (torch.rand(B, H, 4, 4) < 0.4).to(torch.int32)
    o = lib["layout_bh"](q, k, v, tables=[layout])
    want, _ = reference(q, k, v, layout_mask(layout, N, N, 64, 64))
    close(o, want)


@pytest.mark.parametrize("kernel", ["docs", "docs_decode"])
def test_documents(lib, kernel):
    torch.manual_seed(2)
    n_q, n_kv = (300, 300) if kernel == "docs" else (3, 700)
    q = torch.randn(2, 4, n_q, 64)
    k, v = torch.randn(2, 2, n_kv, 64), torch.randn(2, 2, n_kv, 64)
    # Per-batch offsets: three documents, then positions in none.
    offsets = attn.document_offsets([[100, 0, n_kv - 150], [n_kv // 2, 7, 3]])
    out = lib[kernel](q, k, v, tables=[offsets])
    allowed = document_mask(offsets, n_q, n_kv)
    if kernel == "docs":
        pos = torch.arange(n_q)[:, None] + n_kv - n_q
        allowed = allowed & (torch.arange(n_kv)[None, :] <= pos)
    want_o, _ = reference(q, k, v, allowed)
    close(out[0] if isinstance(out, tuple) else out, want_o)


def test_key_lengths(lib):
    """A batch of sequences in a KV cache of 700 slots, each filled to its
    own length (one empty: output 0, LSE -inf)."""
    torch.manual_seed(3)
    n_kv = 700
    q = torch.randn(4, 8, 1, 64)
    k, v = torch.randn(4, 2, n_kv, 64), torch.randn(4, 2, n_kv, 64)
    lengths = torch.tensor([700, 1, 0, 333], dtype=torch.int32)
    o, lse = lib["cache"](q, k, v, tables=[lengths])
    allowed = (torch.arange(n_kv)[None, :] < lengths[:, None].long())[:, None, None, :]
    want_o, want_lse = reference(q, k, v, allowed)
    close(o, want_o)
    assert torch.equal(torch.isinf(lse), torch.isinf(want_lse))
    close(lse.nan_to_num(0, 0, 0), want_lse.nan_to_num(0, 0, 0))
    with pytest.raises(attn.AttnrtError, match="tables\\[0\\] \\(key_lengths\\): batch 1 has 701"):
        lib["cache"](q, k, v, tables=[torch.tensor([7, 701, 0, 0], dtype=torch.int32)])


def test_bad_tables(lib):
    q, k, v = torch.randn(1, 2, 50, 64), torch.randn(1, 2, 50, 64), torch.randn(1, 2, 50, 64)
    kern = lib["docs"]
    with pytest.raises(ValueError, match="reads 1 run-time table"):
        kern(q, k, v)
    with pytest.raises(TypeError, match="tables\\[0\\] \\(document_offsets\\) must be an int32"):
        kern(q, k, v, tables=[torch.tensor([0, 50])])
    o, lse = kern.empty_outputs(q)
    o.fill_(7.0)
    bad = torch.tensor([0, 30, 20], dtype=torch.int32)
    with pytest.raises(attn.AttnrtError, match="tables\\[0\\] \\(document_offsets\\)"):
        kern(q, k, v, o=o, lse=lse, tables=[bad])
    assert (o == 7.0).all()
    with pytest.raises(attn.AttnrtError, match="size 0 must be 1"):
        lib["layout_bh"](q, k, v, tables=[torch.ones(2, 1, dtype=torch.int32)])
