#!/usr/bin/env python3
"""tests/lib/bombs.py - decompression bombs, generated (never downloaded).

  bombs.py gzip10g OUT     gzip of 10 GiB of zeros (about 10 MB)
  bombs.py nestgz N IN OUT IN gzipped N times
  bombs.py tar100k OUT     tar of 100,000 empty files
  bombs.py zip42 OUT       42.zip-style: 16 zips of 16 zips, 5 levels, of 1 GiB of zeros
  bombs.py overlap OUT     1000 central directory entries naming one 1 GiB member
  bombs.py fifield OUT     Fifield's overlapping zip bomb: 200 files, each the
                           headers after it (quoted) plus one 64 MiB kernel
  bombs.py quine OUT       a zip quine: r.zip holds r.zip, itself, byte for byte

Large runs of zeros are written as one deflate block flushed with
Z_FULL_FLUSH and repeated (the compressor's state is reset by the flush, so
the same bytes encode every copy); CRC-32s of the zeros are computed with
zlib's crc32_combine arithmetic, so every file is valid.
"""
import struct
import sys
import zlib

MiB = 1 << 20


def gf2_times(mat, vec):
    s, i = 0, 0
    while vec:
        if vec & 1:
            s ^= mat[i]
        vec >>= 1
        i += 1
    return s


def gf2_square(mat):
    return [gf2_times(mat, mat[n]) for n in range(32)]


def crc32_combine(crc1, crc2, len2):
    """zlib's crc32_combine: the CRC of A+B from crc(A), crc(B), len(B)."""
    odd = [0xEDB88320] + [1 << n for n in range(31)]
    even = gf2_square(odd)
    odd = gf2_square(even)
    while True:
        even = gf2_square(odd)
        if len2 & 1:
            crc1 = gf2_times(even, crc1)
        len2 >>= 1
        if not len2:
            break
        odd = gf2_square(even)
        if len2 & 1:
            crc1 = gf2_times(odd, crc1)
        len2 >>= 1
        if not len2:
            break
    return crc1 ^ crc2


def zeros_crc(n_mib):
    one = zlib.crc32(bytes(MiB))
    crc, done, piece, plen = 0, 0, one, 1
    n = n_mib
    while n:  # binary doubling over 1 MiB pieces
        if n & 1:
            crc = crc32_combine(crc, piece, plen * MiB)
            done += plen
        piece = crc32_combine(piece, piece, plen * MiB)
        plen *= 2
        n >>= 1
    return crc


