#!/usr/bin/env python3
"""bench/mixed.py - a database shaped like ClamAV's, for bench/mixed.sh.

  mixed.py CORPUS_LIST OUTDIR N [SOURCE]

Writes OUTDIR/m.hdb, m.ndb and m.ldb with N signatures in all: 90% MD5 hash
signatures (random, plus the hashes of 20 corpus files so that some match),
8% body signatures (patterns.py: cut from real bytes, with wildcards and
gaps, all but 1% changed in their last byte) and 2% logical signatures of two
subsignatures cut from one place (all but 1% with the second subsignature
changed, so both atoms occur but the signature rarely matches).

SOURCE says where the body and logical signatures are cut from:
  corpus       the scanned corpus itself (default): every atom occurs in
               the scanned files, and common code (padding, prologues,
               unwind tables) recurs in them: the pre-filter's worst case
  heldout:LIST other binaries of the same system, listed in LIST, that are
               not scanned: atoms of compiler idioms still recur, the rest
               does not, nearer to real signatures on clean files
  random       random bytes of the same shapes: no atom recurs, the
               pre-filter's best case (selective signatures on clean files)
Seeded: the same N and SOURCE give the same files.
"""
import hashlib
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from patterns import make  # noqa: E402


def body_sigs(files, rnd, n, cache):
    out = []
    while len(out) < n:
        data = load(files, rnd, cache)
        sig = make(data, rnd)
        if not sig or "000000000000" in sig or "ffffffffffff" in sig:
            continue
        if rnd.random() >= 0.01 and sig[-1] != "?":
            sig = sig[:-1] + ("0" if sig[-1] != "0" else "1")
        out.append("Bench.Body-%d:0:*:%s" % (len(out), sig))
    return out


def load(files, rnd, cache):
    if not files:  # random source
        return rnd.randbytes(4096)
    f = rnd.choice(files)
    if f not in cache:
        with open(f, "rb") as fh:
            cache[f] = fh.read(1 << 20)
    return cache[f]


def ldb_sigs(files, rnd, n, cache):
    out = []
    while len(out) < n:
        data = load(files, rnd, cache)
        if len(data) < 512:
            continue
        pos = rnd.randrange(0, len(data) - 256)
        a = data[pos:pos + rnd.randint(10, 16)].hex()
        off = pos + rnd.randint(20, 200)
        b = data[off:off + rnd.randint(10, 16)].hex()
        if "00000000" in a or "00000000" in b or "ffffffff" in a or "ffffffff" in b:
            continue
        if rnd.random() >= 0.01:
            b = b[:-1] + ("0" if b[-1] != "0" else "1")
        out.append("Bench.Ldb-%d;Engine:51-255,Target:0;0&1;%s;%s" % (len(out), a, b))
    return out


def hash_sigs(files, rnd, n):
    out = []
    for f in files[:20]:
        with open(f, "rb") as fh:
            d = fh.read()
        out.append("%s:%d:Bench.Hash-%d" % (hashlib.md5(d).hexdigest(), len(d), len(out)))
    while len(out) < n:
        out.append("%032x:%d:Bench.Hash-%d" % (rnd.getrandbits(128), rnd.randint(1, 10 << 20),
                                               len(out)))
    return out


def main():
    files = [l.strip() for l in open(sys.argv[1]) if l.strip()]
    outdir, n = sys.argv[2], int(sys.argv[3])
    source = sys.argv[4] if len(sys.argv) > 4 else "corpus"
    if source == "corpus":
        cut = files
    elif source == "random":
        cut = []
    elif source.startswith("heldout:"):
        scanned = set(files)
        cut = [l.strip() for l in open(source[8:]) if l.strip() and l.strip() not in scanned]
    else:
        sys.exit("mixed.py: SOURCE is corpus, heldout:LIST or random")
    rnd = random.Random(11)
    cache = {}
    nb, nl = max(1, n * 8 // 100), max(1, n * 2 // 100)
    for name, lines in (("m.hdb", hash_sigs(files, rnd, n - nb - nl)),
                        ("m.ndb", body_sigs(cut, rnd, nb, cache)),
                        ("m.ldb", ldb_sigs(cut, rnd, nl, cache))):
        with open(os.path.join(outdir, name), "w") as fh:
            fh.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
