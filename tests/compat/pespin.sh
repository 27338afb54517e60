#!/usr/bin/env bash
# compat/pespin: PESpin 1.1-packed PE files decrypted, decompressed and
# rebuilt as clamscan rebuilds them. With only the MD5 of clam.exe,
# clam-pespin.exe is found in the rebuilt image's embedded PE,
# "clam-pespin.exe!(2)", as clamscan finds it (FOUND and -a lines, exit
# codes); the rebuilt image has the MD5 clamscan's has (a signature on it
# matches at depth 1 in both); --scan-pe=no turns it off in both. Copies
# cut short and copies with one byte changed in each stage's data (the
# keys, the checksummed headers, the emulated code, the bitmaps, the
# encrypted and the compressed sections) are scanned alike: where clamscan
# writes an image (kept with --leave-temps) vigil scans the same image at
# depth 1; where it writes none, vigil's results are clamscan's.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/compat.sh"
. "$(dirname "$0")/../lib/packer.sh"

packer_setup clam-pespin.exe

# The rebuilt image: clamscan's is 6656 bytes with this MD5 (measured with
# clamscan --leave-temps); a signature for it matches at depth 1 in both.
packer_sample clam-pespin.exe \
    "clam-pespin.exe!(2): ClamExe.UNOFFICIAL FOUND" \
    "ea58113cd88ec4715020f5189529d35b:6656:PespinImage"

# Variants: cut short, and one byte changed. The entry point is file
# offset 0xc87 (EP RVA 0x5087 in the last section, RVA 0x5000 at 0xc00).
python3 - <<'PY'
d = open('clam-pespin.exe', 'rb').read()
ep = 0xc87
for n in (16000, 15000, 13000, 10000, 4000, 1000):
    open('cut%d.exe' % n, 'wb').write(d[:n])
muts = {'key8': ep + 0xdc, 'hdr': 0x100, 'sect0': 0x500, 'sect1': 0x650,
        'comp': 0xa10, 'poly1': ep + 0x6e0, 'polycode': ep + 0x28f0,
        'key2': ep + 0x26ec, 'keylen': ep + 0x26f0, 'xormap': ep + 0x3207,
        'polymap': ep + 0x6f1, 'compmap': ep + 0x3061, 'res': ep + 0x2fee,
        'key32': ep + 0x3217, 'crclen': ep + 0x429, 'sig': ep + 6}
for name, off in muts.items():
    for x in (0x01, 0x80):
        e = bytearray(d)
        e[off] ^= x
        open('mut-%s-%02x.exe' % (name, x), 'wb').write(e)

# The same changes in the checksummed part with the key at EP+0x3217
# made up for, so that the sections decrypt with the right key and the
# change reaches the image (or its decompression).
def rd(b, o): return int.from_bytes(b[o:o + 4], 'little')
def summit(b, n):
    a = bb = 0xffffffff
    for c in b[:n]:
        a ^= c << 8
        a = a >> 3 & 0x1fffffff
        for _ in range(4):
            a ^= bb >> 8 & 0xff
            a = (a + 0x7801a108) & 0xffffffff
            a ^= bb
            r = bb & 31
            a = ((a >> r) | (a << (32 - r))) & 0xffffffff
            a, bb = bb, a
    return bb
s = bytearray(d[ep:ep + 0x321b])
k8 = s[0xdc]
for i in range(0x1fe5 + 0x11fe - 1, 0x1fe5 - 1, -1):
    s[i] ^= k8
    k8 = (k8 - 1) & 0xff
k = rd(s, 0x26eb)
for i in range(0x2d5, 0x2d5 + 0x5a0):
    k = (k >> 1) ^ 0x8c328834 if k & 1 else k >> 1
    s[i] ^= k & 0xff
n = len(d) - rd(s, 0x429)
base = summit(d, n)
for name, off in (('hdr', 0x100), ('sect0', 0x500), ('sect1', 0x650), ('comp', 0xa10),
                  ('comp2', 0xa80), ('comp3', 0xbf0)):
    for x in (0x01, 0x80):
        e = bytearray(d)
        e[off] ^= x
        key = (rd(e, ep + 0x3217) + summit(e, n) - base) & 0xffffffff
        e[ep + 0x3217:ep + 0x321b] = key.to_bytes(4, 'little')
        open('fix-%s-%02x.exe' % (name, x), 'wb').write(e)
PY
imgs=0
for f in cut*.exe mut-*.exe fix-*.exe; do
    rm -rf tmp-$f && mkdir tmp-$f
    "$CLAMSCAN" --leave-temps --tempdir="$PWD/tmp-$f" -d clam.hdb $f >/dev/null 2>&1
    img=$(find tmp-$f -type f -name 'clamav-*.tmp' | head -1)
    if [ -n "$img" ]; then
        imgs=$((imgs + 1))
        hdb_line "$img" Image > img.hdb
        compat_run -a -d img.hdb $f
        compare_all "$f: the image"
        compare_found "$f: the image -a"
        assert_has_line "$f: the image clamscan rebuilt, at depth 1" "$V_OUT" \
            "$f!(1): Image.UNOFFICIAL FOUND"
    fi
    compat_run -a -d clam.hdb $f
    compare_all "$f: clam.exe"
    compare_found "$f: clam.exe -a"
done
printf 'INFO: %s of the variants rebuilt by clamscan\n' "$imgs"
[ "$imgs" -ge 6 ] || fail "too few variants rebuilt ($imgs) to compare images"
finish
