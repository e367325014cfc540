#!/usr/bin/env python3
"""Correctness of attn's generated GPU kernels, on the GPU, in one process.

For every kernel of the manifest (attn-kernelgen --target nvidia), on fresh
random inputs (torch.randn; the seed is printed on every line), through the
runtime (libattnrt_cuda.so, through the attn package: bench/gpu_common.py):

  - N_q = N_kv in {1, 100, 1000, 4097, 16384}, and N_q != N_kv such as
    (129, 300), (300, 129), (1, 1000), (1000, 1), (64, 4097), (4097, 64);
  - B * H > 1, GQA (H_q = 4, H_kv = 2) and MQA (H_kv = 1);
  - four memory layouts of the same [B, H, N, d] index order: "bhnd"
    (contiguous), "bnhd" (torch's [B, N, H, d] memory, .transpose(1, 2)),
    "padded" (rows of d + 8 elements: strides that are no product of sizes),
    and "odd-o": contiguous inputs but O in rows of d_v + 2 elements (4-byte,
    not 16-byte, aligned rows: the kernel's fallback stores);
  - "large logits": inputs x 10;
  - a launch on a side stream;
  - special values: a NaN in Q, K or V, +inf in Q (NaN must appear exactly
    where the float64 reference has it), logits of ~1e4 (inputs x 100), and
    for f16 kernels V of magnitude 3e4 (P V accumulates in f32: no
    overflow);
  - the runtime's argument errors: a misaligned pointer must give
    ATTNRT_ERROR_ALIGNMENT, a CPU tensor ATTNRT_ERROR_BAD_ARGUMENT, a head
    count that doesn't divide ATTNRT_ERROR_BAD_SIZE, a missing LSE
    ATTNRT_ERROR_NULL_POINTER, each without writing anything.

Reference: float64 from the same bf16/f16 inputs when N_q * N_kv <= 1000 *
1000 (per head); above that torch SDPA in fp32 (efficient or math backend,
the mask passed as an explicit boolean tensor: torch's is_causal is top-left
aligned, ours bottom-right) and a chunked fp32 logsumexp for the LSE, one
head at a time. Outputs and LSE start as NaN, so anything the kernel leaves
unwritten fails. Pass: norm-wise relative error of O <= 1e-2, no NaN in O,
rows without an allowed key exactly 0, LSE within 1e-2 (absolute) where the
reference is finite and -inf exactly where it is -inf, and the padding
around strided outputs still NaN.

  python3 bench/gpu_check.py
      [--manifest kernels-generated/nvidia/attn_gpu_kernels.json]
      [--quick | --sanitize-case] [--kernels a,b] [--seed S] [--out x.json]

--sanitize-case runs one tiny case per kernel (B = 1, H_q = 4, H_kv = 2,
N_q = 129, N_kv = 100, torch's layout) and nothing else: the workload for
compute-sanitizer (scripts/gpu-box.sh). Prints one line per case and a
summary; exits 1 on any failure.
"""
import argparse
import json
import os
import random
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gpu_common  # noqa: E402
from gpu_common import (ATTNRT_ERROR_ALIGNMENT, ATTNRT_ERROR_BAD_ARGUMENT,  # noqa: E402
                        ATTNRT_ERROR_BAD_SIZE, ATTNRT_ERROR_NULL_POINTER,
                        ATTNRT_OK, STATUS_NAMES)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RTOL = 1e-2          # norm-wise relative error of O (bf16 and f16)
LSE_ATOL = 1e-2      # absolute error of the LSE where finite
F64_MAX_SCORES = 1000 * 1000   # N_q * N_kv up to which the reference is f64
PAD = 8              # extra elements per row of the "padded" layout
DEVICE = "cuda"      # (a test harness may point this elsewhere)
# --sanitize-case: random inputs made on the host and copied over, so that
# compute-sanitizer's initcheck, which watches only the kernels it checks
# (ours) and the copies, sees them initialised (written by torch's randn
# kernel, which it does not watch, they would look uninitialised).
HOST_INPUTS = False


def sync():
    if DEVICE == "cuda":
        torch.cuda.synchronize()


# --- inputs and outputs ---------------------------------------------------

