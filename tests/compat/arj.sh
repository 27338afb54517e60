#!/usr/bin/env bash
# compat/arj: ARJ archives made by Debian's arj with every method (0 stored,
# 1-3 LZ77 + Huffman, 4 fastest) and an encrypted one: vigil's own walker
# and decoder (src/unpack/arj.c, arjdec.c) find what clamscan finds, and
# the MD5 of each decoded member matches (so decoding is byte-exact).
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/compat.sh"

command -v arj >/dev/null || { fail "arj is not installed (scripts/install-deps test)"; finish; }
cp "$CLAMAV_TESTFILES/clam.exe" clam.exe
seq 1 30000 > nums.txt
# Incompressible but fixed (random bytes sometimes look like an embedded
# object to clamscan, which then reports the member twice).
python3 -c 'import random,sys; r=random.Random(5); sys.stdout.buffer.write(bytes(r.randrange(256) for _ in range(200000)))' > rnd.bin
cat nums.txt clam.exe nums.txt > mix.bin
hdb_line clam.exe ClamExe > t.hdb
hdb_line nums.txt Nums >> t.hdb
hdb_line mix.bin Mix >> t.hdb
hdb_line rnd.bin Rnd >> t.hdb
for m in 0 1 2 3 4; do
    arj a -m$m -y m$m.arj nums.txt rnd.bin mix.bin clam.exe >/dev/null 2>&1
done
arj a -y -gsecret enc.arj clam.exe nums.txt >/dev/null 2>&1
cp "$CLAMAV_TESTFILES/clam.arj" .

compat_run -d t.hdb m0.arj m1.arj m2.arj m3.arj m4.arj enc.arj clam.arj
compare_all "ARJ methods 0-4, encrypted, clam.arj"
# With --allmatch clamscan reports a hash match of an object it types as
# binary data (rnd.bin) twice; the comparison leaves that signature out.
grep -v ':Rnd$' t.hdb > t2.hdb
compat_run -d t2.hdb --allmatch m0.arj m1.arj m2.arj m3.arj m4.arj enc.arj clam.arj
compare_all "ARJ --allmatch: every member decoded exactly"
vscan --no-builtin -d t.hdb --allmatch m0.arj m1.arj m2.arj m3.arj m4.arj
for m in 0 1 2 3 4; do
    assert_has_line "method $m: random data decoded exactly" "$OUT" "m$m.arj: Rnd.UNOFFICIAL FOUND"
done
compat_run -d t.hdb -a clam.arj
compare_found "clam.arj -a"
compat_run -d t.hdb --alert-encrypted enc.arj
compare_all "encrypted ARJ member: no alert, as clamscan"
vscan --no-builtin -d t.hdb --json enc.arj
assert_contains "encrypted ARJ member: noted" "$OUT" '"notes":["encrypted"]'

# Truncated in the middle of a compressed member: no crash, damage noted.
head -c 300000 m1.arj > cut.arj
vscan --no-builtin -d t.hdb --allmatch --json cut.arj
assert_contains "truncated ARJ: damage noted" "$OUT" '"notes":["damaged"]'

finish
