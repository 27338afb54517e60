#!/usr/bin/env bash
# compat/upack: Upack-packed PE files unpacked and rebuilt as clamscan
# rebuilds them. With only the MD5 of clam.exe, clam-upack.exe (Upack 0.39,
# the 3-section form) is found in the rebuilt image's embedded ZIP,
# "clam-upack.exe!(2)ZIP:clam.exe", as clamscan finds it (FOUND and -a
# lines, exit codes); the rebuilt image has the MD5 clamscan's has (a
# signature on it matches at depth 1 in both); the sample cut short or
# damaged is scanned alike; --scan-pe=no turns it off in both.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/compat.sh"
. "$(dirname "$0")/../lib/packer.sh"

packer_setup clam-upack.exe

# The rebuilt image: clamscan's is 17408 bytes with this MD5 (measured with
# clamscan --leave-temps); a signature for it matches at depth 1 in both.
packer_sample clam-upack.exe \
    "clam-upack.exe!(2)ZIP:clam.exe: ClamExe.UNOFFICIAL FOUND" \
    "de4f18d10798acf90ab81dc899dffb14:17408:UpackImage"

# Cut short: in the headers, in the loader, in the packed data, near the
# end. Both scan what they can and agree; neither crashes.
for n in 300 500 700 1000 1300 1600 1851; do
    head -c $n clam-upack.exe > cut$n.exe
    compat_run -d clam.hdb -a cut$n.exe
    compare_all "clam-upack.exe cut at $n bytes"
    compare_found "clam-upack.exe cut at $n bytes -a"
    packer_same_image clam.hdb cut$n.exe
done
# Damaged: bytes of the loader's tables and of the packed stream changed.
for at in 0x10 0x30 0x1f4 0x260 0x300 0x400 0x500 0x600; do
    cp clam-upack.exe bad$at.exe
    printf '\x7f\x00\xff\x80' | dd of=bad$at.exe bs=1 seek=$((at)) conv=notrunc 2>/dev/null
    compat_run -d clam.hdb -a bad$at.exe
    compare_all "clam-upack.exe damaged at $at"
    compare_found "clam-upack.exe damaged at $at -a"
    packer_same_image clam.hdb bad$at.exe
done
# One byte changed in the packed data: the image rebuilt from what it
# decodes to is clamscan's, byte for byte (measured here with
# clamscan --leave-temps).
for at in 0x280 0x400 0x440 0x500 0x5c0; do
    cp clam-upack.exe one$at.exe
    printf '\x5a' | dd of=one$at.exe bs=1 seek=$((at)) conv=notrunc 2>/dev/null
    packer_same_image clam.hdb one$at.exe
done
finish
