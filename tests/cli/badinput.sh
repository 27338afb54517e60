#!/usr/bin/env bash
# cli/badinput: inputs that cannot be scanned must neither hang nor stop the
# scan of the others: an unreadable file (as nobody), FIFOs, /dev/null and
# device nodes given on the command line and met while recursing, a file
# removed between listing and scanning, a missing -f list.
. "$(dirname "$0")/../lib/common.sh"

make_eicar eicar.com
echo clean > clean.txt
hdb_line eicar.com Test.Eicar > sigs.hdb
S=(--no-builtin -d sigs.hdb)

# FIFO and /dev/null named on the command line: not read (a FIFO with no
# writer would block forever), reported, exit 2; other files still scanned.
mkfifo fifo
vscan "${S[@]}" fifo clean.txt
assert_rc "FIFO on the command line" 2
assert_has_line "FIFO: clean file still scanned" "$OUT" "clean.txt: OK"
assert_contains "FIFO: error names it" "$OUT$ERR" "fifo"
vscan "${S[@]}" fifo eicar.com
assert_rc "FIFO and a detection (detection wins)" 1
vscan "${S[@]}" /dev/null
assert_rc "/dev/null on the command line" 2
vscan "${S[@]}" /dev/zero
assert_rc "/dev/zero on the command line (endless device)" 2

# The same met while recursing: skipped quietly, the scan goes on.
mkdir -p tree/sub
mkfifo tree/fifo
mknod tree/null c 1 3 2>/dev/null && have_node=1 || have_node=0
mknod tree/zero c 1 5 2>/dev/null || true
ln -s /dev/zero tree/zerolink
ln -s ../fifo tree/sub/fifolink
cp eicar.com tree/sub/e
echo ok > tree/a
for o in "" "--follow-file-symlinks=2" "-j 4" "-j 4 --follow-file-symlinks=2"; do
    # shellcheck disable=SC2086
    vscan "${S[@]}" -r $o tree
    if [ "$RC" = 124 ] || [ "$RC" = 137 ]; then fail "-r $o over FIFO/devices: hung"; continue; fi
    assert_has_line "-r ${o:-(defaults)} over FIFO/devices: tree/sub/e found" "$OUT" \
        "tree/sub/e: Test.Eicar.UNOFFICIAL FOUND"
    assert_has_line "-r ${o:-(defaults)} over FIFO/devices: tree/a OK" "$OUT" "tree/a: OK"
    assert_eq "-r ${o:-(defaults)}: Scanned files" 2 "$(summary_value 'Scanned files' "$OUT")"
done
[ "$have_node" = 1 ] || skip "mknod not allowed: device nodes in the tree not tested"

# A file listed with -f but removed before the scan.
echo gone > gone.txt
printf '%s\n' clean.txt gone.txt eicar.com > list
rm gone.txt
vscan "${S[@]}" -f list
assert_rc "-f with a removed file and a detection" 1
assert_has_line "-f removed file: warning" "$ERR" "WARNING: gone.txt: Can't access file"
assert_has_line "-f removed file: later entry scanned" "$OUT" "eicar.com: Test.Eicar.UNOFFICIAL FOUND"
printf '%s\n' clean.txt gone.txt > list2
vscan "${S[@]}" -f list2
assert_rc "-f with a removed file only clean otherwise" 2

vscan "${S[@]}" -f no-such-list
assert_rc "-f naming a missing list" 2
assert_contains "-f missing list: error names it" "$OUT$ERR" "no-such-list"

# A file whose path is longer than PATH_MAX (4096): reached by the walk
# (clamscan silently stops short of it).
long=$(printf 'x%.0s' $(seq 1 200))
(mkdir deepname && cd deepname && for i in $(seq 1 25); do mkdir "$long" && cd "$long" || exit 1; done &&
    cp "$T/eicar.com" e) || fail "could not build the long path"
vscan "${S[@]}" -r --max-dir-recursion=30 deepname
assert_rc "path longer than PATH_MAX" 1
assert_eq "path longer than PATH_MAX: one detection" 1 "$(printf '%s\n' "$OUT" | grep -c ' FOUND$')"

# Unreadable file and directory, as nobody.
if command -v setpriv >/dev/null && [ "$(id -u)" = 0 ]; then
    chmod 755 "$T"
    mkdir -p p/locked
    cp eicar.com p/e
    cp eicar.com p/locked/inner
    echo secret > p/secret
    chmod 644 sigs.hdb p/e
    chmod 000 p/secret p/locked
    nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
    run "${nobody[@]}" "$VIGIL" scan "${S[@]}" p/secret
    assert_rc "unreadable file" 2
    assert_has_line "unreadable file: clamscan's line" "$OUT" "p/secret: Access denied"
    assert_eq "unreadable file: Total errors" 1 "$(summary_value 'Total errors' "$OUT")"
    run "${nobody[@]}" "$VIGIL" scan "${S[@]}" -r -j 4 p
    assert_rc "-r tree with unreadable parts and a detection" 1
    assert_has_line "-r: p/e found" "$OUT" "p/e: Test.Eicar.UNOFFICIAL FOUND"
    assert_has_line "-r: p/secret denied" "$OUT" "p/secret: Access denied"
    assert_has_line "-r: p/locked can't be opened" "$OUT" "p/locked: Can't open directory."
    run "${nobody[@]}" "$VIGIL" scan "${S[@]}" --json p/secret
    assert_rc "unreadable file --json" 2
    assert_contains "unreadable file --json: ERROR result" "$OUT" '"ERROR"'
else
    skip "unreadable-file cases need root and setpriv"
fi

finish
