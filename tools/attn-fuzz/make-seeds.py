#!/usr/bin/env python3
"""Writes attn-fuzz's seed inputs: every test input paired with pipelines.

  make-seeds.py TEST_DIR OUT_DIR

Each .mlir file under TEST_DIR is cut at its `// -----` separators and its
comment lines dropped; each piece becomes one seed per pipeline: the attn
passes and pipelines (with their options) that the file's RUN lines name,
and the four ways down (reference, flash, CPU kernel, GPU kernel to PTX).
A seed is "<pipeline>\\n<MLIR>", the input format of attn-fuzz.cpp.
"""
import hashlib
import pathlib
import re
import sys

WAYS_DOWN = [
    "attn-reference-to-llvm",
    "attn-flash-to-llvm{tile-q=16 tile-kv=8}",
    "attn-to-cpu-pipeline",
    "attn-to-nvvm-pipeline{chip=sm_90a}",
]
# --name, --name="options" or --name='options' of an attn pass or pipeline.
FLAG = re.compile(r"--((?:attn|convert-attn)-[a-z-]+)(?:=(\"[^\"]*\"|'[^']*'|\S+))?")
MAX_BYTES = 8192  # attn-fuzz runs with -max_len=8192


def pipelines_of(text):
    found = []
    for line in text.splitlines():
        if "RUN:" not in line or "attn-opt" not in line:
            continue
        for name, options in FLAG.findall(line):
            options = options.strip("\"'")
            found.append(name + ("{" + options + "}" if options else ""))
    return found


def main():
    tests, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    count = 0
    for path in sorted(tests.rglob("*.mlir")):
        text = path.read_text()
        pipelines = list(dict.fromkeys(pipelines_of(text) + WAYS_DOWN))
        for piece in re.split(r"^// -----.*$", text, flags=re.M):
            body = "\n".join(l for l in piece.splitlines()
                             if not l.lstrip().startswith("//")).strip()
            if not body:
                continue
            for pipeline in pipelines:
                seed = (pipeline + "\n" + body + "\n").encode()
                if len(seed) > MAX_BYTES:
                    continue
                name = hashlib.sha1(seed).hexdigest()[:16]
                (out / name).write_bytes(seed)
                count += 1
    print(f"make-seeds: {count} seeds from {tests} in {out}")


if __name__ == "__main__":
    main()
