#!/usr/bin/env bash
# compat/pehash: PE section hash (.mdb .msb) and import table hash (.imp)
# signatures, generated at test time from real PE32 and PE32+ files built
# here with the mingw cross compilers (several sections, imports, a
# VERSIONINFO resource from windres): every signature sigtool --mdb / --imp
# makes, SHA-1 and SHA-256 section hashes, any-size ("*") lines, duplicate
# hashes under two names, and malformed lines. vigil and clamscan agree
# (FOUND lines with --allmatch, exit codes, summaries), except on purpose:
# clamscan never matches import hashes of PE32+ files, vigil does.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/compat.sh"

for t in x86_64-w64-mingw32-gcc i686-w64-mingw32-gcc x86_64-w64-mingw32-windres sigtool; do
    command -v $t >/dev/null || { fail "$t is not installed"; finish; }
done

cat > t.c <<'C'
#include <windows.h>
#include <stdio.h>
int table[1000] = {1, 2, 3};
__attribute__((section(".vigil"))) char mark[600] = "a section of its own";
int main(void)
{
    MessageBoxA(0, "hi", "x", 0);
    printf("%d %s\n", table[1], mark);
    return (int)GetTickCount();
}
C
cat > t.rc <<'RC'
1 VERSIONINFO
FILEVERSION 1,2,3,4
BEGIN
 BLOCK "StringFileInfo"
 BEGIN
  BLOCK "040904b0"
  BEGIN
   VALUE "CompanyName", "Vigil Test Co"
   VALUE "ProductName", "VigilProd"
  END
 END
 BLOCK "VarFileInfo"
 BEGIN
  VALUE "Translation", 0x409, 1200
 END
END
RC
x86_64-w64-mingw32-windres t.rc -O coff -o t64.res &&
    x86_64-w64-mingw32-gcc -O1 -s t.c t64.res -o pe64.exe -luser32 &&
    i686-w64-mingw32-windres t.rc -O coff -o t32.res &&
    i686-w64-mingw32-gcc -O1 -s t.c t32.res -o pe32.exe -luser32 ||
    { fail "cannot build the PE files"; finish; }

# sigtool 1.4 prints the hashes as debug lines: "Section{i}: size:md5" and
# "Imphash: md5:size".
for f in pe32 pe64; do
    sigtool --mdb $f.exe 2>&1 |
        sed -n "s/.*Section{\([0-9]*\)}: \([0-9]*\):\([0-9a-f]*\)\$/\2:\3:$f.sect\1/p"
done > all.mdb
for f in pe32 pe64; do
    sigtool --imp $f.exe 2>&1 | sed -n "s/.*Imphash: \([0-9a-f]*\):\([0-9]*\)\$/\1:\2:$f.imp/p"
done > all.imp
[ "$(wc -l < all.mdb)" -ge 16 ] || fail "sigtool --mdb made too few signatures"
[ "$(wc -l < all.imp)" -eq 2 ] || fail "sigtool --imp made no signatures"

# SHA-1 and SHA-256 section hashes, and any-size lines, from the section
# table (these files' sections are aligned already). A SHA-256 hash is
# written once: of two SHA-256 signatures with the same hash clamscan 1.4.6
# may report either (its unstable quicksort; vigil models it and agrees
# for MD5 and SHA-1 duplicates, tested here, not yet for SHA-256).
cat > sect.py <<'PY'
import hashlib, struct, sys
seen = set()
for path in sys.argv[1:]:
    d = open(path, 'rb').read()
    lf = struct.unpack_from('<I', d, 0x3c)[0]
    ns = struct.unpack_from('<H', d, lf + 6)[0]
    osz = struct.unpack_from('<H', d, lf + 20)[0]
    st = lf + 24 + osz
    tag = path.split('.')[0]
    for i in range(ns):
        rsz, raw = struct.unpack_from('<II', d, st + 40 * i + 16)
        if not rsz:
            continue
        data = d[raw:raw + rsz]
        print('%d:%s:%s.sha1.%d' % (len(data), hashlib.sha1(data).hexdigest(), tag, i))
        h256 = hashlib.sha256(data).hexdigest()
        if h256 not in seen:
            print('%d:%s:%s.sha256.%d' % (len(data), h256, tag, i))
        seen.add(h256)
        if i == 2:
            print('*:%s:%s.any.%d:73' % (hashlib.md5(data).hexdigest(), tag, i))
