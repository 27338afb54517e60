#!/usr/bin/env python3
# ldbgen.py - objects for the logical-signature (.ldb) comparisons with
# clamscan: bytes that match a ClamAV body pattern, a PCRE, a modifier, and
# the logical signatures and files that exercise them.
#
#   ldbgen.py plant LDB OUTDIR SEED   for every logical signature of LDB,
#                                     files with all of its subsignatures,
#                                     all three times, and all but one
#   ldbgen.py features OUTDIR SEED    OUTDIR/feat.ldb using every feature,
#                                     and files with and without its parts
#   ldbgen.py exprs OUTDIR SEED       OUTDIR/exprs.ldb: random expressions
#                                     (blocks, modifiers, ClamAV's split
#                                     rules), and objects with random counts
#
# Objects are executables that clamscan scans once (PE, ELF, Mach-O), so
# that -z lists compare one to one: clamscan scans unknown binary data and
# text twice (raw and as a second type), which vigil does not reproduce yet.
# Subsignatures with an absolute offset are placed there; the rest follow
# the header, apart from each other.
import os
import random
import re
import sys

try:
    import re._parser as sre_parse  # Python >= 3.11
except ImportError:  # pragma: no cover
    import sre_parse

TESTFILES = os.environ.get("CLAMAV_TESTFILES", "/usr/share/clamav-testfiles")
FILL = b"\x01"

ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(56)
MACHO = b"\xcf\xfa\xed\xfe\x07\x00\x00\x01\x03\x00\x00\x00\x02\x00\x00\x00" + bytes(48)


def base_for(target):
    if target == 1:
        with open(os.path.join(TESTFILES, "clam.exe"), "rb") as f:
            return f.read()
    if target == 9:
        return MACHO
    return ELF


# ---- rendering ClamAV hex patterns -------------------------------------


class Hex:
    """Renders a ClamAV hex pattern into bytes that match it."""

    def __init__(self, text, rng):
        self.s, self.i, self.rng = text, 0, rng

    def peek(self, k=0):
        return self.s[self.i + k] if self.i + k < len(self.s) else ""

    def render(self):
        out = bytearray()
        while self.i < len(self.s):
            out += self.item()
        return bytes(out)

    def nibble_byte(self, a, b):
        hi = self.rng.randrange(16) if a == "?" else int(a, 16)
        lo = self.rng.randrange(16) if b == "?" else int(b, 16)
        return bytes([hi << 4 | lo])

    def gap(self, close):
        j = self.s.index(close, self.i)
        body, self.i = self.s[self.i + 1:j], j + 1
        lo = body.split("-")[0]
        return int(lo) if lo else 0

    def alternatives(self):
        j, depth = self.i, 0
        while True:
            c = self.s[j]
            depth += c == "("
            depth -= c == ")"
            j += 1
            if depth == 0:
                break
        alts, self.i = self.s[self.i + 1:j - 1].split("|"), j
        return alts

    def item(self):
        c = self.peek()
        if c == "*":
            self.i += 1
            return FILL * self.rng.randrange(0, 4)
        if c == "{":
            return FILL * self.gap("}")
        if c == "[":
            return FILL * self.gap("]")
        if c == "(" and self.peek(2) == ")" and self.peek(1) in "BLW":
            kind = self.peek(1)
            self.i += 3
            return b"\n" if kind == "L" else b" "
        if c == "!":
            self.i += 1
            alts = [bytes.fromhex(a) for a in self.alternatives()]
            n = len(alts[0])
            while True:
                cand = bytes(self.rng.randrange(0x20, 0x7f) for _ in range(n))
                if cand not in alts:
                    return cand
        if c == "(":
            alt = self.rng.choice(self.alternatives())
            return Hex(alt, self.rng).render()
        a, b = self.peek(), self.peek(1)
        self.i += 2
        return self.nibble_byte(a, b)


