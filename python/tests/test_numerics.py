"""Every kernel through the package against the float64 reference: odd
sizes, GQA, N_q != N_kv, torch's [B, N, H, d] layout and [B, H, N, d], with
the LSE; outputs allocated and given; attn.sdpa against torch's SDPA."""
import json
import math

import pytest
import torch
import torch.nn.functional as F

import attn
from conftest import COMPILED_SPECS, CPU_MANIFEST, GPU_MANIFEST

# norm-wise relative error of O, absolute error of a finite LSE
TOL = {torch.float32: (1e-5, 1e-5), torch.bfloat16: (1e-2, 1e-2), torch.float16: (1e-2, 1e-2)}
CASES = [  # B, H_q, H_kv, N_q, N_kv, layout
    (1, 2, 2, 1, 1, "bhnd"),
    (2, 4, 2, 37, 37, "bnhd"),
    (1, 3, 1, 70, 131, "bhnd"),
    (2, 2, 2, 131, 70, "bnhd"),
]


def _names(manifest):
    try:
        return [k["name"] for k in json.load(open(manifest))["kernels"]]
    except OSError:
        return []


KERNELS = ([pytest.param("cpu_lib", n, id=f"cpu-{n}") for n in _names(CPU_MANIFEST)]
           + [pytest.param("compiled_cpu_lib", s.split(",")[0][5:], id=f"cpu-{s.split(',')[0][5:]}")
              for s in COMPILED_SPECS]
           + [pytest.param("gpu_lib", n, id=f"cuda-{n}") for n in _names(GPU_MANIFEST)])


def make(B, H, N, d, layout, dtype, device, gen):
    """Random [B, H, N, d] in `layout` memory (bnhd: torch's [B, N, H, d])."""
    if layout == "bnhd":
        t = torch.randn(B, N, H, d, generator=gen, dtype=torch.float32).transpose(1, 2)
    else:
        t = torch.randn(B, H, N, d, generator=gen, dtype=torch.float32)
    return t.to(device=device, dtype=dtype)


def inputs(kern, B, Hq, Hkv, Nq, Nkv, layout, seed=0):
    gen = torch.Generator().manual_seed(seed)
    dev = kern.device_type
    q = make(B, Hq, Nq, kern.head_dim, layout, kern.dtype, dev, gen)
    k = make(B, Hkv, Nkv, kern.head_dim, layout, kern.dtype, dev, gen)
    v = make(B, Hkv, Nkv, kern.value_dim, layout, kern.dtype, dev, gen)
    if kern.linear and kern.feature_map == "identity":
        q, k = (x.abs() + 0.05 for x in (q, k))
    return q, k, v


def check(kern, q, k, v, o, lse):
    if kern.linear:
        # identity features: positive inputs (inputs()), or its
        # denominators cross 0 and no evaluation in float32 keeps 1e-5
        ref = attn.linear_reference(q, k, v, feature_map=kern.feature_map,
                                    causal=kern.mask.kind == "causal", eps=kern.eps,
                                    projection=kern.projection)
        assert lse is None and not torch.isnan(o).any(), "NaN in O"
        err = (o.double() - ref).norm().item() / ref.norm().item()
        assert err <= TOL[kern.dtype][0], f"{kern.name}: O rel err {err:.3g}"
        return
    ref_o, ref_lse = attn.sdpa_reference(q, k, v, mask=kern.mask, scale=kern.scale)
    rtol, lse_atol = TOL[kern.dtype]
    assert not torch.isnan(o).any(), "NaN in O"
    err = (o.double() - ref_o).norm().item() / max(ref_o.norm().item(), 1e-30)
    assert err <= rtol, f"{kern.name}: O rel err {err:.3g} > {rtol}"
    empty = torch.isinf(ref_lse)
    assert bool((o.double()[empty] == 0).all()), "rows with no allowed key are not 0"
    if lse is not None:
        assert bool((lse[empty] == float("-inf")).all()), "LSE not -inf where no key"
        got, want = lse[~empty].double(), ref_lse[~empty]
        if want.numel():
            lerr = (got - want).abs().max().item()
            assert lerr <= lse_atol, f"{kern.name}: LSE err {lerr:.3g} > {lse_atol}"


@pytest.mark.parametrize("lib_fixture,name", KERNELS)
@pytest.mark.parametrize("case", CASES, ids=lambda c: "x".join(map(str, c)))
def test_kernel_allocates(request, lib_fixture, name, case):
    kern = request.getfixturevalue(lib_fixture)[name]
    q, k, v = inputs(kern, *case)
    if kern.linear and kern.mask.kind == "causal" and case[3] > case[4]:
        with pytest.raises(attn.AttnrtError, match="needs seq_q <= seq_kv"):
            kern(q, k, v)
        return
    out = kern(q, k, v)
    o, lse = out if kern.has_lse else (out, None)
    if kern.device_type == "cuda":
        torch.cuda.synchronize()
    assert o.shape == (case[0], case[1], case[3], kern.value_dim)
    if case[5] == "bnhd" and kern.value_dim == kern.head_dim:
        assert o.stride() == q.stride(), "O is not in q's memory order"
    check(kern, q, k, v, o, lse)


