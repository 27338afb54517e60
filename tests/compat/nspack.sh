#!/usr/bin/env bash
# compat/nspack: NsPack-packed PE files unpacked and rebuilt as clamscan
# rebuilds them. clamav-testfiles has no NsPack sample, so the files are
# made here: a PE whose entry point holds the NsPack loader's first bytes
# (or jumps to them), the pointer to the packed block where the loader
# reads it, the block (properties, sizes, and a raw LZMA1 stream made with
# Python's lzma module, optionally behind a zero dword) and the jump to the
# original entry point. For each, the image clamscan rebuilds (kept with
# --leave-temps) is hashed and must be vigil's child at depth 1 too; the
# marker inside is found by both, and not with --scan-pe=no; the files cut
# short or damaged are scanned alike.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/compat.sh"
. "$(dirname "$0")/../lib/packer.sh"

cat > mknsp.py <<'PY'
import lzma, random, struct, sys
jmp = sys.argv[1] == '1'      # the entry point jumps to the loader
zero = sys.argv[2] == '1'     # a zero dword before the packed block
base, s0rva, s0vsz, s1rva, s1vsz = 0x400000, 0x1000, 0x3000, 0x4000, 0x2000
random.seed(11)
words = [b'vigil', b'nspack', b'lzma', b'section', b'loader', b'entry']
plain = bytearray()
while len(plain) < s0vsz:
    plain += random.choice(words) + b' '
plain = plain[:s0vsz]
plain[0x800:0x813] = b'VIGIL-NSPACK-MARKER'
packed = lzma.compress(bytes(plain), format=lzma.FORMAT_RAW,
                       filters=[{'id': lzma.FILTER_LZMA1, 'lc': 3, 'lp': 0, 'pb': 2,
                                 'dict_size': 1 << 16}])
f = bytearray(0x1400)
f[0:2] = b'MZ'; struct.pack_into('<I', f, 0x3c, 0x40)
pe = 0x40; opt = pe + 24; sec = opt + 0xe0
f[pe:pe+4] = b'PE\0\0'; struct.pack_into('<HHIIIHH', f, pe+4, 0x14c, 2, 0, 0, 0, 0xe0, 0x10f)
ldr = s1rva + 0x100
struct.pack_into('<H', f, opt, 0x10b)
struct.pack_into('<I', f, opt+16, s1rva + 0x10 if jmp else ldr); struct.pack_into('<I', f, opt+28, base)
struct.pack_into('<II', f, opt+32, 0x1000, 0x200); struct.pack_into('<H', f, opt+40, 4)
struct.pack_into('<H', f, opt+48, 4); struct.pack_into('<II', f, opt+56, s1rva + s1vsz, 0x200)
struct.pack_into('<H', f, opt+68, 2); struct.pack_into('<I', f, opt+92, 16)
for name, vsz, rva, rsz, raw in ((b'nsp0', s0vsz, s0rva, 0x200, 0x200), (b'nsp1', s1vsz, s1rva, 0x1000, 0x400)):
    f[sec:sec+4] = name; struct.pack_into('<IIII', f, sec+8, vsz, rva, rsz, raw)
    struct.pack_into('<I', f, sec+36, 0xe0000060); sec += 40
f[0x200:0x210] = b'original code!!!'
def off(rva): return rva - s1rva + 0x400
if jmp:
    e = off(s1rva + 0x10); f[e] = 0xe9; struct.pack_into('<i', f, e+1, ldr - (s1rva + 0x10) - 5)
l = off(ldr)
f[l:l+13] = b'\x9c\x60\xe8\x00\x00\x00\x00\x5d\xb8\x07\x00\x00\x00'
struct.pack_into('<I', f, l+17, 0x54 - 0x10)           # nowinldr 0x10
struct.pack_into('<I', f, l-0x10, 0x300)               # the block 0x300 past the loader
b = l + 0x300
if zero:
    struct.pack_into('<I', f, b, 0); b += 4
f[b] = 0x5d                                           # lc 3, lp 0, pb 2
struct.pack_into('<II', f, b+5, 13 + len(packed), s0vsz)
f[b+13:b+13+len(packed)] = packed
assert b + ((13 + len(packed)) | 0xff) <= len(f), len(packed)
j = l + 0x27a                                         # the jump to the original entry point
f[j] = 0xe9; struct.pack_into('<i', f, j+1, s0rva - (ldr + 0x27a) - 5)
assert j + 5 <= l + 0x300
sys.stdout.buffer.write(bytes(f))
PY
echo 'Marker:0:*:564947494c2d4e535041434b2d4d41524b4552' > marker.ndb
for v in 00 10 01 11; do
    f=nsp-$v.exe
    python3 mknsp.py "${v:0:1}" "${v:1:1}" > $f || { fail "mknsp.py $v"; continue; }
    packer_same_image marker.ndb $f
    [ "$IMG_MADE" = 1 ] || fail "$f: clamscan unpacks the hand-made NsPack file"
    compat_run -d marker.ndb $f
    compare_all "hand-made NsPack $f: the marker inside"
    assert_has_line "$f: vigil finds the marker" "$V_OUT" "$f: Marker.UNOFFICIAL FOUND"
    assert_has_line "$f: clamscan finds the marker" "$C_OUT" "$f: Marker.UNOFFICIAL FOUND"
    compat_run -d marker.ndb --scan-pe=no $f
    compare_all "hand-made NsPack $f: --scan-pe=no"
    assert_not_contains "$f: the marker is not in the packed file" "$V_OUT" "FOUND"
done

# Cut short (in the loader, in the packed stream, just before the end)
# and damaged (the loader, the block pointer, the sizes, the stream).
for n in 600 1300 2100 2600 3000 5119; do
    head -c $n nsp-00.exe > cut$n.exe
    compat_run -d marker.ndb cut$n.exe
    compare_all "nsp-00.exe cut at $n bytes"
    packer_same_image marker.ndb cut$n.exe
done
for at in 0x501 0x4f0 0x800 0x805 0x809 0x80e 0x820 0x900; do
    cp nsp-00.exe bad$at.exe
    printf '\x5a' | dd of=bad$at.exe bs=1 seek=$((at)) conv=notrunc 2>/dev/null
    compat_run -d marker.ndb bad$at.exe
    compare_all "nsp-00.exe damaged at $at"
    packer_same_image marker.ndb bad$at.exe
done
finish