def case_mix(b, rng):
    return bytes(x ^ 0x20 if (0x41 <= x <= 0x5A or 0x61 <= x <= 0x7A) and rng.random() < 0.5
                 else x for x in b)


def widen(b):
    return bytes(x for c in b for x in (c, 0))


# ---- rendering simple PCREs ---------------------------------------------


def sample_re(tree, rng):
    out = bytearray()
    for op, av in tree:
        name = str(op)
        if name == "LITERAL":
            out.append(av)
        elif name == "NOT_LITERAL":
            out.append(0x41 if av != 0x41 else 0x42)
        elif name == "ANY":
            out.append(0x41)
        elif name == "IN":
            out.append(sample_in(av, rng))
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            lo, hi, sub = av
            n = lo if hi == sre_parse.MAXREPEAT else rng.randint(lo, min(hi, lo + 3))
            for _ in range(n):
                out += sample_re(sub, rng)
        elif name == "SUBPATTERN":
            out += sample_re(av[-1], rng)
        elif name == "BRANCH":
            out += sample_re(rng.choice(av[1]), rng)
        elif name == "AT":
            pass
        else:
            raise ValueError("cannot sample %s" % name)
    return bytes(out)


def sample_in(items, rng):
    for op, av in items:
        name = str(op)
        if name == "LITERAL":
            return av
        if name == "RANGE":
            return rng.randint(av[0], av[1])
        if name == "CATEGORY":
            cat = str(av)
            return {"CATEGORY_DIGIT": 0x35, "CATEGORY_SPACE": 0x20,
                    "CATEGORY_WORD": 0x61, "CATEGORY_NOT_WORD": 0x2d}.get(cat, 0x2d)
    return 0x41


def render_pcre(pattern, rng):
    return sample_re(sre_parse.parse(pattern.encode("latin-1")), rng)


# ---- logical signatures --------------------------------------------------


def split_ldb(line):
    """Splits at ';' except inside /.../ after the second field."""
    fields, cur, in_re = [], "", False
    for i, c in enumerate(line):
        if c == ";" and not in_re:
            fields.append(cur)
            cur = ""
            continue
        if len(fields) >= 2 and c == "/" and (not cur or cur[-1] != "\\"):
            in_re = not in_re
        cur += c
    fields.append(cur)
    return fields


def parse_subsig(sub):
    mods = ""
    m = re.match(r"^(.*)::([iwaf]*)$", sub, re.S)
    if m and "/" not in m.group(2):
        sub, mods = m.group(1), m.group(2)
    off = None
    if "/" not in sub and ":" in sub:
        off, sub = sub.split(":", 1)
    elif "/" in sub and re.match(r"^[^/]*:", sub):
        off, sub = sub.split(":", 1)
    return off, sub, mods


def render_subsig(sub, rng):
    """Bytes matching one subsignature, and its absolute offset (or None).
    Returns (None, None) for kinds that cannot be planted alone."""
    off, body, mods = parse_subsig(sub)
    if body.startswith("$") or ("#" in body and "(" in body and "/" not in body):
        return None, None
    if "/" in body:
        pat = body[body.index("/") + 1:body.rindex("/")]
        data = render_pcre(pat, rng)
    else:
        data = Hex(body, rng).render()
        if "i" in mods:
            data = case_mix(data, rng)
        if "w" in mods and not ("a" in mods and rng.random() < 0.5):
            data = widen(data)
    if "f" in mods:
        data = b" " + data + b" "
    absoff = int(off) if off is not None and off.isdigit() else None
    return data, absoff


def build(target, parts, rng):
    """An object of target with the (bytes, absolute offset) parts planted."""
    data = bytearray(base_for(target))
    for b, off in parts:
        if off is None:
            continue
        if len(data) < off + len(b):
            data += FILL * (off + len(b) - len(data))
        data[off:off + len(b)] = b
    for b, off in parts:
        if off is None:
            data += FILL * 16 + b
    data += FILL * 16
    return bytes(data)


