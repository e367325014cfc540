"""Checks attn-sparsify's block counts (its remarks, on stdin) against a count
over every element of the score matrix, with the masks' meanings written
again here from the dialect's documentation. Prints one PASS or FAIL line per
remark and exits 1 on any failure.

  attn-opt cases.mlir --attn-sparsify=block-q=48 2>&1 | python3 sparsify_brute_force.py
"""
import re
import sys

REMARK = re.compile(r"attn-sparsify: (.*) on (\d+) × (\d+) scores in (\d+) × (\d+) blocks: "
                    r"(\d+) full, (\d+) partial, (\d+) empty")


def parse(text):
    """A mask attribute's text -> a predicate allowed(p, j) (p: the query's
    key position)."""
    pos = 0

    def expect(s):
        nonlocal pos
        assert text.startswith(s, pos), f"expected {s!r} at {text[pos:]!r}"
        pos += len(s)

    def number():
        nonlocal pos
        m = re.compile(r"\s*(-?\d+)").match(text, pos)
        pos = m.end()
        return int(m.group(1))

    def params(*names):
        expect("<")
        values = []
        for i, n in enumerate(names):
            expect((", " if i else "") + n + " =")
            values.append(number())
        expect(">")
        return values

    def mask():
        nonlocal pos
        m = re.compile(r"#attn\.(\w+)").match(text, pos)
        pos = m.end()
        kind = m.group(1)
        if kind == "causal":
            return lambda p, j: j <= p
        if kind == "window":
            l, r = params("left", "right")
            return lambda p, j: p - l <= j <= p + r
        if kind == "dilated":
            l, r, d = params("left", "right", "dilation")
            return lambda p, j: p - l <= j <= p + r and (p - j) % d == 0
        if kind == "global":
            (t,) = params("tokens")
            return lambda p, j: j < t or p < t
        if kind in ("union", "intersect"):
            expect("<[")
            members = [mask()]
            while text.startswith(", ", pos):
                pos += 2
                members.append(mask())
            expect("]>")
            join = any if kind == "union" else all
            return lambda p, j: join(m(p, j) for m in members)
        raise ValueError(f"no brute force for #attn.{kind}")

    result = mask()
    assert pos == len(text), f"trailing text {text[pos:]!r}"
    return result


def brute_force(allowed, nq, nk, bq, bk):
    full = partial = empty = 0
    shift = nk - nq
    for q0 in range(0, nq, bq):
        for k0 in range(0, nk, bk):
            seen = {allowed(i + shift, j) for i in range(q0, min(q0 + bq, nq))
                    for j in range(k0, min(k0 + bk, nk))}
            if seen == {True}:
                full += 1
            elif seen == {False}:
                empty += 1
            else:
                partial += 1
    return full, partial, empty


failed = checked = 0
for line in sys.stdin:
    m = REMARK.search(line)
    if not m:
        continue
    mask, nq, nk, bq, bk, *counts = m.groups()
    nq, nk, bq, bk = map(int, (nq, nk, bq, bk))
    got = tuple(map(int, counts))
    want = brute_force(parse(mask), nq, nk, bq, bk)
    ok = got == want
    failed += not ok
    checked += 1
    print(f"{'PASS' if ok else 'FAIL'} {mask} {nq}x{nk} blocks {bq}x{bk}: "
          f"attn-sparsify {got}, brute force {want} (full, partial, empty)")
print(f"{checked} remarks checked, {failed} failed")
sys.exit(1 if failed or not checked else 0)
