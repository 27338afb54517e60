#!/usr/bin/env bash
# compat/lsig_exe: logical signatures with the EntryPoint and
# NumberOfSections target description attributes on real executables -
# mingw PE32 and PE32+ builds, the system's ELF binaries, hand-made Mach-O
# 32/64 - for target 1, 6 and 9: ranges around the entry point's file
# offset and RVA and around the section count, off by one each way.
# vigil and clamscan report the same (--allmatch); the test checks that
# clamscan matched some and refused some, so it cannot pass by matching
# nothing.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/compat.sh"

command -v i686-w64-mingw32-gcc >/dev/null || { fail "mingw is not installed"; finish; }
mkdir bin
printf '#include <stdio.h>\nint main(void) { puts("x"); return 3; }\n' > m.c
i686-w64-mingw32-gcc -O1 -s m.c -o bin/pe32.exe &&
    x86_64-w64-mingw32-gcc -O1 -s m.c -o bin/pe64.exe || { fail "cannot build PE files"; finish; }
cp /usr/bin/true bin/true.elf
gcc -O1 -o bin/m.elf m.c 2>/dev/null || true

cat > gen.py <<'PY'
# Writes hand-made Mach-O files into bin/ and exe.ldb: for each object,
# signatures whose EntryPoint / NumberOfSections ranges hold candidate
# values (the entry point as a file offset and as an address, the section
# count) and their neighbours.
import os, struct
def macho(be, is64):
    e = '>' if be else '<'
    magic = 0xfeedfacf if is64 else 0xfeedface
    hdr = struct.pack(e + 'IiiIIII', magic, 7, 3, 2, 2, 0, 0) + (b'\0' * 4 if is64 else b'')
    cmds = b''
    nsect = 2
    if is64:
        seg = struct.pack(e + 'II16sQQQQiiII', 0x19, 72 + 80 * nsect, b'__TEXT', 0x100000000,
                          0x2000, 0, 0x2000, 7, 5, nsect, 0)
        for i in range(nsect):
            seg += struct.pack(e + '16s16sQQIIIIIIII', b'__s%d' % i, b'__TEXT',
                               0x100000000 + 0x400 * (i + 1), 0x100, 0x400 * (i + 1), 0, 0, 0, 0, 0, 0, 0)
    else:
        seg = struct.pack(e + 'II16sIIIIiiII', 1, 56 + 68 * nsect, b'__TEXT', 0x1000, 0x2000, 0,
                          0x2000, 7, 5, nsect, 0)
        for i in range(nsect):
            seg += struct.pack(e + '16s16sIIIIIIIII', b'__s%d' % i, b'__TEXT', 0x1000 + 0x400 * (i + 1),
                               0x100, 0x400 * (i + 1), 0, 0, 0, 0, 0, 0)
    cmds += seg
    # LC_UNIXTHREAD with the entry point (x86: eip at 10*4 in the state;
    # x86_64: rip at 16*8).
    if is64:
        state = [0] * 42
        st = b''.join(struct.pack(e + 'I', 0) for _ in range(42))
        st = bytearray(st)
        struct.pack_into(e + 'Q', st, 16 * 8, 0x100000000 + 0x410)
        cmds += struct.pack(e + 'IIII', 5, 16 + len(st), 4, len(st) // 4) + bytes(st)
    else:
        st = bytearray(16 * 4)
        struct.pack_into(e + 'I', st, 10 * 4, 0x1000 + 0x410)
        cmds += struct.pack(e + 'IIII', 5, 16 + len(st), 1, len(st) // 4) + bytes(st)
    hdr = bytearray(hdr)
    struct.pack_into(e + 'II', hdr, 16, 2, len(cmds))
    body = bytes(hdr) + cmds
    return body + b'\x90' * (0x1000 - len(body))
for be in (0, 1):
    for is64 in (0, 1):
        open('bin/macho%d%s.o' % (32 << is64, 'be' if be else 'le'), 'wb').write(macho(be, is64))

def pe_vals(d):
    lf = struct.unpack_from('<I', d, 0x3c)[0]
    ns = struct.unpack_from('<H', d, lf + 6)[0]
    vep = struct.unpack_from('<I', d, lf + 24 + 16)[0]
    osz = struct.unpack_from('<H', d, lf + 20)[0]
    st = lf + 24 + osz
    ep = vep
    for i in range(ns):
        vsz, va, rsz, raw = struct.unpack_from('<IIII', d, st + 40 * i + 8)
        if va <= vep < va + max(rsz, 1):
            ep = vep - va + raw
    return [ep, vep], [ns]
def elf_vals(d):
    is64 = d[4] == 2
    e = '<' if d[5] == 1 else '>'
    if is64:
        entry, phoff, shoff = struct.unpack_from(e + 'QQQ', d, 24)
        phnum, shnum = struct.unpack_from(e + 'H', d, 56)[0], struct.unpack_from(e + 'H', d, 60)[0]
        ph = [struct.unpack_from(e + 'IIQQQQQQ', d, phoff + 56 * i) for i in range(phnum)]
        off = [p[2] + entry - p[3] for p in ph if p[3] <= entry < p[3] + p[6]]
    else:
        entry, phoff, shoff = struct.unpack_from(e + 'III', d, 24)
        phnum, shnum = struct.unpack_from(e + 'H', d, 44)[0], struct.unpack_from(e + 'H', d, 48)[0]
        ph = [struct.unpack_from(e + 'IIIIIIII', d, phoff + 32 * i) for i in range(phnum)]
        off = [p[1] + entry - p[2] for p in ph if p[2] <= entry < p[2] + p[5]]
    return off[:1] + [entry & 0xffffffff], [shnum]
sigs = []
n = 0
for f in sorted(os.listdir('bin')):
    d = open('bin/' + f, 'rb').read()
    if f.endswith('.exe'):
        (eps, noss), target, sub = pe_vals(d), 1, '4d5a'
    elif f.endswith('.elf'):
        (eps, noss), target, sub = elf_vals(d), 6, '7f454c46'
    else:
        eps, noss, target, sub = [0x410, 0x1410, 0x100000410], [2, 1, 3], 9, d[:4].hex()
    for v in eps:
        for dv in (-1, 0, 1):
            x = max(v + dv, 0)
            for lo, hi in ((x, x), (0, x), (x, x + 10)):
                n += 1
                sigs.append('%s.ep%d;Engine:51-255,Target:%d,EntryPoint:%d-%d;0;%s' % (f, n, target, lo, hi, sub))
    for v in noss:
        for dv in (-1, 0, 1):
            x = max(v + dv, 0)
            n += 1
            sigs.append('%s.nos%d;Engine:51-255,Target:%d,NumberOfSections:%d-%d;0;%s' % (f, n, target, x, x, sub))
            n += 1
            sigs.append('%s.both%d;Engine:51-255,Target:%d,EntryPoint:0-4294967295,NumberOfSections:%d-%d;0;%s' % (f, n, target, x, x + 1, sub))
open('exe.ldb', 'w').write('\n'.join(sigs) + '\n')
PY
python3 gen.py || { fail "gen.py failed"; finish; }

compat_run --allmatch -d exe.ldb -r bin
compare_all "EntryPoint / NumberOfSections on PE, ELF and Mach-O, --allmatch"
total=$(wc -l < exe.ldb)
found=$(printf '%s\n' "$C_OUT" | grep -c ' FOUND$' || true)
[ "$found" -gt 10 ] && [ "$found" -lt "$total" ] &&
    ok "clamscan matched $found of $total signatures" ||
    fail "clamscan matched $found of $total signatures (want some, not all)"
for f in pe32.exe pe64.exe true.elf macho32le.o macho64be.o; do
    assert_contains "$f: an EntryPoint signature matched" "$V_OUT" "bin/$f: $f.ep"
    assert_contains "$f: a NumberOfSections signature matched" "$V_OUT" "bin/$f: $f.nos"
done

compat_run -d exe.ldb -r bin
compare_all "first match only"
finish
