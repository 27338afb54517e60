#!/usr/bin/env python3
"""bench/patterns.py - body signatures for bench/patterns.sh, seeded.

  patterns.py CORPUS_LIST OUT.ndb N

Each signature is cut from a random place of a random corpus file, so its
atoms are as common as real code bytes, then given ClamAV wildcards: about
40% plain hex (12-32 bytes), 30% with `??` / nibble wildcards, 20% with a
bounded gap `{a-b}` between two runs, 10% with `*`. A run is cut from bytes
that really follow each other; then all but 1% of the signatures get their
last byte changed, so their atoms hit real code (the pre-filter and the
verifier work as on a real database) but they rarely match, as in a real
database on clean files. Both scanners get the same signatures.
"""
import random
import sys


def hexrun(data, pos, n):
    return data[pos:pos + n].hex()


def make(data, rnd):
    if len(data) < 256:
        return None
    pos = rnd.randrange(0, len(data) - 128)
    kind = rnd.random()
    if kind < 0.4:
        return hexrun(data, pos, rnd.randint(12, 32))
    if kind < 0.7:
        n = rnd.randint(14, 28)
        h = [data[pos + i:pos + i + 1].hex() for i in range(n)]
        for _ in range(rnd.randint(1, 3)):
            i = rnd.randrange(6, n - 1)
            h[i] = rnd.choice(["??", h[i][0] + "?", "?" + h[i][1]])
        return "".join(h)
    a = rnd.randint(8, 16)
    b = rnd.randint(8, 16)
    if kind < 0.9:
        lo = rnd.randint(0, 8)
        hi = lo + rnd.randint(1, 32)
        gap = rnd.randint(lo, hi)
        return hexrun(data, pos, a) + "{%d-%d}" % (lo, hi) + hexrun(data, pos + a + gap, b)
    return hexrun(data, pos, a) + "*" + hexrun(data, pos + a + rnd.randint(0, 64), b)


def main():
    files = [l.strip() for l in open(sys.argv[1]) if l.strip()]
    n = int(sys.argv[3])
    rnd = random.Random(7)
    cache = {}
    out = []
    while len(out) < n:
        f = rnd.choice(files)
        if f not in cache:
            with open(f, "rb") as fh:
                cache[f] = fh.read(1 << 20)
        sig = make(cache[f], rnd)
        # ClamAV wants a static run of >= 3 bytes somewhere; plain zero or
        # 0xff runs are common in binaries and would match everywhere.
        if not sig or "000000000000" in sig or "ffffffffffff" in sig:
            continue
        if rnd.random() >= 0.01 and sig[-1] != "?":
            sig = sig[:-1] + ("0" if sig[-1] != "0" else "1")
        out.append("Bench.Body-%d:0:*:%s" % (len(out), sig))
    with open(sys.argv[2], "w") as fh:
        fh.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
