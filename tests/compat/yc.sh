#!/usr/bin/env bash
# compat/yc: PE files protected by yoda's Crypter decrypted as clamscan
# decrypts them. With only the MD5 of clam.exe, clam-yc.exe is found three
# layers down, "clam-yc.exe!(3)" (yC's file holds a UPX-packed clam.exe:
# decrypted, unpacked, then the embedded PE), as clamscan finds it (FOUND
# and -a lines, exit codes); the decrypted file has the MD5 of clamscan's
# (a signature on it matches at depth 1 in both); --scan-pe=no turns it off
# in both; the sample cut short and with bytes of the decryptors or of the
# encrypted data changed is scanned as clamscan scans it, the decrypted
# files byte for byte the same as clamscan's.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/compat.sh"
. "$(dirname "$0")/../lib/packer.sh"

packer_setup clam-yc.exe

# The decrypted file: clamscan's is 3072 bytes (the file without yC's raw
# data) with this MD5 (measured with clamscan --leave-temps); a signature
# for it matches at depth 1 in both.
packer_sample clam-yc.exe \
    "clam-yc.exe!(3): ClamExe.UNOFFICIAL FOUND" \
    "8822fca1f7b0cb5506f15f8088956197:3072:YcImage"

# Cut short inside yC's section (0xc00-0x1852): still long enough for the
# first layer, then not. (Each database on its own, as in compat/wwpack.)
mkdir cut
for n in 6000 5000 4000 3900 3500 3300 3200; do head -c $n clam-yc.exe > cut/cut$n.exe; done
for db in clam.hdb image.hdb; do
    compat_run -d $db -a -r cut
    compare_all "clam-yc.exe cut short ($db)"
    compare_found "clam-yc.exe cut short -a ($db)"
done

# Damaged: one byte changed in the first decryptor (0xc00 + 0x93..0xc3,
# unknown instructions and other jumps), in the encrypted second layer
# (0xc00 + 0x457.., the second decryptor), in the encrypted UPX1 section
# (0x400..0xa00), in the section table and in the stored entry point.
packer_flip clam-yc.exe bad 0xc93 0xc95 0xc98 0xca0 0xcb0 0xcc0 0xcc3 0xcc6 0xe00 0x1057 \
    0x1059 0x1060 0x1070 0x1086 0x160f 0x400 0x500 0x9ff 0x204 0x1f0
packer_bad clam-yc.exe bad

# Hand-made yC files for each loader form (yC 1.3, its variant, yC
# 1.x/modified), each with a first decryptor using every instruction or
# jumping over junk, the second decryptor and the sections encrypted here
# (by inverting the decryptors): .text and .data decrypted, .rsrc left as
# it is, the import directory cleared. The file clamscan writes
# (--leave-temps) is hashed; vigil must scan the same file at depth 1, and
# both find the markers inside it.
cat > mkyc.py <<'PY'
import struct, sys
form = int(sys.argv[1])      # 0: yC 1.3, 1: its variant, 2: yC 1.x/modified
jumpy = sys.argv[2] == '1'   # the first decryptor jumps over junk

def rol(v, n): n &= 7; return ((v << n) | (v >> (8 - n))) & 0xff if n else v
def ror(v, n): n &= 7; return ((v >> n) | (v << (8 - n))) & 0xff if n else v

def run(code, al, cl):
    j = 0
    while j < 0x30:
        op = code[j]
        if op == 0xeb:
            j += 1; d = code[j]; j = (j + (d - 256 if d > 127 else d)) & 0xffffffff
        elif op == 0xfe: al = (al - 1) & 0xff; j += 1
        elif op == 0x2a: al = (al - cl) & 0xff; j += 1
        elif op == 0x02: al = (al + cl) & 0xff; j += 1
        elif op == 0x32: al ^= cl; j += 1
        elif op in (0x04, 0x34, 0x2c):
            j += 1; v = code[j]
            al = (al + v) & 0xff if op == 0x04 else al ^ v if op == 0x34 else (al - v) & 0xff
        elif op == 0xc0:
            j += 1; kind = code[j]; j += 1
            al = rol(al, code[j]) if kind == 0xc0 else ror(al, code[j])
        elif op == 0xd2:
            j += 1; kind = code[j]; j += 1
            al = ror(al, cl) if kind == 0xc8 else rol(al, cl)
        elif op in (0x90, 0xf8, 0xf9): pass
        else: raise Exception('op %x' % op)
        j = (j + 1) & 0xffffffff
    return al

