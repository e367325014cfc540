"""attn.compile: attn-kernelgen from Python, with a cache."""
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from typing import Dict, Optional, Sequence, Union

from ._library import Library, load

__all__ = ["CompileError", "compile", "find_kernelgen"]


class CompileError(RuntimeError):
    """attn-kernelgen failed (or is not there); the message holds its output."""


def find_kernelgen(path: Optional[str] = None) -> str:
    """attn-kernelgen: `path`, else $ATTN_KERNELGEN, else on PATH."""
    candidate = path or os.environ.get("ATTN_KERNELGEN") or shutil.which("attn-kernelgen")
    if not candidate or not os.access(candidate, os.X_OK):
        raise CompileError(
            "attn.compile needs attn-kernelgen, the compiler (build attn, then put its "
            "build/bin on PATH, set ATTN_KERNELGEN, or pass kernelgen=); "
            f"looked for {candidate or 'attn-kernelgen on PATH'}")
    return os.path.realpath(candidate)


def _default_chip() -> Optional[str]:
    """sm_90a on a Hopper GPU that torch sees, else attn-kernelgen's default."""
    import torch
    if torch.cuda.is_available() and torch.cuda.get_device_capability() == (9, 0):
        return "sm_90a"
    return None


def _cache_dir(cache_dir: Optional[str]) -> str:
    return (cache_dir or os.environ.get("ATTN_CACHE_DIR")
            or os.path.join(os.path.expanduser("~"), ".cache", "attn"))


def compile(source: Union[str, Sequence[str]], *, target: str = "cpu",
            chip: Optional[str] = None, name: str = "kernels",
            options: Optional[Dict[str, object]] = None,
            cache_dir: Optional[str] = None, kernelgen: Optional[str] = None) -> Library:
    """Compiles kernels with attn-kernelgen and loads them (attn.load).

    source: MLIR text (attn functions, as attn-kernelgen reads a file), or
    one or more specs in attn-kernelgen's --spec form, e.g.
    ``"name=causal_d64,d=64,mask=causal,lse"``. target: "cpu" or "nvidia";
    chip (nvidia): "sm_80" or "sm_90a" (default: sm_90a on an H100/H200 that
    torch sees, else sm_80). options: more attn-kernelgen flags,
    ``{"tile_kv": 64}`` for --tile-kv=64; CPU kernels are built for this
    machine (``cpu="native"``) unless options say otherwise. name: the
    files' base name.

    Cached by a hash of the source, target, chip, options and the compiler
    binary (path, size, modification time) under cache_dir (default
    $ATTN_CACHE_DIR, else ~/.cache/attn): compiling the same thing again
    loads the cached kernels (the Library's ``cache_hit`` is then True).
    Raises CompileError with attn-kernelgen's messages if it fails.
    """
    exe = find_kernelgen(kernelgen)
    if target not in ("cpu", "nvidia"):
        raise ValueError(f"attn.compile: target={target!r}: expected 'cpu' or 'nvidia'")
    if target == "nvidia" and chip is None:
        chip = _default_chip()
    texts = [source] if isinstance(source, str) else list(source)
    is_mlir = len(texts) == 1 and "func.func" in texts[0]
    options = dict(options or {})
    if target == "cpu":
        options.setdefault("cpu", "native")   # for the machine it runs on
    flags = [f"--target={target}"] + ([f"--chip={chip}"] if chip else [])
    for key, value in sorted(options.items()):
        flags.append(f"--{key.replace('_', '-')}={value}")
    st = os.stat(exe)
    key = hashlib.sha256(json.dumps(
        {"source": texts, "mlir": is_mlir, "flags": flags, "name": name,
         "compiler": [exe, st.st_size, st.st_mtime_ns]}, sort_keys=True).encode()).hexdigest()
    root = _cache_dir(cache_dir)
    final = os.path.join(root, key[:32])
    manifest = os.path.join(final, name + ".json")
    if os.path.exists(manifest):
        lib = load(manifest)
        lib.cache_hit = True
        return lib

    os.makedirs(root, exist_ok=True)
    work = tempfile.mkdtemp(prefix=".tmp-", dir=root)
    try:
        cmd = [exe, "--quiet", "--name", name, "-o", work] + flags
        if is_mlir:
            path = os.path.join(work, "input.mlir.in")
            with open(path, "w") as f:
                f.write(texts[0])
            cmd.insert(1, path)
        else:
            cmd += [f"--spec={spec}" for spec in texts]
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0:
            raise CompileError(f"attn-kernelgen failed ({done.returncode}):\n"
                               f"{done.stderr.strip() or done.stdout.strip()}\n"
                               f"command: {' '.join(cmd)}")
        try:
            os.rename(work, final)   # atomic: a reader sees all or nothing
        except OSError:
            if not os.path.exists(manifest):   # not another process's copy
                raise
    finally:
        if os.path.exists(work):
            shutil.rmtree(work, ignore_errors=True)
    lib = load(manifest)
    lib.cache_hit = False
    return lib
