#!/usr/bin/env bash
# compat/versioninfo: `VI` subsignatures of logical signatures (and VI
# offsets of .ndb signatures) against the StringFileInfo strings of PE
# version resources. PE32 and PE32+ files are built with mingw and windres
# (one and two string tables, VarFileInfo before or after StringFileInfo,
# empty values), then damaged copies are made in python: a wrong
# VS_FIXEDFILEINFO magic, a string whose length overruns its table (the
# strings after it are lost), a string with a 2-byte value (skipped), a
# resource data size past the end of the file, a second version resource.
# Signatures: the UTF-16 key and value of each string at VI (match), the
# same starting one character late or with a wrong value (no match), with
# a wildcard, at offset * (matches anywhere), target 6 (the ELF target: not
# on a PE), and a copy of the strings in an ELF file; target 0 refuses VI
# (both fail to load). vigil and clamscan report the same
# (--allmatch); the test checks that clamscan matched some and refused
# some, and names matches and misses that must hold.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/compat.sh"

command -v i686-w64-mingw32-windres >/dev/null || { fail "mingw windres is not installed"; finish; }
mkdir bin
printf 'int main(void) { return 0; }\n' > m.c
cat > a.rc <<'RC'
1 VERSIONINFO
FILEVERSION 1,2,3,4
PRODUCTVERSION 1,2,3,4
FILEOS 0x4
FILETYPE 0x1
BEGIN
  BLOCK "StringFileInfo"
  BEGIN
    BLOCK "040904b0"
    BEGIN
      VALUE "CompanyName", "Vigil Test Corp"
      VALUE "ProductName", "VigilProbe"
      VALUE "Comments", ""
      VALUE "FileDescription", "x"
      VALUE "LegalCopyright", "none at all"
    END
  END
  BLOCK "VarFileInfo"
  BEGIN
    VALUE "Translation", 0x409, 1200
  END
END
RC
cat > b.rc <<'RC'
1 VERSIONINFO
FILEVERSION 9,8,7,6
BEGIN
  BLOCK "VarFileInfo"
  BEGIN
    VALUE "Translation", 0x409, 1200, 0x407, 1200
  END
  BLOCK "StringFileInfo"
  BEGIN
    BLOCK "040904b0"
    BEGIN
      VALUE "CompanyName", "Second Corp"
      VALUE "InternalName", "probe23"
    END
    BLOCK "040704b0"
    BEGIN
      VALUE "CompanyName", "Zweite GmbH"
      VALUE "OriginalFilename", "probe2.exe"
    END
  END
END
RC
for v in a b; do
    i686-w64-mingw32-windres $v.rc -O coff -o ${v}32.o &&
        i686-w64-mingw32-gcc -O1 -s m.c ${v}32.o -o bin/${v}32.exe &&
        x86_64-w64-mingw32-windres $v.rc -O coff -o ${v}64.o &&
        x86_64-w64-mingw32-gcc -O1 -s m.c ${v}64.o -o bin/${v}64.exe ||
        { fail "cannot build PE files"; finish; }
done

cat > gen.py <<'PY'
# Damaged copies of bin/a32.exe, a text file holding its strings, and
# vi.ldb / vi.ndb built from the strings found in the files.
import struct
def u16(s):
    return s.encode('utf-16le')
a = open('bin/a32.exe', 'rb').read()
vs = a.find(u16('VS_VERSION_INFO'))
assert vs > 6
hdr = vs - 6
def patched(name, edits):
    d = bytearray(a)
    for off, b in edits:
        d[off:off + len(b)] = b
    open('bin/' + name, 'wb').write(bytes(d))
# VS_FIXEDFILEINFO magic (at 0x28 in the VS_VERSIONINFO)
patched('badmagic.exe', [(hdr + 0x28, b'\xbe\x04\xef\xfe')])
# The second string ("ProductName") claims 0x400 bytes: a hard failure,
# CompanyName stays, the later strings are lost.
pn = a.find(u16('ProductName')) - 6
patched('overrun.exe', [(pn, struct.pack('<H', 0x400))])
# "FileDescription" = "x": its length cut so that its value is 2 bytes.
fd = a.find(u16('FileDescription')) - 6
ln = struct.unpack_from('<H', a, fd)[0]
patched('shortval.exe', [(fd, struct.pack('<H', ln - 4))])
# The resource data entry: find the one whose RVA points at the
# VS_VERSIONINFO (search the .rsrc for a data entry with the right size).
vlen = struct.unpack_from('<H', a, hdr)[0]
lf = struct.unpack_from('<I', a, 0x3c)[0]
ns, osz = struct.unpack_from('<H', a, lf + 6)[0], struct.unpack_from('<H', a, lf + 20)[0]
hrva = None
for i in range(ns):
    vsz, va, rsz, raw = struct.unpack_from('<IIII', a, lf + 24 + osz + 40 * i + 8)
    if raw <= hdr < raw + rsz:
        hrva = hdr - raw + va
de = None
for i in range(0, len(a) - 16, 4):
    if struct.unpack_from('<I', a, i)[0] == hrva:
        de = i
        break
assert de is not None
patched('bigsize.exe', [(de + 4, struct.pack('<I', 0x7fffff))])
# An ELF file holding the version information of a32.exe: VI never
# matches outside a PE (target 6 signatures are evaluated on it).
open('bin/strings.elf', 'wb').write(open('/usr/bin/true', 'rb').read() + a[hdr:hdr + vlen])

