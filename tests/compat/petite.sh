#!/usr/bin/env bash
# compat/petite: Petite-packed PE files unpacked and rebuilt as clamscan
# does. With only the MD5 of clam.exe, clam-petite.exe is found in the
# rebuilt PE's embedded ZIP, "clam-petite.exe!(2)ZIP:clam.exe", as clamscan
# finds it (FOUND and -a lines, exit codes); the rebuilt PE has the MD5 of
# clamscan's (a signature on it matches at depth 1 in both); --scan-pe=no
# turns it off in both; the sample cut short and with bytes of its table,
# packed data, loader or import table changed is scanned as clamscan scans
# it, the rebuilt files byte for byte the same as clamscan's.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/compat.sh"
. "$(dirname "$0")/../lib/packer.sh"

packer_setup clam-petite.exe

# The rebuilt PE: clamscan's is 6144 bytes with this MD5 (measured with
# clamscan --leave-temps); a signature for it matches at depth 1 in both.
packer_sample clam-petite.exe \
    "clam-petite.exe!(2)ZIP:clam.exe: ClamExe.UNOFFICIAL FOUND" \
    "8a2bf11929515746f3df244a4ac91c7c:6144:PtImage"

# (Each database on its own: with both, clamscan reports the image's hash
# first and vigil the clam.exe inside it, for UPX as for WWPack; a
# difference of the scan layer's order, not of the unpacker.)

# (Each database on its own: with both, clamscan reports the image's hash
# first and vigil the clam.exe inside it, as for UPX; a difference of the
# scan layer's order, not of the unpacker.)

# Cut short: the packed sections (0x800-0x1000) partly gone, then the
# packer's section (0x400-0x800) too.
mkdir cut
for n in 4000 3800 3500 3000 2500 2000 1800 1500 1200; do
    head -c $n clam-petite.exe > cut/cut$n.exe
done
for db in clam.hdb image.hdb; do
    compat_run -d $db -a -r cut
    compare_all "clam-petite.exe cut short ($db)"
    compare_found "clam-petite.exe cut short -a ($db)"
done

# Damaged: one byte changed in the packer's table (0x5b8: a section stored
# as it is, packed dwords moved, two sections decompressed, the end), in
# the packed data, in the loader at the entry point (0x442) and in the
# loader's code the unpacker strips and reads the entry point from.
packer_flip clam-petite.exe bad 0x5b8 0x5bc 0x5c0 0x5c4 0x5c8 0x5cb 0x5cc 0x5d0 0x5d4 0x5d8 \
    0x5dc 0x5e4 0x5e8 0x5ec 0x5f4 0x443 0x4c2 0x800 0x801 0x810 0x900 0xa00 0xb00 0xc00 \
    0xd00 0xdf0 0xe00 0xe10 0xe80 0xf00 0xff0
packer_bad clam-petite.exe bad

# Hand-made Petite files, both forms (the packer's table in the last
# section, "v2.2", and in the one before it, "v2.1"), one section packed
# here with literals only: without the packer's code, with it (stripped,
# the entry point decrypted through the import table: "v2.2" walks it),
# and with it and mangled imports. The PE clamscan rebuilds (--leave-temps) is hashed; vigil must
# scan the same PE at depth 1, and both find the marker inside it.
cat > mkpt.py <<'PY'
import struct, sys
version = int(sys.argv[1])   # 2: the table in the last section; 1: in the one before it
code = int(sys.argv[2]) if len(sys.argv) > 2 else 0   # 1: the packer's code at the end, 2: and mangled imports
def bits_literals(plain):
    # the first byte as it is, then groups of 8 literals behind a 0x00 bit byte,
    # each XORed with the count of bytes left
    out = bytearray(plain[:1]); left = len(plain) - 1; i = 1
    while i < len(plain):
        out.append(0)
        for _ in range(8):
            if i == len(plain): break
            out.append(plain[i] ^ (left & 0xff)); left -= 1; i += 1
    return out
n = 0x400 if code else 0x100
plain = bytearray((k * 11 + 3) & 0xff for k in range(n))
plain[0x20:0x20 + 16] = b'VIGIL-PT-MARKER!'
if code:
    # the loader's code Petite leaves at the end: its magic, the key check,
    # the encrypted entry point, the import table's rva
    grown = 0x355 if version == 2 else 0x323
    cb = n - grown
    plain[cb + 5 + 0x4f:cb + 5 + 0x4f + 8] = struct.pack('<II', 0x645ec033, 0x1b8b188b)
    key = 0x12345678
    struct.pack_into('<II', plain, cb + 0x0f - 8, key ^ 0x9d6661aa, key ^ 0xe908c483)
    struct.pack_into('<I', plain, cb + 0x0f, 0x2468ace0 ^ key)
    struct.pack_into('<I', plain, cb + 0x0f + 0x112, 0x1700)
    struct.pack_into('<I', plain, cb + 0x0f + 0x1b1, 0x90909090 if code == 1 else 0x11223344)
