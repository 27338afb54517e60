#!/usr/bin/env bash
# compat/pebroken: --alert-broken on truncated and malformed PE files
# (made here from mingw PE32 and PE32+ builds) and ELF files (the system's
# /usr/bin/true and hand-made 32-bit ones of both byte orders, cut and
# mutated): Heuristics.Broken.Executable
# exactly where clamscan reports it (cli_peheader's broken cases, and its
# stricter checks under --alert-broken), nothing without the option, and
# the heuristic held back behind a signature match as clamscan holds it.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/compat.sh"

command -v i686-w64-mingw32-gcc >/dev/null || { fail "mingw is not installed"; finish; }
printf 'int main(void) { return 3; }\n' > m.c
i686-w64-mingw32-gcc -O1 -s m.c -o base32.exe &&
    x86_64-w64-mingw32-gcc -O1 -s m.c -o base64.exe || { fail "cannot build PE files"; finish; }

cat > mk.py <<'PY'
# Writes variants of base32.exe / base64.exe into cases/.
import os, struct
os.makedirs('cases', exist_ok=True)
def w(name, b):
    open('cases/' + name, 'wb').write(bytes(b))
for tag in ('32', '64'):
    d = bytearray(open('base%s.exe' % tag, 'rb').read())
    lf = struct.unpack_from('<I', d, 0x3c)[0]
    opt = lf + 24
    osz = struct.unpack_from('<H', d, lf + 20)[0]
    st = opt + osz
    ns = struct.unpack_from('<H', d, lf + 6)[0]
    def v(name, f):
        b = bytearray(d)
        f(b)
        w('%s_%s.exe' % (name, tag), b)
    w('intact_%s.exe' % tag, d)
    for n in (40, 63, 64, 100, lf + 10, lf + 30, st + 20, st + 40 * ns, 1100, len(d) // 2, len(d) - 1):
        w('cut%d_%s.exe' % (n, tag), d[:n])
    v('nsect0', lambda b: struct.pack_into('<H', b, lf + 6, 0))
    v('nsect200', lambda b: struct.pack_into('<H', b, lf + 6, 200))
    v('optsmall', lambda b: struct.pack_into('<H', b, lf + 20, 0x10))
    v('optnodirs', lambda b: struct.pack_into('<H', b, lf + 20, osz - 16))
    v('salign0', lambda b: struct.pack_into('<I', b, opt + 32, 0))
    v('salign800', lambda b: struct.pack_into('<I', b, opt + 32, 0x800))
    v('falign0', lambda b: struct.pack_into('<I', b, opt + 36, 0))
    v('falign100', lambda b: struct.pack_into('<I', b, opt + 36, 0x100))
    v('native_falign0', lambda b: (struct.pack_into('<I', b, opt + 36, 0),
                                   struct.pack_into('<H', b, opt + 68, 1)))
    v('epbad', lambda b: struct.pack_into('<I', b, opt + 16, 0x7fffff00))
    v('ep0', lambda b: struct.pack_into('<I', b, opt + 16, 0))
    v('va_misaligned', lambda b: struct.pack_into('<I', b, st + 40 * 1 + 12,
                                                  struct.unpack_from('<I', b, st + 40 + 12)[0] + 0x10))
    v('first_late', lambda b: struct.pack_into('<I', b, st + 12,
                                               struct.unpack_from('<I', b, st + 12)[0] + 0x1000))
    v('signbit', lambda b: struct.pack_into('<I', b, st + 8, 0x80000000))
    v('raw_past_end', lambda b: struct.pack_into('<I', b, st + 40 * (ns - 1) + 20, len(d) + 0x1000))
    v('raw_long', lambda b: struct.pack_into('<I', b, st + 40 * (ns - 1) + 16, 0x100000))
    v('nope', lambda b: b.__setitem__(slice(lf, lf + 4), b'PX\0\0'))
    v('lfanew0', lambda b: struct.pack_into('<I', b, 0x3c, 0))
    v('lfanew_big', lambda b: struct.pack_into('<I', b, 0x3c, len(d) + 10))
    v('ndirs99', lambda b: struct.pack_into('<I', b, opt + osz - 16 * 8 - 4, 99))
PY
python3 mk.py
echo 'NotThere:0:*:4e6f74207468657265206174' > none.ndb
n=$(ls cases | wc -l)
[ "$n" -gt 50 ] || fail "too few cases made ($n)"

compat_run --alert-broken -d none.ndb -r cases
compare_all "--alert-broken on $n intact, cut and malformed PE files"
c=$(printf '%s\n' "$C_OUT" | grep -c 'Heuristics.Broken.Executable FOUND' || true)
[ "$c" -ge 10 ] && ok "clamscan finds $c broken files" || fail "clamscan finds only $c broken files"
assert_has_line "an intact PE is not broken" "$V_OUT" "cases/intact_32.exe: OK"

compat_run -d none.ndb -r cases
compare_all "without --alert-broken"
assert_not_contains "without --alert-broken: no heuristic" "$V_OUT" "FOUND"

cat > mkelf.py <<'PY'
# Writes ELF variants into elf/.
import os, struct
os.makedirs('elf', exist_ok=True)
def w(name, b):
    open('elf/' + name, 'wb').write(bytes(b))
def elf32(be):
    e = '>' if be else '<'
    d = bytearray(0x400)
    d[0:4] = b'\x7fELF'; d[4] = 1; d[5] = 2 if be else 1; d[6] = 1
    struct.pack_into(e + 'HHIIIIIHHHHHH', d, 16, 2, 3, 1, 0x8048080, 52, 0x200, 0,
                     52, 32, 1, 40, 3, 0)
    struct.pack_into(e + 'IIIIIIII', d, 52, 1, 0, 0x8048000, 0x8048000, 0x400, 0x400, 5, 0x1000)
    for i in range(3):
        struct.pack_into(e + 'IIIIIIIIII', d, 0x200 + 40 * i, 0, 1, 6, 0x8048000 + 0x80 * i,
                         0x80 * i, 0x80, 0, 0, 1, 0)
    return d
bases = {'true': bytearray(open('/usr/bin/true', 'rb').read()), 'e32le': elf32(0), 'e32be': elf32(1)}
for tag, d in bases.items():
    is64 = d[4] == 2
    e = '>' if d[5] == 2 else '<'
    def v(name, f):
        b = bytearray(d)
        f(b)
        w('%s_%s' % (name, tag), b)
    w('intact_' + tag, d)
    for n in (20, 40, 52, 60, 64, 100, 400, len(d) // 2, len(d) - 8):
        if n < len(d):
            w('cut%d_%s' % (n, tag), d[:n])
    o = {'phoff': 32 if is64 else 28, 'shoff': 40 if is64 else 32, 'entry': 24,
         'phentsize': 54 if is64 else 42, 'phnum': 56 if is64 else 44,
         'shentsize': 58 if is64 else 46, 'shnum': 60 if is64 else 48}
    q = 'Q' if is64 else 'I'
    v('class3', lambda b: b.__setitem__(4, 3))
    v('data0', lambda b: b.__setitem__(5, 0))
    v('data9', lambda b: b.__setitem__(5, 9))
    v('phoffbig', lambda b: struct.pack_into(e + q, b, o['phoff'], len(d) + 100))
    v('shoffbig', lambda b: struct.pack_into(e + q, b, o['shoff'], len(d) + 100))
    v('phentsize', lambda b: struct.pack_into(e + 'H', b, o['phentsize'], 10))
    v('shentsize', lambda b: struct.pack_into(e + 'H', b, o['shentsize'], 10))
    v('phnum129', lambda b: struct.pack_into(e + 'H', b, o['phnum'], 129))
    v('phnum0', lambda b: struct.pack_into(e + 'H', b, o['phnum'], 0))
    v('shnum0', lambda b: struct.pack_into(e + 'H', b, o['shnum'], 0))
    v('shnum3000', lambda b: struct.pack_into(e + 'H', b, o['shnum'], 3000))
    v('entry0', lambda b: struct.pack_into(e + q, b, o['entry'], 0))
    v('entrybad', lambda b: struct.pack_into(e + q, b, o['entry'], 0x7ffffff0))
    v('entry0_phentsize', lambda b: (struct.pack_into(e + q, b, o['entry'], 0),
                                     struct.pack_into(e + 'H', b, o['phentsize'], 10)))
PY
python3 mkelf.py
compat_run --alert-broken -d none.ndb -r elf
compare_all "--alert-broken on $(ls elf | wc -l) intact, cut and malformed ELF files"
c=$(printf '%s\n' "$C_OUT" | grep -c 'Heuristics.Broken.Executable FOUND' || true)
[ "$c" -ge 10 ] && ok "clamscan finds $c broken ELF files" || fail "clamscan finds only $c broken ELF files"
compat_run --alert-broken --scan-elf=no -d none.ndb -r elf
compare_all "--alert-broken --scan-elf=no"

# A signature match wins over the heuristic; with --allmatch both.
hdb_line cases/salign0_32.exe Sig > sig.hdb
compat_run --alert-broken -d sig.hdb cases/salign0_32.exe
compare_all "--alert-broken and a hash match"
compat_run --alert-broken --allmatch -d sig.hdb cases/salign0_32.exe
compare_all "--alert-broken --allmatch and a hash match"
compat_run --alert-broken --scan-pe=no -d none.ndb cases/salign0_32.exe
compare_all "--alert-broken --scan-pe=no"
finish
