#!/usr/bin/env python3
# yaragen.py - YARA rules and files for the parity tests with `yara`.
#
#   yaragen.py rules OUTDIR SEED N    OUTDIR/gen.yar: N random rules over
#                                     text strings (nocase wide ascii
#                                     fullword), hex strings (jumps,
#                                     alternatives, wildcards), regexes,
#                                     counts, offsets, filesize, uint16(0),
#                                     and fixed rules on pe.*, elf.*, math,
#                                     private and global rules
#   yaragen.py files OUTDIR SEED N    N files planted with the vocabulary of
#                                     the rules, in every encoding, at random
#                                     places and counts
#   yaragen.py plant OUTDIR BASE RULEFILE...
#                                     for every rule of the files, one copy
#                                     of BASE (e.g. a PE) followed by its
#                                     text strings (ascii and UTF-16LE) and
#                                     plain hex strings
#   yaragen.py bench OUTDIR SEED N    OUTDIR/bench.yar: N rules of two
#                                     literal strings each (for bench/)
#
# The tests compare the (file, rule) pairs `yara -r` prints with those
# `vigil scan -z` prints; nothing here decides what should match.
import os
import random
import re
import sys

WORDS = ["alpha", "Bravo", "charlie", "DELTA", "echo42", "foxtrot", "golf_x",
         "hotel", "india", "Juliett", "kilo", "lima-7", "mike", "november",
         "oscar", "papa", "quebec", "romeo", "sierra", "tango"]
_R = random.Random(99)
WORDS += ["".join(_R.choice("abcdefghijklmnopqrstuvwxyzABC_") for _ in range(_R.randrange(4, 9)))
          for _ in range(60)]
HEXES = ["4d 5a 90 00", "de ad be ef", "ca fe ba be", "00 11 22 33 44",
         "13 37 c0 de", "ff fe fd fc"]


def ident(i):
    return "r%04d" % i


def text_string(rng):
    w = rng.choice(WORDS)
    mods = [m for m in ("nocase", "wide", "ascii", "fullword") if rng.random() < 0.35]
    return '"%s"%s' % (w, "".join(" " + m for m in mods))


def hex_string(rng):
    h = rng.choice(HEXES).split()
    a, b = rng.choice(HEXES).split(), rng.choice(HEXES).split()
    k = rng.randrange(5)
    if k == 0:
        return "{ %s [%d-%d] %s }" % (" ".join(a), rng.randrange(3), 3 + rng.randrange(20), " ".join(b))
    if k == 1:
        return "{ %s ( %s | %s ) }" % (" ".join(a[:2]), " ".join(b[:2]), " ".join(h[:2]))
    if k == 2:
        return "{ %s ?? %s }" % (" ".join(a[:2]), " ".join(b[:2]))
    if k == 3:
        return "{ %s ?%s }" % (" ".join(a), b[0][1])
    return "{ %s }" % " ".join(h)


def regex_string(rng):
    w1, w2 = rng.choice(WORDS), rng.choice(WORDS)
    k = rng.randrange(4)
    if k == 0:
        return "/%s[^\\x00]{0,20}%s/" % (re.escape(w1).replace("\\-", "-"), re.escape(w2).replace("\\-", "-"))
    if k == 1:
        return "/%s[0-9]{1,4}/ nocase" % re.escape(w1[:4])
    if k == 2:
        return "/(%s|%s)\\W/" % (w1.replace("-", "\\-"), w2.replace("-", "\\-"))
    return "/%s.%s/s" % (w1[:3], w2[-3:])


def condition(rng, n):
    s = "$s%d" % rng.randrange(n)
    c = s[1:]
    k = rng.randrange(12)
    return [
        "any of them",
        "all of them",
        "#%s >= %d" % (c, 1 + rng.randrange(3)),
        "#%s == %d" % (c, 1 + rng.randrange(2)),
        "%s at %d" % (s, rng.choice([0, 4, 16, 100])),
        "%s in (0..%d)" % (s, rng.choice([64, 512, 4096])),
        "filesize < %d and any of them" % rng.choice([200, 1000, 3000]),
        "uint16(0) == 0x5a4d and any of them",
        "not %s and filesize > %d" % (s, rng.choice([100, 1000, 4000])),
        "@%s[1] < %d" % (c, rng.choice([50, 500, 2000])),
        "2 of them",
        "!%s[1] > 5" % c,
    ][k]