def lsig_target(tdb):
    m = re.search(r"(?:^|,)Target:(\d+)", tdb)
    return int(m.group(1)) if m else 0


def safe(name):
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name)


def plant(ldb, outdir, seed):
    rng = random.Random(seed)
    os.makedirs(outdir, exist_ok=True)
    with open(ldb, encoding="latin-1") as f:
        lines = [l.rstrip("\r\n") for l in f if l.strip() and not l.startswith("#")]
    for n, line in enumerate(lines):
        fields = split_ldb(line)
        name, target, subs = fields[0], lsig_target(fields[1]), fields[3:]
        try:
            rendered = [render_subsig(s, rng) for s in subs]
        except (ValueError, IndexError, re.error) as e:
            print("skip %s: %s" % (name, e), file=sys.stderr)
            continue
        parts = [r for r in rendered if r[0] is not None]
        stem = os.path.join(outdir, "%03d-%s" % (n, safe(name)[:60]))
        files = {"all": parts, "x3": parts * 3}
        for k in rng.sample(range(len(parts)), min(2, len(parts))):
            files["no%d" % k] = parts[:k] + parts[k + 1:]
        for kind, p in files.items():
            with open("%s.%s" % (stem, kind), "wb") as f:
                f.write(build(target, p, rng))


# ---- the feature set -------------------------------------------------------


def h(s):
    return s.encode("latin-1").hex()