PY
python3 sect.py pe32.exe pe64.exe > all.msb
mkdir pe
cp pe32.exe pe64.exe pe/

compat_run --allmatch -d all.mdb pe
compare_all ".mdb from sigtool --mdb, --allmatch"
assert_contains ".mdb: a PE32 section found" "$V_OUT" "pe32.sect1.UNOFFICIAL FOUND"
assert_contains ".mdb: a PE32+ section found" "$V_OUT" "pe64.sect1.UNOFFICIAL FOUND"

compat_run -d all.mdb pe
compare_all ".mdb, first match only"

compat_run --allmatch -d all.msb pe
compare_all ".msb SHA-1/SHA-256 and any-size lines, --allmatch"
assert_contains ".msb: a SHA-256 section hash found" "$V_OUT" "pe32.sha256.1.UNOFFICIAL FOUND"

compat_run --allmatch -d all.mdb -d all.msb -d all.imp pe/pe32.exe
compare_all "mdb, msb and imp together on PE32"
compat_run --allmatch -d all.mdb -d all.msb pe/pe64.exe
compare_all "mdb and msb together on PE32+"

# Import hashes: PE32 compared; PE32+ is where vigil goes further.
compat_run --allmatch -d all.imp pe/pe32.exe
compare_all ".imp on PE32"
assert_contains ".imp: PE32 import hash found" "$V_OUT" "pe32.imp.UNOFFICIAL FOUND"
compat_run --allmatch -d all.imp pe/pe64.exe
assert_not_contains ".imp: clamscan never matches PE32+ import hashes" "$C_OUT" "FOUND"
assert_contains ".imp: vigil matches the PE32+ import hash sigtool made" "$V_OUT" \
    "pe64.imp.UNOFFICIAL FOUND"
# The import string's size is part of the signature.
sed 's/:\([0-9]*\):/:1\1:/' all.imp > wrongsize.imp
compat_run -d wrongsize.imp pe/pe32.exe
compare_all ".imp with a wrong size"
awk -F: '{print $1":*:"$3":73"}' all.imp > anysize.imp
compat_run -d anysize.imp pe/pe32.exe
compare_all ".imp with size *"

# Malformed and skipped lines: same verdict (load error or not) in both.
i=0
while IFS= read -r line; do
    i=$((i + 1))
    printf '%s\n' "$line" > bad$i.mdb
    compat_run -d bad$i.mdb pe/pe32.exe
    compare_rc "mdb line [$line]"
    compare_found "mdb line [$line]"
done <<'LINES'
0:38f3d7fc70e54ad4d8c6dd72380d7028:zero
*:38f3d7fc70e54ad4d8c6dd72380d7028:anynofl
512:38f3d7fc70e54ad4d8c6dd72380d702:shorthash
512:38f3d7fc70e54ad4d8c6dd72380d7028
38f3d7fc70e54ad4d8c6dd72380d7028:512:swapped
512:38f3d7fc70e54ad4d8c6dd72380d7028:fl:300
512:38f3d7fc70e54ad4d8c6dd72380d7028:fl:1:2
512:38f3d7fc70e54ad4d8c6dd72380d7028:a:1:2:3

LINES
printf '512:38f3d7fc70e54ad4d8c6dd72380d7028:ok\nbroken\n' > line2.mdb
run "$VIGIL" scan --no-builtin -d line2.mdb pe/pe32.exe
assert_rc "a bad second line fails the load" 2
assert_contains "the error names the file and line" "$ERR" "line2.mdb:2"
printf '1099:d1e7350207dea2c374590c7b524188df:swapped\n' > bad.imp
compat_run -d bad.imp pe/pe32.exe
compare_rc ".imp with size and hash swapped"

# The version information and the overlay do not disturb the hashes:
# the same PE32 with bytes appended still has its sections found.
cat pe/pe32.exe > overlay.exe
head -c 5000 /dev/urandom >> overlay.exe
compat_run --allmatch -d all.mdb overlay.exe
compare_all "PE32 with an overlay"
finish
