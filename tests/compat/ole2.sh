#!/usr/bin/env bash
# compat/ole2: OLE2 documents, clamscan and vigil side by side: clam.exe
# in clam.ole.doc (an Ole10Native object) and clam.ppt (a compressed OLE
# object inside the PowerPoint stream); generated documents (tests/lib/
# cfb.py) with a VBA project whose compressed module source holds a
# string matched by .ndb signatures, the same vbaProject.bin in a .docm
# zip, --alert-macros (VBA and an Excel 4.0 macro sheet), EICAR in an
# Ole10Native object, encrypted documents under --alert-encrypted-doc, and
# --scan-ole2=no.
#
# clamscan's -a lines for OLE2 streams carry no member name, and their
# "(n)" is not the depth vigil prints (measured: the same one-stream file
# gives (1) or (3) depending on the order of its other streams); -a lines
# are compared with that number masked.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/compat.sh"

TF=$CLAMAV_TESTFILES
CFB="python3 $VIGIL_SRC/tests/lib/cfb.py"
[ -f "$TF/clam.exe" ] || { fail "clamav-testfiles is not installed"; finish; }
hdb_line "$TF/clam.exe" ClamExe > clam.hdb

# -a lines with clamscan's "(n)" masked.
masked() { found_lines "$1" | sed 's/!([0-9]*)/!(n)/'; }
compare_masked() { _cmp "$1: -a lines, (n) masked" "$(masked "$C_OUT")" "$(masked "$V_OUT")"; }

mkdir pkg
cp "$TF/clam.ole.doc" "$TF/clam.ppt" pkg/
compat_run -d clam.hdb -r pkg
compare_all "clam.ole.doc and clam.ppt"
assert_has_line "clam.ole.doc found" "$V_OUT" "pkg/clam.ole.doc: ClamExe.UNOFFICIAL FOUND"
assert_has_line "clam.ppt found" "$V_OUT" "pkg/clam.ppt: ClamExe.UNOFFICIAL FOUND"
compat_run -d clam.hdb -a -r pkg
compare_masked "clam.ole.doc and clam.ppt"
compat_run -d clam.hdb --allmatch -r pkg
compare_all "clam.ole.doc and clam.ppt, --allmatch"

# Version 4 files (4096-byte sectors); a 9 MiB stream before clam.exe's
# (read as is: no decompression ratio to limit).
cp "$TF/clam.exe" clam.exe
python3 - "$VIGIL_SRC/tests/lib" <<'EOF'
import sys
sys.path.insert(0, sys.argv[1])
import cfb
exe = open("clam.exe", "rb").read()
open("v4.doc", "wb").write(cfb.cfb_write([("A", b"x" * 5000), ("C", exe)], shift=12))
open("big.doc", "wb").write(cfb.cfb_write([("Big", b"\0" * (9 << 20)), ("C", exe)], shift=12))
EOF
compat_run -d clam.hdb v4.doc big.doc
compare_all "version 4 files, a 9 MiB stream"
assert_has_line "clam.exe after a 9 MiB stream" "$V_OUT" "big.doc: ClamExe.UNOFFICIAL FOUND"

# A VBA macro module; its source only exists decompressed (checked below).
marker=vigil-ole2-macro-marker-1f3a
printf 'Attribute VB_Name = "Module1"\r\nSub AutoOpen()\r\n' > src.bas
for i in 1 2 3 4 5 6; do printf '  x = x & "padding text %d padding text"\r\n' $i >> src.bas; done
printf '  MsgBox "%s"\r\nEnd Sub\r\n' "$marker" >> src.bas
$CFB doc m.doc src.bas
$CFB vbabin vbaProject.bin src.bas
if grep -qF "$marker" m.doc vbaProject.bin; then
    fail "the marker is readable without decompression: the test proves nothing"
fi
hex=$(printf '%s' "$marker" | od -An -tx1 | tr -d ' \n')
printf 'Macro.T0:0:*:%s\n' "$hex" > t0.ndb
printf 'Macro.T2:2:*:%s\n' "$hex" > t2.ndb
mkdir -p dx/word
printf '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>' > 'dx/[Content_Types].xml'
printf '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body/></w:document>' > dx/word/document.xml
cp vbaProject.bin dx/word/
(cd dx && zip -q -X ../m.docm '[Content_Types].xml' word/document.xml word/vbaProject.bin)

