#!/usr/bin/env bash
# compat/epoffset: executable offsets in .ndb signatures - EP+n, EP-n, Sx+n,
# SEx, SL+n and their floating forms - on PE32/PE32+, ELF 32/64 in both byte
# orders and Mach-O 32/64 in both byte orders: hand-made objects, many with
# malformed headers (cut short, offsets past the end, too many sections,
# sums that wrap), and real ones (clam.exe, mingw and clang builds,
# /usr/bin/true).
#
# Every signature takes its 8 bytes (plain, and with a ?? so that clamscan
# uses its Aho-Corasick matcher as well as Boyer-Moore) at a candidate offset
# or one byte off. gen.py's model of libclamav 1.4.6 says which ones clamscan
# reports; the test checks clamscan against it (so a case cannot pass by
# matching nothing) and vigil against clamscan. Forms vigil is known to
# treat differently outside src/scan/exe*.c (see "known gaps" at the end) run
# apart and show as SKIP while they differ.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/compat.sh"

cat > gen.py <<'PY'
# gen.py - objects, signatures and clamscan's verdicts for epoffset.sh.
#   gen.py synth              writes the hand-made objects, prints their names
#   gen.py real FILE TARGET   signatures for a real object
# For an object NAME it writes NAME.ndb (signatures whose bytes are taken at
# candidate offsets - the EP and section starts the model computes, a few
# fixed probes - and one byte off) and NAME.exp (the names clamscan must
# report, from a model of libclamav 1.4.6's rules, checked against clamscan
# itself), and NAME.KIND.ndb/.exp for each kind of known gap.
import random, re, struct, sys

M32 = 0xffffffff

def fill(size, seed):
    r = random.Random(seed)
    return bytearray(r.getrandbits(8) for _ in range(size))

def put(b, off, fmt, *v):
    s = struct.pack(fmt, *v)
    b[off:off + len(s)] = s

def rd(d, off, n, be=False):
    if off < 0 or off + n > len(d):
        return None
    return int.from_bytes(d[off:off + n], 'big' if be else 'little')

# ---- models of clamscan 1.4.6: (ep, [(raw, rsz)]) or None -----------------