def strings(d):
    out = []
    for key in ('CompanyName', 'ProductName', 'Comments', 'FileDescription',
                'LegalCopyright', 'InternalName', 'OriginalFilename'):
        p = 0
        while True:
            p = d.find(u16(key) + b'\0\0', p)
            if p < 0:
                break
            k = (6 + len(u16(key)) + 2 + 3) & ~3
            s = p - 6
            slen = (struct.unpack_from('<H', d, s)[0] + 3) & ~3
            val = d[s + k:s + slen].decode('utf-16le', 'replace')
            out.append((key, d[p:s + slen], ''.join(c for c in val if c.isalnum())))
            p += 1
    return out
import os
ldb, ndb, n = [], [], 0
seen = set()
for f in sorted(os.listdir('bin')):
    d = open('bin/' + f, 'rb').read()
    for key, blob, vt in strings(d):
        h = blob[:len(blob.rstrip(b'\0')) + (1 if len(blob.rstrip(b'\0')) % 2 else 0)].hex()
        kh = (u16(key) + b'\0\0').hex()
        for tag, sub in (('kv', h), ('key', kh)):
            if (tag, sub) in seen:
                continue
            seen.add((tag, sub))
            n += 1
            nm = '%s.%s.%s.%d' % (key, tag, vt if tag == 'kv' else 'any', n)
            ldb.append('VI.%s;Engine:51-255,Target:1;0;VI:%s' % (nm, sub))
            ldb.append('VI6.%s;Engine:51-255,Target:6;0;VI:%s' % (nm, sub))
            ldb.append('Late.%s;Engine:51-255,Target:1;0;VI:%s' % (nm, sub[4:]))
            ldb.append('Any.%s;Engine:51-255,Target:1;0;%s' % (nm, sub))
            ldb.append('Elf.%s;Engine:51-255,Target:6;0;%s' % (nm, sub))
            ldb.append('Two.%s;Engine:51-255,Target:1;0&1;VI:%s;4d5a' % (nm, sub))
            ndb.append('Ndb.%s:1:VI:%s' % (nm, sub))
        # the value's first character wrong; a wildcard in the key
        wrong = bytearray(blob)
        if len(blob) > len(u16(key)) + 4 and key == 'CompanyName':
            kl = (6 + len(u16(key)) + 2 + 3) & ~3
            wrong[kl - 6] ^= 1
            n += 1
            ldb.append('Wrong.%s.%d;Engine:51-255,Target:1;0;VI:%s' % (key, n, bytes(wrong).rstrip(b'\0').hex()))
        n += 1
        ldb.append('Wild.%s.%d;Engine:51-255,Target:1;0;VI:%s??%s' % (key, n, kh[:4], kh[6:]))
open('vi.ldb', 'w').write('\n'.join(ldb) + '\n')
open('vi.ndb', 'w').write('\n'.join(ndb) + '\n')
PY
python3 gen.py || { fail "gen.py failed"; finish; }

compat_run --allmatch -d vi.ldb -r bin
compare_all "VI subsignatures, --allmatch"
total=$(grep -c . vi.ldb)
found=$(printf '%s\n' "$C_OUT" | sed -n 's/.*: \(.*\) FOUND$/\1/p' | sort -u | wc -l)
[ "$found" -gt 20 ] && [ "$found" -lt "$total" ] &&
    ok "clamscan matched $found of $total signatures" ||
    fail "clamscan matched $found of $total signatures (want some, not all)"
assert_contains "a32: CompanyName at VI" "$V_OUT" "bin/a32.exe: VI.CompanyName.kv"
assert_contains "a64: ProductName at VI" "$V_OUT" "bin/a64.exe: VI.ProductName"
assert_contains "b32: the second table's strings" "$V_OUT" "bin/b32.exe: VI.CompanyName.kv.ZweiteGmbH"
assert_contains "b64: the second table's strings" "$V_OUT" "bin/b64.exe: VI.CompanyName.kv.ZweiteGmbH"
# clamscan rounds a string's length up to 4 but not its table's: the last
# string of a table whose length is not a multiple of 4 ends the walk.
assert_not_contains "b32: an unpadded table's last string" "$V_OUT" "bin/b32.exe: VI.OriginalFilename"
assert_not_contains "target 6 VI on a PE" "$V_OUT" "bin/a32.exe: VI6."
assert_contains "a wildcard in a VI subsignature" "$V_OUT" "bin/a32.exe: Wild.CompanyName"
assert_not_contains "one character late: no match" "$V_OUT" "a32.exe: Late."
assert_not_contains "a wrong value: no match" "$V_OUT" "a32.exe: Wrong."
assert_not_contains "bad VS_FIXEDFILEINFO magic" "$V_OUT" "badmagic.exe: VI."
assert_not_contains "no VI outside a PE" "$V_OUT" "strings.elf: VI"
assert_contains "the same bytes at * match in the ELF" "$V_OUT" "strings.elf: Elf."
assert_contains "overrun: CompanyName stays" "$V_OUT" "overrun.exe: VI.CompanyName"
assert_not_contains "overrun: later strings are lost" "$V_OUT" "overrun.exe: VI.ProductName"

compat_run -d vi.ldb -r bin
compare_all "VI subsignatures, first match"
compat_run --allmatch -d vi.ndb -r bin
compare_all "VI offsets in .ndb, --allmatch"
assert_contains "ndb: a VI offset matches" "$V_OUT" "bin/a32.exe: Ndb.CompanyName"
echo 'VI0;Engine:51-255,Target:0;0;VI:43006f00' > t0.ldb
compat_run -d t0.ldb bin/a32.exe
compare_rc "VI for target 0 is refused"
finish