def raw_zeros(n_mib):
    """Raw deflate of n_mib MiB of zeros, built from one flushed block."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = c.compress(bytes(MiB)) + c.flush(zlib.Z_FULL_FLUSH)
    return block * n_mib + b"\x03\x00"  # a final empty fixed block


def gzip10g(out):
    n = 10 * 1024
    body = raw_zeros(n)
    with open(out, "wb") as f:
        f.write(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03")
        f.write(body)
        f.write(struct.pack("<II", zeros_crc(n), (n * MiB) & 0xFFFFFFFF))


def nestgz(n, src, out):
    import gzip
    data = open(src, "rb").read()
    for _ in range(n):
        data = gzip.compress(data, 1, mtime=0)
    open(out, "wb").write(data)


def tar100k(out):
    h = bytearray(512)
    h[100:108] = b"0000644\0"
    h[108:116] = b"0000000\0"
    h[116:124] = b"0000000\0"
    h[124:136] = b"00000000000\0"
    h[136:148] = b"00000000000\0"
    h[148:156] = b"        "
    h[156] = ord("0")
    h[257:265] = b"ustar\x0000"
    base = sum(h)
    parts = []
    for i in range(100000):
        name = b"e%06d" % i
        h[0:7] = name
        h[148:156] = b"%06o\0 " % (base + sum(name))
        parts.append(bytes(h))
    parts.append(bytes(1024))
    open(out, "wb").write(b"".join(parts))


def zip_entry(name, method, comp, crc, usize, offset):
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0, crc,
                        len(comp), usize, len(name), 0) + name
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method,
                          0, 0, crc, len(comp), usize, len(name), 0, 0, 0, 0,
                          0, offset) + name
    return local, central


def zip_build(entries):
    """entries: (name, method, compressed bytes, crc, size); one local each."""
    body, cd = b"", b""
    for name, method, comp, crc, usize in entries:
        local, central = zip_entry(name, method, comp, crc, usize, len(body))
        body += local + comp
        cd += central
    eocd = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries),
                       len(entries), len(cd), len(body), 0)
    return body + cd + eocd


def deflate(data):
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def zip42(out):
    n = 1024  # 1 GiB of zeros per leaf (42.zip has 4.3 GB: same shape)
    leaf = raw_zeros(n)
    crc = zeros_crc(n)
    data = zip_build([(b"%x.txt" % i, 8, leaf, crc, n * MiB) for i in range(16)])
    for level in range(4):
        comp = deflate(data)
        entries = [(b"%x.zip" % i, 8, comp, zlib.crc32(data), len(data))
                   for i in range(16)]
        data = zip_build(entries)
    open(out, "wb").write(data)


def overlap(out):
    n = 1024  # 1 GiB of zeros, stored once
    kernel = raw_zeros(n)
    crc = zeros_crc(n)
    local, _ = zip_entry(b"k", 8, kernel, crc, n * MiB, 0)
    body = local + kernel
    cd = b""
    for i in range(1000):
        name = b"%04d" % i
        _, central = zip_entry(name, 8, kernel, crc, n * MiB, 0)
        cd += central
    eocd = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1000, 1000, len(cd),
                       len(body), 0)
    open(out, "wb").write(body + cd + eocd)


def fifield(out, nfiles=200, kernel_mib=64):
    """Fifield's non-recursive zip bomb (2019, full overlap with quoted local
    headers): file i's local header is followed by a stored deflate block
    that quotes every later local header, then by the one shared kernel, so
    each file decodes to the headers after it plus kernel_mib MiB of zeros."""
    kernel = raw_zeros(kernel_mib)
    kcrc, ksize = zeros_crc(kernel_mib), kernel_mib * MiB
    names = [b"%04d" % i for i in range(nfiles)]
    segs, crcs, csizes, usizes = [b""] * nfiles, [0] * nfiles, [0] * nfiles, [0] * nfiles
    tail = b""  # the bytes between file i's quote header and the kernel
    for i in range(nfiles - 1, -1, -1):
        if tail:
            if len(tail) > 0xFFFF:
                raise SystemExit("too many files for one stored block")
            prefix = struct.pack("<BHH", 0, len(tail), len(tail) ^ 0xFFFF)
        else:
            prefix = b""
        crcs[i] = crc32_combine(zlib.crc32(tail), kcrc, ksize)
        csizes[i] = len(prefix) + len(tail) + len(kernel)
        usizes[i] = len(tail) + ksize
        header = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crcs[i],
                             csizes[i], usizes[i], len(names[i]), 0) + names[i]
        segs[i] = header + prefix
        tail = segs[i] + tail
    body = tail + kernel
    cd, off = b"", 0
    for i in range(nfiles):
        cd += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0,
                          crcs[i], csizes[i], usizes[i], len(names[i]), 0, 0, 0,
                          0, 0, off) + names[i]
        off += len(segs[i])
    eocd = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, nfiles, nfiles, len(cd),
                       len(body), 0)
    open(out, "wb").write(body + cd + eocd)


# ---- zip quine (the Lempel-Ziv quine of Russ Cox, "Zip Files All The Way
# Down", 2010, worked out again here) ----
#
# Deflate as two operations of TOK (10) bytes each: L(n), empty stored
# blocks then the header of a stored block of n literal bytes (followed by
# the bytes), and R(n), fixed Huffman blocks copying the last n bytes
# (matches at distance n; the blocks fill exactly 8 * TOK bits, so the next
# stored header starts on a byte). With P the zip's local header and S its
# central directory and end record, the stream D below inflates to P + D + S
# (each line: what it writes):
#   L [P Lp]          P Lp            Lp = L(|P|+TOK), Rp = R(|P|+TOK)
#   Rp                P Lp
#   L [Rp]            Rp
#   L [L1]            L1              L1 = L(TOK)
#   L [Rp L1 L1 L4]   Rp L1 L1 L4     L4 = L(4 TOK), R4 = R(4 TOK)
#   R4                Rp L1 L1 L4
#   L [R4 Lk R4 Lk .. (k ops)]        Lk = L(k TOK) = L(|S|+TOK), k even
#   R4                R4 Lk R4 Lk: the last two are itself and the header
#   .. [Rs S]         of this block   Rs = R(|S|+TOK), the final block
#   Rs                Rs S
# The extra field of P and the comment of S are sized so that every R has
# such an encoding and k is even.
# The CRC-32 of the file sits in P and S, which D quotes: CRC-32 is affine
# in those 32 bits, so the one value that is its own checksum is solved for
# over GF(2).

def _bits_rev(v, n):
    r = 0
    for _ in range(n):
        r = (r << 1) | (v & 1)
        v >>= 1
    return r


_LEN = [(257 + i, b, e) for i, (b, e) in enumerate(
    [(3, 0), (4, 0), (5, 0), (6, 0), (7, 0), (8, 0), (9, 0), (10, 0), (11, 1), (13, 1),
     (15, 1), (17, 1), (19, 2), (23, 2), (27, 2), (31, 2), (35, 3), (43, 3), (51, 3),
     (59, 3), (67, 4), (83, 4), (99, 4), (115, 4), (131, 5), (163, 5), (195, 5),
     (227, 5), (258, 0)])]
_DIST = [(i, b, e) for i, (b, e) in enumerate(
    [(1, 0), (2, 0), (3, 0), (4, 0), (5, 1), (7, 1), (9, 2), (13, 2), (17, 3), (25, 3),
     (33, 4), (49, 4), (65, 5), (97, 5), (129, 6), (193, 6), (257, 7), (385, 7),
     (513, 8), (769, 8), (1025, 9), (1537, 9), (2049, 10), (3073, 10), (4097, 11),
     (6145, 11), (8193, 12), (12289, 12), (16385, 13), (24577, 13)])]


def _lookup(table, v):
    for code, base, extra in reversed(table):
        if v >= base:
            return code, base, extra
    raise ValueError(v)


def _litlen_code(sym):
    if sym < 144:
        return 0x30 + sym, 8
    if sym < 256:
        return 0x190 + sym - 144, 9
    if sym < 280:
        return sym - 256, 7
    return 0xC0 + sym - 280, 8


class _Bits:
    def __init__(self):
        self.v, self.n = 0, 0

    def put(self, v, n):  # least significant bit first
        self.v |= v << self.n
        self.n += n

    def huff(self, code, n):  # Huffman codes go most significant bit first
        self.put(_bits_rev(code, n), n)


def _match_bits(length, dist):
    c, _, e = _lookup(_LEN, length)
    return _litlen_code(c)[1] + e + 5 + _lookup(_DIST, dist)[2]


TOK = 10  # bytes of every operation


def _parts(n, bits):
    """Match lengths (3..258 each) adding up to n whose codes at distance n
    take exactly `bits` bits, or None (dynamic programming over sums)."""
    best = {(0, 0): []}
    frontier = [(0, 0)]
    while frontier:
        nxt = []
        for total, used in frontier:
            for x in range(3, min(258, n - total) + 1):
                key = (total + x, used + _match_bits(x, n))
                if key[1] > bits or key in best:
                    continue
                best[key] = best[(total, used)] + [x]
                nxt.append(key)
        frontier = nxt
    return best.get((n, bits))


def _rep(n, final):
    """R(n): exactly TOK bytes of fixed Huffman blocks copying n bytes from n back."""
    for blocks in (1, 2, 3, 4):
        parts = _parts(n, 8 * TOK - 10 * blocks)
        if parts is None:
            continue
        b = _Bits()
        for i in range(blocks):
            b.put(1 if final and i == blocks - 1 else 0, 1)
            b.put(1, 2)  # fixed Huffman
            for x in parts if i == 0 else []:
                c, base, e = _lookup(_LEN, x)
                b.huff(*_litlen_code(c))
                b.put(x - base, e)
                dc, dbase, de = _lookup(_DIST, n)
                b.huff(dc, 5)
                b.put(n - dbase, de)
            b.huff(*_litlen_code(256))
        return b.v.to_bytes(TOK, "little")
    return None


def _lit(n):
    """L(n): empty stored blocks, then the header of a stored block of n bytes."""
    return b"\0\0\0\xff\xff" * (TOK // 5 - 1) + struct.pack("<BHH", 0, n, n ^ 0xFFFF)


def _quine_build(name, extra, comment, crc):
    pt = 30 + len(name) + len(extra) + TOK
    s_len = 46 + len(name) + 22 + len(comment)
    st = s_len + TOK
    k = st // TOK
    Rp, R4, Rs = _rep(pt, False), _rep(4 * TOK, False), _rep(st, True)
    Lp, L1, L4, Lk = _lit(pt), _lit(TOK), _lit(4 * TOK), _lit(TOK * k)
    # D's length does not depend on the values in P and S
    dlen = TOK * 10 + pt + TOK + TOK + 4 * TOK + TOK * k + st
    total = pt - TOK + dlen + s_len
    P = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, dlen, total,
                    len(name), len(extra)) + name + extra
    S = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, dlen,
                    total, len(name), 0, 0, 0, 0, 0, 0) + name
    S += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, 46 + len(name), len(P) + dlen,
                     len(comment)) + comment
    alt = b"".join(R4 if i % 2 == 0 else Lk for i in range(k))
    D = (Lp + P + Lp) + Rp + (L1 + Rp) + (L1 + L1) + (L4 + Rp + L1 + L1 + L4) + R4 + \
        (Lk + alt) + R4 + (Lk + Rs + S) + Rs
    assert len(D) == dlen
    return P + D + S


def quine(out):
    name = b"r.zip"
    for xlen in [0] + list(range(4, 60)):
        extra = struct.pack("<HH", 0xCAFE, xlen - 4) + b"\0" * (xlen - 4) if xlen else b""
        if _rep(30 + len(name) + xlen + TOK, False) is None:
            continue
        for clen in range(0, 60):
            s_len = 46 + len(name) + 22 + clen
            if s_len % TOK or (s_len // TOK + 1) % 2 or _rep(s_len + TOK, True) is None:
                continue
            comment = b"q" * clen
            f0 = zlib.crc32(_quine_build(name, extra, comment, 0))
            cols = [zlib.crc32(_quine_build(name, extra, comment, 1 << i)) ^ f0
                    for i in range(32)]
            crc = _gf2_fixed_point(cols, f0)
            if crc is None:
                continue
            data = _quine_build(name, extra, comment, crc)
            assert zlib.crc32(data) == crc
            assert zlib.decompressobj(-15).decompress(data[30 + len(name) + xlen:]) == data
            open(out, "wb").write(data)
            return
    raise SystemExit("bombs.py: no zip quine layout found")


def _gf2_fixed_point(cols, f0):
    """Solves M c ^ f0 == c, M given by its columns: (M ^ I) c = f0."""
    rows = []
    for r in range(32):
        v = 0
        for c in range(32):
            bit = ((cols[c] >> r) & 1) ^ (1 if r == c else 0)
            v |= bit << c
        rows.append([v, (f0 >> r) & 1])
    c = 0
    for col in range(32):
        piv = next((i for i in range(c, 32) if (rows[i][0] >> col) & 1), None)
        if piv is None:
            return None
        rows[c], rows[piv] = rows[piv], rows[c]
        for i in range(32):
            if i != c and (rows[i][0] >> col) & 1:
                rows[i][0] ^= rows[c][0]
                rows[i][1] ^= rows[c][1]
        c += 1
    return sum(rows[i][1] << i for i in range(32))


if __name__ == "__main__":
    kind = sys.argv[1]
    if kind == "nestgz":
        nestgz(int(sys.argv[2]), sys.argv[3], sys.argv[4])
    else:
        {"gzip10g": gzip10g, "tar100k": tar100k, "zip42": zip42,
         "overlap": overlap, "fifield": fifield, "quine": quine}[kind](sys.argv[2])
