#!/usr/bin/env python3
"""bench/gen.py - test data for bench/run.sh.

gen.py db DIR N      N random hash signatures: 90% MD5 in DIR/bench.hdb,
                     10% SHA-256 in DIR/bench.hsb (random sizes 1..10 MB).
gen.py files DIR N K N small random files (64 B..8 KiB) in DIR/files/ in
                     100 subdirectories; the MD5s of K of them are appended to
                     DIR/bench.hdb so the scan has real detections.
Random data comes from a seeded generator so runs are comparable.
"""
import os
import random
import sys


def gen_db(d, n):
    rnd = random.Random(1)
    n_md5 = n * 9 // 10
    with open(os.path.join(d, "bench.hdb"), "w") as f:
        f.write("".join("%032x:%d:Bench.Md5.%d\n" % (rnd.getrandbits(128),
                        rnd.randint(1, 10_000_000), i) for i in range(n_md5)))
    with open(os.path.join(d, "bench.hsb"), "w") as f:
        f.write("".join("%064x:%d:Bench.Sha256.%d\n" % (rnd.getrandbits(256),
                        rnd.randint(1, 10_000_000), i) for i in range(n - n_md5)))


def gen_files(d, n, k):
    import hashlib
    rnd = random.Random(2)
    root = os.path.join(d, "files")
    sigs = []
    for i in range(n):
        sub = os.path.join(root, "d%02d" % (i % 100))
        os.makedirs(sub, exist_ok=True)
        data = rnd.randbytes(rnd.randint(64, 8192))
        with open(os.path.join(sub, "f%05d" % i), "wb") as f:
            f.write(data)
        if i % (n // k) == 0 and len(sigs) < k:
            sigs.append("%s:%d:Bench.Hit.%d\n" % (hashlib.md5(data).hexdigest(), len(data), i))
    with open(os.path.join(d, "bench.hdb"), "a") as f:
        f.write("".join(sigs))


if __name__ == "__main__":
    if sys.argv[1] == "db":
        gen_db(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1] == "files":
        gen_files(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        sys.exit(__doc__)
