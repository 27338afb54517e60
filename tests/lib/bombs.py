#!/usr/bin/env python3
"""tests/lib/bombs.py - decompression bombs, generated (never downloaded).

  bombs.py gzip10g OUT     gzip of 10 GiB of zeros (about 10 MB)
  bombs.py nestgz N IN OUT IN gzipped N times
  bombs.py tar100k OUT     tar of 100,000 empty files
  bombs.py zip42 OUT       42.zip-style: 16 zips of 16 zips, 5 levels, of 1 GiB of zeros
  bombs.py overlap OUT     1000 central directory entries naming one 1 GiB member
  bombs.py fifield OUT     Fifield's overlapping zip bomb: 200 files, each the
                           headers after it (quoted) plus one 64 MiB kernel

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


if __name__ == "__main__":
    kind = sys.argv[1]
    if kind == "nestgz":
        nestgz(int(sys.argv[2]), sys.argv[3], sys.argv[4])
    else:
        {"gzip10g": gzip10g, "tar100k": tar100k, "zip42": zip42,
         "overlap": overlap, "fifield": fifield}[kind](sys.argv[2])
