#!/usr/bin/env bash
# cli/sparse: a sparse file just over 4 GiB with data after 3 GiB and at its
# very end, scanned with limits above its size, is read to the end and matched
# by an .hdb line holding the md5 that md5sum computes: proves there is no
# 2 GiB or 4 GiB limit on sizes, offsets, hashing or body signatures. (The file is read twice in
# all, once by md5sum and once by vigil, to keep the suite fast.) ClamAV refuses an .hdb size field >= 4294967295, so the main
# signature uses size "*" (flevel 73); the explicit-size line may be refused
# at load (exit 2, file:line) but must never load and then silently not match.
. "$(dirname "$0")/../lib/common.sh"

want=$((4 * 1024 * 1024 * 1024 + 4096))
if ! truncate -s "$want" big.sparse 2>/dev/null; then
    skip "cannot create a 4 GiB sparse file in $T"
    finish
fi
make_eicar eicar.com
dd if=eicar.com of=big.sparse bs=1 seek=$((want - 68)) conv=notrunc status=none
printf 'mid' | dd of=big.sparse bs=1 seek=$((3 * 1024 * 1024 * 1024)) conv=notrunc status=none
marker=VIGIL-SPARSE-MARKER-0123456789
printf '%s' "$marker" | dd of=big.sparse bs=1 seek=$((4 * 1024 * 1024 * 1024 + 100)) \
    conv=notrunc status=none
printf 'Test.BeyondFourGiB:0:*:%s\n' "$(printf '%s' "$marker" | od -An -tx1 | tr -d ' \n')" > far.ndb
size=$(stat -c %s big.sparse)
assert_eq "sparse file size" "$want" "$size"

md5=$(dd if=big.sparse bs=64M status=none | md5sum | cut -d' ' -f1)
printf '%s:*:Test.Sparse4G:73\n' "$md5" > star.hdb
printf '%s:%s:Test.Sparse4GSized\n' "$md5" "$size" > sized.hdb

# The explicit size: refused at load like ClamAV, or accepted and matching.
vscan --no-builtin -d sized.hdb eicar.com
if [ "$RC" = 2 ]; then
    ok "size field over 4 GiB refused at load, as ClamAV does"
    assert_contains "refusal names file:line" "$ERR" "sized.hdb:1"
    sig=star.hdb name=Test.Sparse4G
else
    assert_rc "size field over 4 GiB accepted" 0
    sig=sized.hdb name=Test.Sparse4GSized
fi
# With a body signature too: the file (larger than vigil reads into memory)
# is mapped, so a pattern 4 GiB in is matched (clamscan scans no file over
# 2 GiB at all: "scanning files greater than 2147483647 bytes is not
# supported").
RUN_TIMEOUT=150 vscan --no-builtin -d "$sig" -d far.ndb --allmatch --max-filesize=6000M \
    --max-scansize=6000M big.sparse
assert_rc "4 GiB sparse file, limits above its size ($sig)" 1
assert_has_line "limits above: FOUND" "$OUT" "big.sparse: $name.UNOFFICIAL FOUND"
assert_has_line "limits above: body signature 4 GiB in" "$OUT" \
    "big.sparse: Test.BeyondFourGiB.UNOFFICIAL FOUND"
assert_eq "limits above: no Limits exceeded line" "(none)" "$(summary_value 'Limits exceeded' "$OUT")"

# The default limits (100 MB file size) skip it without reading it.
RUN_TIMEOUT=20 vscan --no-builtin -d star.hdb big.sparse
assert_rc "4 GiB sparse file, default limits" 0
assert_eq "default limits: Limits exceeded" 1 "$(summary_value 'Limits exceeded' "$OUT")"

finish
