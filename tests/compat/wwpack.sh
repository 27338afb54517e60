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

TF=$CLAMAV_TESTFILES
[ -f "$TF/clam-wwpack.exe" ] || { fail "clamav-testfiles is not installed"; finish; }
hdb_line "$TF/clam.exe" ClamExe > clam.hdb
cp "$TF/clam-wwpack.exe" .

compat_run -d clam.hdb -a clam-wwpack.exe
compare_all "clam-wwpack.exe with the MD5 of clam.exe"
compare_found "clam-wwpack.exe -a"
assert_has_line "clam-wwpack.exe: clam.exe in the image's ZIP at depth 2" "$V_OUT" \
    "clam-wwpack.exe!(2)ZIP:clam.exe: ClamExe.UNOFFICIAL FOUND"

compat_run -d clam.hdb -a --allmatch clam-wwpack.exe
compare_found "clam-wwpack.exe --allmatch -a"

# The unpacked image: clamscan's is 20480 bytes with this MD5 (measured with
# clamscan --leave-temps); a signature for it matches at depth 1 in both.
echo "7b8cd3dd6a198ec191afce0206665d2d:20480:WwImage" > image.hdb
compat_run -d image.hdb -a clam-wwpack.exe
compare_found "the unpacked image"
assert_has_line "clamscan: unpacked image at depth 1" "$C_OUT" \
    "clam-wwpack.exe!(1): WwImage.UNOFFICIAL FOUND"
assert_has_line "vigil: unpacked image at depth 1" "$V_OUT" \
    "clam-wwpack.exe!(1): WwImage.UNOFFICIAL FOUND"

compat_run -d clam.hdb --scan-pe=no clam-wwpack.exe
compare_all "--scan-pe=no"
assert_not_contains "--scan-pe=no: nothing unpacked" "$V_OUT" "FOUND"

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
# back-references, a block outside the image, the end code never met).
mkdir bad
python3 - <<'PY'
data = open('clam-wwpack.exe', 'rb').read()
# the compressed block lies in .clam (file 0xa00-0xc00); the block table
# 0x2a1 bytes into .WWP32 (file 0xc00 + 0x2a1).
for off in (0xa00, 0xa05, 0xa20, 0xa80, 0xb00, 0xbf0, 0xc00 + 0x2a1,
            0xc00 + 0x2a9, 0xc00 + 0x2ad, 0xc00 + 0x2b1, 0xc00 + 0x295):
    for x in (0x01, 0x80, 0xff):
        d = bytearray(data)
        d[off] ^= x
        open('bad/b%x-%02x.exe' % (off, x), 'wb').write(d)
PY
for db in clam.hdb image.hdb; do
    compat_run -d $db -a -r bad
    compare_all "clam-wwpack.exe with bytes changed ($db)"
    compare_found "clam-wwpack.exe with bytes changed -a ($db)"
done

# Every image clamscan writes (at depth 1) for the damaged files (--leave-temps) is
# hashed; vigil must scan the same images.
: > images.hdb
for f in bad/*.exe; do
    t=tmp-$(basename "$f") && rm -rf "$t" && mkdir "$t"
    "$CLAMSCAN" --leave-temps --tempdir="$PWD/$t" -d clam.hdb "$f" >/dev/null 2>&1
    find "$t" -mindepth 3 -maxdepth 3 -type f -name 'clamav-*.tmp' -size +0 | while read -r img; do
        hdb_line "$img" "Img-$(basename "$f" .exe)"
    done >> images.hdb
done
sort -u -t: -k1,1 images.hdb -o images.hdb
[ -s images.hdb ] || fail "clamscan wrote no image for the damaged files"
printf 'INFO: %s images of damaged files\n' "$(wc -l < images.hdb)"
compat_run -d images.hdb -a -r bad
compare_all "the images of the damaged files"
compare_found "the images of the damaged files -a"
finish
