#!/usr/bin/env bash
# compat/wwpack: WWPack32-packed PE files unpacked as clamscan unpacks them.
# With only the MD5 of clam.exe, clam-wwpack.exe is found in the unpacked
# image's embedded ZIP, "clam-wwpack.exe!(2)ZIP:clam.exe", as clamscan
# finds it (FOUND and -a lines, exit codes); the unpacked image has the MD5
# of clamscan's (a signature on it matches at depth 1 in both); --scan-pe=no
# turns it off in both; the sample cut short and with bytes of its packed
# data changed is scanned as clamscan scans it.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/compat.sh"
. "$(dirname "$0")/../lib/packer.sh"

packer_setup clam-wwpack.exe

# The unpacked image: clamscan's is 20480 bytes with this MD5 (measured with
# clamscan --leave-temps); a signature for it matches at depth 1 in both.
packer_sample clam-wwpack.exe \
    "clam-wwpack.exe!(2)ZIP:clam.exe: ClamExe.UNOFFICIAL FOUND" \
    "7b8cd3dd6a198ec191afce0206665d2d:20480:WwImage"

# (Each database on its own: with both, clamscan reports the image's hash
# first and vigil the clam.exe inside it, for UPX as for WWPack; a
# difference of the scan layer's order, not of the unpacker.)

# Cut short: the packer's section (0xc00-0x1000) partly gone, then the
# entry point's code too. Both scan what they can, neither crashes.
mkdir cut
for n in 4000 3700 3300 3200 3100; do head -c $n clam-wwpack.exe > cut/cut$n.exe; done
for db in clam.hdb image.hdb; do
    compat_run -d $db -a -r cut
    compare_all "clam-wwpack.exe cut short ($db)"
    compare_found "clam-wwpack.exe cut short -a ($db)"
done

# Damaged: one byte of the compressed data, of the block table or of the
# data directory changed (each a different path through the decoder: bad
# back-references, a block outside the image, the end code never met). The
# compressed block lies in .clam (file 0xa00-0xc00); the block table 0x2a1
# bytes into .WWP32 (file 0xc00 + 0x2a1).
packer_flip clam-wwpack.exe bad 0xa00 0xa05 0xa20 0xa80 0xb00 0xbf0 0xea1 0xea9 0xead 0xeb1 0xe95
packer_bad clam-wwpack.exe bad

# A hand-made WWPack32 file, its block compressed here with literals, WORD
# copies and BLOCK copies of every length code up to 60 and distances past
# 1 KiB, then the end code. The image clamscan writes (--leave-temps) holds
# the data as it was packed (its marker only made by copies); vigil must scan the same image at depth 1, and
# both find the marker inside it.
cat > mkww.py <<'PY'
import struct, sys
# WWPack32 bit stream: dwords of bits (MSB first) read as they run out,
# literal bytes in between; ops: 0 literal, 1 11 WORD copy, 1 xx BLOCK copy
class Enc:
    def __init__(self):
        self.out = bytearray(4); self.pos = 0; self.n = 0; self.cur = 0
    def bit(self, b):
        self.cur = (self.cur << 1) | b; self.n += 1
        if self.n == 32:
            struct.pack_into('<I', self.out, self.pos, self.cur)
            self.pos = len(self.out); self.out += bytes(4); self.n = 0; self.cur = 0
    def bits(self, v, n):
        for k in range(n - 1, -1, -1): self.bit((v >> k) & 1)
    def done(self):
        if self.n: struct.pack_into('<I', self.out, self.pos, self.cur << (32 - self.n))
        while len(self.out) % 4: self.out.append(0)
        self.out += bytes(8)
        return self.out
def literal(e, b):
    e.bit(0); e.out.append(b)
def word(e, d):
    e.bit(1); e.bits(3, 2)
    for b, (shift, base) in enumerate(((5, 1), (6, 0x21), (8, 0x61), (9, 0x161))):
        if base <= d < base + (1 << shift) and d - base != 0x1ff:
            e.bits(b, 2); e.bits(d - base, shift); return True
    raise Exception('word distance')
def block(e, d, length):
    saved = {3: 1, 4: 2}.get(length, 0)
    e.bit(1); e.bits(saved, 2)
    for b, n in ((0, 5), (1, 6), (2, 7), (3, 8), (3, 9), (4, 10), (4, 11), (5, 12)):
        if (1 << n) - 31 <= d < (1 << (n + 1)) - 31:
            e.bits(b, 3)
            if b in (3, 4): e.bit(n - (8 if b == 3 else 10))
            e.bits(d - ((1 << n) - 31), n); break
    else:
        if d < 0x1fe1 + (1 << 14): e.bits(6, 3); e.bits(d - 0x1fe1, 14)
        else: e.bits(7, 3); e.bits(d - 0x5fe1, 15)
    if saved: return
    if length <= 6: e.bit(0); e.bit(length - 5)
    elif length <= 13: e.bit(1); e.bits(length - 6, 3)
    elif length <= 28: e.bit(1); e.bits(0, 3); e.bits(length - 13, 4)
    else:
        e.bit(1); e.bits(0, 3); e.bits(0, 4)
        for cnt, base in ((5, 29), (6, 61), (7, 125)):
            e.bit(1)   # stop at this count
            if length - base < (1 << cnt): e.bits(length - base, cnt); return
            raise Exception('length')
