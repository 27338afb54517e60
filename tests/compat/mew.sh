#!/usr/bin/env bash
# compat/mew: MEW 11 packed PE files unpacked and rebuilt as clamscan
# rebuilds them. With only the MD5 of clam.exe, clam-mew.exe is found in the
# rebuilt image's embedded ZIP, "clam-mew.exe!(2)ZIP:clam.exe", as clamscan
# finds it (FOUND and -a lines, exit codes); the rebuilt image has the MD5
# clamscan's has (a signature on it matches at depth 1 in both); the sample
# cut short is scanned alike; --scan-pe=no turns it off in both. Then
# hand-made MEW files in the LZMA mode (both loader forms), whose image
# clamscan writes (--leave-temps) is hashed and must be vigil's child too.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/compat.sh"
. "$(dirname "$0")/../lib/packer.sh"

packer_setup clam-mew.exe

# The rebuilt image: clamscan's is 21504 bytes with this MD5 (measured with
# clamscan --leave-temps); a signature for it matches at depth 1 in both.
packer_sample clam-mew.exe \
    "clam-mew.exe!(2)ZIP:clam.exe: ClamExe.UNOFFICIAL FOUND" \
    "eb55c7b07f6c22b7c09ea52a8eeaddec:21504:MewImage"

# Cut short: in the loader, in the packed section, near its end. Both scan
# what they can and agree; neither crashes.
for n in 400 700 1100 1300 1500 1559; do
    head -c $n clam-mew.exe > cut$n.exe
    compat_run -d clam.hdb -a cut$n.exe
    compare_all "clam-mew.exe cut at $n bytes"
    compare_found "clam-mew.exe cut at $n bytes -a"
    packer_same_image clam.hdb cut$n.exe
done
# A damaged stream: bytes of the packed section overwritten.
for at in 0x220 0x300 0x400 0x500; do
    cp clam-mew.exe bad$at.exe
    printf '\xff\x00\xff\x00' | dd of=bad$at.exe bs=1 seek=$((at)) conv=notrunc 2>/dev/null
    compat_run -d clam.hdb -a bad$at.exe
    compare_all "clam-mew.exe damaged at $at"
    compare_found "clam-mew.exe damaged at $at -a"
    packer_same_image clam.hdb bad$at.exe
done

# One byte changed in the packed data: the image rebuilt from what it
# decodes to is clamscan's, byte for byte (measured here with
# clamscan --leave-temps).
for at in 0x280 0x300 0x340 0x380 0x3c0 0x440 0x480 0x4c0 0x540; do
    cp clam-mew.exe one$at.exe
    printf '\x5a' | dd of=one$at.exe bs=1 seek=$((at)) conv=notrunc 2>/dev/null
    packer_same_image clam.hdb one$at.exe
done

# Hand-made MEW files in the LZMA mode: a PE whose loader at 0x154 calls an
# LZMA routine, a one-block aPLib stream ending the chain, then MEW's LZMA
# block list (the "special" form with its call fix-up, or the plain one),
# packed with Python's raw LZMA1 encoder (lc 4, lp 0, pb 2), with near and
# far matches and repeats; the marker inside is found by both.
cat > mkmew.py <<'PY'
import lzma, struct, sys
special = sys.argv[1] == '1'
base, s0rva, s0vsz, s1rva, s1vsz = 0x400000, 0x1000, 0x10000, 0x11000, 0x2000
pat = b'VIGIL-MEW-MARKER'
import random
random.seed(7)
noise = bytes(random.randrange(256) for _ in range(3000))
plain = b'\xe8\x00\x00\x00\x10' + pat * 8 + noise + bytes(range(32, 120)) * 3 + pat * 4
plain += noise[100:900] + pat + noise[2000:2600]
plain += b'\xe9\x11\x22\x33\x44' + b'tail of the data'
packed = lzma.compress(plain, format=lzma.FORMAT_RAW,
                       filters=[{'id': lzma.FILTER_LZMA1, 'lc': 4, 'lp': 0, 'pb': 2,
                                 'dict_size': 1 << 16}])
