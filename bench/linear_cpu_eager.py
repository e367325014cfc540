"""Torch eager linear attention (elu+1) on the CPU: the baseline of issue 14.

Non-causal as two einsums; causal in chunks of 64, carrying the d x d state
(the recurrence written in torch ops). B = 1, H = 4, d = 64, N = 4K and 16K,
1 and 2 threads; mean of 5 calls after one warm-up, one line per point. Usage: python3 bench/linear_cpu_eager.py
"""
import time, torch, torch.nn.functional as F
torch.manual_seed(0)
def phi(x): return F.elu(x) + 1
def noncausal(q, k, v, eps=1e-6):
    fq, fk = phi(q), phi(k)
    s = torch.einsum("bhnd,bhne->bhde", fk, v)
    z = fk.sum(2)
    return torch.einsum("bhnd,bhde->bhne", fq, s) / (torch.einsum("bhnd,bhd->bhn", fq, z)[..., None] + eps)
def causal(q, k, v, eps=1e-6, C=64):
    # chunked, as an eager user would write it (cumsum of states is O(N d^2) memory)
    fq, fk = phi(q), phi(k)
    B, H, N, d = q.shape; e = v.shape[-1]
    S = q.new_zeros(B, H, d, e); z = q.new_zeros(B, H, d); out = torch.empty(B, H, N, e)
    mask = torch.tril(torch.ones(C, C))
    for s0 in range(0, N, C):
        qc, kc, vc = fq[:, :, s0:s0+C], fk[:, :, s0:s0+C], v[:, :, s0:s0+C]
        c = qc.shape[2]
        a = (qc @ kc.transpose(-1, -2)) * mask[:c, :c]
        num = qc @ S + a @ vc
        den = (qc @ z[..., None])[..., 0] + a.sum(-1) + eps
        out[:, :, s0:s0+c] = num / den[..., None]
        S = S + kc.transpose(-1, -2) @ vc; z = z + kc.sum(2)
    return out
for threads in (1, 2):
    torch.set_num_threads(threads)
    for n in (4096, 16384):
        q, k, v = (torch.randn(1, 4, n, 64) for _ in range(3))
        for name, fn in (("elu", noncausal), ("elu_causal", causal)):
            fn(q, k, v)
            t = time.perf_counter(); r = 5
            for _ in range(r): fn(q, k, v)
            print(f"threads={threads} N={n} {name} torch eager {(time.perf_counter()-t)/r*1e3:.1f} ms")