secs = [(b'.text', 0x1000, 0x1000, 0x200, 0x800), (b'.petite', 0x2000, 0x1000, 0xa00, 0x400)]
if version == 1:
    secs.append((b'.extra', 0x3000, 0x1000, 0xe00, 0x200))
size = 0xe00 + (0x200 if version == 1 else 0)
f = bytearray(size)
f[0:2] = b'MZ'; struct.pack_into('<I', f, 0x3c, 0x40)
h = 0x40; o = h + 24; s = o + 0xe0
f[h:h+4] = b'PE\0\0'
struct.pack_into('<HHIIIHH', f, h + 4, 0x14c, len(secs), 0, 0, 0, 0xe0, 0x10f)
struct.pack_into('<H', f, o, 0x10b); struct.pack_into('<I', f, o + 16, 0x2000)
struct.pack_into('<I', f, o + 28, 0x400000); struct.pack_into('<II', f, o + 32, 0x1000, 0x200)
struct.pack_into('<II', f, o + 56, 0x1000 * (len(secs) + 1), 0x200); struct.pack_into('<H', f, o + 68, 2)
struct.pack_into('<I', f, o + 92, 16)
struct.pack_into('<II', f, o + 96 + 16, 0x1780, 0x20)   # a resource directory, kept
for i, (name, rva, vsz, raw, rsz) in enumerate(secs):
    p = s + 40 * i
    f[p:p+len(name)] = name
    struct.pack_into('<IIII', f, p + 8, vsz, rva, rsz, raw)
    struct.pack_into('<I', f, p + 36, 0xe0000060)
ep = 0xa00
f[ep] = 0xb8; struct.pack_into('<I', f, ep + 1, 0x402000)
stream = bits_literals(plain)
assert len(stream) <= 0x500
f[0x200:0x200 + len(stream)] = stream
# the import table (rva 0x1700, file 0x900): two thunks, then the end
struct.pack_into('<III', f, 0x900, 0x1720, 0x1740, 0)
struct.pack_into('<IIIII', f, 0x920, 0x5001, 0x80000002, 0x5003, 0x402010, 0)
struct.pack_into('<II', f, 0x940, 0x6000, 0)
t = ep + (0x1b8 if version == 2 else 0x178)
struct.pack_into('<IIII', f, t, 0x1000, len(plain), 0x1800, 0)
struct.pack_into('<I', f, t + 16, 0)
sys.stdout.buffer.write(f)
PY
printf 'Marker:0:*:%s\n' "$(printf 'VIGIL-PT-MARKER!' | od -An -tx1 | tr -d ' \n')" > marker.ndb
for v in 2 1; do for c in 0 1 2; do
    f=petite-$v-$c.exe
    python3 mkpt.py $v $c > $f || { fail "mkpt.py $v $c"; continue; }
    rm -rf tmp-$f && mkdir tmp-$f
    "$CLAMSCAN" --leave-temps --tempdir="$PWD/tmp-$f" -d marker.ndb $f >/dev/null 2>&1
    img=$(find tmp-$f -mindepth 3 -maxdepth 3 -type f -name 'clamav-*.tmp' | head -1)
    if [ -z "$img" ]; then fail "$f: clamscan rebuilt nothing"; continue; fi
    hdb_line "$img" Image > img.hdb
    compat_run -a -d img.hdb $f
    compare_all "hand-made Petite $f"
    compare_found "hand-made Petite $f -a"
    assert_has_line "$f: clamscan's PE at depth 1 in clamscan" "$C_OUT" "$f!(1): Image.UNOFFICIAL FOUND"
    assert_has_line "$f: clamscan's PE at depth 1 in vigil" "$V_OUT" "$f!(1): Image.UNOFFICIAL FOUND"
    compat_run -a -d marker.ndb $f
    compare_all "hand-made Petite $f: the marker unpacked"
    assert_has_line "$f: the marker unpacked" "$V_OUT" "$f!(1): Marker.UNOFFICIAL FOUND"
done; done
finish