def end(e):
    e.bit(1); e.bits(3, 2); e.bits(3, 2); e.bits(0x1ff, 9)
def compress(plain):
    e = Enc(); i = 0
    while i < len(plain):
        best = (0, 0)
        for d in range(1, min(i, 0x7000) + 1):
            l = 0
            while i + l < len(plain) and l < 60 and plain[i + l - d] == plain[i + l]: l += 1
            if l > best[0]: best = (l, d)
        l, d = best
        if l >= 3: block(e, d, l); i += l
        elif l == 2 and d < 0x161 + 0x1ff: word(e, d); i += 2
        else: literal(e, plain[i]); i += 1
    end(e)
    return e.done()
plain = bytearray()
plain += b'VIGIL-WW-' + bytes(5) + b'MARKER!'   # the marker itself only from copies
for k in range(40): plain += bytes([(k * 37) & 0xff, k & 0xff])          # literals
plain += b'ab' * 3 + b'xyzxyzxyz' + b'Q' * 70                            # short copies, long runs
plain += bytes((k * 7) & 0xff for k in range(300))
plain += plain[20:60] + plain[100:400]                                    # far copies
plain += plain[0:9] + plain[14:21] + plain[0:29] + plain[200:261] + b'\x00' * 13
for k in range(0, 2000, 13): plain += bytes([k & 0xff, (k >> 8) & 0xff, 0x55])
plain += plain[60:90] + plain[1000:1120]                                  # distances past 1K
data = compress(plain)
szd = len(data)
f = bytearray(0x1000 + 0x400)
f[0:2] = b'MZ'; struct.pack_into('<I', f, 0x3c, 0x40)
h = 0x40; o = h + 24; s = o + 0xe0
secs = [(b'.text', 0x1000, 0x2000, 0x200, 0xe00), (b'.WWP32', 0x3000, 0x400, 0x1000, 0x400)]
f[h:h+4] = b'PE\0\0'
struct.pack_into('<HHIIIHH', f, h + 4, 0x14c, len(secs), 0, 0, 0, 0xe0, 0x10f)
struct.pack_into('<H', f, o, 0x10b); struct.pack_into('<I', f, o + 16, 0x3000)
struct.pack_into('<I', f, o + 28, 0x400000); struct.pack_into('<II', f, o + 32, 0x1000, 0x200)
struct.pack_into('<II', f, o + 56, 0x4000, 0x200); struct.pack_into('<H', f, o + 68, 2)
struct.pack_into('<I', f, o + 92, 16)
for i, (name, rva, vsz, raw, rsz) in enumerate(secs):
    p = s + 40 * i
    f[p:p+len(name)] = name
    struct.pack_into('<IIII', f, p + 8, vsz, rva, rsz, raw)
    struct.pack_into('<I', f, p + 36, 0xe0000060)
assert szd <= 0xe00, szd
f[0x200:0x200 + szd] = data
ep = 0x1000
f[ep:ep+7] = b'\x53\x55\x8b\xe8\x33\xdb\xeb'
f[ep+0x68:ep+0x68+19] = b'\xe8\x00\x00\x00\x00\x58\x2d\x6d\x00\x00\x00\x50\x60\x33\xc9\x50\x58\x50\x50'
struct.pack_into('<I', f, ep + 0x295, (0x1000 - 0x3000 - 0x299) & 0xffffffff)   # the entry point: 0x1000
struct.pack_into('<IIII', f, ep + 0x2a1, 0x3000 - 0x1000, 0, szd // 4, szd - 4)
f[ep + 0x2b1] = 0
sys.stdout.buffer.write(f)
PY
printf 'Marker:0:*:%s\n' "$(printf 'VIGIL-WW-MARKER!' | od -An -tx1 | tr -d ' \n')" > marker.ndb
f=hand.exe
if python3 mkww.py > $f; then
    rm -rf tmp-$f && mkdir tmp-$f
    "$CLAMSCAN" --leave-temps --tempdir="$PWD/tmp-$f" -d marker.ndb $f >/dev/null 2>&1
    img=$(find tmp-$f -mindepth 3 -maxdepth 3 -type f -name 'clamav-*.tmp' | head -1)
    if [ -n "$img" ]; then
        hdb_line "$img" Image > img.hdb
        compat_run -a -d img.hdb $f
        compare_all "hand-made WWPack $f"
        compare_found "hand-made WWPack $f -a"
        assert_has_line "$f: clamscan's image at depth 1 in clamscan" "$C_OUT" "$f!(1): Image.UNOFFICIAL FOUND"
        assert_has_line "$f: clamscan's image at depth 1 in vigil" "$V_OUT" "$f!(1): Image.UNOFFICIAL FOUND"
        compat_run -a -d marker.ndb $f
        compare_all "hand-made WWPack $f: the marker unpacked"
        assert_has_line "$f: the marker unpacked" "$V_OUT" "$f!(1): Marker.UNOFFICIAL FOUND"
    else
        fail "$f: clamscan wrote no image"
    fi
else
    fail "mkww.py"
fi
finish
