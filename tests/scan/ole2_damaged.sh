#!/usr/bin/env bash
# scan/ole2_damaged: truncated and corrupted OLE2 documents. What can be
# read is still scanned (EICAR in an Ole10Native object, the macro source
# of a VBA project), the damage is reported ("notes":["damaged"] in
# --json), nothing crashes or hangs (a FAT chain that loops, a directory
# whose siblings point at each other, sector shifts out of range);
# clamscan is run on the same files and must find no more than vigil.
. "$(dirname "$0")/../lib/common.sh"

CFB="python3 $VIGIL_SRC/tests/lib/cfb.py"
make_eicar eicar.com
hdb_line eicar.com Eicar > eicar.hdb
printf 'Sub AutoOpen()\r\n  MsgBox "vigil-damaged-macro-marker"\r\nEnd Sub\r\n' > src.bas
printf 'Mac:0:*:%s\n' "$(printf vigil-damaged-macro-marker | od -An -tx1 | tr -d ' \n')" > mac.ndb
$CFB ole10 o10.doc eicar.com
$CFB doc m.doc src.bas
size() { stat -c %s "$1"; }

# cfb.py writes the mini stream last: cutting 450 bytes loses its end.
head -c $(($(size o10.doc) - 450)) o10.doc > cut-o10.doc
head -c 1000 m.doc > cut-head.doc
python3 - <<'PY'
import struct
d = bytearray(open("o10.doc", "rb").read())
# FAT sector 0: make every entry point at itself (chains loop forever)
fat = 512 + 512 * struct.unpack_from("<I", d, 76)[0]
loop = bytearray(d)
for i in range(128):
    if struct.unpack_from("<I", loop, fat + 4 * i)[0] < 0xFFFFFFFA:
        struct.pack_into("<I", loop, fat + 4 * i, i)
open("fat-loop.doc", "wb").write(loop)
# directory: the Ole10Native entry's sibling is its own storage, and
# ObjectPool's left sibling is the root (both lead back up the tree)
dirs = 512 + 512 * struct.unpack_from("<I", d, 48)[0]
cyc = bytearray(d)
struct.pack_into("<I", cyc, dirs + 128 * 4 + 72, 3)
struct.pack_into("<I", cyc, dirs + 128 * 2 + 68, 0)
open("dir-loop.doc", "wb").write(cyc)
bad = bytearray(d)
struct.pack_into("<H", bad, 30, 40)  # sector shift 40
open("bad-shift.doc", "wb").write(bad)
open("junk.doc", "wb").write(bytes(d[:8]) + bytes((i * 37) & 255 for i in range(3000)))
PY

vscan --no-builtin -d eicar.hdb --json o10.doc m.doc
assert_not_contains "intact documents: no damage note" "$OUT" 'damaged'
vscan --no-builtin -d eicar.hdb --json cut-o10.doc
assert_contains "cut-o10.doc: damage reported" "$OUT" '"notes":["damaged"]'
vscan --no-builtin -d mac.ndb --json cut-head.doc
assert_contains "cut-head.doc: damage reported" "$OUT" '"damaged"'
for f in fat-loop.doc dir-loop.doc bad-shift.doc junk.doc; do
    vscan --no-builtin -d eicar.hdb -d mac.ndb --json "$f"
    if [ "$RC" = 0 ] || [ "$RC" = 1 ]; then ok "$f: no crash, no hang (exit $RC)"; else
        fail "$f: exit $RC"; show stderr "$ERR"; fi
    assert_contains "$f: damage reported" "$OUT" '"damaged"'
done
vscan --no-builtin -d eicar.hdb dir-loop.doc
assert_rc "dir-loop.doc: the Ole10Native object is still reached" 1

files="cut-o10.doc cut-head.doc fat-loop.doc dir-loop.doc bad-shift.doc junk.doc"
if command -v clamscan >/dev/null; then
    run clamscan --no-summary -i -d eicar.hdb -d mac.ndb $files
    c=$OUT
    vscan --no-builtin --no-summary -i -d eicar.hdb -d mac.ndb $files
    while IFS= read -r line; do
        [ -n "$line" ] && assert_has_line "clamscan's find is vigil's too: $line" "$OUT" \
            "$line"
    done <<< "$c"
else
    fail "clamscan is not installed"
fi

finish
