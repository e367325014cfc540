"""Fixtures: the kernels the tests run.

cpu_lib: the committed CPU kernels as the build compiled them for this
machine (build/kernels-host; $ATTN_CPU_MANIFEST, else the committed
kernels-generated/cpu, which need AVX-512). compiled_cpu_lib: where
attn-kernelgen is found ($ATTN_KERNELGEN, PATH, or the repository's build/),
a set compiled here through attn.compile, with odd head dims, a window and
a custom scale. gpu_lib: the committed GPU kernels, on a machine with CUDA.
"""
import os
import shutil

import pytest
import torch

import attn

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COMMITTED_CPU_MANIFEST = os.path.join(ROOT, "kernels-generated", "cpu", "attn_cpu_kernels.json")
_HOST_CPU_MANIFEST = os.path.join(ROOT, "build", "kernels-host", "attn_cpu_kernels.json")
CPU_MANIFEST = os.environ.get("ATTN_CPU_MANIFEST") or (
    _HOST_CPU_MANIFEST if os.path.exists(_HOST_CPU_MANIFEST) else COMMITTED_CPU_MANIFEST)
GPU_MANIFEST = os.environ.get(
    "ATTN_GPU_MANIFEST", os.path.join(ROOT, "kernels-generated", "nvidia", "attn_gpu_kernels.json"))
COMPILED_SPECS = [
    "name=t_d64,d=64",
    "name=t_d64_lse,d=64,lse",
    "name=t_d16_decode,d=16,scale=0.25,lse,rows=4",
    "name=t_d16_flash,d=16,scale=0.25,lse",
    "name=t_d64_causal_lse,d=64,mask=causal,lse",
    "name=t_d37_dv20_window,d=37,dv=20,mask=window:5:3,lse",
    "name=t_d16_scaled,d=16,scale=0.3,lse",
]


def kernelgen():
    for candidate in (os.environ.get("ATTN_KERNELGEN"), shutil.which("attn-kernelgen"),
                      os.path.join(ROOT, "build", "bin", "attn-kernelgen")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def has_cuda():
    return torch.cuda.is_available()


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory):
    return str(tmp_path_factory.mktemp("attn-cache"))


@pytest.fixture(scope="session")
def cpu_lib():
    try:
        return attn.load(CPU_MANIFEST)
    except RuntimeError as e:   # e.g. a CPU without AVX-512
        pytest.skip(str(e))


@pytest.fixture(scope="session")
def compiled_cpu_lib(cache_dir):
    exe = kernelgen()
    if not exe:
        pytest.skip("no attn-kernelgen here (the GPU machine has none)")
    return attn.compile(COMPILED_SPECS, target="cpu", cache_dir=cache_dir, kernelgen=exe,
                        name="tests")


@pytest.fixture(scope="session")
def gpu_lib():
    if not has_cuda():
        pytest.skip("no CUDA device")
    return attn.load(GPU_MANIFEST)