FEATURES = [
    # name, target, expression, subsigs (ClamAV text), tdb extra
    ("And", 0, "0&1", [h("ALPHAONE"), h("BRAVOTWO")], ""),
    ("Or", 0, "0|1", [h("ALPHAONE"), h("CHARLIE3")], ""),
    ("RightAssoc", 0, "0&1|2", [h("ALPHAONE"), h("NOTTHERE"), h("BRAVOTWO")], ""),
    ("BlockLast", 0, "(0&1|2)", [h("NOTTHERE"), h("ALPHAONE"), h("BRAVOTWO")], ""),
    ("Eq1", 0, "0=1", [h("DELTA4")], ""),
    ("Eq3", 0, "0=3", [h("DELTA4")], ""),
    ("Gt1", 0, "0>1", [h("DELTA4")], ""),
    ("Lt2", 0, "0<2", [h("DELTA4")], ""),
    ("EqZero", 0, "0=0&1", [h("NOTTHERE"), h("ALPHAONE")], ""),
    ("Overlap", 0, "0>2", ["4141"], ""),
    ("BlkGt", 0, "(0|1)>2", [h("ECHO5"), h("FOXTROT6")], ""),
    ("BlkEqY", 0, "(0|1|2)=3,2", [h("ECHO5"), h("FOXTROT6"), h("NOTTHERE")], ""),
    ("BlkGtY", 0, "(0|1)>1,2", [h("ECHO5"), h("FOXTROT6")], ""),
    ("Nested", 0, "((0|1)&(2|3))|4", [h("ALPHAONE"), h("NOTTHERE"), h("NOPE1"),
                                        h("BRAVOTWO"), h("NOPE2")], ""),
    ("Nocase", 0, "0", [h("golfhotel") + "::i"], ""),
    ("NocaseUpper", 0, "0", [h("GOLFHOTEL") + "::i"], ""),
    ("Wide", 0, "0", [h("INDIAJULIET") + "::w"], ""),
    ("WideAscii", 0, "0&1", [h("KILOLIMA") + "::wa", h("KILOLIMA") + "::a"], ""),
    ("WideNocase", 0, "0", [h("mikenov") + "::wi"], ""),
    ("Fullword", 0, "0", [h("OSCAR") + "::f"], ""),
    ("FullwordNo", 0, "0", [h("PAPA") + "::f"], ""),
    ("AllMods", 0, "0", [h("quebecro") + "::iwaf"], ""),
    ("Wild", 0, "0", [h("SIER") + "??" + h("A7") + "{2}" + h("TANGO")], ""),
    ("Gap", 0, "0&1", [h("UNIF") + "{1-8}" + h("ORM8"), h("VICTOR9") + "*" + h("WHISKEY")], ""),
    ("Alt", 0, "0", [h("XRAY") + "(" + h("A") + "|" + h("B") + ")" + h("ZULU")], ""),
    ("OffAbs", 0, "0", ["0,4096:" + h("ANCHOR1")], ""),
    ("OffEof", 0, "0", ["EOF-200,200:" + h("NEAREND")], ""),
    ("OffAbsNo", 0, "0", ["0:" + h("ANCHOR1")], ""),
    ("FileSize", 0, "0", [h("ALPHAONE")], ",FileSize:1-100000"),
    ("FileSizeNo", 0, "0", [h("ALPHAONE")], ",FileSize:1-10"),
    ("ContainerAny", 0, "0", [h("ALPHAONE")], ",Container:CL_TYPE_ANY"),
    ("ContainerZip", 0, "0", [h("ALPHAONE")], ",Container:CL_TYPE_ZIP"),
    ("Inter", 0, "0", [h("ALPHAONE")], ",Intermediates:CL_TYPE_ZIP"),
    ("PeTarget", 1, "0", [h("ALPHAONE")], ""),
    ("ElfTarget", 6, "0", [h("ALPHAONE")], ""),
    ("PeEp", 1, "0", [h("ALPHAONE")], ",EntryPoint:0-100000"),
    ("PeEpNo", 1, "0", [h("ALPHAONE")], ",EntryPoint:5-6"),
    ("PeNos", 1, "0", [h("ALPHAONE")], ",NumberOfSections:1-8"),
    ("PeNosNo", 1, "0", [h("ALPHAONE")], ",NumberOfSections:20-30"),
    ("Pcre", 0, "0&1", [h("PCRETRIG"), "0/bat[0-9]{2}man/"], ""),
    ("PcreNocase", 0, "0&1", [h("PCRETRIG"), "0/robin/i"], ""),
    ("PcreGlobal", 0, "0&1=3", [h("PCRETRIG"), "0/joker[0-9]/g"], ""),
    ("PcreNoGlobal", 0, "0&1=1", [h("PCRETRIG"), "0/joker[0-9]/"], ""),
    ("PcreAnchored", 0, "0&1", [h("PCRETRIG"), "0/^ALPHA/A"], ""),
    ("PcreOffset", 0, "0&1", [h("PCRETRIG"), "0,100000:0/penguin/"], ""),
    ("PcreModI", 0, "0&1", [h("PCRETRIG"), "0/RIDDLER/::i"], ""),
    ("PcreModF", 0, "0&1", [h("PCRETRIG"), "0/alfred/::f"], ""),
    ("PcreTrigNo", 0, "0|1", [h("NOTTHERE"), "0/bat[0-9]{2}man/"], ""),
    ("PcreZeroTrig", 0, "1", [h("NOTTHERE"), "0=0/gotham/"], ""),
    ("BcompHex", 0, "0&1", [h("BCHEX:"), "0(>>6#hb4#=0x12ab)"], ""),
    ("BcompDec", 0, "0&1", [h("BCDEC:"), "0(>>6#de3#>99)"], ""),
    ("BcompBinLe", 0, "0&1", [h("BCBIN:"), "0(>>6#il2#=513)"], ""),
    ("BcompBinBe", 0, "0&1", [h("BCBIN:"), "0(>>6#ib2#=258)"], ""),
    ("BcompTwo", 0, "0&1", [h("BCDEC:"), "0(>>6#de3#>100,<200)"], ""),
    ("BcompNo", 0, "0&1", [h("BCDEC:"), "0(>>6#de3#<100)"], ""),
    ("Macro", 0, "0&1", [h("MACROSUB"), "${0-40}3$"], ""),
    ("MacroOr", 0, "0|1", [h("MACROSUB"), "${0-40}3$"], ""),
    ("PartialCnt2", 0, "0=2", [h("PART") + "*" + h("IAL")], ""),
    ("PartialCnt3", 0, "0=3", [h("PART") + "*" + h("IAL")], ""),
    ("GapCnt", 0, "0>1", [h("GAPA") + "{1-4}" + h("GAPB")], ""),
    ("WideAsciiCnt", 0, "0=2", [h("TWICE") + "::wa"], ""),
    ("NocaseNibble", 0, "0", ["4?" + h("NIBBLE") + "::i"], ""),
    ("NocaseAlt", 0, "0", ["(41|42)" + h("LTCASE") + "::i"], ""),
    ("ZeroBlock", 0, "(0|1)=0", [h("NOTTHERE"), h("NOPE1")], ""),
    ("ZeroBlockNo", 0, "(0|1)=0", [h("ALPHAONE"), h("NOPE1")], ""),
    ("LtBlock", 0, "(0|1)<3", [h("ECHO5"), h("FOXTROT6")], ""),
    ("PcreEncompass", 0, "0&1", [h("PCRETRIG"), "0,16:0/bat/e"], ""),
    ("PcreRolling", 0, "0&1", [h("PCRETRIG"), "0:0/bat/r"], ""),
    ("PcreAnchorNo", 0, "0&1", [h("PCRETRIG"), "0:0/bat/"], ""),
    ("PcreMulti", 0, "0&1&2", [h("PCRETRIG"), "0/bat/", "0&1/joker/"], ""),
    ("PcreSelfCnt", 0, "0&1>2", [h("PCRETRIG"), "0/joker./g"], ""),
    ("BcompNeg", 0, "0&1", [h("BCDEC:150"), "0(<<2#de1#=5)"], ""),
    ("BcompAuto", 0, "0&1", [h("BCAUTO:"), "0(>>7#ab4#=0x1f)"], ""),
    ("BcompHexLe", 0, "0&1", [h("BCHEX:"), "0(>>6#hl4#=0xab12)"], ""),
    ("BcompExactNo", 0, "0&1", [h("BCSP:"), "0(>>5#dbe4#=42)"], ""),
    ("BcompSpace", 0, "0&1", [h("BCSP:"), "0(>>5#db4#=42)"], ""),
    ("BcompZeroOff", 0, "0&1", ["0:" + h("\x7fELF"), "0(>>0#ib1#=127)"], ""),
    ("OrderLate0", 0, "0", [h("ALPHAONE")], ""),
    ("OrderLate1", 1, "0", [h("ALPHAONE")], ""),
    ("AlwaysLate", 0, "0<1", [h("NOTTHERE")], ""),
    ("Unofficial", 0, "0", [h("ALPHAONE")], ""),
]

