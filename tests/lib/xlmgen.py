#!/usr/bin/env python3
"""tests/lib/xlmgen.py - Excel workbooks (OLE2, BIFF8) with an Excel 4.0
macro sheet, for the XLM tests only: formulas of every token clamscan's
disassembly decodes (8-bit and UTF-16 strings, integers, numbers,
references, function calls), NAME records (auto_open and a plain name),
STRING records, and with a seed also formulas of random bytes.

  xlmgen.py OUT N [SEED] [cut]   N formulas; the last calls EXEC on the
                                  string TAILMARK; "cut" cuts the last
                                  formula record short
"""
import os
import random
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cfb  # noqa: E402


def rec(t, data):
    return struct.pack("<HH", t, len(data)) + data


def formula(row, col, rgce, extra=b"\0"):
    """A FORMULA record; extra (a NUL token) ends clamscan's parse inside
    the record (it reads one byte past the formula)."""
    head = struct.pack("<HHH", row, col, 15) + b"\0" * 8 + struct.pack("<HIH", 0, 0, len(rgce))
    return rec(0x0006, head + rgce + extra)


def ptgstr(s):
    return b"\x17" + bytes([len(s), 0]) + s


def ptgwstr(s):
    return b"\x17" + bytes([len(s), 1]) + s.encode("utf-16-le")


TOKENS = [ptgstr(b"cmd /c calc.exe XLMMARK"), ptgwstr("wide \u00e9\u4e2d XLMWIDE"),
          b"\x1e\x34\x12", b"\x1e\xff\x80", b"\x1f" + struct.pack("<d", 3.25), b"\x1d\x01",
          b"\x24\x05\x00\x02\x00", b"\x44\x05\xc0\x02\x00", b"\x25\x01\x00\x02\x00\x03\x00\x04\x00",
          b"\x3a\x00\x00\x07\x00\x08\x00", b"\x39\x00\x00\x09\x00\x00\x00",
          b"\x19\x40\x01\x00\x00\x00\x00\x00", b"\x19\x02\x00\x00", b"\x01\x02\x00\x03\x00",
          b"\x23\x01\x00\x00\x80", b"\x26\x00\x00\x00\x00\x00\x00", b"\x42\x02\x6e\x00",
          b"\x41\x95\x00", b"\x21\x36\x00", b"\x03", b"\x08", b"\x16", b"\x11",
          b"\x42\x01\x6d\x80" + b"\0" * 9, b"\xa1\x6e\x00"]


def workbook(n, seed=None):
    rnd = random.Random(seed if seed is not None else 0)
    bof = struct.pack("<HHHHII", 0x0600, 0x0005, 0x2775, 0x07CD, 0, 0x0206)
    name = b"Macro1"
    glob = rec(0x0809, bof)
    at = len(glob) + 4 + 8 + len(name) + 4
    glob += rec(0x0085, struct.pack("<IBBBB", at, 1, 1, len(name), 0) + name)
    glob += rec(0x0018, struct.pack("<HBBHHHBBBB", 0x20, 0, 1, 0, 0, 0, 0, 0, 0, 0) + b"\x00\x01" + b"\0" * 4)
    glob += rec(0x0018, struct.pack("<HBBHHHBBBB", 0, 0, 5, 0, 0, 0, 0, 0, 0, 0) + b"\x00Start" + b"\0" * 4)
    glob += rec(0x000A, b"")
    sheet = rec(0x0809, struct.pack("<HHHHII", 0x0600, 0x0040, 0, 0, 0, 0))
    for i in range(n - 1):
        if seed is not None and i % 7 == 6:
            rgce = bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 30)))
            sheet += formula(i, i % 300, rgce, b"")
        else:
            rgce = b"".join(rnd.choice(TOKENS) for _ in range(rnd.randrange(1, 6)))
            sheet += formula(i, i % 300, rgce)
        if i % 11 == 0:
            sheet += rec(0x0207, struct.pack("<HB", 5, 0) + b"ABCDEFGH")
            sheet += rec(0x0207, struct.pack("<HB", 4, 1) + "wxyz".encode("utf-16-le"))
    sheet += formula(n, 0, ptgstr(b"TAILMARK") + b"\x42\x01\x6e\x00")
    sheet += rec(0x000A, b"")
    return glob + sheet


def main(argv):
    n = int(argv[2])
    seed = int(argv[3]) if len(argv) > 3 and argv[3] != "cut" else None
    wb = workbook(n, seed)
    if "cut" in argv[3:]:
        wb = wb[:-5]  # the EOF record and the last byte of the formula before it
    open(argv[1], "wb").write(cfb.cfb_write([("Workbook", wb)]))


if __name__ == "__main__":
    main(sys.argv)
