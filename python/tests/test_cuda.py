"""CUDA: graph capture and replay, torch's current stream, torch.compile,
and the runtime's GPU errors. Skipped without a CUDA device."""
import pytest
import torch

import attn
from test_compile import _compiled_matches_eager
from test_merge import check_shards
from test_numerics import check, inputs


def test_cuda_graph_capture_and_replay(gpu_lib):
    kern = gpu_lib["sdpa_d128_bf16_causal"]
    q, k, v = inputs(kern, 2, 4, 2, 300, 300, "bnhd", seed=1)
    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):   # warm up: loads the image, picks the kernel
        attn.sdpa(q, k, v, is_causal=True, enable_gqa=True)
    torch.cuda.current_stream().wait_stream(side)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        o, lse = attn.sdpa(q, k, v, is_causal=True, enable_gqa=True, return_lse=True)
    for seed in (2, 3):   # new inputs, copied into the captured ones
        q2, k2, v2 = inputs(kern, 2, 4, 2, 300, 300, "bnhd", seed=seed)
        q.copy_(q2), k.copy_(k2), v.copy_(v2)
        o.fill_(float("nan"))
        graph.replay()
        torch.cuda.synchronize()
        check(kern, q, k, v, o, lse)


def test_current_stream(gpu_lib):
    """The launch goes to torch's current stream: work queued behind a long
    kernel on a side stream sees its inputs only once they are ready."""
    kern = gpu_lib["sdpa_d64_bf16"]
    q, k, v = inputs(kern, 1, 8, 8, 2048, 2048, "bhnd", seed=4)
    side = torch.cuda.Stream()
    with torch.cuda.stream(side):
        torch.cuda._sleep(50_000_000)   # ~tens of ms on the side stream
        v.mul_(2)                        # after the sleep, on the side stream
        o = kern(q, k, v)                # must run after the mul
    torch.cuda.synchronize()
    check(kern, q, k, v, o, None)


def test_torch_compile_cuda(gpu_lib):
    torch._dynamo.reset()
    _compiled_matches_eager("cuda", torch.bfloat16, 64, False, 2e-2)


def test_gpu_runtime_errors(gpu_lib):
    kern = gpu_lib["sdpa_d64_bf16"]
    q, k, v = inputs(kern, 1, 2, 2, 64, 64, "bhnd")
    base = torch.empty(1, 2, 64 * 65 + 1, dtype=torch.bfloat16, device="cuda")
    q_odd = base[..., 1:].view(1, 2, 64, 65)[..., :64]   # row stride 65
    with pytest.raises(attn.AttnrtError, match=r"ATTNRT_ERROR_ALIGNMENT"):
        kern(q_odd, k, v)
    with pytest.raises(ValueError, match=r"q is on cpu, the kernel runs on cuda"):
        kern(q.cpu(), k, v)


def test_cpu_tensor_to_cuda_kernel_names_device(gpu_lib):
    q, k, v = inputs(gpu_lib["sdpa_d64_bf16"], 1, 2, 2, 16, 16, "bhnd")
    with pytest.raises(ValueError, match=r"key is on cpu, query on cuda"):
        attn.sdpa(q, k.cpu(), v)



@pytest.mark.parametrize("causal", [False, True], ids=["full", "causal"])
@pytest.mark.parametrize("shards", [1, 2, 3, 7, 16])
def test_kv_shards_merge_on_one_gpu(gpu_lib, shards, causal):
    """Ring attention's arithmetic on one GPU (test_merge.shards_merged): the
    f16 kernel for whole shards, the bf16 causal one for diagonal blocks."""
    full, diagonal = gpu_lib["sdpa_d128_f16"], gpu_lib["sdpa_d128_bf16_causal"]
    check_shards(full, diagonal, 128, shards, causal, "cuda", 1e-2)
