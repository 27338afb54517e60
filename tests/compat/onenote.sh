#!/usr/bin/env bash
# compat/onenote: files attached to OneNote sections (FileDataStoreObject),
# clamscan and vigil side by side: clam.exe and EICAR attached to a
# generated .one file (one that ClamAV's OneStore parser rejects, so both
# find the objects by their GUID), an object cut short by the end of the
# file, a file without the OneNote magic, and --scan-onenote=no. -a lines
# are compared with clamscan's "(n)" masked (see compat/ole2).
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/compat.sh"

[ -f "$CLAMAV_TESTFILES/clam.exe" ] || { fail "clamav-testfiles is not installed"; finish; }
cp "$CLAMAV_TESTFILES/clam.exe" clam.exe
hdb_line clam.exe ClamExe > clam.hdb
make_eicar eicar.com
hdb_line eicar.com Eicar > eicar.hdb
masked() { found_lines "$1" | sed 's/!([0-9]*)/!(n)/'; }

python3 - <<'EOF2'
import struct
magic = bytes.fromhex("e4525c7b8cd8a74daeb15378d02996d3")
fdso = bytes.fromhex("e716e3bd65261145a4c48d4d0b7a9eac")
def obj(d):
    return fdso + struct.pack("<QIQ", len(d), 0, 0) + d + b"\0" * (-len(d) % 8)
exe = open("clam.exe", "rb").read()
eicar = open("eicar.com", "rb").read()
note = obj(b"a harmless first attachment, plain text\n")
open("exe.one", "wb").write(magic + b"\0" * 1008 + note + obj(exe))
open("eicar.one", "wb").write(magic + b"\0" * 500 + obj(eicar) + note)
both = magic + b"\0" * 100 + note + obj(exe) + obj(eicar)
open("cut.one", "wb").write(both[:-40])
open("cut-exe.one", "wb").write(magic + note + obj(exe)[:300])
open("nomagic.one", "wb").write(b"\0" * 16 + note + obj(eicar))
EOF2

files="exe.one eicar.one cut.one cut-exe.one nomagic.one"
compat_run -d clam.hdb -d eicar.hdb $files
compare_all "OneNote attachments"
assert_has_line "clam.exe attached: found" "$V_OUT" "exe.one: ClamExe.UNOFFICIAL FOUND"
assert_has_line "EICAR attached: found" "$V_OUT" "eicar.one: Eicar.UNOFFICIAL FOUND"
compat_run -d clam.hdb -d eicar.hdb -a $files
_cmp "OneNote attachments: -a lines, (n) masked" "$(masked "$C_OUT")" "$(masked "$V_OUT")"
compat_run -d clam.hdb -d eicar.hdb --allmatch $files
compare_all "OneNote attachments, --allmatch"
for o in --scan-onenote=no --scan-onenote=yes; do
    compat_run -d clam.hdb -d eicar.hdb $o $files
    compare_all "$o"
done
vscan --no-builtin -d clam.hdb --json cut-exe.one
assert_contains "cut-exe.one: damage reported" "$OUT" '"notes":["damaged"]'

finish