def encrypt(code, plain, ecx):
    inv, tables = [], {}
    for i, p in enumerate(plain):
        cl = (ecx - i) & 0xff
        if cl not in tables:
            tables[cl] = {run(code, x, cl): x for x in range(256)}
        inv.append(tables[cl][p])
    return bytes(inv)

# (the emulator steps over one byte more after D2 C8 and D2 C0, as ClamAV's)
def pad(b): return b + b'\x90' * (0x30 - len(b))
if jumpy:
    dec1 = pad(b'\x04\x11\xeb\x02\xff\xff\x2c\x05\xf8\xf9\xd2\xc0\x90\xeb\x01\x00\x34\x10')
else:
    dec1 = pad(b'\x04\x11\x2c\x05\x34\x10\xfe\xc8\x2a\xc1\x02\xc1\x32\xc1\xc0\xc0\x03\xc0\xc8\x05\xd2\xc8\x90\xd2\xc0\x90')
dec2 = pad(b'\x32\xc1\xc0\xc0\x03\x2c\x33\xd2\xc8\x90\xfe\xc8')

offset = (0, 0x10, -0x18)[form]
ecx = 0x900
secs = [(b'.text', 0x1000, 0x1000, 0x400, 0x200), (b'.rsrc', 0x2000, 0x1000, 0x600, 0x200),
        (b'.data', 0x3000, 0x1000, 0x800, 0x200), (b'yC', 0x4000, 0x2000, 0xa00, 0xc00)]
size = 0x1600
f = bytearray(size)
f[0:2] = b'MZ'; struct.pack_into('<I', f, 0x3c, 0x80)
h = 0x80; o = h + 24; s = o + 0xe0
f[h:h+4] = b'PE\0\0'
struct.pack_into('<HHIIIHH', f, h + 4, 0x14c, len(secs), 0, 0, 0, 0xe0, 0x10f)
struct.pack_into('<H', f, o, 0x10b); struct.pack_into('<I', f, o + 16, 0x4060)
struct.pack_into('<I', f, o + 28, 0x400000); struct.pack_into('<II', f, o + 32, 0x1000, 0x200)
struct.pack_into('<II', f, o + 56, 0x6000, 0x400); struct.pack_into('<H', f, o + 68, 2)
struct.pack_into('<I', f, o + 92, 16)
struct.pack_into('<II', f, o + 96 + 8, 0x3100, 0x40)   # an import directory, cleared
for i, (name, rva, vsz, raw, rsz) in enumerate(secs):
    p = s + 40 * i
    f[p:p+len(name)] = name
    struct.pack_into('<IIII', f, p + 8, vsz, rva, rsz, raw)
    struct.pack_into('<I', f, p + 36, 0xe0000060)
raw = 0xa00; ep = raw + 0x60; ycs = raw + offset
A = 0x401000
if form == 0:
    f[ep:ep+15] = b'\x55\x8b\xec\x53\x56\x57\x60\xe8\x00\x00\x00\x00\x5d\x81\xed'
    struct.pack_into('<I', f, ep + 0xf, A); f[ep + 0x13] = 0xb9
    struct.pack_into('<I', f, ep + 0x14, 0x405000 + ecx); f[ep+0x18:ep+0x1a] = b'\x81\xe9'
    struct.pack_into('<I', f, ep + 0x1a, 0x405000); f[ep+0x1e:ep+0x22] = b'\x8b\xd5\x81\xc2'
    struct.pack_into('<I', f, ep + 0x22, A + 0x5a)
    f[ep+0x26:ep+0x33] = b'\x8d\x3a\x8b\xf7\x33\xc0\xeb\x04\x90\xeb\x01\xc2\xac'
