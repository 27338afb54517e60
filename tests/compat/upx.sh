#!/usr/bin/env bash
# compat/upx: UPX-packed PE files (NRV2B/2D/2E and LZMA) unpacked and
# rebuilt as clamscan rebuilds them. With only the MD5 of clam.exe, clam-upx.exe is found in the
# rebuilt image's embedded PE, "clam-upx.exe!(2)", as clamscan finds it
# (FOUND and -a lines, exit codes); the rebuilt image itself has the MD5
# clamscan's has (a signature on the image matches at depth 1 in both);
# --scan-pe=no turns it off in both. The other packers of clamav-testfiles
# are counted (vigil unpacks UPX, MEW, Upack, Petite, PESpin, yC, WWPack and
# ASPack, each with its own test; FSG's file holds clam.exe as is).
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/compat.sh"
. "$(dirname "$0")/../lib/packer.sh"

packer_setup clam-upx.exe

# The rebuilt image: clamscan's is 20480 bytes with this MD5 (measured with
# clamscan --leave-temps); a signature for it matches at depth 1 in both.
packer_sample clam-upx.exe \
    "clam-upx.exe!(2): ClamExe.UNOFFICIAL FOUND" \
    "3b03bc19b1f39587a0650c7b6fe35d38:20480:UpxImage"

# A UPX image cut short: both scan what they can, neither crashes.
head -c 2000 clam-upx.exe > cut.exe
compat_run -d clam.hdb cut.exe
compare_all "clam-upx.exe cut at 2000 bytes"

# Hand-made UPX-style PE32 files, packed here with libucl for each method
# (NRV2B, NRV2D, NRV2E, the loader code at EP+0x69 naming it or not), the
# data holding a marker and, in some, a PE header for the rebuild to find.
# The image clamscan writes (--leave-temps) is hashed; vigil must scan the
# same image at depth 1, and both find the marker in it.
if command -v gcc >/dev/null && [ -f /usr/include/ucl/ucl.h ]; then
cat > mkupx.c <<'C'
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <ucl/ucl.h>
static void w16(uint8_t *p, unsigned v) { p[0] = v; p[1] = v >> 8; }
static void w32(uint8_t *p, uint32_t v) { w16(p, v & 0xffff); w16(p + 2, v >> 16); }
static const char *sig[3] = {
    "\x11\xdb\x11\xc9\x01\xdb\x75\x07\x8b\x1e\x83\xee\xfc\x11\xdb\x11\xc9\x11\xc9\x75\x20\x41\x01\xdb",
    "\x83\xf0\xff\x74\x78\xd1\xf8\x89\xc5\xeb\x0b\x01\xdb\x75\x07\x8b\x1e\x83\xee\xfc\x11\xdb\x11\xc9",
    "\xeb\x52\x31\xc9\x83\xe8\x03\x72\x11\xc1\xe0\x08\x8a\x06\x46\x83\xf0\xff\x74\x75\xd1\xf8\x89\xc5"};