# Parts of the feature objects: name -> bytes (planted in "all" objects).
PLANTS = [
    b"ALPHAONE", b"BRAVOTWO", b"CHARLIE3", b"DELTA4", b"DELTA4", b"DELTA4",
    b"AAAA", b"ECHO5", b"FOXTROT6", b"FOXTROT6", b"Golfhotel",
    widen(b"INDIAJULIET"), widen(b"KILOLIMA"), b"KILOLIMA", widen(b"MIKEnov"),
    b" OSCAR ", b"xPAPAx", b" " + widen(b"QueBecRo") + b" ",
    b"SIERxA7yzTANGO", b"UNIFabcORM8", b"VICTOR9--WHISKEY", b"XRAYBZULU",
    b"PCRETRIG", b"bat42man", b"ROBIN", b"joker1", b"joker2", b"joker3",
    b"penguin", b"riddler", b" alfred ", b"gotham",
    b"BCHEX:12ab", b"BCDEC:150", b"BCBIN:\x01\x02", b"MACROSUB", b"MACROSUB",
    b"PARTxIALyIAL", b"GAPAxGAPBxyGAPB", b"TWICE", widen(b"TWICE"),
    b"anibble", b"bltcase", b"BCAUTO:0x1f", b"BCSP:  42",
]


def features(outdir, seed):
    rng = random.Random(seed)
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, "feat.ldb"), "w") as f:
        for name, target, expr, subs, tdb in FEATURES:
            f.write("Feat.%s;Engine:51-255,Target:%d%s;%s;%s\n" %
                    (name, target, tdb, expr, ";".join(subs)))
    for target, tag in ((0, "elf"), (1, "pe"), (9, "macho")):
        everything = [(p, None) for p in PLANTS]
        with open(os.path.join(outdir, "all.%s" % tag), "wb") as f:
            f.write(build(target, everything, rng))
        with open(os.path.join(outdir, "none.%s" % tag), "wb") as f:
            f.write(build(target, [], rng))
        for k in range(0, len(PLANTS), 3):
            some = everything[:k] + everything[k + 3:]
            with open(os.path.join(outdir, "part%02d.%s" % (k, tag)), "wb") as f:
                f.write(build(target, some, rng))
        # clamscan computes no EOF offset in an ELF or Mach-O object whose
        # headers it cannot read; the anchored object is a PE.
        if target == 1:
            at0 = [(b"ANCHOR1", 4000), (b"NEAREND", None)] + everything[:4]
            with open(os.path.join(outdir, "anchor.%s" % tag), "wb") as f:
                f.write(build(target, at0, rng))


