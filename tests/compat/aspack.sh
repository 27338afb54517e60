#!/usr/bin/env bash
# compat/aspack: ASPack-packed PE files unpacked and rebuilt as clamscan
# rebuilds them. With only the MD5 of clam.exe, clam-aspack.exe (ASPack
# 2.12) is found in the rebuilt image's embedded PE, "clam-aspack.exe!(2)",
# as clamscan finds it (FOUND and -a lines, exit codes); the rebuilt image
# has the MD5 clamscan's has (a signature on it matches at depth 1 in
# both); --scan-pe=no turns it off in both; the file cut short or with its
# compressed data damaged is scanned alike by both, without a crash. The
# loader moved to the 2.2x-2.3x and 2.42 layouts (made here from the 2.12
# file) is unpacked to clamscan's image too, and so are hand-made 2.12
# files whose streams are coded here.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/compat.sh"
. "$(dirname "$0")/../lib/packer.sh"

packer_setup clam-aspack.exe

# The rebuilt image: clamscan's is 17408 bytes with this MD5 (measured with
# clamscan --leave-temps); a signature for it matches at depth 1 in both.
packer_sample clam-aspack.exe \
    "clam-aspack.exe!(2): ClamExe.UNOFFICIAL FOUND" \
    "4a4477a6d2d866b38806e9bfa5a6bb2e:17408:AspackImage"

# Cut short: past the loader's tables but inside the packed data (the
# sections read short), before the end of the loader (not recognised), in
# the headers; and one byte of packed data changed (the decoder fails or
# decodes something else). Both scan the same way and neither crashes.
for n in 6000 5000 4000 1000; do
    head -c $n clam-aspack.exe > cut$n.exe
done
python3 - <<'PY'
d = bytearray(open('clam-aspack.exe', 'rb').read())
for name, off in (('bad1.exe', 0x620), ('bad2.exe', 0xb00), ('bad3.exe', 0x1000)):
    e = bytearray(d)
    e[off] ^= 0x5a
    open(name, 'wb').write(e)
PY
for db in clam.hdb image.hdb; do
    compat_run -d $db -a cut6000.exe cut5000.exe cut4000.exe cut1000.exe bad1.exe bad2.exe \
        bad3.exe
    compare_all "clam-aspack.exe cut short and damaged, $db"
    compare_found "clam-aspack.exe cut short and damaged, $db -a"
done

# The 2.2x-2.3x and 2.42 loaders: the 2.12 loader's tables moved to their
# offsets (the "push 0; ret" at EP+0x41f / EP+0x42b, blocks 12 bytes apart
# with a 0xfffffef2-sized entry that is skipped). clamscan's image (kept
# with --leave-temps) is the one vigil scans at depth 1, and both find
# clam.exe inside.
cat > mkasp.py <<'PY'
import struct, sys
lay = {'212': (0x3b9, 0x57c, 0x70e, 0x6d6, 0x148, 0x39b, 8),
       'other': (0x41f, 0x5d8, 0x76a, 0x732, 0x13a, 0x401, 12),
       '242': (0x42b, 0x5e4, 0x776, 0x73e, 0x148, 0x40d, 12)}
d = bytearray(open('clam-aspack.exe', 'rb').read())
ep = 0xc00                      # EP RVA 0x5001 is file 0xc01; ep = EP - 1
src = bytes(d[ep:ep + 0x1000])
new = lay[sys.argv[1]]
old = lay['212']
e = bytearray(src[:0x10])       # the loader's first instructions
e += bytes(0x1000 - len(e))
def put(o, b): e[o:o + len(b)] = b
put(new[0] + 1, src[old[0] + 1:old[0] + 7])   # push 0; ret (sig is from EP)
put(new[2], src[old[2]:old[2] + 58])          # distance widths
put(new[3], src[old[3]:old[3] + 0x72])        # length tables
put(new[4], src[old[4]:old[4] + 1])           # call marker
put(new[5], src[old[5]:old[5] + 4])           # original entry point
blocks = []
o = old[1]
while True:
    rva, size = struct.unpack_from('<II', src, o)
    if rva == 0: break
    blocks.append((rva, size)); o += 8
