"""What the CPU benchmarks share: the attn package from this checkout (its
runtime from build/lib unless ATTN_RUNTIME_DIR says otherwise), the timing
rule, and the options and header every table starts from."""
import argparse
import os
import platform
import statistics
import sys
import time

import torch

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
os.environ.setdefault("ATTN_RUNTIME_DIR", os.path.join(ROOT, "build", "lib"))
sys.path.insert(0, os.path.join(ROOT, "python"))
import attn  # noqa: E402,F401


def median_ms(fn, rounds):
    """Median of `rounds` calls of fn after one warm-up, in ms."""
    fn()
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1e3)
    return statistics.median(times)


def kernel_call(kern, q, k, v):
    """(o, call): kern's output for these inputs and a call that runs the
    kernel into it through attnrt with the argument struct built once (no
    per-call Python checks), raising on a non-OK status."""
    o, _ = kern.empty_outputs(q)
    args = kern.make_args(q, k, v, o)

    def call():
        status, message = kern.call(args)
        if status:
            raise RuntimeError(message)
    return o, call


def parse_args(out, sizes, extra=()):
    """--out, --n (comma-separated sizes), --threads, --rounds, and `extra`
    (flag, add_argument keywords) pairs."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=out)
    ap.add_argument("--n", default=sizes)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--rounds", type=int, default=5)
    for flag, kwargs in extra:
        ap.add_argument(flag, **kwargs)
    return ap.parse_args()


def machine_info():
    return {
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        "cpu": next((l.split(":", 1)[1].strip()
                     for l in open("/proc/cpuinfo") if l.startswith("model name")),
                    platform.processor()),
        "torch": torch.__version__,
        "command": " ".join([os.path.basename(sys.executable)] + sys.argv),
    }