def full_condition(rng, n):
    """A condition over n strings that references every one of them, as
    YARA requires."""
    c = condition(rng, n)
    return c if "them" in c or n == 1 else "(%s) or all of them" % c


FIXED = r'''
import "pe"
import "elf"
import "math"

private rule priv_alpha { strings: $a = "alpha" condition: $a }
rule uses_private { condition: priv_alpha and filesize > 200 }
rule tagged : tag_one tag_two { meta: author = "gen" score = 7 flag = true
  strings: $a = "tango" wide condition: $a }
rule pe_any { condition: pe.is_pe }
rule pe_sections { condition: pe.number_of_sections > 4 }
rule pe_amd64 { condition: pe.machine == pe.MACHINE_AMD64 }
rule pe_i386 { condition: pe.machine == pe.MACHINE_I386 }
rule pe_dll { condition: pe.characteristics & pe.DLL }
rule pe_import { condition: pe.imports("KERNEL32.dll", "ExitProcess") }
rule pe_import_any { condition: pe.imports(/msvcrt/i, /printf/) }
rule pe_export { condition: pe.exports("vigil_export") }
rule pe_text { condition: for any i in (0..pe.number_of_sections - 1):
  (pe.sections[i].name == ".text" and pe.sections[i].raw_data_size > 0x400) }
rule pe_ep { condition: pe.entry_point > 0 and uint8(pe.entry_point) != 0 }
rule elf_any { condition: uint32(0) == 0x464c457f }
rule elf_dyn { condition: elf.type == elf.ET_DYN }
rule elf_exec { condition: elf.type == elf.ET_EXEC }
rule elf_amd64 { condition: elf.machine == elf.EM_X86_64 }
rule elf_sections { condition: elf.number_of_sections > 25 }
rule elf_dynsym { condition: for any i in (0..elf.number_of_sections - 1):
  (elf.sections[i].name == ".dynsym") }
rule high_entropy { condition: filesize > 1024 and math.entropy(0, filesize) > 7.5 }
rule tiny_file { condition: filesize < 300 }
rule no_mz { condition: uint16(0) != 0x5a4d and filesize > 4000 }
'''

GLOBAL = r'''
global rule global_size { condition: filesize < 200000 }
'''


def cmd_rules(out, seed, n):
    rng = random.Random(seed)
    parts = [FIXED]
    for i in range(n):
        k = 1 + rng.randrange(3)
        strs = []
        for j in range(k):
            kind = rng.randrange(10)
            s = text_string(rng) if kind < 6 else hex_string(rng) if kind < 8 else regex_string(rng)
            strs.append("    $s%d = %s" % (j, s))
        parts.append("rule %s {\n  strings:\n%s\n  condition:\n    %s\n}\n" %
                     (ident(i), "\n".join(strs), full_condition(rng, k)))
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "gen.yar"), "w") as f:
        f.write("\n".join(parts))
    with open(os.path.join(out, "global.yar"), "w") as f:
        f.write(GLOBAL)


def encodings(rng, w):
    b = w.encode()
    v = rng.randrange(5)
    if v == 1:
        b = w.upper().encode()
    elif v == 2:
        b = w.encode("utf-16-le")
    elif v == 3:
        b = w.swapcase().encode("utf-16-le")
    sep = rng.choice([b" ", b"", b"_", b"\x00", b"!", b"9"])
    return sep + b + rng.choice([b" ", b"", b"x", b"\n", b"-"])