o = new[1]
for i, (rva, size) in enumerate(blocks):
    put(o, struct.pack('<III', rva, size, 0)); o += 12
    if i == 0 and new[6] == 12:
        put(o, struct.pack('<III', 0x1234, 0xfffffef2, 0)); o += 12
put(o, bytes(12))
d[ep:ep + 0x1000] = e
open(sys.argv[2], 'wb').write(d)
PY
for v in other 242; do
    f=asp-$v.exe
    python3 mkasp.py $v $f || { fail "mkasp.py $v"; continue; }
    rm -rf tmp-$f && mkdir tmp-$f
    "$CLAMSCAN" --leave-temps --tempdir="$PWD/tmp-$f" -d clam.hdb $f >/dev/null 2>&1
    img=$(find tmp-$f -type f -name 'clamav-*.tmp' | head -1)
    if [ -z "$img" ]; then fail "$f: clamscan wrote no image"; continue; fi
    hdb_line "$img" Image > img.hdb
    compat_run -a -d img.hdb $f
    compare_all "ASPack $v layout"
    compare_found "ASPack $v layout -a"
    assert_has_line "$f: the image clamscan rebuilt, at depth 1" "$V_OUT" \
        "$f!(1): Image.UNOFFICIAL FOUND"
    compat_run -a -d clam.hdb $f
    compare_all "ASPack $v layout, clam.exe"
    compare_found "ASPack $v layout, clam.exe -a"
    assert_has_line "$f: clam.exe inside" "$V_OUT" "$f!(2): ClamExe.UNOFFICIAL FOUND"
done
# Hand-made ASPack 2.12 files: a stream coded here (canonical Huffman
# tables of fixed lengths; literals, repeats, relative calls for the first
# block's unscrambling, the tables rebuilt mid-stream, a second block with
# Huffman-coded distance bits) behind the 2.12 loader's tables. clamscan's
# image (--leave-temps) is the one vigil scans at depth 1, and both find
# the marker inside.
cat > mkstream.py <<'PY'
import struct, sys
variant = sys.argv[1]
class W:
    def __init__(s): s.bits = []
    def put(s, v, n):
        for i in range(n - 1, -1, -1): s.bits.append(v >> i & 1)
    def bytes(s):
        b = s.bits + [0] * (-len(s.bits) % 8)
        return bytes(int(''.join(map(str, b[i:i + 8])), 2) for i in range(0, len(b), 8))
def tables(w, dist3=True):
    w.put(0, 1)                                  # previous lengths reset
    for k in range(19): w.put(4 if k < 16 else 0, 4)
    # literal/length: 0..510 and 720 (rebuild) 9 bits; long lengths 4 bits;
    # distance bits 3 bits each, or 2/2/2/3/3 (then Huffman coded)
    lens = [9] * 511 + [0] * 209 + [9] + [4] * 16 + [0] * 12
    lens += [3] * 8 if dist3 else [2, 2, 2, 3, 3, 0, 0, 0]
    for l in lens: w.put(l, 4)
out = bytearray()
def lit(w, bs):
    for c in bs: w.put(c, 9); out.extend([c])
def rep(w, n):                                   # n x 8 copies of the last byte
    for _ in range(n): w.put(256 + 6, 9); out.extend(out[-1:] * 8)
w = W(); tables(w)
lit(w, b'VIGIL-ASPACK-MARKER')
rep(w, 80)
if variant in ('calls', 'rebuild'):
    lit(w, b'\xe8\x00\x10\x00\x00\x90\xe9\x00\x20\x30\x00\x90\xe8\x01\x02\x03\x04')
if variant == 'rebuild':
    w.put(511, 9)                                # symbol 720: new tables
    tables(w)
    lit(w, b'AFTER-REBUILD')
    rep(w, 40)