for db in t0.ndb t2.ndb; do
    compat_run -d $db m.doc vbaProject.bin m.docm
    compare_all "VBA source, $db"
done
compat_run -d t0.ndb m.doc vbaProject.bin m.docm
assert_has_line "target 0: found in m.doc" "$V_OUT" "m.doc: Macro.T0.UNOFFICIAL FOUND"
assert_has_line "target 0: found in the .docm" "$V_OUT" "m.docm: Macro.T0.UNOFFICIAL FOUND"
compat_run -d t0.ndb -a m.doc vbaProject.bin
compare_masked "VBA source"
# The source's container is CL_TYPE_MSOLE2 to logical signatures.
for c in MSOLE2 ZIP; do
    printf 'Ole.%s;Engine:81-255,Container:CL_TYPE_%s,Target:0;0;%s\n' $c $c "$hex"
done > cont.ldb
compat_run -d cont.ldb m.doc m.docm
compare_all "VBA source, Container:CL_TYPE_MSOLE2"
assert_has_line "Container:CL_TYPE_MSOLE2 matches the source" "$V_OUT" \
    "m.doc: Ole.MSOLE2.UNOFFICIAL FOUND"

# --alert-macros: VBA projects and Excel 4.0 macro sheets.
$CFB xlm x.xls
$CFB doc plain.doc /dev/null
$CFB plain noproj.doc WordDocument src.bas
compat_run -d clam.hdb --alert-macros m.doc vbaProject.bin m.docm x.xls noproj.doc plain.doc
compare_all "--alert-macros"
assert_has_line "--alert-macros: the VBA heuristic" "$V_OUT" \
    "m.doc: Heuristics.OLE2.ContainsMacros.VBA FOUND"
assert_has_line "--alert-macros: the XLM heuristic" "$V_OUT" \
    "x.xls: Heuristics.OLE2.ContainsMacros.XLM FOUND"
compat_run -d clam.hdb --alert-macros -a m.doc vbaProject.bin x.xls
compare_masked "--alert-macros"
compat_run -d clam.hdb m.doc x.xls
compare_all "no --alert-macros: nothing"

# EICAR in an Ole10Native object; with a macro too, under --alert-macros.
make_eicar eicar.com
hdb_line eicar.com Eicar > eicar.hdb
$CFB ole10 o10.doc eicar.com
python3 - "$VIGIL_SRC/tests/lib" <<'EOF'
import sys
sys.path.insert(0, sys.argv[1])
import cfb
src = open("src.bas", "rb").read()
eicar = open("eicar.com", "rb").read()
streams = [("WordDocument", cfb.word_fib(False)),
           ("ObjectPool/_1/\x01Ole10Native", cfb.ole10native("e.com", eicar))]
streams += cfb.vba_project("Macros/", [("Module1", src)])
open("both.doc", "wb").write(cfb.cfb_write(streams))
EOF
if grep -qF 'EICAR-STANDARD' o10.doc; then :; else fail "o10.doc lacks EICAR"; fi
compat_run -d eicar.hdb o10.doc both.doc
compare_all "EICAR in Ole10Native"
assert_has_line "EICAR found in the Ole10Native object" "$V_OUT" "o10.doc: Eicar.UNOFFICIAL FOUND"
for o in --alert-macros "--alert-macros --allmatch"; do
    compat_run -d eicar.hdb $o both.doc
    compare_all "EICAR and a macro, $o"
done

# Encrypted documents: clamscan 1.4 names no OLE2 encryption alert
# (measured: a Word FIB with fEncrypted, an Excel FILEPASS record, an
# encrypted OOXML package are OK under every --alert-encrypted* option).
$CFB encrypted enc.doc
$CFB xlsenc enc.xls
$CFB encxml enc.docx
for o in --alert-encrypted-doc --alert-encrypted --alert-encrypted-archive ""; do
    compat_run -d clam.hdb $o enc.doc enc.xls enc.docx
    compare_all "encrypted documents ${o:-(no option)}"
done
vscan --no-builtin -d clam.hdb --json enc.doc
assert_contains "vigil notes the encryption" "$OUT" '"encrypted"'

# --scan-ole2=no: nothing inside OLE2 files is scanned.
for o in --scan-ole2=no --scan-ole2=yes; do
    compat_run -d clam.hdb -d t0.ndb --alert-macros $o pkg/clam.ole.doc m.doc x.xls
    compare_all "$o"
done

finish