def cmd_files(out, seed, n):
    rng = random.Random(seed)
    os.makedirs(out, exist_ok=True)
    for i in range(n):
        size = rng.choice([50, 150, 250, 900, 2500, 5000, 12000])
        buf = bytearray(rng.choice([b"MZ", b"PK", b"\x7fELF", b"#!"]) if rng.random() < 0.5 else b"")
        while len(buf) < size:
            r = rng.random()
            if r < 0.5:
                buf += encodings(rng, rng.choice(WORDS))
            elif r < 0.65:
                buf += bytes.fromhex(rng.choice(HEXES).replace(" ", ""))
            elif r < 0.8:
                buf += str(rng.randrange(100000)).encode()
            else:
                buf += bytes(rng.randrange(256) for _ in range(rng.randrange(1, 40)))
        with open(os.path.join(out, "f%03d.bin" % i), "wb") as f:
            f.write(bytes(buf))
    # One high-entropy object.
    with open(os.path.join(out, "random.bin"), "wb") as f:
        f.write(bytes(rng.randrange(256) for _ in range(65536)))


STR_RE = re.compile(r'^\s*\$\w*\s*=\s*(".*?(?<!\\)"|\{[0-9A-Fa-f \t]+\})\s*(.*)$')
RULE_RE = re.compile(r'^\s*(?:private\s+|global\s+)*rule\s+(\w+)')


def unescape(s):
    out = bytearray()
    i = 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            n = s[i + 1]
            if n == "x" and i + 3 < len(s):
                out.append(int(s[i + 2:i + 4], 16))
                i += 4
                continue
            out += {"n": b"\n", "t": b"\t", "r": b"\r"}.get(n, n.encode())
            i += 2
            continue
        out += c.encode("utf-8")
        i += 1
    return bytes(out)


def cmd_plant(out, base, rulefiles):
    os.makedirs(out, exist_ok=True)
    with open(base, "rb") as f:
        head = f.read()
    count = 0
    for rf in rulefiles:
        rule, body = None, []
        with open(rf, encoding="utf-8", errors="replace") as f:
            lines = f.readlines() + ["rule __end__ {"]
        for line in lines:
            m = RULE_RE.match(line)
            if m:
                if rule and body:
                    name = "%s-%s.bin" % (os.path.basename(rf).split(".")[0], rule)
                    with open(os.path.join(out, name), "wb") as f:
                        f.write(head + b"\x00".join(body) + b"\x00")
                    count += 1
                rule, body = m.group(1), []
                continue
            m = STR_RE.match(line)
            if not m:
                continue
            v, mods = m.group(1), m.group(2)
            if v.startswith("{"):
                body.append(bytes.fromhex(v[1:-1].replace(" ", "").replace("\t", "")))
                continue
            b = unescape(v[1:-1])
            if "wide" in mods:
                body.append(b.decode("latin-1").encode("utf-16-le"))
            if "wide" not in mods or "ascii" in mods:
                body.append(b)
    print("planted %d objects" % count)


def cmd_bench(out, seed, n):
    rng = random.Random(seed)
    os.makedirs(out, exist_ok=True)
    alpha = "abcdefghijklmnopqrstuvwxyz0123456789_"
    with open(os.path.join(out, "bench.yar"), "w") as f:
        for i in range(n):
            a = "".join(rng.choice(alpha) for _ in range(10))
            b = "".join("%02x" % rng.randrange(256) for _ in range(8))
            f.write('rule b%06d { strings: $a = "%s" $b = { %s } condition: any of them }\n'
                    % (i, a, b))


def main(argv):
    if len(argv) >= 5 and argv[1] in ("rules", "files", "bench"):
        {"rules": cmd_rules, "files": cmd_files, "bench": cmd_bench}[argv[1]](
            argv[2], int(argv[3]), int(argv[4]))
        return 0
    if len(argv) >= 5 and argv[1] == "plant":
        cmd_plant(argv[2], argv[3], argv[4:])
        return 0
    sys.stderr.write(__doc__ if __doc__ else "usage: see the file header\n")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
