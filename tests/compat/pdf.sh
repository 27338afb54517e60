#!/usr/bin/env bash
# compat/pdf: PDF documents (src/unpack/pdf.c and its filters, object
# streams and decryption), compared with clamscan 1.4.6 on clam.pdf and on
# PDFs generated here (tests/lib/pdfgen.py) around clam.exe from the
# clamav-testfiles package and around EICAR, with a database holding only
# their hashes: each stream filter, a chain, an embedded file, a broken and
# a missing xref table, RC4 40/128, AES-128 and AES-256 with the empty user
# password, a user password (Heuristics.Encrypted.PDF), --scan-pdf=no, and
# a target-type 10 body signature.
#
# Where vigil decodes more than clamscan 1.4.6 (measured: clamscan does not
# extract LZWDecode and RunLengthDecode streams, does not undo PNG
# predictors, and finds neither a /JS string nor an object of an object
# stream), both results are checked as measured, so a change in either
# shows.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/compat.sh"

TF=$CLAMAV_TESTFILES
GEN="python3 $(dirname "$0")/../lib/pdfgen.py"
[ -f "$TF/clam.exe" ] || { fail "clamav-testfiles is not installed"; finish; }
python3 -c 'import cryptography' 2>/dev/null ||
    { fail "python3-cryptography is not installed (scripts/install-deps test)"; finish; }
cp "$TF/clam.exe" "$TF/clam.pdf" .
hdb_line clam.exe ClamExe > clam.hdb
make_eicar eicar.com
hdb_line eicar.com Eicar > eicar.hdb

# clam.pdf of the package: found the same way, -a layer paths too.
compat_run -d clam.hdb clam.pdf
compare_all "clam.pdf"
assert_has_line "clam.pdf found by vigil" "$V_OUT" "clam.pdf: ClamExe.UNOFFICIAL FOUND"
compat_run -d clam.hdb -a clam.pdf
compare_found "clam.pdf -a"
assert_has_line "clam.pdf -a: the stream layer" "$V_OUT" "clam.pdf!(1): ClamExe.UNOFFICIAL FOUND"

# Generated PDFs on which both agree (every one holds clam.exe).
same="raw flate ahex a85 chain embedded brokenxref noxref rc4-40 rc4-128 aes128 aes256"
mkdir gen
for m in $same; do $GEN pdf "$m" clam.exe "gen/$m.pdf"; done
compat_run -d clam.hdb -r gen
compare_all "generated PDFs: filters, embedded, xref, encryption"
for m in $same; do
    assert_has_line "$m.pdf found by vigil" "$V_OUT" "gen/$m.pdf: ClamExe.UNOFFICIAL FOUND"
done
compat_run -d clam.hdb -a -r gen
compare_found "generated PDFs -a"
compat_run -d clam.hdb --allmatch -r gen
compare_all "generated PDFs --allmatch"

# A zip as an embedded file: the layers below the PDF's stream layer.
zip -q c.zip clam.exe
$GEN pdf embedded c.zip zipin.pdf
compat_run -d clam.hdb -a zipin.pdf
compare_found "a zip as an embedded file -a"
assert_has_line "a zip as an embedded file: layer path" "$V_OUT" \
    "zipin.pdf!(2)ZIP:clam.exe: ClamExe.UNOFFICIAL FOUND"

# clamscan matches a PDF's own signatures (hash and body) before its
# streams: without --allmatch the document's own hash is the one reported,
# with it first. (An RTF's come after its objects: compat/rtf.sh.)
cp clam.hdb own.hdb
hdb_line clam.pdf PdfHash >> own.hdb
compat_run -d own.hdb clam.pdf
compare_all "a PDF's own hash before its streams"
assert_has_line "own hash reported" "$V_OUT" "clam.pdf: PdfHash.UNOFFICIAL FOUND"
compat_run -d own.hdb --allmatch clam.pdf
_cmp "--allmatch: the PDF's own hash first" "$(printf '%s\n' "$C_OUT" | grep 'FOUND$')" \
    "$(printf '%s\n' "$V_OUT" | grep 'FOUND$')"

# The same with EICAR and its hash.
mkdir geneicar
for m in flate ahex a85 chain embedded rc4-128 aes128; do
    $GEN pdf "$m" eicar.com "geneicar/$m.pdf"
done
compat_run -d eicar.hdb -r geneicar
compare_all "generated PDFs holding EICAR"
assert_contains "EICAR found in a Flate stream" "$V_OUT" "geneicar/flate.pdf: Eicar.UNOFFICIAL FOUND"

