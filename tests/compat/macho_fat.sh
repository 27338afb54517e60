#!/usr/bin/env bash
# compat/macho_fat: Mach-O universal binaries - each architecture's slice
# is scanned as an unnamed child, as clamscan scans it: clam.exe as a slice
# is found at depth 1 with only its MD5; a hash of a thin Mach-O slice
# matches inside the fat file; a slice past the end, too many
# architectures, and a Java class (which shares the 0xcafebabe magic) are
# treated as clamscan treats them.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/compat.sh"

TF=$CLAMAV_TESTFILES
[ -f "$TF/clam.exe" ] || { fail "clamav-testfiles is not installed"; finish; }
hdb_line "$TF/clam.exe" ClamExe > clam.hdb
cp "$TF/clam.exe" .

cat > mkfat.py <<'PY'
import os, struct, sys
clam = open('clam.exe', 'rb').read()
thin = bytearray(0x1000)
struct.pack_into('<IiiIIII', thin, 0, 0xfeedfacf, 0x01000007, 3, 2, 0, 0, 0)
thin[0x800:0x810] = b'THIN-SLICE-MARK!'
open('thin.o', 'wb').write(thin)
os.makedirs('fat', exist_ok=True)
def fat(name, slices, nfat=None, bad=None):
    n = len(slices) if nfat is None else nfat
    hdr = struct.pack('>II', 0xcafebabe, n)
    off, arch, body = 0x1000, b'', b''
    for i, s in enumerate(slices):
        o, z = off + len(body), len(s)
        if bad == i:
            o = 0x7ffffff0
        arch += struct.pack('>iiIII', 7 if i % 2 == 0 else 18, 3, o, z, 12)
        body += s + b'\0' * ((-len(s)) % 0x1000)
    d = hdr + arch
    d += b'\0' * (0x1000 - len(d)) + body
    open('fat/' + name, 'wb').write(d)
fat('thin-then-clam', [bytes(thin), clam])
fat('clam-only', [clam])
fat('three', [bytes(thin), bytes(thin), clam])
fat('bad-offset-first', [bytes(thin), clam], bad=0)
fat('bad-offset-last', [clam, bytes(thin)], bad=1)
fat('too-many', [bytes(thin), clam], nfat=33)
fat('cut', [bytes(thin), clam])
d = open('fat/cut', 'rb').read()
open('fat/cut', 'wb').write(d[:0x1800])
# A Java class: 0xcafebabe, minor 0, major 52.
open('fat/java.class', 'wb').write(struct.pack('>IHH', 0xcafebabe, 0, 52) + clam)
PY
python3 mkfat.py
hdb_line thin.o ThinSlice >> clam.hdb

compat_run -d clam.hdb -a -r fat
compare_all "fat Mach-O files"
compare_found "fat Mach-O files -a"
assert_has_line "clam.exe as a slice, depth 1" "$V_OUT" \
    "fat/thin-then-clam!(1): ThinSlice.UNOFFICIAL FOUND"
assert_has_line "clam.exe alone as a slice" "$V_OUT" "fat/clam-only!(1): ClamExe.UNOFFICIAL FOUND"

compat_run -d clam.hdb --allmatch -r fat
compare_all "fat Mach-O files --allmatch"
# (-a with --allmatch is not compared: which detection of a slice clamscan
# 1.4.6 prints with the layer path varies between its runs, measured.)
vscan --no-builtin -d clam.hdb --allmatch -a fat/thin-then-clam
V_OUT=$OUT
assert_has_line "--allmatch: the slice after the thin one" "$V_OUT" \
    "fat/thin-then-clam!(1): ClamExe.UNOFFICIAL FOUND"
finish
