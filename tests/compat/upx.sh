#!/usr/bin/env bash
# compat/upx: UPX-packed PE files unpacked and rebuilt as clamscan rebuilds
# them. With only the MD5 of clam.exe, clam-upx.exe is found in the
# rebuilt image's embedded PE, "clam-upx.exe!(2)", as clamscan finds it
# (FOUND and -a lines, exit codes); the rebuilt image itself has the MD5
# clamscan's has (a signature on the image matches at depth 1 in both);
# --scan-pe=no turns it off in both. The other packers of clamav-testfiles
# are counted (vigil unpacks UPX only; FSG's file holds clam.exe as is).
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/compat.sh"

TF=$CLAMAV_TESTFILES
[ -f "$TF/clam-upx.exe" ] || { fail "clamav-testfiles is not installed"; finish; }
hdb_line "$TF/clam.exe" ClamExe > clam.hdb
cp "$TF/clam-upx.exe" .

compat_run -d clam.hdb -a clam-upx.exe
compare_all "clam-upx.exe with the MD5 of clam.exe"
compare_found "clam-upx.exe -a"
assert_has_line "clam-upx.exe: the embedded clam.exe at depth 2" "$V_OUT" \
    "clam-upx.exe!(2): ClamExe.UNOFFICIAL FOUND"

compat_run -d clam.hdb -a --allmatch clam-upx.exe
compare_found "clam-upx.exe --allmatch -a"

# The rebuilt image: clamscan's is 20480 bytes with this MD5 (measured with
# clamscan --leave-temps); a signature for it matches at depth 1 in both.
echo "3b03bc19b1f39587a0650c7b6fe35d38:20480:UpxImage" > image.hdb
compat_run -d image.hdb -a clam-upx.exe
compare_found "the rebuilt image"
assert_has_line "rebuilt image found at depth 1" "$V_OUT" \
    "clam-upx.exe!(1): UpxImage.UNOFFICIAL FOUND"

compat_run -d clam.hdb --scan-pe=no clam-upx.exe
compare_all "--scan-pe=no"
assert_not_contains "--scan-pe=no: nothing unpacked" "$V_OUT" "FOUND"

# A UPX image cut short: both scan what they can, neither crashes.
head -c 2000 clam-upx.exe > cut.exe
compat_run -d clam.hdb cut.exe
compare_all "clam-upx.exe cut at 2000 bytes"

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
# Everything vigil finds, clamscan finds too.
for l in $(printf '%s\n' "$V_OUT" | grep 'FOUND$' | cut -d: -f1); do
    assert_has_line "packed: clamscan agrees on $l" "$C_OUT" "$l: ClamExe.UNOFFICIAL FOUND"
done
finish
