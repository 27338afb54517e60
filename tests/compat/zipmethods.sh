#!/usr/bin/env bash
# compat/zipmethods: zip members compressed with Deflate64 (method 9) and
# implode (method 6), which no Debian library decodes and vigil decodes
# itself (src/unpack/zipdec.c): clamscan and vigil report the same on
# clamav-testfiles' clam.d64.zip and clam.impl.zip, on Deflate64 zips made
# by 7z with matches farther back than 32 KiB, on imploded zips of all
# four kinds (4/8 KiB dictionary, with and without a literal tree; written
# by tests/lib/zipimplode.py, whose output clamscan's decoder must accept
# for the comparison to pass), and on truncated and corrupted members.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/compat.sh"

TF=$CLAMAV_TESTFILES
[ -f "$TF/clam.exe" ] || { fail "clamav-testfiles is not installed"; finish; }
command -v 7z >/dev/null || { fail "7z (p7zip-full) is not installed"; finish; }
hdb_line "$TF/clam.exe" ClamExe > sigs.hdb

# A member that needs the 64 KiB window: 40,000 bytes seen twice, 41,000
# bytes apart, around clam.exe.
python3 - "$TF/clam.exe" <<'PY'
import random, sys
r = random.Random(7)
blk = bytes(r.randrange(256) for _ in range(40000))
exe = open(sys.argv[1], "rb").read()
open("far.bin", "wb").write(blk + b"x" * 1000 + blk + exe + blk[:5000])
PY
hdb_line far.bin Far >> sigs.hdb

mkdir pkg
cp "$TF/clam.d64.zip" "$TF/clam.impl.zip" pkg/
(cd pkg && 7z a -tzip -mm=Deflate64 -mx=9 d64-far.zip ../far.bin >/dev/null &&
    7z a -tzip -mm=Deflate64 -mx=9 d64-two.zip "$TF/clam.exe" ../far.bin >/dev/null)
for v in 4k 8k 4k-lit 8k-lit; do
    flags=""
    case $v in 8k*) flags="--8k" ;; esac
    case $v in *lit) flags="$flags --lit" ;; esac
    # shellcheck disable=SC2086
    python3 "$VIGIL_SRC/tests/lib/zipimplode.py" "pkg/impl-$v.zip" $flags "$TF/clam.exe"
    # shellcheck disable=SC2086
    python3 "$VIGIL_SRC/tests/lib/zipimplode.py" "pkg/impl-far-$v.zip" $flags far.bin
done

compat_run -d sigs.hdb -r pkg
compare_all "Deflate64 and implode members"
for f in pkg/*.zip; do
    assert_contains "$f found by vigil" "$V_OUT" "$f: "
done
assert_lacks_line "nothing is OK" "$V_OUT" "pkg/clam.impl.zip: OK"
compat_run -d sigs.hdb -a --allmatch pkg/clam.d64.zip pkg/clam.impl.zip pkg/d64-far.zip \
    pkg/impl-8k-lit.zip pkg/impl-far-4k.zip
compare_found "-a --allmatch: layer paths of one-member zips"

# Damaged members: cut short, and bytes flipped in the compressed data.
mkdir bad
for f in pkg/d64-far.zip pkg/impl-far-8k-lit.zip pkg/impl-far-4k.zip; do
    b=$(basename "$f" .zip)
    size=$(stat -c %s "$f")
    head -c $((size / 2)) "$f" > "bad/$b-cut.zip"
    python3 - "$f" "bad/$b-flip.zip" <<'PY'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
for i in range(60, len(d) // 2, 97):
    d[i] ^= 0x5A
open(sys.argv[2], "wb").write(d)
PY
done
compat_run -d sigs.hdb -r bad
compare_rc "damaged members"
compare_found "damaged members"
vscan --no-builtin -d sigs.hdb -r bad
assert_not_contains "damaged members: no worker died" "$ERR" "killed by signal"

finish
