#!/usr/bin/env bash
# scan/damaged: truncated and corrupted containers. Every member that can
# be read is still scanned (clam.exe is found), the damage is reported
# ("notes":["damaged"] in --json), nothing crashes; clamscan is run on the
# same files and must find no more than vigil does.
. "$(dirname "$0")/../lib/common.sh"

cp "$CLAMAV_TESTFILES/clam.exe" clam.exe
hdb_line clam.exe ClamExe > clam.hdb
head -c 100000 /dev/urandom > rnd.bin
seq 1 20000 > nums.txt
zip -q a.zip clam.exe rnd.bin
tar cf a.tar clam.exe rnd.bin
gzip -c a.tar > a.tgz
zip -q b.zip nums.txt clam.exe
size() { stat -c %s "$1"; }

head -c $(($(size a.zip) - 200)) a.zip > cut-cd.zip     # central directory cut
head -c 60000 a.tgz > cut.tgz                           # gzip stream cut
head -c 3000 a.tar > cut.tar                            # second member cut
cp a.tgz badcrc.tgz                                     # gzip trailer wrong
printf '\377\377\377\377' | dd of=badcrc.tgz bs=1 seek=$(($(size a.tgz) - 8)) \
    conv=notrunc 2>/dev/null
cp b.zip bad-first.zip                                  # first member's data garbage
printf 'XXXXXXXXXXXXXXXXXXXX' | dd of=bad-first.zip bs=1 seek=200 conv=notrunc 2>/dev/null
head -c 5000 /dev/urandom > junk.gz                     # gzip magic, then noise
printf '\037\213\010' | dd of=junk.gz conv=notrunc 2>/dev/null
head -c 5000 /dev/urandom > junk.zip
printf 'PK\003\004' | dd of=junk.zip conv=notrunc 2>/dev/null

for f in cut-cd.zip cut.tgz cut.tar badcrc.tgz bad-first.zip; do
    vscan --no-builtin -d clam.hdb --allmatch --json "$f"
    assert_rc "$f: exit 1 (found)" 1
    assert_contains "$f: clam.exe still found" "$OUT" '"name":"ClamExe.UNOFFICIAL"'
    assert_contains "$f: damage reported" "$OUT" '"notes":["damaged"]'
done
for f in junk.gz junk.zip; do
    vscan --no-builtin -d clam.hdb --json "$f"
    assert_rc "$f: exit 0 (clean, no crash)" 0
    assert_contains "$f: damage reported" "$OUT" '"notes":["damaged"]'
done
vscan --no-builtin -d clam.hdb --json a.zip a.tgz
assert_not_contains "intact archives: no damage note" "$OUT" 'damaged'

if command -v clamscan >/dev/null; then
    run clamscan --no-summary -i -d clam.hdb cut-cd.zip cut.tgz cut.tar badcrc.tgz \
        bad-first.zip junk.gz junk.zip
    c=$OUT
    vscan --no-builtin --no-summary -i -d clam.hdb cut-cd.zip cut.tgz cut.tar \
        badcrc.tgz bad-first.zip junk.gz junk.zip
    while IFS= read -r line; do
        [ -n "$line" ] && assert_has_line "clamscan's find is vigil's too: $line" "$OUT" \
            "$line"
    done <<< "$c"
else
    fail "clamscan is not installed"
fi

finish