# ---- random expressions ----------------------------------------------------

NTOK = 6


def rand_leaf(rng):
    n = str(rng.randrange(NTOK))
    if rng.random() < 0.4:
        n += rng.choice("=><") + str(rng.randrange(4))
    return n


def rand_expr(rng, depth):
    """An expression ClamAV accepts: leaves, & and |, blocks with modifiers
    only where a block ends its segment."""
    if depth <= 0 or rng.random() < 0.3:
        return rand_leaf(rng)
    if rng.random() < 0.45:
        block = "(%s%s%s)" % (rand_expr(rng, depth - 1), rng.choice("&|"),
                              rand_expr(rng, depth - 1))
        if rng.random() < 0.5:
            block += rng.choice("=><") + str(rng.randrange(6))
            if rng.random() < 0.4:
                block += "," + str(rng.randrange(1, 4))
        if rng.random() < 0.5:
            return block
        return block + rng.choice("&|") + rand_expr(rng, depth - 1)
    return rand_leaf(rng) + rng.choice("&|") + rand_expr(rng, depth - 1)


def exprs(outdir, seed):
    rng = random.Random(seed)
    os.makedirs(outdir, exist_ok=True)
    toks = [h("EXPRTOK%d!" % i) for i in range(NTOK)]
    with open(os.path.join(outdir, "exprs.ldb"), "w") as f:
        for k in range(120):
            e = rand_expr(rng, 4)
            top = max(int(d) for d in re.findall(r"(?<![=<>,\d])\d+", e))
            f.write("X.%03d;Engine:51-255,Target:0;%s;%s\n" % (k, e, ";".join(toks[:top + 1])))
    for n in range(40):
        counts = [rng.randrange(4) for _ in range(NTOK)]
        parts = [(b"EXPRTOK%d!" % i, None) for i in range(NTOK) for _ in range(counts[i])]
        rng.shuffle(parts)
        with open(os.path.join(outdir, "obj%02d-%s.elf" % (n, "".join(map(str, counts)))),
                  "wb") as f:
            f.write(build(0, parts, rng))


def main(argv):
    if len(argv) == 5 and argv[1] == "plant":
        plant(argv[2], argv[3], int(argv[4]))
    elif len(argv) == 4 and argv[1] == "features":
        features(argv[2], int(argv[3]))
    elif len(argv) == 4 and argv[1] == "exprs":
        exprs(argv[2], int(argv[3]))
    else:
        sys.exit("usage: ldbgen.py plant LDB OUTDIR SEED | features OUTDIR SEED | "
                 "exprs OUTDIR SEED")


if __name__ == "__main__":
    main(sys.argv)
