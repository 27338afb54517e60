#!/usr/bin/env python3
"""tests/lib/cfb.py - a minimal writer of OLE2 compound files (MS-CFB v3,
512-byte sectors, 64-byte mini sectors, cutoff 4096) and of VBA projects
(MS-OVBA: the dir stream, module streams, the compression of 2.4.1), for
the tests only. Trees are written as one right-sibling chain per storage
(valid, not balanced). At most 109 FAT sectors (no DIFAT sectors).

Use as a module (cfb_write, vba_project, ovba_compress, ole10native) or
from the command line:
  cfb.py doc OUT SOURCE_FILE        a .doc-like file with a VBA macro module
  cfb.py vbabin OUT SOURCE_FILE     a vbaProject.bin
  cfb.py ole10 OUT PAYLOAD_FILE     an OLE2 file with an Ole10Native object
  cfb.py encrypted OUT              a Word file whose FIB says encrypted
  cfb.py encxml OUT                 an OOXML encrypted package (EncryptionInfo)
  cfb.py xlm OUT                    a workbook with an Excel 4.0 macro sheet
  cfb.py xlsenc OUT                 a workbook with a FILEPASS record
  cfb.py plain OUT NAME PAYLOAD     one stream NAME holding PAYLOAD
"""
import struct
import sys

FREE, END, FATSECT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
NOSTREAM = 0xFFFFFFFF
SS, MSS, CUTOFF = 512, 64, 4096


def _pad(b, n):
    return b + b"\0" * (-len(b) % n)