def make_tensor(B, H, N, d, layout, dtype, gen, fill=None, scale=1.0):
    """A [B, H, N, d] tensor in `layout` memory: random (randn * scale, made
    in f32 and rounded once to dtype) or filled with `fill`. Returns (view,
    base): base is the whole allocation, padding included."""
    shape = {"bhnd": (B, H, N, d), "bnhd": (B, N, H, d),
             "padded": (B, H, N, d + PAD), "odd-o": (B, H, N, d + 2)}[layout]
    if fill is None:
        # --sanitize-case: made on the host and copied over whole
        host = HOST_INPUTS and DEVICE == "cuda"
        base = (torch.randn(shape, generator=gen, device="cpu" if host else DEVICE)
                * scale).to(dtype)
        if host:
            base = base.to(DEVICE)
    else:
        base = torch.full(shape, fill, dtype=dtype, device=DEVICE)
    view = {"bhnd": lambda t: t, "bnhd": lambda t: t.transpose(1, 2),
            "padded": lambda t: t[..., :d], "odd-o": lambda t: t[..., :d]}[layout](base)
    return view, base


def make_lse(B, H, N, layout):
    """A NaN-filled f32 [B, H, N] LSE in the memory order that goes with
    `layout` (torch's layout: [B, N, H]; padded: rows of N + PAD)."""
    shape = {"bhnd": (B, H, N), "bnhd": (B, N, H), "padded": (B, H, N + PAD)}[layout]
    base = torch.full(shape, float("nan"), dtype=torch.float32, device=DEVICE)
    view = {"bhnd": lambda t: t, "bnhd": lambda t: t.transpose(1, 2),
            "padded": lambda t: t[..., :N]}[layout](base)
    return view, base


def untouched(base, view):
    """The elements of `base` outside `view` are all still NaN."""
    if base.data_ptr() == view.data_ptr() and base.numel() == view.numel():
        return True
    mask = torch.ones_like(base, dtype=torch.bool)
    # the view's elements, addressed in base through its strides
    mask.as_strided(view.shape, view.stride(),
                    view.storage_offset() - base.storage_offset()).fill_(False)
    return bool(torch.isnan(base[mask].float()).all())


# --- the reference --------------------------------------------------------