f = bytearray(0x200 + 0x1000)
f[0:2] = b'MZ'; struct.pack_into('<I', f, 0x3c, 0x40)
pe = 0x40; opt = pe + 24; sec = opt + 0xe0
f[pe:pe+4] = b'PE\0\0'; struct.pack_into('<HHIIIHH', f, pe+4, 0x14c, 2, 0, 0, 0, 0xe0, 0x10f)
struct.pack_into('<H', f, opt, 0x10b)
ep = s1rva + 0xe00                       # the jmp to the loader at 0x154
struct.pack_into('<I', f, opt+16, ep); struct.pack_into('<I', f, opt+28, base)
struct.pack_into('<II', f, opt+32, 0x1000, 0x200); struct.pack_into('<H', f, opt+40, 4)
struct.pack_into('<H', f, opt+48, 4)
struct.pack_into('<II', f, opt+56, s1rva + s1vsz, 0x200)
struct.pack_into('<H', f, opt+68, 2); struct.pack_into('<I', f, opt+92, 16)
f[sec:sec+4] = b'MEW'; struct.pack_into('<IIII', f, sec+8, s0vsz, s0rva, 0, 0)
struct.pack_into('<I', f, sec+36, 0xe0000060)
sec += 40
f[sec:sec+4] = b'.mew'; struct.pack_into('<IIII', f, sec+8, s1vsz, s1rva, 0x1000, 0x200)
struct.pack_into('<I', f, sec+36, 0xe0000060)
# The loader in the header at 0x154: "mov esi, data", and at +0x7b a call
# to the LZMA routine, placed (uselzma) 8 bytes before a 0x50 or a 0x90.
offdiff = 0x10
ld = 0x154
f[ld] = 0xbe; struct.pack_into('<I', f, ld+1, base + s1rva + offdiff)
lzproc = s0vsz + 0xf00                    # in the unpacked buffer: in .mew
f[ld+0x7b] = 0xe8; struct.pack_into('<i', f, ld+0x7c, lzproc + s0rva - ld - 0x80)
# The packed section: 12 bytes, a one-byte aPLib block, the chain's end,
# then the LZMA block list.
d = bytearray(0x1000)
o = offdiff
struct.pack_into('<III', d, o, 0, base + s0rva + 0x3000, base + s0rva + 0x100); o += 12
d[o:o+3] = b'\x90\xc0\x00'; o += 3        # literal, tag bits 1 1 0, end
struct.pack_into('<I', d, o, 0); o += 4   # no next block
probs = base + s0rva + 0x8000
if special:
    struct.pack_into('<I', d, o, len(plain)); o += 4
struct.pack_into('<I', d, o, probs); o += 4
struct.pack_into('<III', d, o, len(plain), base + s0rva + 0x2000, len(packed)); o += 12
d[o] = 0x5d; o += 1
d[o:o+len(packed)] = packed; o += len(packed)
if not special:
    struct.pack_into('<I', d, o, 0); o += 4
assert o < 0xe00
# The byte 8 after the LZMA routine tells the form ("push eax": special).
d[lzproc - s0vsz + 8] = 0x50 if special else 0x90
d[0xe00] = 0xe9; struct.pack_into('<i', d, 0xe01, 0x154 - ep - 5)
f[0x200:0x1200] = d
sys.stdout.buffer.write(bytes(f))
PY
echo 'Marker:0:*:564947494c2d4d45572d4d41524b4552' > marker.ndb
for sp in 0 1; do
    f=mewlz-$sp.exe
    python3 mkmew.py $sp > $f || { fail "mkmew.py $sp"; continue; }
    rm -rf tmp-$f && mkdir tmp-$f
    "$CLAMSCAN" --leave-temps --tempdir="$PWD/tmp-$f" -d marker.ndb $f >/dev/null 2>&1
    img=$(find tmp-$f -type f -name 'clamav-*.tmp' | head -1)
    if [ -z "$img" ]; then fail "$f: clamscan wrote no image"; continue; fi
    hdb_line "$img" Image > img.hdb
    compat_run -a -d img.hdb $f
    compare_all "hand-made MEW LZMA $f (special $sp)"
    compare_found "hand-made MEW LZMA $f -a"
    assert_has_line "$f: the image clamscan rebuilt, at depth 1" "$V_OUT" \
        "$f!(1): Image.UNOFFICIAL FOUND"
    compat_run --allmatch -d marker.ndb -d img.hdb $f
    compare_all "hand-made MEW LZMA $f: the marker inside, --allmatch"
    assert_has_line "$f: vigil finds the marker in the unpacked data" "$V_OUT" \
        "$f: Marker.UNOFFICIAL FOUND"
    assert_has_line "$f: clamscan finds the marker in the unpacked data" "$C_OUT" \
        "$f: Marker.UNOFFICIAL FOUND"
    compat_run --scan-pe=no -d marker.ndb $f
    compare_all "hand-made MEW LZMA $f: --scan-pe=no"
    assert_not_contains "$f: the marker is not in the packed file" "$V_OUT" "FOUND"
done
finish