elif form == 1:
    f[ep:ep+9] = b'\x55\x8b\xec\x83\xec\x40\x53\x56\x57'
    f[ep+0x17:ep+0x1f] = b'\xe8\x00\x00\x00\x00\x5d\x81\xed'
    struct.pack_into('<I', f, ep + 0x1f, A); f[ep + 0x23] = 0xb9
    struct.pack_into('<I', f, ep + 0x24, 0x405000 + ecx); struct.pack_into('<I', f, ep + 0x2a, 0x405000)
    struct.pack_into('<I', f, ep + 0x32, A + 0x5a)
else:
    f[ep:ep+9] = b'\x60\xe8\x00\x00\x00\x00\x5d\x81\xed'
    struct.pack_into('<I', f, ep + 9, A); f[ep + 0xd] = 0xb9
    struct.pack_into('<I', f, ep + 0xe, ecx); struct.pack_into('<H', f, ep + 0x12, 0xbd8d)
    struct.pack_into('<I', f, ep + 0x14, A + 0x48); f[ep+0x18:ep+0x1b] = b'\x8b\xf7\xac'
f[ep+0x63+offset:ep+0x66+offset] = b'\xaa\xe2\xcc'
f[ycs+0x93:ycs+0xc3] = dec1
# the second layer, encrypted with the first: its decryptor and the entry point
layer = bytearray(ecx)
for i in range(ecx): layer[i] = (i * 13 + 7) & 0xff
d2 = 0x3ea if offset == -0x18 else 0x457
layer[d2 - 0xc6:d2 - 0xc6 + 0x30] = dec2
f[ycs+0xc6:ycs+0xc6+ecx] = encrypt(dec1, layer, ecx)
struct.pack_into('<I', f, ycs + 0xa0f, 0x1234)
# .text and .data encrypted with the second, .rsrc left alone
for raw_, tag in ((0x400, b'TEXT'), (0x800, b'DATA')):
    plain = bytearray((i * 5) & 0xff for i in range(0x200))
    plain[0x40:0x40+20] = b'VIGIL-YC-MARKER-' + tag
    f[raw_:raw_+0x200] = encrypt(dec2, plain, 0x200)
f[0x600:0x620] = b'VIGIL-YC-RSRC-AS-IS-' + bytes(12)
sys.stdout.buffer.write(f)
PY
printf 'Marker:0:*:%s\n' "$(printf 'VIGIL-YC-MARKER-DATA' | od -An -tx1 | tr -d ' \n')" > marker.ndb
for form in 0 1 2; do for jumpy in 0 1; do
    f=yc-$form-$jumpy.exe
    python3 mkyc.py $form $jumpy > $f || { fail "mkyc.py $form $jumpy"; continue; }
    rm -rf tmp-$f && mkdir tmp-$f
    "$CLAMSCAN" --leave-temps --tempdir="$PWD/tmp-$f" -d marker.ndb $f >/dev/null 2>&1
    img=$(find tmp-$f -mindepth 3 -maxdepth 3 -type f -name 'clamav-*.tmp' | head -1)
    if [ -z "$img" ]; then fail "$f: clamscan wrote no file"; continue; fi
    hdb_line "$img" Image > img.hdb
    compat_run -a -d img.hdb $f
    compare_all "hand-made yC $f (form $form, jumps $jumpy)"
    compare_found "hand-made yC $f -a"
    assert_has_line "$f: clamscan's file at depth 1 in clamscan" "$C_OUT" "$f!(1): Image.UNOFFICIAL FOUND"
    assert_has_line "$f: clamscan's file at depth 1 in vigil" "$V_OUT" "$f!(1): Image.UNOFFICIAL FOUND"
    compat_run -a -d marker.ndb $f
    compare_all "hand-made yC $f: the marker decrypted"
    assert_has_line "$f: the marker decrypted" "$V_OUT" "$f!(1): Marker.UNOFFICIAL FOUND"
done; done
finish
