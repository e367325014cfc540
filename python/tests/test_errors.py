"""Every error path: caught in Python with the tensor's name, or the
runtime's status as an AttnrtError carrying its message."""
import json
import os

import pytest
import torch

import attn


def qkv(d=64, N=16, Hq=2, Hkv=2, dtype=torch.float32, device="cpu"):
    g = torch.Generator().manual_seed(1)
    return [torch.randn(1, H, N, d, generator=g).to(device=device, dtype=dtype)
            for H in (Hq, Hkv, Hkv)]


@pytest.fixture
def kern(cpu_lib):
    return cpu_lib["sdpa_d64"]


def test_wrong_dtype(kern):
    q, k, v = qkv()
    with pytest.raises(TypeError, match=r"k is torch.float64, the kernel takes torch.float32"):
        kern(q, k.double(), v)


def test_wrong_device(kern):
    q, k, v = qkv()
    with pytest.raises(ValueError, match=r"v is on meta, the kernel runs on cpu"):
        kern(q, k, v.to("meta"))


def test_wrong_shape(kern):
    q, k, v = qkv()
    with pytest.raises(ValueError, match=r"k has shape \(1, 2, 16, 32\), expected \(1, 2, 16, 64\)"):
        kern(q, k[..., :32], v)
    with pytest.raises(ValueError, match=r"q has 3 dimensions"):
        kern(q[0], k, v)


def test_heads_do_not_divide(kern):
    q, k, v = qkv(Hq=3, Hkv=2)
    with pytest.raises(ValueError, match=r"H_q = 3 query heads is not a multiple of H_kv = 2"):
        kern(q, k, v)


def test_head_dim_not_contiguous(kern):
    q, k, v = qkv()
    qt = q.transpose(2, 3).contiguous().transpose(2, 3)   # same values, d strided
    with pytest.raises(ValueError, match=r"q's head dim \(the last\) is not contiguous"):
        kern(qt, k, v)


def test_output_errors(kern):
    q, k, v = qkv()
    with pytest.raises(ValueError, match=r"o has shape"):
        kern(q, k, v, o=torch.empty(1, 2, 16, 32))
    with pytest.raises(TypeError, match=r"o is torch.float16"):
        kern(q, k, v, o=torch.empty(1, 2, 16, 64, dtype=torch.float16))


def test_runtime_status_becomes_exception(kern):
    """O overlapping an input is the runtime's to see: ATTNRT_ERROR_OVERLAP
    with its message, and q left as it was."""
    q, k, v = qkv()
    before = q.clone()
    with pytest.raises(attn.AttnrtError, match=r"ATTNRT_ERROR_OVERLAP: .*") as e:
        kern(q, k, v, o=q)
    assert e.value.status_name == "ATTNRT_ERROR_OVERLAP" and e.value.message
    assert torch.equal(q, before)


def test_lse_given_or_not(cpu_lib):
    lse_kern = cpu_lib["sdpa_d64_causal"]
    q, k, v = qkv()
    with pytest.raises(ValueError, match=r"give o and lse"):
        lse_kern(q, k, v, o=torch.empty_like(q))


def test_no_matching_kernel(cpu_lib):
    q, k, v = qkv(d=24)
    with pytest.raises(attn.NoKernelError, match=r"no loaded kernel computes cpu float32, d=24") as e:
        attn.sdpa(q, k, v)
    assert "sdpa_d64" in str(e.value)   # lists what is loaded
    q, k, v = qkv(dtype=torch.float64)
    with pytest.raises(attn.NoKernelError, match=r"cpu float64"):
        attn.sdpa(q, k, v)
    q, k, v = qkv()
    with pytest.raises(attn.NoKernelError, match=r"scale 0.5"):
        attn.sdpa(q, k, v, scale=0.5)


def test_sdpa_refuses_what_it_cannot_do(cpu_lib):
    q, k, v = qkv(Hq=4, Hkv=2)
    with pytest.raises(ValueError, match=r"enable_gqa=True"):
        attn.sdpa(q, k, v)
    q, k, v = qkv()
    with pytest.raises(NotImplementedError, match=r"attn_mask"):
        attn.sdpa(q, k, v, attn_mask=torch.ones(16, 16, dtype=torch.bool))
    with pytest.raises(NotImplementedError, match=r"dropout_p"):
        attn.sdpa(q, k, v, dropout_p=0.1)
    with pytest.raises(ValueError, match=r"top-left"):
        attn.sdpa(q, k[:, :, :8], v[:, :, :8], is_causal=True)
    with pytest.raises(ValueError, match=r"is_causal or window"):
        attn.sdpa(q, k, v, is_causal=True, window=(3, 0))
    with pytest.raises(NotImplementedError, match=r"forward pass only"):
        attn.sdpa(q.requires_grad_(), k, v)
    with torch.no_grad():
        attn.sdpa(q, k, v)


def test_threads():
    with pytest.raises(attn.AttnrtError, match=r"ATTNRT_ERROR_BAD_ARGUMENT: thread count"):
        attn.set_num_threads(0)
    before = attn.get_num_threads()
    attn.set_num_threads(1)
    assert attn.get_num_threads() == 1
    attn.set_num_threads(before)


def test_bad_manifests(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"kernels": []}')
    with pytest.raises(ValueError, match=r"not a manifest of attn-kernelgen"):
        attn.load(str(bad))
    from conftest import CPU_MANIFEST
    m = json.load(open(CPU_MANIFEST))
    m["runtime_abi"] = 0
    old = tmp_path / "old.json"
    old.write_text(json.dumps(m))
    with pytest.raises(ValueError, match=r"made for runtime ABI 0"):
        attn.load(str(old))
    m["runtime_abi"] = attn._runtime.runtime().abi_version
    (tmp_path / "moved.json").write_text(json.dumps(m))
    with pytest.raises(ValueError, match=r"no shared_library file"):
        attn.load(str(tmp_path / "moved.json"))


def test_compile_errors(cache_dir):
    from conftest import kernelgen
    if not kernelgen():
        pytest.skip("no attn-kernelgen")
    with pytest.raises(attn.CompileError, match=r"--spec 'name=x,d=0'"):
        attn.compile("name=x,d=0", cache_dir=cache_dir, kernelgen=kernelgen())
    with pytest.raises(attn.CompileError, match=r"needs attn-kernelgen"):
        attn.compile("name=x,d=8", cache_dir=cache_dir, kernelgen=os.devnull + "/none")
    with pytest.raises(ValueError, match=r"target='tpu'"):
        attn.compile("name=x,d=8", target="tpu", cache_dir=cache_dir, kernelgen=kernelgen())
