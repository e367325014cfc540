"""attn.merge: parts of attention over disjoint keys combine to the whole."""
import math

import pytest
import torch

import attn


def test_merge_of_key_parts_is_the_whole(compiled_cpu_lib):
    kern = compiled_cpu_lib["t_d16_scaled"]  # no mask, scale 0.3, with LSE
    g = torch.Generator().manual_seed(11)
    q = torch.randn(2, 4, 20, 16, generator=g)
    k, v = (torch.randn(2, 2, 38, 16, generator=g) for _ in range(2))
    parts = [kern(q, k[:, :, a:b], v[:, :, a:b]) for a, b in ((0, 7), (7, 37), (37, 38))]
    o, lse = attn.merge([p[0] for p in parts], [p[1] for p in parts])
    ref_o, ref_lse = attn.sdpa_reference(q, k, v, scale=0.3)
    assert (o.double() - ref_o).norm() / ref_o.norm() <= 1e-5
    assert (lse.double() - ref_lse).abs().max() <= 1e-5 * ref_lse.abs().max()


def shards_merged(full, diagonal, q, k, v, shards, causal, device):
    """Ring attention's arithmetic on one device: the keys split into `shards`
    contiguous shards, each shard's (O, LSE) from the kernels, merged by
    attn.merge. Non-causal: each shard through `full` (an unmasked kernel
    with an LSE). Causal (N_q = N_kv): the rows in a shard's span see its keys
    through `diagonal` (a causal kernel with an LSE), the rows after it
    through `full`, the rows before it none."""
    B, Hq, N, dv = q.shape[0], q.shape[1], q.shape[2], v.shape[3]

    def run(kern, rows, keys):
        return kern(*(t.to(device, kern.dtype) for t in (rows, *keys)))
    outputs, lses = [], []
    bounds = [N * s // shards for s in range(shards + 1)]
    for lo, hi in zip(bounds, bounds[1:]):
        kv = (k[:, :, lo:hi], v[:, :, lo:hi])
        if not causal:
            o, lse = run(full, q, kv)
            outputs.append(o.float()), lses.append(lse)
            continue
        o = torch.zeros(B, Hq, N, dv, device=device)
        lse = torch.full((B, Hq, N), float("-inf"), device=device)
        o[:, :, lo:hi], lse[:, :, lo:hi] = run(diagonal, q[:, :, lo:hi], kv)
        if hi < N:
            o[:, :, hi:], lse[:, :, hi:] = run(full, q[:, :, hi:], kv)
        outputs.append(o), lses.append(lse)
    return attn.merge(outputs, lses)


def check_shards(full, diagonal, d, shards, causal, device, tol):
    """shards_merged on fresh inputs (N = 1000, GQA 4:2) against float64."""
    gen = torch.Generator().manual_seed(shards)
    q, k, v = (torch.randn(1, h, 1000, d, generator=gen) for h in (4, 2, 2))
    o, lse = shards_merged(full, diagonal, q, k, v, shards, causal, device)
    ref_o, ref_lse = attn.sdpa_reference(
        q, k, v, mask=attn.Mask("causal") if causal else attn.Mask())
    assert not torch.isnan(o).any()
    err = (o.cpu().double() - ref_o).norm() / ref_o.norm()
    assert err <= tol, f"O rel err {err:.3g}"
    lse_err = (lse.cpu().double() - ref_lse).abs().max()
    assert lse_err <= tol * max(1.0, ref_lse.abs().max().item()), f"LSE err {lse_err:.3g}"


@pytest.mark.parametrize("causal", [False, True], ids=["full", "causal"])
@pytest.mark.parametrize("shards", [1, 2, 3, 7, 16])
def test_kv_shards_merge(compiled_cpu_lib, shards, causal):
    """Ring attention's arithmetic on the CPU kernels (f32)."""
    check_shards(compiled_cpu_lib["t_d64_lse"], compiled_cpu_lib["t_d64_causal_lse"], 64,
                 shards, causal, "cpu", 1e-5)


def test_merge_rows_no_part_saw():
    o = torch.randn(1, 2, 3, 8)
    seen = torch.tensor([0.5, -math.inf, 1.0]).expand(1, 2, 3)
    unseen = torch.full((1, 2, 3), -math.inf)
    merged, lse = attn.merge([o, torch.zeros_like(o)], [seen, unseen])
    assert torch.equal(merged[:, :, 1], torch.zeros(1, 2, 8))
    assert torch.isneginf(lse[:, :, 1]).all()
    assert torch.allclose(merged[:, :, 0], o[:, :, 0]) and torch.allclose(lse[:, :, 2], seen[:, :, 2])


def test_merge_keeps_nan():
    o = torch.randn(1, 1, 2, 4)
    lse = torch.tensor([[[float("nan"), 0.0]]])
    merged, out_lse = attn.merge([o, o], [lse, torch.zeros(1, 1, 2)])
    assert torch.isnan(merged[0, 0, 0]).all() and torch.isnan(out_lse[0, 0, 0])
    assert not torch.isnan(merged[0, 0, 1]).any()


@pytest.mark.parametrize("outputs, lses, message", [
    ([], [], "0 outputs and 0 LSEs"),
    ([torch.zeros(1, 1, 2, 4)], [], "1 outputs and 0 LSEs"),
    ([torch.zeros(1, 1, 2, 4)], [torch.zeros(1, 1, 3)], "each LSE must be a float"),
    ([torch.zeros(1, 1, 2, 4), torch.zeros(1, 1, 2, 5)], [torch.zeros(1, 1, 2)] * 2,
     "every output must have the first's shape"),
    ([torch.zeros(2, 4)], [torch.zeros(2)], "outputs are [B, H, N, d_v]"),
])
def test_merge_rejects(outputs, lses, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[")):
        attn.merge(outputs, lses)


@pytest.mark.parametrize("heads_q, heads_kv, layout", [(8, 2, "bhnd"), (8, 1, "bnhd"),
                                                         (4, 4, "bnhd")])
def test_decode_gqa_rows(compiled_cpu_lib, heads_q, heads_kv, layout):
    """attn.sdpa at N_q = 1 with GQA runs the query heads of a KV head as the
    rows of one head (views by strides): the same result as head by head."""
    kern = compiled_cpu_lib["t_d16_scaled"]  # no mask, LSE
    g = torch.Generator().manual_seed(heads_q + heads_kv)

    def make(h, n):
        x = torch.randn(2, n, h, 16, generator=g)
        return x.transpose(1, 2) if layout == "bnhd" else x.transpose(1, 2).contiguous()
    q, k, v = make(heads_q, 1), make(heads_kv, 70), make(heads_kv, 70)
    o, lse = attn.sdpa(q, k, v, scale=0.3, enable_gqa=True, return_lse=True)
    ref_o, ref_lse = attn.sdpa_reference(q, k, v, scale=0.3)
    assert o.shape == (2, heads_q, 1, 16) and lse.shape == (2, heads_q, 1)
    assert (o.double() - ref_o).norm() / ref_o.norm() <= 1e-5
    assert (lse.double() - ref_lse).abs().max() <= 1e-5 * ref_lse.abs().max()
    assert attn.select_kernel(q, k, v, scale=0.3, need_lse=True) is kern


@pytest.mark.parametrize("heads_q, heads_kv, n_q, picked", [
    (8, 2, 1, "t_d16_decode"),    # 4 query heads of a KV head packed as rows
    (2, 2, 3, "t_d16_decode"),    # speculative decoding: 3 rows a head
    (16, 2, 1, "t_d16_flash"),    # 8 packed rows: more than the 4-row tasks hold
    (2, 1, 40, "t_d16_flash"),    # prefill
])
def test_decode_kernel_is_picked(compiled_cpu_lib, heads_q, heads_kv, n_q, picked):
    """attn.sdpa on the CPU runs a decode kernel (rows per task <= 8) when its
    tasks hold a call's rows, the flash kernel otherwise; both exact."""
    g = torch.Generator().manual_seed(heads_q * n_q)
    q = torch.randn(1, heads_q, n_q, 16, generator=g)
    k, v = (torch.randn(1, heads_kv, 90, 16, generator=g) for _ in range(2))
    assert attn.select_kernel(q, k, v, scale=0.25).name == picked
    o, lse = attn.sdpa(q, k, v, scale=0.25, enable_gqa=True, return_lse=True)
    ref_o, ref_lse = attn.sdpa_reference(q, k, v, scale=0.25)
    assert (o.double() - ref_o).norm() / ref_o.norm() <= 1e-5
    assert (lse.double() - ref_lse).abs().max() <= 1e-5 * ref_lse.abs().max()