def up(v, a):
    return ((v // a + (v % a != 0)) * a) & M32 if a else v

def down(v, a):
    return v // a * a if a else v

def pe_model(d):
    n = len(d)
    if n < 64 or d[:2] not in (b'MZ', b'ZM'):
        return None
    lf = rd(d, 0x3c, 4)
    if lf == 0 or lf + 24 > n or d[lf:lf + 4] != b'PE\0\0':
        return None
    ns, osz, o = rd(d, lf + 6, 2), rd(d, lf + 20, 2), lf + 24
    if ns == 0 or osz < 96 or o + 96 > n:
        return None
    fixed = 112 if rd(d, o, 2) == 0x20b else 96
    if fixed == 112 and (osz < 112 or o + 112 > n):
        return None
    vep, sal, fal = rd(d, o + 16, 4), rd(d, o + 32, 4), rd(d, o + 36, 4)
    hdr = up(rd(d, o + 60, 4), sal)
    nd = min(rd(d, o + fixed - 4, 4), 16)
    st = o + osz
    if osz < fixed + 8 * nd or o + fixed + 8 * nd > n or st + 40 * ns > n:
        return None
    for i in range(ns):
        if fal == 0x200:
            break
        rs, ptr = rd(d, st + 40 * i + 16, 4), rd(d, st + 40 * i + 20, 4)
        if fal and rs and ptr % fal and not ptr % 0x200:
            fal = 0x200
    secs = []
    for i in range(ns):
        h = st + 40 * i
        vs, va, rs, ptr = (rd(d, h + k, 4) for k in (8, 12, 16, 20))
        rva, raw, rsz, ursz = down(va, sal), down(ptr, fal), up(rs, fal), rs
        if rsz:
            if raw >= n or ptr >= n:
                rsz = ursz = 0
            else:
                rsz, ursz = min(rsz, n - raw), min(ursz, n - ptr)
        if va >> 31 or vs >> 31 or (rsz and ptr >> 31) or ursz >> 31:
            return None
        secs.append((rva, raw, rsz))
    if vep < hdr:
        return (vep, [(r, s) for _, r, s in secs]) if vep < n else None
    for rva, raw, rsz in reversed(secs):
        if rsz and rva <= vep and rsz > vep - rva:
            return ((vep - rva + raw) & M32, [(r, s) for _, r, s in secs])
    return None

def elf_model(d):
    if len(d) < 52 or d[:4] != b'\x7fELF' or d[4] not in (1, 2):
        return None
    w, be = d[4] == 2, d[5] != 1
    if w and len(d) < 64:
        return None
    f = lambda off, n: rd(d, off, n, be)
    if w:
        entry, phoff, shoff = f(24, 8), f(32, 8), f(40, 8)
        phes, phn, shes, shn = f(54, 2), f(56, 2), f(58, 2), f(60, 2)
    else:
        entry, phoff, shoff = f(24, 4), f(28, 4), f(32, 4)
        phes, phn, shes, shn = f(42, 2), f(44, 2), f(46, 2), f(48, 2)
    mask = (1 << 64) - 1 if w else M32
    ep = 0
    if phn > 128:
        return None
    if phn and entry:
        if phes != (56 if w else 32):
            return None
        phs = [(phoff + phes * i) & mask for i in range(phn)]
        if any(f(a, phes) is None for a in phs):
            return None
        for a in phs:
            off, va, msz = (f(a + 8, 8), f(a + 16, 8), f(a + 40, 8)) if w else \
                           (f(a + 4, 4), f(a + 8, 4), f(a + 20, 4))
            if va <= entry and (va + msz) & mask > entry:
                ep = (entry - va + off) & M32
                break
        else:
            return None
    if shn > 256 or shes != (64 if w else 40):
        return None
    shs = [(shoff + shes * i) & mask for i in range(shn)]
    if any(f(a, shes) is None for a in shs):
        return None
    secs = [((f(a + 24, 8) if w else f(a + 16, 4)) & M32,
             (f(a + 32, 8) if w else f(a + 20, 4)) & M32) for a in shs]
    return ep, secs

MACHO = {b'\xce\xfa\xed\xfe': (0, 0), b'\xfe\xed\xfa\xce': (0, 1),
         b'\xcf\xfa\xed\xfe': (1, 0), b'\xfe\xed\xfa\xcf': (1, 1)}

def macho_model(d):
    if len(d) < 28 or bytes(d[:4]) not in MACHO:
        return None
    w, be = MACHO[bytes(d[:4])]
    f = lambda off, n: rd(d, off, n, be)
    arch = {7: 1, 18: 2, 0x1000012: 3}.get(f(4, 4), 0)
    ncmds, at, ep, secs = f(16, 4), 32 if w else 28, 0, []
    if ncmds == 0 or ncmds > 1024:
        return None
    for _ in range(ncmds):
        if f(at, 8) is None:
            return None
        cmd, size = f(at, 4), f(at + 4, 4)
        at += 8
        if cmd == (0x19 if w else 1):
            if f(at, 64 if w else 48) is None:
                return None
            ns = f(at + (56 if w else 40), 4)
            at += 64 if w else 48
            if ns > 255:
                return None
            for _ in range(ns):
                if f(at, 80 if w else 68) is None:
                    return None
                addr, sz = (f(at + 32, 8), f(at + 40, 8)) if w else (f(at + 32, 4), f(at + 36, 4))
                raw, al = f(at + (48 if w else 40), 4), f(at + (52 if w else 44), 4)
                at += 80 if w else 68
                if al >= 32 or sz > M32 or sz + (-sz % (1 << al)) > M32:
                    return None
                secs.append((addr & M32, sz, raw, sz + (-sz % (1 << al))))
        elif arch and cmd in (4, 5):
            at += 8
            state = (0, 64, 160, 312)[arch]
            if f(at, state) is None:
                return None
            if arch > 1:
                ep = f(at, 4 if arch == 2 else 8) & M32
            at += state
        elif size > 8:
            at += size - 8
    secs = secs[:len(secs) & 0xffff]
    if ep and secs:
        for rva, vsz, raw, _ in secs:
            if rva <= ep and (rva + vsz) & M32 > ep:
                ep = (ep - rva + raw) & M32
                break
        else:
            return None
    return ep, [(raw, rsz) for _, _, raw, rsz in secs]

MODELS = {1: pe_model, 6: elf_model, 9: macho_model}

# ---- signatures -------------------------------------------------------------

def window(m, size, form):
    """The match starts clamscan allows for an offset form, or None."""
    if m is None:
        return None
    ep, secs = m
    base, _, shift = form.partition(',')
    shift = int(shift or 0)
    if base.startswith('EOF-'):
        lo = size - int(base[4:])
    elif base.startswith('EP'):
        lo = ep + int(base[2:])
        if lo < 0:
            return None
    elif base.startswith('SL+'):
        lo = secs[-1][0] + int(base[3:])
    elif base.startswith('SE'):
        k = int(base[2:])
        return (secs[k][0], (secs[k][0] + secs[k][1] + shift) & M32) if k < len(secs) else None
    else:
        k, n = base[1:].split('+')
        if int(k) >= len(secs):
            return None
        lo = secs[int(k)][0] + int(n)
    return lo, lo + shift

class Sigs:
    def __init__(self, d, target, inner=None):
        self.d, self.t, self.m, self.size = d, target, MODELS[target](d), len(d)
        self.sets = {'': ([], [])}  # kind of known gap ('' none) -> (lines, expected)
        self.all_gap = None
        if inner:  # matches come from the object embedded at inner[0]
            off, obj = inner
            m = MODELS[target](obj)
            self.m = (m[0] + off, [(r + off, z) for r, z in m[1]])
            self.size, self.all_gap = off + len(obj), 'fat'

    def add(self, name, form, at, gap='', wild=False):
        """A signature `form` whose bytes are those at `at`, in the set of
        known gap `gap`."""
        if self.all_gap and gap or not self.unique(at, wild):
            return
        hx = self.d[at:at + 8].hex()
        if wild:
            hx, name = hx[:6] + '??' + hx[8:], name + 'w'
        name = '%s_%x' % (name, at)
        w = window(self.m, self.size, form)
        line = '%s:%d:%s:%s' % (name, self.t, form, hx)
        lines, exp = self.sets.setdefault(self.all_gap or gap, ([], []))
        if line not in lines:
            lines.append(line)
            if w and w[0] <= at <= w[1]:
                exp.append(name)

    def unique(self, at, wild):
        """Whether the pattern at `at` occurs once in the object, and is no
        header stuff (vigil refuses all-zero patterns)."""
        b = self.d[at:at + 8]
        if at < 0 or at + 8 > len(self.d) or len(set(b)) < 5:
            return False
        pat = re.escape(b[:3]) + b'.' + re.escape(b[4:]) if wild else re.escape(b)
        return len(re.findall(b'(?=' + pat + b')', self.d, re.S)) == 1

    def write(self, path):
        for kind, (lines, exp) in self.sets.items():
            base = path + ('.' + kind if kind else '')
            open(base + '.ndb', 'w').write(''.join(l + '\n' for l in lines))
            open(base + '.exp', 'w').write(''.join(x + '\n' for x in sorted(set(exp))))

def pick(n):
    """The section indexes worth a signature: the first three, 94..99, the last."""
    return sorted({k for k in (0, 1, 2, 94, 95, 96, 99, n - 1) if 0 <= k < n})

def sigs_for(d, target, probes=(), inner=None):
    s = Sigs(d, target, inner)
    ok = s.m is not None
    ep, secs = s.m if ok else (None, [])
    # Past 96 sections vigil keeps only the last beyond the 95th (exe.h).
    big = lambda k: len(secs) > 96 and k >= 95
    cands = set(probes) | ({ep} | {r for r, _ in secs} if ok else set())
    for x in sorted(cands):
        for wild in (False, True):
            for name, form, at in (('EPp0', 'EP+0', x), ('EPp0', 'EP+0', x + 1), ('EPp3', 'EP+3', x + 3),
                                   ('EPm2', 'EP-2', x - 2), ('EPf1s3', 'EP+1,3', x + 4),
                                   ('EPf1s3', 'EP+1,3', x + 5)):
                s.add(name, form, at, wild=wild)
        for k in pick(len(secs)) if ok else (0, 1):
            s.add('S%dp0' % k, 'S%d+0' % k, x, gap='sect96' if big(k) else '')
            s.add('S%dp5' % k, 'S%d+5' % k, x + 5, gap='sect96' if big(k) else '')
        if ok and not secs:
            continue  # clamscan 1.4.6 crashes on SL+n when there are no sections
        for name, form, at in (('SLp0', 'SL+0', x), ('SLp2', 'SL+2', x + 2), ('SLp0', 'SL+0', x - 1)):
            s.add(name, form, at)
    for k in pick(len(secs)):
        raw, rsz = secs[k]
        for at in (raw - 1, raw, raw + 1, raw + rsz // 2, raw + rsz - 1, raw + rsz + 1):
            if at != raw + rsz:
                for wild in (False, True):
                    # offset.c: clamscan's window end wraps at 32 bits.
                    s.add('SE%d' % k, 'SE%d' % k, at, gap='sect96' if big(k) else 'wrap' if raw + rsz > M32 else '', wild=wild)
        # offset.c: vigil's window ends one byte early (empty for raw size
        # 0) and refuses SEx,n.
        s.add('SE%dend' % k, 'SE%d' % k, raw + rsz, gap='seend')
        s.add('SE%ds4' % k, 'SE%d,4' % k, raw + rsz + 4, gap='seshift')
    # offset.c: clamscan ignores EOF-n of a typed signature when the headers
    # are unusable; vigil does not.
    s.add('Eof16', 'EOF-16', len(d) - 16, gap='' if ok else 'eof')
    return s

# ---- synthetic objects --------------------------------------------------------

def pe(size=0x1000, seed=1, lfanew=0x80, plus=False, nsect=None, sections=(), entry=0x1010,
       salign=0x1000, falign=0x200, hdrsize=0x400, opt=None, ndirs=16, magic=None, cut=None):
    b = fill(size, seed)
    b[0:2] = b'MZ'
    put(b, 0x3c, '<I', lfanew)
    fixed = 112 if plus else 96
    opt = fixed + 8 * min(ndirs, 16) if opt is None else opt
    ns = len(sections) if nsect is None else nsect
    put(b, lfanew, '<4sHHIIIHH', b'PE\0\0', 0x8664 if plus else 0x14c, ns, 0, 0, 0, opt, 0x102)
    o = lfanew + 24
    put(b, o, '<H', magic if magic is not None else (0x20b if plus else 0x10b))
    put(b, o + 16, '<I', entry)
    put(b, o + 32, '<II', salign, falign)
    put(b, o + 56, '<II', 0x10000, hdrsize)
    put(b, o + 68, '<H', 3)
    put(b, o + fixed - 4, '<I', ndirs)
    b[o + fixed:o + fixed + 8 * min(ndirs, 16)] = bytes(8 * min(ndirs, 16))
    for i, (va, vs, raw, rs) in enumerate(sections):
        put(b, o + opt + 40 * i, '<8sIIIIIIHHI', b'.s%d' % i, vs, va, rs, raw, 0, 0, 0, 0, 0x60000020)
    return bytes(b[:cut])

def elf(size=0x2000, seed=2, bits=64, be=False, entry=0x401010, phs=(), shs=(), phoff=None,
        shoff=None, phentsize=None, shentsize=None, phnum=None, shnum=None, cls=None,
        data=None, cut=None):
    b, e, w = fill(size, seed), '>' if be else '<', bits == 64
    b[0:7] = b'\x7fELF' + bytes((cls or (2 if w else 1), data if data is not None else 1 + be, 1))
    hs, pes, ses = (64, 56, 64) if w else (52, 32, 40)
    phoff = hs if phoff is None else phoff
    shoff = phoff + pes * len(phs) if shoff is None else shoff
    hdr = (2, 62 if w else 3, 1, entry, phoff, shoff, 0, hs, pes if phentsize is None else phentsize,
           len(phs) if phnum is None else phnum, ses if shentsize is None else shentsize,
           len(shs) if shnum is None else shnum, 0)
    put(b, 16, e + ('HHIQQQIHHHHHH' if w else 'HHIIIIIHHHHHH'), *hdr)
    for i, (off, va, fsz, msz) in enumerate(phs):
        if w:
            put(b, phoff + 56 * i, e + 'IIQQQQQQ', 1, 5, off, va, va, fsz, msz, 0x1000)
        else:
            put(b, phoff + 32 * i, e + 'IIIIIIII', 1, off, va, va, fsz, msz, 5, 0x1000)
    for i, (off, sz) in enumerate(shs):
        if w:
            put(b, shoff + 64 * i, e + 'IIQQQQIIQQ', 0, 1, 6, 0x400000 + off, off, sz, 0, 0, 16, 0)
        else:
            put(b, shoff + 40 * i, e + 'IIIIIIIIII', 0, 1, 6, 0x8048000 + off, off, sz, 0, 0, 16, 0)
    return bytes(b[:cut])

def macho(size=0x2000, seed=3, bits=32, be=False, cpu=7, cmds=(), ncmds=None, cut=None):
    """cmds: ('seg', [(addr, size, offset, align)]) | ('thread', state) | ('raw', cmd, size, body)"""
    b, e, w = fill(size, seed), '>' if be else '<', bits == 64
    body = b''
    for c in cmds:
        if c[0] == 'seg':
            n = len(c[1])
            if w:
                body += struct.pack(e + 'II16sQQQQIIII', 0x19, 72 + 80 * n, b'__TEXT', 0, 0x10000, 0, size, 7, 5, n, 0)
                for a, sz, off, al in c[1]:
                    body += struct.pack(e + '16s16sQQIIIIIIII', b'__t', b'__TEXT', a, sz, off, al, 0, 0, 0, 0, 0, 0)
            else:
                body += struct.pack(e + 'II16sIIIIIIII', 1, 56 + 68 * n, b'__TEXT', 0, 0x10000, 0, size, 7, 5, n, 0)
                for a, sz, off, al in c[1]:
                    body += struct.pack(e + '16s16sIIIIIIIII', b'__t', b'__TEXT', a, sz, off, al, 0, 0, 0, 0, 0)
        elif c[0] == 'thread':
            body += struct.pack(e + 'IIII', 5, 16 + len(c[1]), 1, len(c[1]) // 4) + c[1]
        else:
            body += struct.pack(e + 'II', c[1], c[2]) + c[3]
    magic = 0xfeedfacf if w else 0xfeedface
    put(b, 0, e + 'IIIIIII', magic, cpu, 3, 2, len(cmds) if ncmds is None else ncmds, len(body), 0)
    hs = 32 if w else 28
    b[hs:hs + len(body)] = body
    return bytes(b[:size][:cut])

def state(arch, pc, be):
    e = '>' if be else '<'
    if arch == 'x86':
        return struct.pack(e + '16I', *([0] * 10 + [pc] + [0] * 5))
    if arch == 'ppc':
        return struct.pack(e + '40I', pc, *([0] * 39))
    return struct.pack(e + 'Q', pc) + bytes(304)

def fat(inner, off=0x1000):
    b = bytearray(struct.pack('>IIIIIII', 0xcafebabe, 1, 18, 0, off, len(inner), 12))
    return bytes(b + bytes(off - len(b)) + inner + fill(0x100, 9))

S2 = [(0x1000, 0x300, 0x400, 0x200), (0x2000, 0x180, 0x600, 0x200)]
PH = [(0x1000, 0x401000, 0x800, 0x800)]
SH = [(0, 0), (0x1000, 0x800), (0x1800, 0x100)]

def synth():
    """(name, target, bytes, probe offsets)"""
    c = []
    P = lambda name, **kw: c.append((name, 1, pe(**kw), (0x400, 0x410, 0x600, 0x1010)))
    P('pe32', sections=S2)
    P('pe32plus', sections=S2, plus=True, entry=0x2010)
    P('pe-ep-in-header', sections=S2, entry=0x300)
    P('pe-ep-hdr-aligned', sections=S2, entry=0xff0, hdrsize=0x200, size=0x2000)
    P('pe-ep-hdr-past-end', sections=S2, entry=0xff0, hdrsize=0x200, size=0x800)
    P('pe-ep-no-section', sections=S2, entry=0x5000)
    P('pe-ep-last-wins', sections=S2 + [(0x2000, 0x100, 0x800, 0x200)], entry=0x2010)
    P('pe-nsect0', sections=S2, nsect=0)
    P('pe-unaligned', sections=[(0x1010, 0x300, 0x410, 0x1f0), (0x2000, 0x100, 0x7f0, 0x20)], entry=0x1020)
    P('pe-align0', sections=[(0x1010, 0x300, 0x410, 0x1f0)], entry=0x1020, salign=0, falign=0, hdrsize=0x100)
    P('pe-falign-fallback', sections=[(0x1000, 0x300, 0x400, 0x300)], falign=0x1000, size=0x3000)
    P('pe-falign-kept', sections=[(0x1000, 0x300, 0x1100, 0x300)], falign=0x1000, size=0x3000)
    P('pe-sect-past-end', sections=S2 + [(0x3000, 0x100, 0x2000, 0x200)])
    P('pe-sect-cut', sections=[(0x1000, 0x1000, 0x400, 0x1000)], size=0x900)
    P('pe-ep-in-cut-sect', sections=S2 + [(0x3000, 0x100, 0x2000, 0x200)], entry=0x3010)
    P('pe-virtual-sect', sections=S2 + [(0x3000, 0x100, 0x800, 0)])
    P('pe-sign-vsize', sections=[(0x1000, 0x80000000, 0x400, 0x200)])
    P('pe-sign-ptr-past-end', sections=[(0x1000, 0x300, 0x80000400, 0x200)], entry=0x200)
    P('pe-sign-rawsize-cut', sections=[(0x1000, 0x300, 0x400, 0x80000000)])
    P('pe-hdr-align-wraps', sections=S2, hdrsize=0xfffff001, entry=0x1010)
    P('pe-many-dirs', sections=S2, ndirs=0x100000)
    P('pe-opt-too-small', sections=S2, opt=95)
    P('pe-plus-opt-too-small', sections=S2, plus=True, opt=111)
    P('pe-dirs-past-opt', sections=S2, ndirs=16, opt=96 + 8 * 15)
    P('pe-long-opt', sections=S2, opt=0x140)
    P('pe-magic-other', sections=S2, magic=0x107)
    P('pe-lfanew-past-end', sections=S2, lfanew=0xff0, cut=0x1000)
    P('pe-sect-table-cut', sections=S2, cut=0x80 + 24 + 224 + 60)
    P('pe-100-sections', sections=[(0x2000 + 0x1000 * i, 0x10, 0x1200 + 0x10 * i, 0x10) for i in range(100)],
      entry=0x65004, falign=0, salign=0x1000, hdrsize=0x1200, size=0x2000)
    E = lambda name, t=(0x1000, 0x1010, 0x1800), **kw: c.append((name, 6, elf(**kw), t))
    for bits in (32, 64):
        for be in (False, True):
            E('elf%d%s' % (bits, 'be' if be else 'le'), bits=bits, be=be, phs=PH, shs=SH)
        E('elf%d-entry0' % bits, bits=bits, entry=0, phs=PH, shs=SH, phentsize=1)
        E('elf%d-entry-unmapped' % bits, bits=bits, entry=0x500000, phs=PH, shs=SH)
        E('elf%d-memsz' % bits, bits=bits, entry=0x401900, phs=[(0x1000, 0x401000, 0x10, 0x1000)], shs=SH)
        E('elf%d-first-ph' % bits, bits=bits, phs=[(0x1000, 0x401000, 0x10, 0x800), (0x1800, 0x401000, 0x800, 0x800)], shs=SH)
        E('elf%d-phnum129' % bits, bits=bits, phs=PH, shs=SH, phnum=129)
        E('elf%d-phnum0' % bits, bits=bits, phs=PH, shs=SH, phnum=0)
        E('elf%d-ph-cut' % bits, bits=bits, phs=PH, shs=SH, phoff=0x1ff0, shoff=0x100)
        E('elf%d-sh-cut' % bits, bits=bits, phs=PH, shs=SH, shoff=0x1fa0)
        E('elf%d-shnum0' % bits, bits=bits, phs=PH, shs=[])
        E('elf%d-shnum0-badent' % bits, bits=bits, phs=PH, shs=[], shentsize=3)
        E('elf%d-shnum257' % bits, bits=bits, phs=PH, shs=SH, shnum=257, size=0x10000)
        E('elf%d-shnum200' % bits, bits=bits, phs=PH,
          shs=[(0x1000 + 0x10 * i, 0x10) for i in range(200)], size=0x4000, shoff=0x2000)
        E('elf%d-data0' % bits, bits=bits, phs=PH, shs=SH, data=0)
        E('elf%d-class3' % bits, bits=bits, phs=PH, shs=SH, cls=3)
        E('elf%d-short' % bits, bits=bits, size=0x40, entry=0, cut=51 if bits == 32 else 63)
    E('elf32-wrap', bits=32, entry=0xfffff010, phs=[(0x1000, 0xfffff000, 0x800, 0x2000)], shs=SH)
    E('elf64-trunc32', bits=64, phs=[(0x100001000, 0x401000, 0x800, 0x800)],
      shs=[(0x100001800, 0x100000100)])
    M = lambda name, t=(0x400, 0x410, 0x800, 0x810), **kw: c.append((name, 9, macho(**kw), t))
    SEC = [(0x1000, 0x200, 0x400, 4), (0x2000, 0x100, 0x800, 0)]
    for bits, cpu, arch in ((32, 18, 'ppc'), (64, 0x1000012, 'ppc64')):
        for be in (True, False):
            M('macho%d%s' % (bits, 'be' if be else 'le'), bits=bits, be=be, cpu=cpu,
              cmds=[('seg', SEC), ('thread', state(arch, 0x2010, be))])
    M('macho-i386-ep0', cpu=7, cmds=[('seg', SEC), ('thread', state('x86', 0x1010, False))])
    M('macho-x86-64-ep0', bits=64, cpu=0x1000007, cmds=[('seg', SEC), ('raw', 0x80000028, 24, bytes(16))])
    M('macho-no-sections', size=0x3000, be=True, cpu=18, t=(0x2010,), cmds=[('thread', state('ppc', 0x2010, True))])
    M('macho-ep-unmapped', be=True, cpu=18, cmds=[('seg', SEC), ('thread', state('ppc', 0x10, True))])
    M('macho-thread-first', be=True, cpu=18, cmds=[('thread', state('ppc', 0x1010, True)), ('seg', SEC)])
    M('macho-two-threads', be=True, cpu=18, cmds=[('thread', state('ppc', 0x1010, True)),
      ('thread', state('ppc', 0x1020, True)), ('seg', SEC)])
    M('macho-ppc64-trunc', bits=64, be=True, cpu=0x1000012, cmds=[('seg', [(0x100001000, 0x100, 0x400, 0)]),
      ('thread', state('ppc64', 0x1010, True))])
    M('macho-rva-wrap', bits=64, be=True, cpu=0x1000012, cmds=[('seg', [(0xfffff000, 0x2000, 0x400, 0)]),
      ('thread', state('ppc64', 0xfffff010, True))])
    M('macho-skip-cmd', be=True, cpu=18, cmds=[('raw', 0x2, 24, bytes(16)), ('raw', 0x99, 4, b''),
      ('seg', SEC), ('thread', state('ppc', 0x2010, True))])
    for al, sz in ((31, 0x100), (32, 0x100), (4, 0xfffffff0), (4, 0xfffffff8), (31, 0x80000001)):
        M('macho-align%d-size%x' % (al, sz), be=True, cpu=18, cmds=[('seg', [(0x1000, sz, 0x400, al)])])
    M('macho64-size33', bits=64, be=True, cpu=0x1000012, cmds=[('seg', [(0x1000, 0x100000100, 0x400, 0)])])
    M('macho-ncmds0', be=True, cpu=18, cmds=[('seg', SEC)], ncmds=0)
    M('macho-ncmds1025', be=True, cpu=18, cmds=[('seg', SEC)], ncmds=1025)
    M('macho-nsects256', be=True, cpu=18, cmds=[('raw', 1, 56, struct.pack('>16sIIIIIIII', b'x', 0, 0, 0, 0, 7, 5, 256, 0))])
    M('macho-thread-cut', be=True, cpu=18, cmds=[('seg', SEC), ('thread', state('ppc', 0x2010, True))], cut=28 + 192 + 16 + 100)
    # A universal binary has no layout itself; clamscan scans its
    # architecture as an object of its own, which vigil cannot do yet.
    thin = macho(be=True, cpu=18, cmds=[('seg', SEC), ('thread', state('ppc', 0x2010, True))])
    c.append(('macho-fat', 9, fat(thin), (0x1410, 0x1400, 0x1800), (0x1000, thin)))
    return c

if __name__ == '__main__':
    if sys.argv[1] == 'synth':
        for name, target, data, probes, *inner in synth():
            open(name, 'wb').write(data)
            sigs_for(data, target, probes, *inner).write(name)
            print(name)
    else:
        path, target = sys.argv[2], int(sys.argv[3])
        data = open(path, 'rb').read()
        if MODELS[target](data) is None:
            sys.exit('%s: the model finds no layout in this real file' % path)
        sigs_for(data, target).write(path)
PY

# names TEXT: the signature names clamscan or vigil reported, sorted.
names() { found_lines "$1" | sed 's/^.*: \(.*\)\.UNOFFICIAL FOUND$/\1/' | sort -u; }

EXPECTED=0
# check_case FILE: the main signatures of FILE; clamscan against the model,
# vigil against clamscan.
check_case() {
    local f=$1
    compat_run -z -d "$f.ndb" "$f"
    assert_eq "$f: clamscan reports what the model expects" "$(cat "$f.exp")" "$(names "$C_OUT")"
    compare_all "$f"
    EXPECTED=$((EXPECTED + $(wc -l < "$f.exp")))
}

# check_gap FILE KIND: signatures of a known gap: clamscan against the
# model; where vigil differs, FILE is added to GAP_<KIND>.
check_gap() {
    local f=$1 kind=$2 var=GAP_$2
    [ -s "$f.$kind.ndb" ] || return 0
    compat_run -z -d "$f.$kind.ndb" "$f"
    assert_eq "$f ($kind): clamscan reports what the model expects" \
        "$(cat "$f.$kind.exp")" "$(names "$C_OUT")"
    if [ "$C_RC" != "$V_RC" ] || [ "$(found_lines "$C_OUT")" != "$(found_lines "$V_OUT")" ]; then
        printf -v "$var" '%s %s' "${!var}" "$f"
    fi
}

# ---- hand-made objects ----------------------------------------------------
SYNTH=$(python3 gen.py synth) || { fail "gen.py synth"; finish; }
for f in $SYNTH; do
    check_case "$f"
done

# ---- real objects -----------------------------------------------------------
# built CMD...: runs a compiler; a failure is a test failure, not a skip.
built() {
    "$@" 2> build.err && return 0
    fail "could not build: $*"
    show stderr "$(cat build.err)"
    return 1
}
# real FILE TARGET: signatures for an object built or found here.
REAL=
real() {
    if python3 gen.py real "$1" "$2"; then
        check_case "$1"
        REAL="$REAL $1"
    else
        fail "$1: the model finds no layout in a real object"
    fi
}
printf 'int v = 3;\nint f(int a) { return a * v + 1; }\nint main(void) { return f(2); }\n' > hello.c
printf 'int v = 3;\nint f(int a) { return a * v + 1; }\nvoid _start(void) { for (;;) v = f(v); }\n' > start.c

if [ -f "$CLAMAV_TESTFILES/clam.exe" ]; then
    cp "$CLAMAV_TESTFILES/clam.exe" clam.exe
    real clam.exe 1
else
    fail "clam.exe: clamav-testfiles is not installed (scripts/install-deps test)"
fi
for cc in i686-w64-mingw32-gcc x86_64-w64-mingw32-gcc; do
    if ! command -v $cc > /dev/null; then
        fail "$cc is not installed (scripts/install-deps test)"
        continue
    fi
    built $cc -O1 -s -o "${cc%%-*}.exe" hello.c && real "${cc%%-*}.exe" 1
    built $cc -O1 -s -shared -o "${cc%%-*}.dll" hello.c && real "${cc%%-*}.dll" 1
done
cp /usr/bin/true true.elf && real true.elf 6
built clang --target=i386-linux-gnu -O1 -nostdlib -static -ffreestanding -fno-pic start.c \
    -o i386.elf && real i386.elf 6
# Objects for other machines (big-endian ELF, Mach-O): relocatable, so EP 0,
# but with the section tables their compilers write.
for t in powerpc-linux-gnu powerpc64-linux-gnu s390x-linux-gnu; do
    built clang --target=$t -O1 -c start.c -o "$t.o" && real "$t.o" 6
done
for t in x86_64-apple-macos10.15 i386-apple-macos10.6 arm64-apple-macos11; do
    built clang --target=$t -O1 -c hello.c -o "$t.o" && real "$t.o" 9
done

# The model must have found something to check: thousands of expected
# matches, so that a regression to "no layout" cannot pass.
if [ "$EXPECTED" -gt 1000 ]; then
    ok "the cases expect $EXPECTED matches in all"
else
    fail "the cases expect only $EXPECTED matches"
fi

# ---- known gaps -------------------------------------------------------------
# Each is clamscan behaviour vigil does not reproduce yet, outside exe*.c:
#   seend    offset.c: clamscan lets SEx start at section end (raw + rsz)
#            itself, and at raw for a raw size of 0; vigil stops one before.
#   seshift  offset.c: clamscan accepts SEx,n (window raw .. raw+rsz+n);
#            vigil refuses the database.
#   eof      offset.c: clamscan ignores EOF-n of a PE/ELF/Mach-O signature
#            when the object's headers are unusable; vigil matches it.
#   wrap     offset.c: clamscan computes offsets in 32 bits; an SEx window
#            whose end passes 4 GiB wraps and matches nothing.
#   sect96   exe.h: clamscan keeps every section (PE has no limit); vigil
#            keeps EXE_MAX_SECTIONS (96), the last one in slot 95.
#   fat      no unpacker: clamscan scans each architecture of a universal
#            binary as an object of its own.
GAP_seend= GAP_seshift= GAP_eof= GAP_wrap= GAP_sect96= GAP_fat=
for f in $SYNTH $REAL; do
    for kind in seend seshift eof wrap sect96 fat; do
        check_gap "$f" $kind
    done
done
for kind in seend seshift eof wrap sect96 fat; do
    var=GAP_$kind
    set -- ${!var}
    if [ $# -eq 0 ]; then
        ok "known gap $kind: vigil now agrees everywhere (drop it from the list)"
    else
        skip "known gap $kind: vigil differs on $# object(s): ${*:1:4}${5:+ ...}"
    fi
done

finish
