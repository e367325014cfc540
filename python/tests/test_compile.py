"""attn.compile: specs and MLIR text, the cache, torch.compile over the ops."""
import os

import pytest
import torch

import attn
from conftest import kernelgen

MLIR = """
func.func @from_mlir(%q: tensor<?x?x?x32xf32>, %k: tensor<?x?x?x32xf32>,
                     %v: tensor<?x?x?x32xf32>) -> tensor<?x?x?x32xf32> {
  %o = attn.sdpa %q, %k, %v mask(#attn.causal) : tensor<?x?x?x32xf32>,
       tensor<?x?x?x32xf32>, tensor<?x?x?x32xf32> -> tensor<?x?x?x32xf32>
  return %o : tensor<?x?x?x32xf32>
}
"""


@pytest.fixture
def exe():
    if not kernelgen():
        pytest.skip("no attn-kernelgen here")
    return kernelgen()


def test_cache_hit(tmp_path, exe):
    first = attn.compile("name=c_d8,d=8,lse", cache_dir=str(tmp_path), kernelgen=exe)
    assert not first.cache_hit
    entries = os.listdir(tmp_path)
    again = attn.compile("name=c_d8,d=8,lse", cache_dir=str(tmp_path), kernelgen=exe)
    assert again.cache_hit and again is first and os.listdir(tmp_path) == entries
    other = attn.compile("name=c_d8,d=8,lse", cache_dir=str(tmp_path), kernelgen=exe,
                         options={"tile_kv": 32})
    assert not other.cache_hit and len(os.listdir(tmp_path)) == 2
    assert other.manifest["target"]["pipeline"].startswith("attn-to-cpu-pipeline{tile-kv=32")


def test_mlir_text(tmp_path, exe):
    lib = attn.compile(MLIR, cache_dir=str(tmp_path), kernelgen=exe, name="mine")
    kern = lib["from_mlir"]
    assert kern.mask.kind == "causal" and kern.head_dim == 32
    g = torch.Generator().manual_seed(2)
    q, k, v = (torch.randn(2, 3, 29, 32, generator=g) for _ in range(3))
    o = kern(q, k, v)
    ref, _ = attn.sdpa_reference(q, k, v, mask=kern.mask)
    assert (o.double() - ref).norm() / ref.norm() <= 1e-5


class Block(torch.nn.Module):
    """Attention in a module, in torch's [B, N, H, d] layout."""

    def __init__(self, heads, d, causal):
        super().__init__()
        self.heads, self.causal = heads, causal
        self.qkv = torch.nn.Linear(heads * d, 3 * heads * d)
        self.out = torch.nn.Linear(heads * d, heads * d)

    def forward(self, x, sdpa):
        B, N, _ = x.shape
        q, k, v = self.qkv(x).view(B, N, 3, self.heads, -1).unbind(2)
        o = sdpa(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2),
                 is_causal=self.causal)
        return self.out(o.transpose(1, 2).reshape(B, N, -1))


def _compiled_matches_eager(device, dtype, d, causal, tol):
    torch.manual_seed(0)
    block = Block(4, d, causal).to(device=device, dtype=dtype)
    x = torch.randn(2, 50, 4 * d, device=device, dtype=dtype)
    compiled = torch.compile(block, fullgraph=True)
    with torch.no_grad():
        want = block(x, torch.nn.functional.scaled_dot_product_attention)
        eager = block(x, attn.sdpa)
        got = compiled(x, attn.sdpa)
    for o in (eager, got):
        err = (o.double() - want.double()).norm() / want.double().norm()
        assert err <= tol, f"rel err {err:.3g}"


@pytest.mark.parametrize("causal", [False, True])
def test_torch_compile_cpu(cpu_lib, causal):
    torch._dynamo.reset()
    _compiled_matches_eager("cpu", torch.float32, 64, causal, 1e-5)


def test_torch_compile_out_variant(cpu_lib):
    """The mutating op (outputs given) under torch.compile."""
    kern = cpu_lib["sdpa_d64_causal"]

    def f(q, k, v):
        o = torch.empty_like(q)
        lse = torch.empty(q.shape[:3])
        kern(q, k, v, o=o, lse=lse)
        return o * 2, lse

    g = torch.Generator().manual_seed(4)
    q, k, v = (torch.randn(1, 2, 33, 64, generator=g) for _ in range(3))
    o, lse = torch.compile(f, fullgraph=True)(q, k, v)
    want_o, want_lse = kern(q, k, v)
    assert torch.allclose(o, 2 * want_o) and torch.allclose(lse, want_lse)


def _score_mod_reference(q, k, v, *, causal, alibi=None, cap=None):
    """O in float64 with ALiBi (max_bias) or soft-capping applied to the
    scaled scores before the mask, as attn's score mods define them."""
    Hq, Nq, d = q.shape[1], q.shape[2], q.shape[3]
    Nk = k.shape[2]
    group = Hq // k.shape[1]
    kd = k.double().repeat_interleave(group, dim=1)
    vd = v.double().repeat_interleave(group, dim=1)
    s = q.double() @ kd.transpose(-1, -2) / d ** 0.5
    pos = torch.arange(Nq)[:, None] + (Nk - Nq)
    j = torch.arange(Nk)[None, :]
    if alibi is not None:
        slopes = 2.0 ** (-alibi * (torch.arange(Hq, dtype=torch.float64) + 1) / Hq)
        s = s - slopes[:, None, None] * (pos - j).abs().double()
    if cap is not None:
        s = cap * torch.tanh(s / cap)
    if causal:
        s = s.masked_fill(j > pos, float("-inf"))
    return torch.softmax(s, dim=-1).nan_to_num() @ vd


@pytest.mark.parametrize("spec, causal, alibi, cap", [
    ("name=alibi_d32,d=32,mask=causal,score_mod=alibi", True, 8.0, None),
    ("name=softcap_d32,d=32,score_mod=softcap:5", False, None, 5.0),
])
def test_score_mod(tmp_path, exe, spec, causal, alibi, cap):
    lib = attn.compile(spec, cache_dir=str(tmp_path), kernelgen=exe)
    kern = lib[spec.split(",")[0][5:]]
    assert kern.score_mod.startswith("#attn.alibi" if alibi else "#attn.softcap")
    assert "score_mod" in repr(kern)
    g = torch.Generator().manual_seed(5)
    q = 3 * torch.randn(2, 4, 77, 32, generator=g)
    k, v = (3 * torch.randn(2, 2, 77, 32, generator=g) for _ in range(2))
    o = kern(q, k, v)
    ref = _score_mod_reference(q, k, v, causal=causal, alibi=alibi, cap=cap)
    assert (o.double() - ref).norm() / ref.norm() <= 1e-5
    # attn.sdpa computes plain attention: it never runs a score-mod kernel.
    try:
        assert attn.select_kernel(q, k, v, is_causal=causal) is not kern
    except attn.NoKernelError:
        pass