def cfb_write(streams, shift=9):
    """streams: list of (path, bytes); path is a '/'-separated name.
    Storages are created for every parent. shift 12 writes a version 4
    file (4096-byte sectors). Returns the file's bytes."""
    SS = 1 << shift
    # directory entries: [name, type, children(list of idx), data]
    ents = [["Root Entry", 5, [], b""]]
    index = {"": 0}
    for path, data in streams:
        parts = path.split("/")
        for i in range(1, len(parts)):
            p = "/".join(parts[:i])
            if p not in index:
                index[p] = len(ents)
                ents.append([parts[i - 1], 1, [], b""])
                ents[index["/".join(parts[:i - 1])]][2].append(index[p])
        index[path] = len(ents)
        ents.append([parts[-1], 2, [], data])
        ents[index["/".join(parts[:-1])]][2].append(index[path])

    # mini stream for the small streams, regular sectors for the others
    mini = b""
    start = {}
    for i, e in enumerate(ents):
        if e[1] == 2 and len(e[3]) < CUTOFF:
            start[i] = len(mini) // MSS if e[3] else END
            mini += _pad(e[3], MSS)
    minifat = []
    for i, e in enumerate(ents):
        if e[1] == 2 and len(e[3]) < CUTOFF and e[3]:
            n = (len(e[3]) + MSS - 1) // MSS
            s = start[i]
            minifat += [s + k + 1 for k in range(n - 1)] + [END]
    minifat_b = _pad(b"".join(struct.pack("<I", x) for x in minifat), SS) if minifat else b""
    dir_n = (len(ents) * 128 + SS - 1) // SS

    blobs = []  # (kind, bytes) laid out after the FAT sectors
    blobs.append(("dir", None))
    if minifat_b:
        blobs.append(("minifat", minifat_b))
    if mini:
        blobs.append(("mini", _pad(mini, SS)))
    for i, e in enumerate(ents):
        if e[1] == 2 and len(e[3]) >= CUTOFF:
            blobs.append((i, _pad(e[3], SS)))

    def nsect(b):
        return dir_n if b[0] == "dir" else len(b[1]) // SS

    total = sum(nsect(b) for b in blobs)
    nfat = 1
    while nfat * (SS // 4) < total + nfat:
        nfat += 1
    assert nfat <= 109
    fat = [FATSECT] * nfat
    where = {}
    for b in blobs:
        n = nsect(b)
        where[b[0]] = len(fat)
        fat += [len(fat) + k + 1 for k in range(n - 1)] + [END]
    fat += [FREE] * (nfat * (SS // 4) - len(fat))

    ents[0][3] = mini
    def entry(i):
        name, typ, kids, data = ents[i]
        nm = name.encode("utf-16le") + b"\0\0"
        right = NOSTREAM
        child = kids[0] if kids else NOSTREAM
        # siblings: a chain through the right pointers
        for e2 in ents:
            if i in e2[2]:
                k = e2[2].index(i)
                right = e2[2][k + 1] if k + 1 < len(e2[2]) else NOSTREAM
        if typ == 5:
            st = where.get("mini", END) if mini else END
            size = len(mini)
        elif typ == 2:
            st = where[i] if len(data) >= CUTOFF else start.get(i, END)
            size = len(data)
        else:
            st, size = 0, 0
        return (_pad(nm, 64)[:64] + struct.pack("<HBB", len(nm), typ, 1) +
                struct.pack("<III", NOSTREAM, right, child) + b"\0" * 16 +
                b"\0" * 4 + b"\0" * 16 + struct.pack("<III", st, size, 0))
    # unused directory slots: empty entries with no siblings
    empty = b"\0" * 68 + struct.pack("<III", NOSTREAM, NOSTREAM, NOSTREAM) + b"\0" * 48
    dirb = b"".join(entry(i) for i in range(len(ents)))
    dirb += empty * ((SS - len(dirb) % SS) % SS // 128)
    body = b""
    for b in blobs:
        body += dirb if b[0] == "dir" else b[1]
    fatb = b"".join(struct.pack("<I", x) for x in fat)
    difat = list(range(nfat)) + [FREE] * (109 - nfat)
    hdr = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16 +
           struct.pack("<HHHHH", 0x3E, 3 if shift == 9 else 4, 0xFFFE, shift, 6) + b"\0" * 6 +
           struct.pack("<IIIIIIIII", 0, nfat, where["dir"], 0, CUTOFF,
                       where.get("minifat", END), len(minifat_b) // SS, END, 0) +
           b"".join(struct.pack("<I", x) for x in difat))
    assert len(hdr) == 512
    return _pad(hdr, SS) + fatb + body


def ovba_compress(data):
    """MS-OVBA 2.4.1.3.6 compression (greedy matches, no padding of raw
    chunks: every chunk is a compressed one)."""
    out = bytearray(b"\x01")
    for cs in range(0, max(len(data), 1), 4096):
        chunk = data[cs:cs + 4096]
        body = bytearray()
        i = 0
        while i < len(chunk):
            flags = 0
            tokens = bytearray()
            for bit in range(8):
                if i >= len(chunk):
                    break
                # bit count of the offset depends on the position in the chunk
                bc = max((i - 1).bit_length(), 4) if i > 0 else 4
                lmask = 0xFFFF >> bc
                maxlen = lmask + 3
                best, bo = 0, 0
                for j in range(max(0, i - (1 << bc)), i):
                    n = 0
                    while (n < maxlen and i + n < len(chunk) and chunk[j + n] == chunk[i + n]):
                        n += 1
                    if n > best:
                        best, bo = n, i - j
                if best >= 3:
                    tok = ((bo - 1) << (16 - bc)) | (best - 3)
                    tokens += struct.pack("<H", tok)
                    flags |= 1 << bit
                    i += best
                else:
                    tokens.append(chunk[i])
                    i += 1
            body.append(flags)
            body += tokens
        hdr = 0xB000 | (len(body) + 2 - 3)
        out += struct.pack("<H", hdr) + body
    return bytes(out)


def _rec(rid, data):
    return struct.pack("<HI", rid, len(data)) + data


def vba_dir(modules, cp=1252):
    """The uncompressed dir stream (MS-OVBA 2.3.4.2) for modules
    [(name, text_offset)]."""
    d = _rec(0x01, struct.pack("<I", 1))           # SYSKIND win32
    d += _rec(0x02, struct.pack("<I", 0x409))      # LCID
    d += _rec(0x14, struct.pack("<I", 0x409))      # LCIDINVOKE
    d += _rec(0x03, struct.pack("<H", cp))         # CODEPAGE
    d += _rec(0x04, b"VBAProject")                 # NAME
    d += _rec(0x05, b"") + _rec(0x40, b"")         # DOCSTRING + unicode
    d += _rec(0x06, b"") + _rec(0x3D, b"")         # HELPFILE 1 and 2
    d += _rec(0x07, struct.pack("<I", 0))          # HELPCONTEXT
    d += _rec(0x08, struct.pack("<I", 0))          # LIBFLAGS
    d += struct.pack("<HIIH", 0x09, 4, 0x12345678, 0x0001)  # VERSION
    d += _rec(0x0C, b"") + _rec(0x3C, b"")         # CONSTANTS + unicode
    d += struct.pack("<HIH", 0x0F, 2, len(modules))  # MODULES count
    d += _rec(0x13, struct.pack("<H", 0xFFFF))     # PROJECTCOOKIE
    for name, off in modules:
        nb = name.encode("latin-1")
        d += _rec(0x19, nb) + _rec(0x47, name.encode("utf-16le"))
        d += _rec(0x1A, nb) + _rec(0x32, name.encode("utf-16le"))
        d += _rec(0x1C, b"") + _rec(0x48, b"")
        d += _rec(0x31, struct.pack("<I", off))
        d += _rec(0x1E, struct.pack("<I", 0))
        d += _rec(0x2C, struct.pack("<H", 0xFFFF))
        d += _rec(0x21, b"")                       # procedural module
        d += _rec(0x2B, b"")                       # terminator
    d += struct.pack("<HI", 0x10, 0)               # end of dir
    return d


def vba_project(prefix, modules):
    """Streams of a VBA project under prefix ('' or 'Macros/') for
    modules [(name, source bytes)]."""
    pcode = b"\x00" * 40  # stands for the module's p-code (not read)
    streams = [(prefix + "PROJECT", b'ID="{00000000-0000-0000-0000-000000000000}"\r\n' +
                b"".join(b"Module=" + n.encode() + b"\r\n" for n, _ in modules))]
    streams.append((prefix + "VBA/_VBA_PROJECT", b"\xcc\x61\xff\xff\x00\x00\x00"))
    streams.append((prefix + "VBA/dir", ovba_compress(vba_dir([(n, len(pcode)) for n, _ in modules]))))
    for n, src in modules:
        streams.append((prefix + "VBA/" + n, pcode + ovba_compress(src)))
    return streams


def ole10native(name, payload):
    """An Ole10Native stream (a packager object) carrying payload."""
    nm = name.encode() + b"\0"
    body = struct.pack("<H", 2) + nm + b"C:\\" + nm + struct.pack("<HH", 0, 3)
    tmp = b"C:\\Temp\\" + nm
    body += struct.pack("<I", len(tmp)) + tmp + struct.pack("<I", len(payload)) + payload
    return struct.pack("<I", len(body)) + body


def word_fib(encrypted):
    """A WordDocument stream: a FIB (wIdent 0xA5EC, nFib 0xC1) whose flags
    say fEncrypted (0x0100) when asked."""
    flags = 0x0100 if encrypted else 0
    fib = struct.pack("<HHHHH", 0xA5EC, 0xC1, 0, 0x409, 0) + struct.pack("<H", flags)
    return _pad(fib, 1536)


def biff_workbook(sheet_type, filepass=False):
    """A Workbook stream: BOF, [FILEPASS], one BOUNDSHEET of sheet_type
    (1: an Excel 4.0 macro sheet), EOF; then the sheet's BOF/EOF."""
    def rec(t, data):
        return struct.pack("<HH", t, len(data)) + data
    bof = struct.pack("<HHHHII", 0x0600, 0x0005, 0x2775, 0x07CD, 0, 0x0206)
    name = b"Macro1"
    glob = rec(0x0809, bof)
    if filepass:
        glob += rec(0x002F, struct.pack("<H", 0) + b"\0" * 4)
    sheet_at = len(glob) + 4 + 8 + len(name) + 4
    glob += rec(0x0085, struct.pack("<IBBBB", sheet_at, 0, sheet_type, len(name), 0) + name)
    glob += rec(0x000A, b"")
    return glob + rec(0x0809, struct.pack("<HHHHII", 0x0600, 0x0040, 0, 0, 0, 0)) + rec(0x000A, b"")


def main(argv):
    kind, out = argv[1], argv[2]
    if kind == "doc":
        src = open(argv[3], "rb").read()
        streams = [("WordDocument", word_fib(False)), ("1Table", b"\0" * 64)]
        streams += vba_project("Macros/", [("Module1", src)])
    elif kind == "vbabin":
        src = open(argv[3], "rb").read()
        streams = vba_project("", [("Module1", src)])
    elif kind == "ole10":
        payload = open(argv[3], "rb").read()
        streams = [("WordDocument", word_fib(False)),
                   ("ObjectPool/_1234567890/\x01Ole10Native", ole10native("payload.bin", payload))]
    elif kind == "encrypted":
        streams = [("WordDocument", word_fib(True)), ("1Table", b"\0" * 64)]
    elif kind == "encxml":
        info = struct.pack("<HHI", 4, 4, 0x40) + b"<?xml version=\"1.0\"?><encryption/>"
        streams = [("EncryptionInfo", info), ("EncryptedPackage", b"\0" * 5000)]
    elif kind == "xlm":
        streams = [("Workbook", _pad(biff_workbook(1), 4096))]
    elif kind == "xlsenc":
        streams = [("Workbook", _pad(biff_workbook(0, True), 4096))]
    elif kind == "plain":
        streams = [(argv[3], open(argv[4], "rb").read())]
    else:
        sys.exit("unknown kind " + kind)
    open(out, "wb").write(cfb_write(streams))


if __name__ == "__main__":
    main(sys.argv)