int main(int argc, char **argv)
{
    int m = atoi(argv[1]), named = atoi(argv[2]), hdr = atoi(argv[3]);
    static uint8_t f[0x2000], plain[0x1800], packed[0x2000];
    ucl_uint plen = sizeof packed;
    struct ucl_compress_config_t cc;
    uint8_t *pe = f + 0x40, *opt = pe + 24, *sec = opt + 0xe0;
    for (size_t i = 0; i < sizeof plain; i++) plain[i] = (uint8_t)(i * 7 + i / 13);
    memcpy(plain + 0x300, "VIGIL-UPX-MARKER", 16);
    if (hdr) { /* an original PE header with 2 sections inside the image */
        uint8_t *p = plain + 0x1000;
        memset(p, 0, 0x200);
        memcpy(p, "PE\0\0", 4); w16(p + 4, 0x14c); w16(p + 6, 2); w32(p + 0x38, 0x1000);
        memcpy(p + 0xf8, ".text", 5); w32(p + 0xf8 + 8, 0x800); w32(p + 0xf8 + 12, 0x1000);
        memcpy(p + 0x120, ".data", 5); w32(p + 0x120 + 8, 0x400); w32(p + 0x120 + 12, 0x1800);
    }
    memset(&cc, 0xff, sizeof cc);
    cc.bb_endian = 0;
    cc.bb_size = 32;
    ucl_init();
    if ((m == 0 ? ucl_nrv2b_99_compress : m == 1 ? ucl_nrv2d_99_compress : ucl_nrv2e_99_compress)(
            plain, sizeof plain, packed, &plen, NULL, 10, &cc, NULL) != UCL_E_OK || plen > 0x1000)
        return 1;
    f[0] = 'M'; f[1] = 'Z'; w32(f + 0x3c, 0x40);
    memcpy(pe, "PE\0\0", 4); w16(pe + 4, 0x14c); w16(pe + 6, 2); w16(pe + 20, 0xe0); w16(pe + 22, 0x102);
    w16(opt, 0x10b); w32(opt + 16, 0x3000 + 0x1000); w32(opt + 28, 0x400000);
    w32(opt + 32, 0x1000); w32(opt + 36, 0x200); w32(opt + 56, 0x6000); w32(opt + 60, 0x200);
    w16(opt + 68, 2); w32(opt + 92, 16);
    memcpy(sec, "UPX0", 4); w32(sec + 8, 0x2000); w32(sec + 12, 0x1000); w32(sec + 20, 0x200);
    sec += 40;
    memcpy(sec, "UPX1", 4); w32(sec + 8, 0x2000); w32(sec + 12, 0x3000); w32(sec + 16, 0x1e00); w32(sec + 20, 0x200);
    memcpy(f + 0x200, packed, plen);
    uint8_t *ep = f + 0x200 + 0x1000;
    ep[0] = 0x60; ep[1] = 0xbe; w32(ep + 2, 0x400000 + 0x3000);
    if (named) memcpy(ep + 0x69, sig[m], 24);
    fwrite(f, 1, sizeof f, stdout);
    return 0;
}
C
    if gcc -o mkupx mkupx.c -lucl; then
        echo 'Marker:0:*:56494749 4c2d5550582d4d41524b4552' | tr -d ' ' > marker.ndb
        for m in 0 1 2; do for named in 0 1; do for hdr in 0 1; do
            f=upx-$m-$named-$hdr.exe
            ./mkupx $m $named $hdr > $f || { fail "mkupx $m $named $hdr"; continue; }
            rm -rf tmp-$f && mkdir tmp-$f
            "$CLAMSCAN" --leave-temps --tempdir="$PWD/tmp-$f" -d marker.ndb $f >/dev/null 2>&1
            img=$(find tmp-$f -type f -name 'clamav-*.tmp' | head -1)
            if [ -z "$img" ]; then fail "$f: clamscan wrote no image"; continue; fi
            hdb_line "$img" Image > img.hdb
            compat_run -a -d img.hdb $f
            compare_all "hand-made UPX $f (method $m, named $named, header $hdr)"
            compare_found "hand-made UPX $f -a"
            assert_has_line "$f: the image clamscan rebuilt, at depth 1" "$V_OUT" \
                "$f!(1): Image.UNOFFICIAL FOUND"
            compat_run --allmatch -d marker.ndb -d img.hdb $f
            compare_all "hand-made UPX $f: the marker inside, --allmatch"
        done; done; done
    else
        fail "cannot build the UPX test helper (libucl-dev)"
    fi
else
    fail "gcc and libucl-dev are needed to make UPX test files"
fi

