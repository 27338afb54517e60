#!/usr/bin/env python3
"""tests/lib/zipimplode.py - writes a zip whose members are imploded (PKWARE
method 6, APPNOTE 6.3.10 section 5.3), for tests: no Debian tool creates
implode any more, and clamscan's decoder judges whether these files are
right (tests/compat/zipmethods.sh runs both scanners on them).

  zipimplode.py OUT.zip [--8k] [--lit] FILE...

Flat Shannon-Fano trees (every code the same length, so the tree is
complete): 256 literals of 8 bits (--lit), 64 lengths and 64 distances of 6
bits; greedy LZ77 matching (hash chains of 2-byte prefixes) over a 4 KiB (default) or 8 KiB (--8k)
dictionary. Codes are sent most significant bit first with every bit
inverted, raw values least significant bit first, as the format wants.
"""
import struct
import sys
import zlib


class Bits:
    def __init__(self):
        self.out = bytearray()
        self.acc = 0
        self.n = 0

    def raw(self, value, nbits):  # least significant bit first
        for i in range(nbits):
            self.acc |= ((value >> i) & 1) << self.n
            self.n += 1
            if self.n == 8:
                self.out.append(self.acc)
                self.acc = self.n = 0

    def code(self, sym, nbits):  # a flat tree's code: sym itself, inverted
        for i in range(nbits - 1, -1, -1):
            self.raw(((sym >> i) & 1) ^ 1, 1)

    def done(self):
        if self.n:
            self.out.append(self.acc)
        return bytes(self.out)


def tree(nsym, nbits):
    runs = []
    left = nsym
    while left:
        k = min(16, left)
        runs.append(((k - 1) << 4) | (nbits - 1))
        left -= k
    return bytes([len(runs) - 1] + runs)


def implode(data, big, lit):
    dbits = 7 if big else 6
    window = 64 << dbits
    minlen = 3 if lit else 2
    maxlen = minlen + 63 + 255
    b = Bits()
    head = (tree(256, 8) if lit else b"") + tree(64, 6) + tree(64, 6)
    for c in head:
        b.raw(c, 8)
    chains = {}  # 2-byte prefix -> recent positions, newest last
    i = 0
    while i < len(data):
        best_len = best_d = 0
        for j in reversed(chains.get(data[i:i + 2], [])[-32:]):
            if i - j > window:
                break
            n = 0
            while n < maxlen and i + n < len(data) and data[j + n] == data[i + n]:
                n += 1
            if n > best_len:
                best_len, best_d = n, i - j
                if n == maxlen:
                    break
        step = best_len if best_len >= minlen else 1
        if best_len >= minlen:
            d = best_d - 1
            b.raw(0, 1)
            b.raw(d & ((1 << dbits) - 1), dbits)
            b.code(d >> dbits, 6)
            n = best_len - minlen
            b.code(min(n, 63), 6)
            if n >= 63:
                b.raw(n - 63, 8)
        else:
            b.raw(1, 1)
            if lit:
                b.code(data[i], 8)
            else:
                b.raw(data[i], 8)
        for k in range(i, i + step):
            chains.setdefault(data[k:k + 2], []).append(k)
        i += step
    return b.done()


def main():
    args = sys.argv[1:]
    out = args.pop(0)
    big = "--8k" in args
    lit = "--lit" in args
    files = [a for a in args if not a.startswith("--")]
    flags = (2 if big else 0) | (4 if lit else 0)
    body = bytearray()
    cdir = bytearray()
    for path in files:
        data = open(path, "rb").read()
        comp = implode(data, big, lit)
        name = path.rsplit("/", 1)[-1].encode()
        crc = zlib.crc32(data)
        off = len(body)
        body += struct.pack("<IHHHHHIIIHH", 0x04034B50, 10, flags, 6, 0, 0x21, crc,
                            len(comp), len(data), len(name), 0) + name + comp
        cdir += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 10, 10, flags, 6, 0, 0x21,
                            crc, len(comp), len(data), len(name), 0, 0, 0, 0, 0,
                            off) + name
    eocd = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(files), len(files), len(cdir),
                       len(body), 0)
    with open(out, "wb") as fh:
        fh.write(body + cdir + eocd)


if __name__ == "__main__":
    main()
