#!/usr/bin/env python3
"""Linear attention (elu+1, or FAVOR+ with --feature favor_plus) on the CPU,
one process, side by side:

  attn   elu+1: the committed kernels linear_elu_d64[_causal]
         (kernels-generated/cpu); FAVOR+: kernels with --features random
         features that attn-kernelgen (this build) writes to
         bench/out/linear_favor; through attnrt's threads, on torch's
         [B, N, H, d] tensors in place
  torch  torch eager: φ (FAVOR+: the kernel's own projection, stabilised as
         attn.linear defines it), then non-causal as two einsums, causal in
         chunks of 64 carrying the state (the recurrence written in torch ops)

B = 1, H = 4, d = 64, f32, 1 and 2 threads (pinned on both sides); the median
of `--rounds` calls after one warm-up. Every attn result is checked against
the same torch function in float64 (norm-wise relative error). Prints a
markdown table and writes JSON.

  python3 bench/linear_cpu_bench.py --out linear_cpu.json [--n 4096,16384]
      [--feature favor_plus --features 256]

Needs build/lib/libattnrt.so (ATTN_RUNTIME_DIR overrides) and torch.
"""
import json
import os
import subprocess

import torch
import torch.nn.functional as F

from cpu_common import ROOT, attn, machine_info, median_ms, parse_args



def elu_phi(x, keys):
    return F.elu(x) + 1


def favor_phi(projection):
    """FAVOR+'s φ with `projection` [d, m]: queries shifted by their row's
    largest exponent, keys by their head's."""
    def phi(x, keys):
        xs = x * x.shape[-1] ** -0.25
        e = xs @ projection.to(x.dtype) - 0.5 * (xs * xs).sum(-1, keepdim=True)
        shift = e.amax(dim=(-2, -1), keepdim=True) if keys else e.amax(-1, keepdim=True)
        return torch.exp(e - shift) / projection.shape[1] ** 0.5
    return phi


def load_kernels(opts):
    """{causal: kernel} for opts.feature, and its φ."""
    if opts.feature == "elu_plus_one":
        lib = attn.load(os.path.join(ROOT, "kernels-generated", "cpu", "attn_cpu_kernels.json"))
        return {False: lib["linear_elu_d64"], True: lib["linear_elu_d64_causal"]}, elu_phi
    manifest = opts.manifest
    if not manifest:
        out = os.path.join(ROOT, "bench", "out", "linear_favor")
        spec = f"d=64,op=linear,feature=favor_plus,features={opts.features}"
        subprocess.run([os.path.join(ROOT, "build", "bin", "attn-kernelgen"), "--quiet",
                        "--name", "linear_favor", "-o", out, "--spec", "name=favor," + spec,
                        "--spec", "name=favor_causal,mask=causal," + spec], check=True)
        manifest = os.path.join(out, "linear_favor.json")
    lib = attn.load(manifest)
    kernels = {False: lib["favor"], True: lib["favor_causal"]}
    return kernels, favor_phi(kernels[False].projection)


def torch_noncausal(phi, q, k, v, eps=1e-6):
    fq, fk = phi(q, False), phi(k, True)
    s = torch.einsum("bhnd,bhne->bhde", fk, v)
    z = fk.sum(2)
    return torch.einsum("bhnd,bhde->bhne", fq, s) / (
        torch.einsum("bhnd,bhd->bhn", fq, z)[..., None] + eps)


def torch_causal(phi, q, k, v, eps=1e-6, C=64):
    fq, fk = phi(q, False), phi(k, True)
    B, H, N, f = fq.shape
    S = q.new_zeros(B, H, f, v.shape[-1])
    z = q.new_zeros(B, H, f)
    out = q.new_empty(B, H, N, v.shape[-1])
    mask = torch.tril(torch.ones(C, C, dtype=q.dtype))
    for s0 in range(0, N, C):
        qc, kc, vc = fq[:, :, s0:s0 + C], fk[:, :, s0:s0 + C], v[:, :, s0:s0 + C]
        c = qc.shape[2]
        a = (qc @ kc.transpose(-1, -2)) * mask[:c, :c]
        num = qc @ S + a @ vc
        den = (qc @ z[..., None])[..., 0] + a.sum(-1) + eps
        out[:, :, s0:s0 + c] = num / den[..., None]
        S = S + kc.transpose(-1, -2) @ vc
        z = z + kc.sum(2)
    return out


def attn_call(kern, q, k, v):
    """`kern` on [B, N, H, d] tensors through strides; the argument struct
    is built once, outside the timed calls."""
    qh, kh, vh = (t.transpose(1, 2) for t in (q, k, v))
    o, _ = kern.empty_outputs(qh)
    kern.check_tensors(qh, kh, vh, o)
    args = kern.make_args(qh, kh, vh, o)
    keep = (q, k, v, o)  # the raw pointers in `args` must stay valid

    def run():
        assert keep
        status, message = kern.call(args)
        if status != 0:
            raise RuntimeError(message)
        return o
    return run


def main():
    opts = parse_args("linear_cpu.json", "4096,16384", extra=[
        ("--feature", dict(default="elu_plus_one", choices=["elu_plus_one", "favor_plus"])),
        ("--features", dict(type=int, default=256, help="FAVOR+'s feature count")),
        ("--manifest", dict(default="", help="FAVOR+: kernels 'favor' and 'favor_causal' "
                            "already built (an A/B against another build), instead of "
                            "this build's attn-kernelgen"))])
    torch.manual_seed(0)
    kernels, phi = load_kernels(opts)
    info = machine_info()
    info["feature_map"] = opts.feature
    if opts.feature == "favor_plus":
        info["features"] = opts.features
    print(json.dumps(info, indent=1), flush=True)
    rows = []
    print("| threads | N | causal | attn ms | torch eager ms | attn / torch | rel err (f64) |")
    print("|---|---|---|---|---|---|---|")
    for threads in (int(t) for t in opts.threads.split(",")):
        torch.set_num_threads(threads)
        attn.set_num_threads(threads)
        for n in (int(x) for x in opts.n.split(",")):
            # [B, N, H, d] memory, as a torch model holds it.
            q, k, v = (torch.randn(1, n, 4, 64) for _ in range(3))
            for causal in (False, True):
                fn = torch_causal if causal else torch_noncausal
                ref_fn = lambda *t: fn(phi, *t)
                views = [t.transpose(1, 2) for t in (q, k, v)]
                ours = attn_call(kernels[causal], q, k, v)
                ref = ref_fn(*(t.double() for t in views))
                err = float((ours().double() - ref).norm() / ref.norm())
                t_attn = median_ms(ours, opts.rounds)
                t_torch = median_ms(lambda: ref_fn(*views), opts.rounds)
                rows.append({"threads": threads, "n": n, "causal": causal,
                             "attn_ms": t_attn, "torch_ms": t_torch, "rel_err": err})
                print(f"| {threads} | {n} | {'yes' if causal else 'no'} | {t_attn:.2f} | "
                      f"{t_torch:.2f} | {t_torch / t_attn:.2f}x | {err:.1e} |", flush=True)
                if not err < 1e-5:
                    raise SystemExit(f"attn's result is off: relative error {err:.3e}")
    with open(opts.out, "w") as f:
        json.dump({"info": info, "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