# Decoded by vigil, not by clamscan 1.4.6 (measured).
mkdir more
for m in lzw rl predictor js objstm; do
    $GEN pdf "$m" clam.exe "more/$m.pdf"
    $GEN pdf "$m" eicar.com "more/e-$m.pdf"
done
compat_run -d clam.hdb -d eicar.hdb -r more
for m in lzw rl predictor js objstm; do
    assert_has_line "$m: clam.exe found by vigil" "$V_OUT" "more/$m.pdf: ClamExe.UNOFFICIAL FOUND"
    assert_has_line "$m: EICAR found by vigil" "$V_OUT" "more/e-$m.pdf: Eicar.UNOFFICIAL FOUND"
    assert_has_line "$m: clam.exe not found by clamscan 1.4.6" "$C_OUT" "more/$m.pdf: OK"
    assert_has_line "$m: EICAR not found by clamscan 1.4.6" "$C_OUT" "more/e-$m.pdf: OK"
done

# A user password: nothing can be decrypted; the heuristic under
# --alert-encrypted and --alert-encrypted-doc, not --alert-encrypted-archive.
$GEN pdf userpw clam.exe userpw.pdf
compat_run -d clam.hdb userpw.pdf
compare_all "user password, no alert"
for opt in --alert-encrypted --alert-encrypted-doc --alert-encrypted-archive \
    --alert-encrypted=no --alert-encrypted-doc=no; do
    compat_run -d clam.hdb $opt userpw.pdf
    compare_all "user password, $opt"
done
vscan --no-builtin -d clam.hdb --alert-encrypted-doc userpw.pdf
assert_has_line "Heuristics.Encrypted.PDF" "$OUT" "userpw.pdf: Heuristics.Encrypted.PDF FOUND"
vscan --no-builtin -d clam.hdb --json userpw.pdf
assert_contains "user password: encryption noted" "$OUT" '"encrypted"'

# --scan-pdf=no: nothing inside a PDF is looked at.
compat_run -d clam.hdb --scan-pdf=no clam.pdf gen/flate.pdf
compare_all "--scan-pdf=no"
compat_run -d clam.hdb --scan-pdf=yes clam.pdf
compare_all "--scan-pdf=yes"

# A body signature of target type 10 (PDF): on PDFs (one with text before
# "%PDF-", which clamscan still types as PDF) and on a text file.
printf 'PdfBody:10:*:%s\n' "$(printf 'endobj' | od -An -tx1 | tr -d ' \n')" > t10.ndb
printf 'hello endobj world\n' > notpdf.txt
{ head -c 300 /dev/zero | tr '\0' A; cat gen/flate.pdf; } > prefixed.pdf
{ head -c 1017 /dev/zero | tr '\0' A; cat gen/flate.pdf; } > prefixed1017.pdf
{ head -c 1018 /dev/zero | tr '\0' A; cat gen/flate.pdf; } > prefixed1018.pdf
compat_run -d clam.hdb prefixed1017.pdf prefixed1018.pdf
compare_all "%PDF- at offset 1017 and 1018: walked"
assert_has_line "%PDF- at 1017: walked" "$V_OUT" "prefixed1017.pdf: ClamExe.UNOFFICIAL FOUND"
assert_has_line "%PDF- at 1018: not walked" "$V_OUT" "prefixed1018.pdf: OK"
compat_run -d t10.ndb prefixed1017.pdf prefixed1018.pdf
compare_all "%PDF- at offset 1017 and 1018: typed"
assert_has_line "%PDF- at 1017: typed PDF" "$V_OUT" "prefixed1017.pdf: PdfBody.UNOFFICIAL FOUND"
assert_has_line "%PDF- at 1018: not typed PDF" "$V_OUT" "prefixed1018.pdf: OK"
compat_run -d t10.ndb gen/flate.pdf prefixed.pdf notpdf.txt
compare_all "target type 10 body signature"
assert_has_line "target 10: PDF matched" "$V_OUT" "gen/flate.pdf: PdfBody.UNOFFICIAL FOUND"
assert_has_line "target 10: text not matched" "$V_OUT" "notpdf.txt: OK"

# Truncated in the middle of the stream: no crash, damage noted, as far as
# it goes; clamscan's verdict is compared too.
$GEN pdf truncated clam.exe cut.pdf
compat_run -d clam.hdb cut.pdf
compare_all "truncated PDF"
vscan --no-builtin -d clam.hdb --json cut.pdf
assert_contains "truncated PDF: damage noted" "$OUT" '"damaged"'

finish
