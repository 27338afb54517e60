#!/usr/bin/env python3
"""image_tamper.py IN OUT WHAT - rewrites one field of an engine image
(src/core/image.h) and makes its XXH3-128 trailer valid again (computed by
the libxxhash vigil links, through ctypes), so that only
the loader's own checks of the directory and tables can reject it. Struct
offsets are those of x86-64 builds (src/core/image_engine.c,
src/match/bodysig_image.h, src/db/ldb.h); a field that is not where this
says makes the test fail, not pass."""
import ctypes
import hashlib
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
           ATOMS_LITS=25, ATOMS_OWNER_SIG=26, ATOMS_OWNER_NEXT=27, ATOMS_DBS=28, LDB=29,
           LDB_EXPR=30, BODY_REC=42)


def main():
    src, dst, what = sys.argv[1:4]
    # WHAT@I: the entry of body signature I (load order), where it applies.
    idx = int(what.split("@")[1]) if "@" in what else 0
    what = what.split("@")[0]
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
    elif what in ("hash-slot", "hash-value"):
        # the record of MD5("hello\n") (24 bytes: digest, size, value), and
        # the slot that names it
        roff, rln, _ = tab("SIGS_MD5")
        want = hashlib.md5(b"hello\n").digest()
        r = next(k // 24 for k in range(0, rln, 24) if bytes(b[roff + k:roff + k + 16]) == want)
        if what == "hash-value":
            put32(roff + 24 * r + 20, 0xFFFFFFF0)
        else:
            off, ln, _ = tab("SIGS_SLOTS_MD5")
            i = next(k for k in range(0, ln, 4) if struct.unpack_from("<I", b, off + k)[0] == r + 1)
            put32(off + i, 0xFFFF)
    elif what == "hash-full":
        off, ln, _ = tab("SIGS_SLOTS_MD5")
        for k in range(0, ln, 4):
            if not struct.unpack_from("<I", b, off + k)[0]:
                put32(off + k, 1)
    elif what in ("body-name", "body-sig", "body-lsig"):
        # struct ndb_sig (48 bytes): sig pointer, name, lsig
        off, ln, cnt = tab("BODY")
        at = off + idx * (ln // cnt)
        if what == "body-name":
            put32(at + 8, 0xFFFFFFF0)
        elif what == "body-sig":
            put64(at, 0x4141414141414141)
        else:
            put32(at + 12, 0x7FFFFFF0)
    elif what == "body-text":  # struct bodysig_rec: atom[32], 4 u32, text_off
        off, ln, cnt = tab("BODY_REC")
        put64(off + idx * (ln // cnt) + 48, 1 << 40)
    elif what in ("hs-offset", "hs-magic", "hs-bytecode"):
        # ATOMS_DBS: per target u64 offset, u64 length; target 0's database
        off, _, _ = tab("ATOMS_DBS")
        at = struct.unpack_from("<Q", b, off)[0]
        if what == "hs-offset":
            put64(off, at + 8)
        elif what == "hs-magic":
            b[off + at] ^= 0x41
        else:
            b[off + at + 64 + 200] ^= 0x41
    elif what == "plan-slot":
        off, _, _ = tab("PLAN_SLOT")
        put32(off + 4 * idx, 0x7FFFFFF0)
    elif what == "owner-loop":
        off, _, _ = tab("ATOMS_OWNER_NEXT")
        put32(off, 0)
    elif what == "owner-sig":
        off, _, _ = tab("ATOMS_OWNER_SIG")
        put32(off, 0x7FFFFFF0)
    elif what == "lit-len":  # struct literal: bytes pointer, len
        off, ln, cnt = tab("ATOMS_LITS")
        put32(off + idx * (ln // cnt) + 8, 300)
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