# Hand-made UPX LZMA files (both loader forms, with and without an
# original PE header in the image), packed with Python's raw LZMA1
# encoder: the same image as clamscan's, and the marker found.
cat > mklz.py <<'PY'
import lzma, struct, sys
variant = sys.argv[1]  # '2' or '1'
hdr = sys.argv[2] == '1'
plain = bytearray((i * 7 + i // 13) & 0xff for i in range(0x1800))
plain[0x300:0x310] = b'VIGIL-UPX-MARKER'
if hdr:
    p = 0x1000
    plain[p:p+0x200] = bytes(0x200)
    plain[p:p+4] = b'PE\0\0'; struct.pack_into('<HH', plain, p+4, 0x14c, 2); struct.pack_into('<I', plain, p+0x38, 0x1000)
    plain[p+0xf8:p+0xfd] = b'.text'; struct.pack_into('<II', plain, p+0xf8+8, 0x800, 0x1000)
    plain[p+0x120:p+0x125] = b'.data'; struct.pack_into('<II', plain, p+0x120+8, 0x400, 0x1800)
packed = lzma.compress(bytes(plain), format=lzma.FORMAT_RAW,
                       filters=[{'id': lzma.FILTER_LZMA1, 'lc': 3, 'lp': 0, 'pb': 2, 'dict_size': 1 << 16}])
f = bytearray(0x2000)
f[0:2] = b'MZ'; struct.pack_into('<I', f, 0x3c, 0x40)
pe = 0x40; opt = pe + 24; sec = opt + 0xe0
f[pe:pe+4] = b'PE\0\0'; struct.pack_into('<HHIIIHH', f, pe+4, 0x14c, 2, 0, 0, 0, 0xe0, 0x102)
struct.pack_into('<H', f, opt, 0x10b); struct.pack_into('<I', f, opt+16, 0x3000 + 0x1000); struct.pack_into('<I', f, opt+28, 0x400000)
struct.pack_into('<II', f, opt+32, 0x1000, 0x200); struct.pack_into('<II', f, opt+56, 0x6000, 0x200)
struct.pack_into('<H', f, opt+68, 2); struct.pack_into('<I', f, opt+92, 16)
f[sec:sec+4] = b'UPX0'; struct.pack_into('<IIII', f, sec+8, 0x2000, 0x1000, 0, 0x200)
sec += 40
f[sec:sec+4] = b'UPX1'; struct.pack_into('<IIII', f, sec+8, 0x2000, 0x3000, 0x1e00, 0x200)
data = b'\x00\x00' + packed
assert len(data) < 0x1000
f[0x200:0x200+len(data)] = data
ep = 0x200 + 0x1000
f[ep] = 0x60; f[ep+1] = 0xbe; struct.pack_into('<I', f, ep+2, 0x400000 + 0x3000)
if variant == '2':
    struct.pack_into('<I', f, ep+0x21, len(plain))
    f[ep+0x2f:ep+0x2f+20] = b'\x56\x83\xc3\x04\x53\x50\xc7\x03\x03\x00\x02\x00\x90\x90\x90\x90\x90\x55\x57\x56'
else:
    struct.pack_into('<I', f, ep+0x2b, len(plain))
    f[ep+0x39:ep+0x41] = b'\x56\x83\xc3\x04\x53\x50\xc7\x03'
    struct.pack_into('<I', f, ep+0x41, 0x20003)
    f[ep+0x45:ep+0x4d] = b'\x90\x90\x90\x55\x57\x56\x53\x83'
sys.stdout.buffer.write(f)
PY
echo 'Marker:0:*:564947494c2d5550582d4d41524b4552' > marker.ndb
for v in 2 1; do for h in 0 1; do
    f=lzma-$v-$h.exe
    python3 mklz.py $v $h > $f || { fail "mklz.py $v $h"; continue; }
    rm -rf tmp-$f && mkdir tmp-$f
    "$CLAMSCAN" --leave-temps --tempdir="$PWD/tmp-$f" -d marker.ndb $f >/dev/null 2>&1
    img=$(find tmp-$f -type f -name 'clamav-*.tmp' | head -1)
    if [ -z "$img" ]; then fail "$f: clamscan wrote no image"; continue; fi
    hdb_line "$img" Image > img.hdb
    compat_run -a -d img.hdb $f
    compare_all "hand-made UPX LZMA $f (loader form $v, header $h)"
    compare_found "hand-made UPX LZMA $f -a"
    assert_has_line "$f: the image clamscan rebuilt, at depth 1" "$V_OUT" \
        "$f!(1): Image.UNOFFICIAL FOUND"
    compat_run -d marker.ndb $f
    compare_all "hand-made UPX LZMA $f: the marker inside"
done; done

# Embedded PE files in data clamscan retypes as a PE: clam.exe behind a
# few bytes, behind text, at the very end of the 1024 bytes the typer
# reads (764 zero bytes) and just past them (765), behind random bytes.
mkdir emb
for n in 8 100 764 765 3000; do
    { head -c $n /dev/zero; cat "$TF/clam.exe"; } > emb/zero$n.bin
done
{ printf 'some text before the program\n'; cat "$TF/clam.exe"; } > emb/text.bin
{ head -c 100 /dev/urandom | tr -d 'MZ'; cat "$TF/clam.exe"; } > emb/random.bin
cat "$TF/clam.exe" "$TF/clam.exe" > emb/twice.exe
compat_run -d clam.hdb -a -r emb
compare_all "clam.exe embedded in data and in a PE"
compare_found "clam.exe embedded in data and in a PE -a"
assert_has_line "behind 764 bytes" "$V_OUT" "emb/zero764.bin!(1): ClamExe.UNOFFICIAL FOUND"
assert_has_line "not behind 765 bytes" "$V_OUT" "emb/zero765.bin: OK"

# The ten packed clam-*.exe: how many each finds.
mkdir packed
for f in "$TF"/clam-*.exe; do cp "$f" packed/; done
compat_run -d clam.hdb -r packed
c=$(printf '%s\n' "$C_OUT" | grep -c 'ClamExe.UNOFFICIAL FOUND$' || true)
v=$(printf '%s\n' "$V_OUT" | grep -c 'ClamExe.UNOFFICIAL FOUND$' || true)
printf 'INFO: packed clam-*.exe found: clamscan %s of %s, vigil %s\n' "$c" \
    "$(ls packed | wc -l)" "$v"
assert_has_line "packed: clam-upx.exe" "$V_OUT" "packed/clam-upx.exe: ClamExe.UNOFFICIAL FOUND"
assert_has_line "packed: clam-fsg.exe" "$V_OUT" "packed/clam-fsg.exe: ClamExe.UNOFFICIAL FOUND"
assert_has_line "packed: clam-aspack.exe" "$V_OUT" "packed/clam-aspack.exe: ClamExe.UNOFFICIAL FOUND"
assert_has_line "packed: clam-pespin.exe" "$V_OUT" "packed/clam-pespin.exe: ClamExe.UNOFFICIAL FOUND"
assert_has_line "packed: clam-petite.exe" "$V_OUT" "packed/clam-petite.exe: ClamExe.UNOFFICIAL FOUND"
assert_has_line "packed: clam-yc.exe" "$V_OUT" "packed/clam-yc.exe: ClamExe.UNOFFICIAL FOUND"
assert_has_line "packed: clam-wwpack.exe" "$V_OUT" "packed/clam-wwpack.exe: ClamExe.UNOFFICIAL FOUND"
assert_has_line "packed: clam-mew.exe" "$V_OUT" "packed/clam-mew.exe: ClamExe.UNOFFICIAL FOUND"
assert_has_line "packed: clam-upack.exe" "$V_OUT" "packed/clam-upack.exe: ClamExe.UNOFFICIAL FOUND"
# Everything vigil finds, clamscan finds too.
for l in $(printf '%s\n' "$V_OUT" | grep 'FOUND$' | cut -d: -f1); do
    assert_has_line "packed: clamscan agrees on $l" "$C_OUT" "$l: ClamExe.UNOFFICIAL FOUND"
done
finish
