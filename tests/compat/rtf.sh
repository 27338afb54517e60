#!/usr/bin/env bash
# compat/rtf: embedded objects of RTF documents (src/unpack/rtf.c) compared
# with clamscan 1.4.6: clam.exe.rtf of the clamav-testfiles package, and
# RTFs generated here (tests/lib/pdfgen.py) whose \objdata holds an OLE1
# Package (Ole10Native) with EICAR or clam.exe, as hex digits (split by
# nested groups and line breaks, two objects in one file), and as \bin raw
# bytes. clamscan 1.4.6 reads hex object data only (measured: a \bin
# object, or object data that is no OLE1 object, is not found by it), so
# those cases check both results as measured.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/compat.sh"

TF=$CLAMAV_TESTFILES
GEN="python3 $(dirname "$0")/../lib/pdfgen.py"
[ -f "$TF/clam.exe" ] || { fail "clamav-testfiles is not installed"; finish; }
cp "$TF/clam.exe" "$TF/clam.exe.rtf" .
hdb_line clam.exe ClamExe > t.hdb
make_eicar eicar.com
hdb_line eicar.com Eicar >> t.hdb

compat_run -d t.hdb clam.exe.rtf
compare_all "clam.exe.rtf"
assert_has_line "clam.exe.rtf found by vigil" "$V_OUT" "clam.exe.rtf: ClamExe.UNOFFICIAL FOUND"
compat_run -d t.hdb -a clam.exe.rtf
compare_found "clam.exe.rtf -a"
assert_has_line "clam.exe.rtf -a: the object layer" "$V_OUT" \
    "clam.exe.rtf!(1): ClamExe.UNOFFICIAL FOUND"

# clamscan matches an RTF's own signatures after its objects: with
# --allmatch the embedded clam.exe comes first, the document's hash after.
cp t.hdb own.hdb
hdb_line clam.exe.rtf RtfHash >> own.hdb
compat_run -d own.hdb clam.exe.rtf
compare_all "an RTF's objects before its own hash"
compat_run -d own.hdb --allmatch clam.exe.rtf
_cmp "--allmatch: the object's detection first" "$(printf '%s\n' "$C_OUT" | grep 'FOUND$')" \
    "$(printf '%s\n' "$V_OUT" | grep 'FOUND$')"

mkdir same more
$GEN rtf package eicar.com same/eicar-package.rtf
$GEN rtf package clam.exe same/clam-package.rtf
$GEN rtf bin eicar.com more/eicar-bin.rtf
$GEN rtf bin clam.exe more/clam-bin.rtf
$GEN rtf raw eicar.com more/eicar-raw.rtf
python3 - "$(dirname "$0")/../lib" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
import pdfgen
p = open("eicar.com", "rb").read()
hx = pdfgen.ole1(p, pdfgen.package(p)).hex().encode()
head = b"{\\rtf1\\ansi{\\fonttbl{\\f0 Times;}}\\pard Hi\\par\n"
two = head + b"{\\object{\\*\\objdata " + hx + b"}}{\\object{\\*\\objdata " + hx + b"}}}"
open("same/two.rtf", "wb").write(two)
open("same/nested.rtf", "wb").write(head + b"{\\object{\\*\\objdata " + hx[:20].upper() +
                                    b"{\\*\\foo x}\r\n" + hx[20:] + b"}}}")
open("cut.rtf", "wb").write(two[:len(head) + 200])
PY

compat_run -d t.hdb -r same
compare_all "OLE1 packages as hex object data"
for f in eicar-package two nested; do
    assert_has_line "$f found by vigil" "$V_OUT" "same/$f.rtf: Eicar.UNOFFICIAL FOUND"
done
compat_run -d t.hdb -a -r same
compare_found "OLE1 packages -a"
compat_run -d t.hdb --allmatch -r same
compare_all "OLE1 packages --allmatch"

compat_run -d t.hdb -r more
for f in eicar-bin eicar-raw; do
    assert_has_line "$f: found by vigil" "$V_OUT" "more/$f.rtf: Eicar.UNOFFICIAL FOUND"
    assert_has_line "$f: not found by clamscan 1.4.6" "$C_OUT" "more/$f.rtf: OK"
done
assert_has_line "clam-bin: found by vigil" "$V_OUT" "more/clam-bin.rtf: ClamExe.UNOFFICIAL FOUND"
assert_has_line "clam-bin: not found by clamscan 1.4.6" "$C_OUT" "more/clam-bin.rtf: OK"

# Cut inside the hex digits of the first object: no crash, damage noted.
compat_run -d t.hdb cut.rtf
compare_all "truncated RTF"
vscan --no-builtin -d t.hdb --json cut.rtf
assert_contains "truncated RTF: damage noted" "$OUT" '"damaged"'

finish