@pytest.mark.parametrize("lib_fixture,name", KERNELS)
def test_kernel_writes_given_outputs(request, lib_fixture, name):
    """o and lse given, o a strided view of a wider buffer: written in place,
    nothing outside the view touched."""
    kern = request.getfixturevalue(lib_fixture)[name]
    B, Hq, Hkv, Nq, Nkv = 2, 4, 2, 45, 45
    q, k, v = inputs(kern, B, Hq, Hkv, Nq, Nkv, "bhnd", seed=3)
    base = torch.full((B, Hq, Nq, kern.value_dim + 8), float("nan"), dtype=kern.dtype,
                      device=kern.device_type)
    o = base[..., :kern.value_dim]
    lse = (torch.full((B, Hq, Nq), float("nan"), device=kern.device_type)
           if kern.has_lse else None)
    got = kern(q, k, v, o=o, lse=lse)
    if kern.device_type == "cuda":
        torch.cuda.synchronize()
    assert (got[0] if kern.has_lse else got) is o
    assert bool(torch.isnan(base[..., kern.value_dim:]).all()), "wrote outside o"
    check(kern, q, k, v, o, lse)


def _sdpa_cases():
    yield "cpu", torch.float32, 64, False, "cpu_lib"
    yield "cpu", torch.float32, 64, True, "cpu_lib"
    yield "cpu", torch.float32, 128, True, "cpu_lib"
    yield "cuda", torch.bfloat16, 64, False, "gpu_lib"
    yield "cuda", torch.bfloat16, 128, True, "gpu_lib"
    yield "cuda", torch.float16, 128, False, "gpu_lib"


@pytest.mark.parametrize("device,dtype,d,causal,lib_fixture", list(_sdpa_cases()),
                         ids=lambda x: str(x).replace("torch.", ""))
@pytest.mark.parametrize("layout", ["bhnd", "bnhd"])
@pytest.mark.parametrize("gqa", [False, True])
def test_sdpa_matches_torch(request, device, dtype, d, causal, lib_fixture, layout, gqa):
    request.getfixturevalue(lib_fixture)
    gen = torch.Generator().manual_seed(7)
    B, Hq, Hkv, N = 2, 4, 2 if gqa else 4, 77
    q = make(B, Hq, N, d, layout, dtype, device, gen)
    k = make(B, Hkv, N, d, layout, dtype, device, gen)
    v = make(B, Hkv, N, d, layout, dtype, device, gen)
    o = attn.sdpa(q, k, v, is_causal=causal, enable_gqa=gqa)
    want = F.scaled_dot_product_attention(q.double(), k.double(), v.double(),
                                          is_causal=causal, enable_gqa=gqa)
    err = (o.double() - want).norm().item() / want.norm().item()
    assert err <= TOL[dtype][0], f"rel err {err:.3g}"


def test_sdpa_lse_window_and_scale(compiled_cpu_lib):
    """attn.sdpa picks by window, scale and return_lse."""
    gen = torch.Generator().manual_seed(11)
    q = make(1, 2, 50, 37, "bhnd", torch.float32, "cpu", gen)
    k = make(1, 2, 61, 37, "bhnd", torch.float32, "cpu", gen)
    v = make(1, 2, 61, 20, "bhnd", torch.float32, "cpu", gen)
    o, lse = attn.sdpa(q, k, v, window=(5, 3), return_lse=True)
    kern = compiled_cpu_lib["t_d37_dv20_window"]
    assert attn.select_kernel(q, k, v, window=(5, 3), need_lse=True) is kern
    check(kern, q, k, v, o, lse)
    q16, k16, v16 = (make(1, 2, 20, 16, "bhnd", torch.float32, "cpu", gen) for _ in range(3))
    o = attn.sdpa(q16, k16, v16, scale=0.3)
    want = F.scaled_dot_product_attention(q16.double(), k16.double(), v16.double(), scale=0.3)
    assert (o.double() - want).norm() / want.norm() <= 1e-5


def test_fully_masked_rows(cpu_lib):
    """Causal with N_q > N_kv: the first N_q - N_kv rows see no key."""
    kern = cpu_lib["sdpa_d64_causal"]
    q, k, v = inputs(kern, 1, 2, 2, 40, 16, "bhnd", seed=5)
    o, lse = kern(q, k, v)
    assert bool((o[:, :, :24] == 0).all()) and bool((lse[:, :, :24] == -math.inf).all())
    check(kern, q, k, v, o, lse)


def test_nan_propagates(cpu_lib):
    kern = cpu_lib["sdpa_d64"]
    q, k, v = inputs(kern, 1, 1, 1, 8, 8, "bhnd")
    v[0, 0, 3, 5] = float("nan")
    o = kern(q, k, v)
    assert bool(torch.isnan(o[0, 0, :, 5]).all())