def reference(kern, q, k, v):
    """(o, lse, empty, kind): the reference O [B, H_q, N_q, d_v] and LSE
    [B, H_q, N_q] (float64 when small enough, else fp32), which query rows
    have no allowed key, and "f64" or "f32". One head at a time (GQA: query
    head h reads key head h // (H_q / H_kv)) to bound memory."""
    B, Hq, Nq, _ = q.shape
    Hkv, Nkv = k.shape[1], k.shape[2]
    group = Hq // Hkv
    allowed = kern.mask.allowed(Nq, Nkv, q.device)   # [Nq, Nkv] bool or None
    empty = (~allowed.any(dim=1) if allowed is not None
             else torch.zeros(Nq, dtype=torch.bool, device=q.device))
    use_f64 = Nq * Nkv <= F64_MAX_SCORES
    dt = torch.float64 if use_f64 else torch.float32
    o = torch.empty(B, Hq, Nq, v.shape[-1], dtype=dt, device=q.device)
    lse = torch.empty(B, Hq, Nq, dtype=dt, device=q.device)
    for b in range(B):
        for h in range(Hq):
            qh, kh, vh = q[b, h].to(dt), k[b, h // group].to(dt), v[b, h // group].to(dt)
            if use_f64:
                o[b, h], lse[b, h] = softmax_f64(qh, kh, vh, allowed, kern.scale)
            else:
                o[b, h] = sdpa_fp32(qh, kh, vh, allowed, kern.scale)
                lse[b, h] = lse_fp32(qh, kh, allowed, kern.scale)
    o[:, :, empty] = 0   # torch gives NaN (or 0) there; the definition is 0
    return o, lse, empty, "f64" if use_f64 else "f32"


def softmax_f64(q, k, v, allowed, scale):
    """(o, lse) of one head in float64, as IEEE arithmetic gives them: a NaN
    (or +inf - inf) score makes its row NaN (torch.logsumexp would return inf
    for a row with an infinite score), a fully masked row gives o = 0 and
    lse = -inf."""
    s = (q @ k.T) * scale
    if allowed is not None:
        s = s.masked_fill(~allowed, float("-inf"))
    m = s.amax(dim=-1, keepdim=True)                   # keeps NaN
    m = torch.where(m == float("-inf"), 0.0, m)        # empty rows: exp(-inf)
    e = torch.exp(s - m)
    l = e.sum(dim=-1)
    o = torch.where(l[:, None] == 0, 0.0, (e @ v) / l[:, None])
    return o, m[:, 0] + torch.log(l)


def sdpa_fp32(q, k, v, allowed, scale):
    """torch SDPA on one fp32 head with an explicit boolean mask."""
    from torch.nn.attention import SDPBackend, sdpa_kernel
    backends = [SDPBackend.EFFICIENT_ATTENTION, SDPBackend.MATH]
    with sdpa_kernel(backends):
        return F.scaled_dot_product_attention(
            q[None, None], k[None, None], v[None, None],
            attn_mask=allowed, scale=scale)[0, 0]


def lse_fp32(q, k, allowed, scale, rows=2048):
    """logsumexp of scale * q k^T over allowed keys, fp32, by row chunks."""
    out = torch.empty(q.shape[0], dtype=torch.float32, device=q.device)
    for r in range(0, q.shape[0], rows):
        s = (q[r:r + rows] @ k.T) * scale
        if allowed is not None:
            s = s.masked_fill(~allowed[r:r + rows], float("-inf"))
        out[r:r + rows] = torch.logsumexp(s, dim=-1)
    return out


# --- one case -------------------------------------------------------------

def run_kernel(rt, kern, q, k, v, o, lse, stream=None):
    """Ours, through attnrt_sdpa_cuda (a test harness may replace this)."""
    rt.run(kern, q, k, v, o, lse, stream=stream)


def check_case(rt, kern, B, Hq, Hkv, Nq, Nkv, layout, seed, scale=1.0,
               side_stream=False):
    """Runs one case; returns a result dict (ok, errors, reasons)."""
    gen = torch.Generator(device="cpu" if HOST_INPUTS else DEVICE).manual_seed(seed)
    d, dv, dt = kern.head_dim, kern.value_dim, kern.dtype
    inputs = "bhnd" if layout == "odd-o" else layout
    q, _ = make_tensor(B, Hq, Nq, d, inputs, dt, gen, scale=scale)
    k, _ = make_tensor(B, Hkv, Nkv, d, inputs, dt, gen, scale=scale)
    v, _ = make_tensor(B, Hkv, Nkv, dv, inputs, dt, gen, scale=scale)
    o, o_base = make_tensor(B, Hq, Nq, dv, layout, dt, gen, fill=float("nan"))
    lse, lse_base = make_lse(B, Hq, Nq, inputs) if kern.has_lse else (None, None)

    if side_stream:
        s = torch.cuda.Stream()
        s.wait_stream(torch.cuda.current_stream())   # inputs are ready
        run_kernel(rt, kern, q, k, v, o, lse, stream=s)
        torch.cuda.current_stream().wait_stream(s)
    else:
        run_kernel(rt, kern, q, k, v, o, lse)
    sync()   # a fault in the kernel surfaces here

    ref_o, ref_lse, empty, ref_kind = reference(kern, q, k, v)
    r = {"kernel": kern.name, "B": B, "Hq": Hq, "Hkv": Hkv, "Nq": Nq, "Nkv": Nkv,
         "layout": layout, "scale": scale, "side_stream": side_stream,
         "seed": seed, "ref": ref_kind}
    reasons = []
    if torch.isnan(o).any():
        reasons.append(f"NaN in O ({int(torch.isnan(o).sum())} elements)")
    diff = (o.double() - ref_o.double()).norm().item()
    ref_norm = ref_o.double().norm().item()
    r["rel_err"] = diff / ref_norm if ref_norm > 0 else diff
    if not r["rel_err"] <= RTOL:          # (NaN fails too)
        reasons.append(f"rel err {r['rel_err']:.2e} > {RTOL:g}")
    if empty.any() and not bool((o[:, :, empty] == 0).all()):
        reasons.append(f"rows with no allowed key ({int(empty.sum())}) are not 0")
    if not untouched(o_base, o):
        reasons.append("wrote outside O")
    if kern.has_lse:
        finite = torch.isfinite(ref_lse)
        if bool((lse[~finite] != float("-inf")).any()):
            reasons.append("LSE not -inf where the reference is -inf")
        got = lse[finite].double()
        if not bool(torch.isfinite(got).all()):
            reasons.append("LSE not finite where the reference is")
        err = (got - ref_lse[finite].double()).abs().max().item() if finite.any() else 0.0
        r["lse_err"] = err
        if not err <= LSE_ATOL:
            reasons.append(f"LSE err {err:.2e} > {LSE_ATOL:g}")
        if not untouched(lse_base, lse):
            reasons.append("wrote outside LSE")
    r["ok"] = not reasons
    r["reasons"] = reasons
    return r


def check_errors(rt, kern, seed):
    """The runtime's argument errors on real tensors: each call must return
    its status (no crash, no launch) and leave O untouched."""
    gen = torch.Generator(device=DEVICE).manual_seed(seed)
    B, Hq, Hkv, N, d, dv, dt = 1, 4, 2, 64, kern.head_dim, kern.value_dim, kern.dtype
    q, _ = make_tensor(B, Hq, N, d, "bhnd", dt, gen)
    k, _ = make_tensor(B, Hkv, N, d, "bhnd", dt, gen)
    v, _ = make_tensor(B, Hkv, N, dv, "bhnd", dt, gen)
    o, _ = make_tensor(B, Hq, N, dv, "bhnd", dt, gen, fill=float("nan"))
    lse = (torch.full((B, Hq, N), float("nan"), device=DEVICE)
           if kern.has_lse else None)
    results = []

    def expect(what, want, args):
        status, message = rt.call(kern, args)
        sync()
        reasons = []
        if status != want:
            reasons.append(f"got {STATUS_NAMES.get(status, status)} ({message!r}), "
                           f"want {STATUS_NAMES[want]}")
        if not bool(torch.isnan(o).all()):
            reasons.append("O was written")
        results.append({"kernel": kern.name, "case": what, "status": status,
                        "message": message, "ok": not reasons, "reasons": reasons})

    a = rt.make_args(kern, q, k, v, o, lse)
    a.q += 2   # q.data_ptr() + 2: not 16-byte aligned
    expect("misaligned q (data_ptr + 2)", ATTNRT_ERROR_ALIGNMENT, a)
    q_cpu = q.cpu()
    expect("q on the CPU", ATTNRT_ERROR_BAD_ARGUMENT,
           rt.make_args(kern, q_cpu, k, v, o, lse))
    a = rt.make_args(kern, q, k, v, o, lse)
    a.heads_kv = 3   # 4 query heads over 3 key heads
    expect("H_q % H_kv != 0", ATTNRT_ERROR_BAD_SIZE, a)
    if kern.has_lse:
        a = rt.make_args(kern, q, k, v, o, lse)
        a.lse = None
        expect("LSE missing", ATTNRT_ERROR_NULL_POINTER, a)
    # And the same tensors, unchanged, run fine.
    status, message = rt.call(kern, rt.make_args(kern, q, k, v, o, lse))
    sync()
    reasons = []
    if status != ATTNRT_OK:
        reasons.append(f"got {STATUS_NAMES.get(status, status)} ({message!r})")
    elif bool(torch.isnan(o).any()):
        reasons.append("NaN in O")
    results.append({"kernel": kern.name, "case": "valid call after the errors",
                    "status": status, "message": message, "ok": not reasons,
                    "reasons": reasons})
    return results


SPECIALS = ("NaN in Q", "NaN in K", "NaN in V", "+inf in Q", "logits x100",
            "f16 V of 3e4")


def check_special(rt, kern, what, seed):
    """Special inputs (the README's "Numerics"): ours must have NaN exactly
    where the float64 reference has it, and be within tolerance elsewhere.
    B = 1, H_q = 4, H_kv = 2, N = 100 (every query sees key 0 under every
    committed mask)."""
    gen = torch.Generator(device=DEVICE).manual_seed(seed)
    B, Hq, Hkv, N, d, dv, dt = 1, 4, 2, 100, kern.head_dim, kern.value_dim, kern.dtype
    scale = 100.0 if what == "logits x100" else 1.0
    q, _ = make_tensor(B, Hq, N, d, "bnhd", dt, gen, scale=scale)
    k, _ = make_tensor(B, Hkv, N, d, "bnhd", dt, gen, scale=scale)
    v, _ = make_tensor(B, Hkv, N, dv, "bnhd", dt, gen)
    if what == "NaN in Q":
        q[0, 1, 17, 5] = float("nan")     # row 17 of head 1
    elif what == "NaN in K":
        k[0, 1, 40, 3] = float("nan")     # rows of heads 2, 3 that see key 40
    elif what == "NaN in V":
        v[0, 0, 0, 7] = float("nan")      # column 7 of heads 0, 1
    elif what == "+inf in Q":
        q[0, 2, 50, 0] = float("inf")     # row 50 of head 2: inf - inf
    elif what == "f16 V of 3e4":
        v.copy_((torch.randn(v.shape, generator=gen, device=DEVICE) * 3e4)
                .clamp(-65000, 65000).to(dt))
    o, _ = make_tensor(B, Hq, N, dv, "bnhd", dt, gen, fill=float("nan"))
    lse, _ = make_lse(B, Hq, N, "bnhd") if kern.has_lse else (None, None)
    run_kernel(rt, kern, q, k, v, o, lse)
    sync()
    ref_o, ref_lse, _, _ = reference(kern, q, k, v)
    reasons = []

    def compare(name, got, want, tol, norm):
        got, want = got.double(), want.double()
        nan_got, nan_want = torch.isnan(got), torch.isnan(want)
        if not bool((nan_got == nan_want).all()):
            reasons.append(f"{name}: NaN in {int(nan_got.sum())} elements, "
                           f"the reference in {int(nan_want.sum())}")
        inf = torch.isinf(want) | torch.isinf(got)
        if bool((got[inf & ~nan_want] != want[inf & ~nan_want]).any()):
            reasons.append(f"{name}: infinities differ")
        ok = ~nan_want & ~inf
        diff = got[ok] - want[ok]
        err = (diff.norm() / want[ok].norm().clamp_min(1e-30)).item() if norm \
            else (diff.abs().max().item() if ok.any() else 0.0)
        if not err <= tol:
            reasons.append(f"{name}: error {err:.2e} > {tol:g}")
        return int(nan_want.sum())

    nans = compare("O", o, ref_o, RTOL, True)
    if kern.has_lse:
        nans += compare("LSE", lse, ref_lse, LSE_ATOL * scale, False)
    return {"kernel": kern.name, "case": f"{what} ({nans} NaN expected)",
            "status": ATTNRT_OK, "message": "", "ok": not reasons,
            "reasons": reasons}


# --- the cases ------------------------------------------------------------

def cases(quick):
    """(B, H_q, H_kv, N_q, N_kv, layout, input scale, side stream)."""
    out = []
    for n in (1, 100, 1000, 4097, 16384):
        if quick and n == 16384:
            continue
        if n <= 4097:
            configs = [(2, 4, 2, "bhnd"), (1, 4, 1, "bnhd"), (3, 2, 2, "padded")]
        else:
            configs = [(1, 4, 2, "bhnd"), (1, 2, 1, "bnhd")]
        if quick:
            configs = configs[1:2] if n != 1000 else configs
        out += [(b, hq, hkv, n, n, lay, 1.0, False) for b, hq, hkv, lay in configs]
    pairs = [(129, 300), (300, 129)] if quick else \
        [(129, 300), (300, 129), (1, 1000), (1000, 1), (64, 4097), (4097, 64)]
    for nq, nkv in pairs:
        out.append((2, 4, 2, nq, nkv, "bnhd", 1.0, False))
        if not quick:
            out.append((1, 2, 1, nq, nkv, "bhnd", 1.0, False))
    out.append((1, 4, 2, 1000, 1000, "bnhd", 10.0, False))     # large logits
    out.append((2, 4, 2, 1000, 1000, "odd-o", 1.0, False))     # 4-byte O rows
    out.append((1, 2, 1, 129, 300, "odd-o", 1.0, False))
    if not quick:
        out.append((1, 2, 2, 4097, 4097, "bhnd", 10.0, False))
        out.append((2, 4, 2, 300, 300, "bhnd", 1.0, True))     # side stream
    return out


SANITIZE_CASE = (1, 4, 2, 129, 100, "bnhd", 1.0, False)


def describe(r):
    if "case" in r:
        what = f"{r['kernel']:<26} {r['case']}: {STATUS_NAMES.get(r['status'], r['status'])}"
    else:
        what = (f"{r['kernel']:<26} B={r['B']} Hq={r['Hq']} Hkv={r['Hkv']} "
                f"Nq={r['Nq']} Nkv={r['Nkv']} {r['layout']:<6}"
                f"{' x%g' % r['scale'] if r['scale'] != 1 else ''}"
                f"{' side-stream' if r['side_stream'] else ''} "
                f"rel={r['rel_err']:.2e}"
                + (f" lse={r['lse_err']:.1e}" if "lse_err" in r else "")
                + f" ref={r['ref']} seed={r['seed']}")
    return f"{'PASS' if r['ok'] else 'FAIL'} {what}" + (
        "  -- " + "; ".join(r["reasons"]) if r["reasons"] else "")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--manifest", default=os.path.join(
        ROOT, "kernels-generated", "nvidia", "attn_gpu_kernels.json"))
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="fewer cases")
    mode.add_argument("--sanitize-case", action="store_true",
                      help="one tiny case per kernel (for compute-sanitizer)")
    ap.add_argument("--kernels", default="", help="comma-separated names (default: all)")
    ap.add_argument("--seed", type=int, default=None, help="default: fresh")
    ap.add_argument("--out", default="", help="write the results as JSON here")
    opts = ap.parse_args()

    # Exact fp32 matmuls in the reference (no TF32).
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.set_float32_matmul_precision("highest")

    rt = gpu_common.Runtime(opts.manifest)
    # (attn.linear kernels: bench/linear_gpu.py --check.)
    kernels = [k for k in rt.kernels.values() if not k.linear]
    if opts.kernels:
        names = opts.kernels.split(",")
        unknown = [n for n in names if n not in rt.kernels]
        if unknown:
            raise SystemExit(f"not in the manifest: {unknown}; it has {list(rt.kernels)}")
        kernels = [rt.kernels[n] for n in names]
    seed = opts.seed if opts.seed is not None else random.SystemRandom().randrange(1 << 31)
    info = {"date": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
            "device": torch.cuda.get_device_name() if DEVICE == "cuda" else DEVICE,
            "torch": torch.__version__,
            "manifest": opts.manifest, "target": rt.manifest.get("target"),
            "image": rt.image_path, "seed": seed,
            "command": " ".join([os.path.basename(sys.executable)] + sys.argv)}
    print(f"# gpu_check on {info['device']}, torch {info['torch']}, {info['date']}")
    print(f"# kernels: {opts.manifest} ({info['target']}), image {rt.image_kind}; "
          f"seed {seed} (--seed {seed} repeats this run)", flush=True)

    if opts.sanitize_case:
        global HOST_INPUTS
        HOST_INPUTS = True
        todo = [(kern, SANITIZE_CASE) for kern in kernels]
    else:
        todo = [(kern, c) for kern in kernels for c in cases(opts.quick)]
    results = []
    broken = False   # a sticky CUDA error: nothing after it can run
    for i, (kern, (B, Hq, Hkv, Nq, Nkv, layout, scale, side)) in enumerate(todo):
        try:
            r = check_case(rt, kern, B, Hq, Hkv, Nq, Nkv, layout, seed + i, scale, side)
        except Exception as e:  # a runtime error status, or a CUDA fault
            r = {"kernel": kern.name, "B": B, "Hq": Hq, "Hkv": Hkv, "Nq": Nq,
                 "Nkv": Nkv, "layout": layout, "scale": scale, "side_stream": side,
                 "seed": seed + i, "ref": "-", "rel_err": float("nan"), "ok": False,
                 "reasons": [f"{type(e).__name__}: {e}"]}
            try:
                sync()
            except Exception:
                broken = True
        results.append(r)
        print(describe(r), flush=True)
        if broken:
            print("FAIL the CUDA context is broken (sticky error): stopping here")
            break
    if not opts.sanitize_case and not broken:
        for j, kern in enumerate(kernels):
            try:
                rs = check_errors(rt, kern, seed + len(todo) + j)
            except Exception as e:
                rs = [{"kernel": kern.name, "case": "argument errors", "status": -1,
                       "message": "", "ok": False, "reasons": [f"{type(e).__name__}: {e}"]}]
            for r in rs:
                results.append(r)
                print(describe(r), flush=True)
        for j, kern in enumerate(kernels):
            for what in SPECIALS:
                if what.startswith("f16") and kern.dtype != torch.float16:
                    continue
                try:
                    r = check_special(rt, kern, what, seed + 7919 + j)
                except Exception as e:
                    r = {"kernel": kern.name, "case": what, "status": -1,
                         "message": "", "ok": False,
                         "reasons": [f"{type(e).__name__}: {e}"]}
                results.append(r)
                print(describe(r), flush=True)

    passed = sum(r["ok"] for r in results)
    failed = len(results) - passed
    if broken:
        failed += 1
    print(f"gpu_check: {passed} passed, {failed} failed")
    if opts.out:
        with open(opts.out, "w") as f:
            json.dump({"info": info, "results": results, "passed": passed,
                       "failed": failed}, f, indent=1)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
