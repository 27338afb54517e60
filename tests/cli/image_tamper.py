#!/usr/bin/env python3
"""image_tamper.py IN OUT WHAT - rewrites one field of an engine image
(src/core/image.h) and makes its XXH3-128 trailer valid again (computed by
the libxxhash vigil links, through ctypes), so that only
the loader's own checks of the directory and tables can reject it. Struct
offsets are those of x86-64 builds (src/core/image_engine.c,
src/match/bodysig_image.h, src/db/ldb.h); a field that is not where this
says makes the test fail, not pass."""
import ctypes
import struct
import sys


class XXH128(ctypes.Structure):
    _fields_ = [("low64", ctypes.c_uint64), ("high64", ctypes.c_uint64)]


def xxh3_128(data):
    """XXH3-128 of data in XXH's canonical form (big endian, high half first)."""
    lib = ctypes.CDLL("libxxhash.so.0")
    lib.XXH3_128bits.restype = XXH128
    lib.XXH3_128bits.argtypes = [ctypes.c_char_p, ctypes.c_size_t]
    h = lib.XXH3_128bits(data, len(data))
    return struct.pack(">QQ", h.high64, h.low64)

IDS = dict(META=1, NAMES=2, SIGS_MD5=3, SIGS_SLOTS_MD5=6, BODY=19, PLAN_SLOT=22,
           ATOMS_LITS=25, ATOMS_OWNER_SIG=26, ATOMS_OWNER_NEXT=27, LDB=29, LDB_EXPR=30)


def main():
    src, dst, what = sys.argv[1:4]
    b = bytearray(open(src, "rb").read())
    n = struct.unpack_from("<I", b, 20)[0]
    tables = {}
    for i in range(n):
        tid, _, off, ln, cnt = struct.unpack_from("<IIQQQ", b, 64 + 32 * i)
        tables[tid] = (64 + 32 * i, off, ln, cnt)

    def tab(name):
        ent, off, ln, cnt = tables[IDS[name]]
        if ln == 0:
            sys.exit("table %s is empty" % name)
        return off, ln, cnt

    def put32(at, v):
        struct.pack_into("<I", b, at, v)

    def put64(at, v):
        struct.pack_into("<Q", b, at, v)

    if what == "version":
        put32(16, 0x7FFF)
    elif what in ("dir-offset", "dir-length", "dir-id"):
        ent = tables[IDS["NAMES"]][0]
        if what == "dir-offset":
            put64(ent + 8, len(b) + 64)
        elif what == "dir-length":
            put64(ent + 16, len(b))
        else:
            put32(ent, 999)
    elif what == "names-nul":
        off, ln, _ = tab("NAMES")
        b[off + ln - 1] = ord("A")
    elif what == "hash-slot":
        off, ln, _ = tab("SIGS_SLOTS_MD5")
        i = next(k for k in range(0, ln, 4) if struct.unpack_from("<I", b, off + k)[0])
        put32(off + i, 0xFFFF)
    elif what == "hash-value":
        off, ln, _ = tab("SIGS_MD5")
        put32(off + 20, 0xFFFFFFF0)
    elif what == "hash-full":
        off, ln, _ = tab("SIGS_SLOTS_MD5")
        for k in range(0, ln, 4):
            if not struct.unpack_from("<I", b, off + k)[0]:
                put32(off + k, 1)
    elif what == "body-name":
        off, _, _ = tab("BODY")
        put32(off, 0xFFFFFFF0)
    elif what == "body-text":
        off, _, _ = tab("BODY")
        put64(off + 40 + 48, 1 << 40)
    elif what == "plan-slot":
        off, _, _ = tab("PLAN_SLOT")
        put32(off, 0x7FFFFFF0)
    elif what == "owner-loop":
        off, _, _ = tab("ATOMS_OWNER_NEXT")
        put32(off, 0)
    elif what == "owner-sig":
        off, _, _ = tab("ATOMS_OWNER_SIG")
        put32(off, 0x7FFFFFF0)
    elif what == "lit-len":
        off, _, _ = tab("ATOMS_LITS")
        put32(off + 8, 300)
    elif what == "ldb-expr":
        off, _, _ = tab("LDB_EXPR")
        put64(off, 1 << 40)
    elif what == "ldb-name":
        off, _, _ = tab("LDB")
        put32(off, 0xFFFFFFF0)
    elif what == "ldb-subs":
        off, _, _ = tab("LDB")
        b[off + 85] = 70
    else:
        sys.exit("unknown field " + what)
    b[-16:] = xxh3_128(bytes(b[:-16]))
    open(dst, "wb").write(b)


main()
