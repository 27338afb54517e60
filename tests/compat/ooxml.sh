#!/usr/bin/env bash
# compat/ooxml: clamscan types a zip as CL_TYPE_OOXML_WORD, _XL or _PPT
# when one of its first three local headers names a member under word/,
# xl/ or ppt/ (measured); vigil types it the same way. Proven with .cdb
# signatures that name the container type (and the -a lines' type), on
# zips whose word/ member comes second, third or fourth, after large or
# small members, and on a macro-enabled document (.docm) whose
# vbaProject.bin is walked as OLE2.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/compat.sh"

[ -f "$CLAMAV_TESTFILES/clam.exe" ] || { fail "clamav-testfiles is not installed"; finish; }
mkdir -p z/word z/xl z/ppt z/other
cp "$CLAMAV_TESTFILES/clam.exe" z/clam.exe
hdb_line z/clam.exe ClamExe > clam.hdb
cd z || exit 2
echo hi > word/a.txt
echo hi > xl/a.txt
echo hi > ppt/a.txt
for i in 1 2 3; do head -c 3000 /dev/urandom > other/f$i.bin; done
head -c 20000 /dev/urandom > other/big.bin
zip -q ../word2.zip word/a.txt clam.exe
zip -q ../xl2.zip clam.exe xl/a.txt
zip -q ../ppt3.zip other/f1.bin ppt/a.txt clam.exe
zip -q ../word3.zip other/f1.bin other/f2.bin word/a.txt clam.exe
zip -q ../word4.zip other/f1.bin other/f2.bin other/f3.bin word/a.txt clam.exe
zip -q -0 ../big.zip other/big.bin word/a.txt clam.exe
zip -q ../first.zip clam.exe word/a.txt xl/a.txt
zip -q ../plain.zip clam.exe other/f1.bin
cd .. || exit 2
files="word2.zip xl2.zip ppt3.zip word3.zip word4.zip big.zip first.zip plain.zip"
{
    for t in OOXML_WORD OOXML_XL OOXML_PPT ZIP; do
        printf 'Cdb.%s:CL_TYPE_%s:*:clam\\.exe:*:*:*:*:*:*\n' "$t" "$t"
    done
} > types.cdb

compat_run -d types.cdb $files
compare_all "container types by .cdb"
assert_has_line "word/ second: OOXML_WORD" "$V_OUT" "word2.zip: Cdb.OOXML_WORD.UNOFFICIAL FOUND"
assert_has_line "word/ fourth: a zip" "$V_OUT" "word4.zip: Cdb.ZIP.UNOFFICIAL FOUND"
# (Not compared with --allmatch: clamscan also scans every later local
# header of a zip as an embedded zip starting there, and reports the .cdb
# match of that "zip" too; vigil looks for embedded archives only in
# objects that are not containers.)

# -a: the type of the layer (clamscan's member name there is not always the
# member the detection is in; its "(n)" is masked as in compat/ole2).
types() { found_lines "$1" | sed -n 's/^\([^!]*\)!.*(\([0-9]*\))\([A-Z_0-9]*\):.*/\1 \3/p'; }
compat_run -d clam.hdb -a $files
_cmp "-a: layer types" "$(types "$C_OUT")" "$(types "$V_OUT")"

# A .docm: the VBA source in word/vbaProject.bin.
printf 'Sub AutoOpen()\r\n  MsgBox "vigil-ooxml-macro-marker"\r\nEnd Sub\r\n' > src.bas
python3 "$VIGIL_SRC/tests/lib/cfb.py" vbabin vbaProject.bin src.bas
mkdir -p d/word
printf '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>' > 'd/[Content_Types].xml'
cp vbaProject.bin d/word/
(cd d && zip -q ../m.docm '[Content_Types].xml' word/vbaProject.bin)
printf 'OoxMacro:0:*:%s\n' "$(printf vigil-ooxml-macro-marker | od -An -tx1 | tr -d ' \n')" > m.ndb
compat_run -d m.ndb -a m.docm
compare_found_masked() {
    _cmp "$1" "$(found_lines "$C_OUT" | sed 's/!([0-9]*)/!(n)/')" \
        "$(found_lines "$V_OUT" | sed 's/!([0-9]*)/!(n)/')"
}
compare_found_masked ".docm: the macro source found, -a lines with (n) masked"
assert_has_line ".docm: found" "$V_OUT" "m.docm: OoxMacro.UNOFFICIAL FOUND"
compat_run -d clam.hdb --alert-macros m.docm
compare_all ".docm --alert-macros"

finish