blk1 = w.bytes(); size1 = len(out)
blocks = [(0x1000, size1, blk1)]
if variant == 'rebuild':                         # a second block, distances coded
    out = bytearray(); w = W(); tables(w, dist3=False)
    lit(w, b'SECOND-BLOCK')
    rep(w, 50)
    w.put(256 + (1 << 3) + 6, 9)                 # slot 1, length 8: 1 bit and
    w.put(0, 1); w.put(0, 2)                     # distance code 0: the last again
    out.extend(out[-1:] * 8)
    lit(w, b'END')
    blocks.append((0x1400, len(out) + 0x40, w.bytes()))
lay = (0x3b9, 0x57c, 0x70e, 0x6d6, 0x148, 0x39b)
f = bytearray(0x200 + 0x800 + 0x1000)
f[0:2] = b'MZ'; struct.pack_into('<I', f, 0x3c, 0x40)
p = 0x40; o = p + 24; s = o + 0xe0
f[p:p + 4] = b'PE\0\0'; struct.pack_into('<HHIIIHH', f, p + 4, 0x14c, 3, 0, 0, 0, 0xe0, 0x102)
struct.pack_into('<H', f, o, 0x10b); struct.pack_into('<I', f, o + 16, 0x2001)
struct.pack_into('<I', f, o + 28, 0x400000)
struct.pack_into('<II', f, o + 32, 0x1000, 0x200); struct.pack_into('<II', f, o + 56, 0x4000, 0x200)
struct.pack_into('<H', f, o + 68, 2); struct.pack_into('<I', f, o + 92, 16)
for i, (nm, va, vs, ra, rs) in enumerate(((b'.text', 0x1000, 0x1000, 0x200, 0x800),
                                          (b'.aspack', 0x2000, 0x1000, 0xa00, 0x1000),
                                          (b'.adata', 0x3000, 0x1000, 0, 0))):
    q = s + 40 * i
    f[q:q + len(nm)] = nm; struct.pack_into('<IIII', f, q + 8, vs, va, rs, ra)
ep = 0xa00                                       # EP - 1, RVA 0x2000
f[ep + 1:ep + 9] = b'\x60\xe8\x03\x00\x00\x00\xe9\xeb'
f[ep + 1 + lay[0]:ep + 7 + lay[0]] = b'\x68\x00\x00\x00\x00\xc3'
q = ep + lay[1]
for rva, size, data in blocks:
    assert len(data) <= size
    f[0x200 + rva - 0x1000:0x200 + rva - 0x1000 + len(data)] = data
    struct.pack_into('<II', f, q, rva, size); q += 8
for i in range(58): f[ep + lay[2] + i] = min(i // 2, 16)
for i in range(0x72): f[ep + lay[3] + i] = 0 if i >= 0x38 else i % 8
f[ep + lay[3] + 0x39] = 4                        # slot 1: 4 bits (1 + 3 coded)
f[ep + lay[4]] = 0x00                            # the call marker
struct.pack_into('<I', f, ep + lay[5], 0x1234)   # original entry point
sys.stdout.buffer.write(f)
PY
echo 'Marker:0:*:564947494c2d41535041434b2d4d41524b4552' > marker.ndb
for v in plain calls rebuild; do
    f=stream-$v.exe
    python3 mkstream.py $v > $f || { fail "mkstream.py $v"; continue; }
    rm -rf tmp-$f && mkdir tmp-$f
    "$CLAMSCAN" --leave-temps --tempdir="$PWD/tmp-$f" -d marker.ndb $f >/dev/null 2>&1
    img=$(find tmp-$f -type f -name 'clamav-*.tmp' | head -1)
    if [ -z "$img" ]; then fail "$f: clamscan wrote no image"; continue; fi
    hdb_line "$img" Image > img.hdb
    compat_run -a -d img.hdb $f
    compare_all "hand-made ASPack stream ($v)"
    compare_found "hand-made ASPack stream ($v) -a"
    assert_has_line "$f: the image clamscan rebuilt, at depth 1" "$V_OUT" \
        "$f!(1): Image.UNOFFICIAL FOUND"
    compat_run -a -d marker.ndb $f
    compare_all "hand-made ASPack stream ($v): the marker"
    assert_has_line "$f: the marker in the image" "$V_OUT" "$f!(1): Marker.UNOFFICIAL FOUND"
done
finish
