#!/usr/bin/env bash
# compat/viewhash: hash signatures on normalised views, side by side with
# clamscan 1.4. Measured: clamscan matches .hdb/.hsb hashes of the files
# it writes of an HTML object's views (without comments, without tags, the
# normalised scripts, the last matched twice: as HTML and as text) and of
# an XLM disassembly, after each view's body signatures; not of a text
# file's normalised text. The HTML views' hashes are taken from the files
# clamscan leaves (--leave-temps); the XLM text is computed here for a
# workbook whose records are all rendered the same way.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/compat.sh"

python3 - <<'PY'
pad = "x" * 2000
open("h.html", "w").write("<html><body><p>" + pad + "</p><p>Alpha<!-- c -->Beta</p>"
                          "<p>Gam<b>ma</b>Delta</p><script>var q = 'Sc' + 'riptX';</script></body></html>\n")
open("t.txt", "w").write(pad + "\nHello \t World text\n")
PY
mkdir keep
echo "None:0:*:00112233445566778899" > none.ndb
clamscan --no-summary -d none.ndb --leave-temps --tempdir="$PWD/keep" h.html t.txt >/dev/null 2>&1
n=0
for f in $(find keep -type f | sort); do
    n=$((n + 1))
    printf '%s:%s:View%d\n' "$(md5sum "$f" | cut -d' ' -f1)" "$(stat -c %s "$f")" "$n"
done > views.hdb
[ "$n" -ge 4 ] || fail "clamscan left $n view files, expected 4 (nocomment, notags, javascript, text)"
for f in $(find keep -type f -name 'nocomment.html'); do
    printf '%s:%s:NoCommentSha\n' "$(sha256sum "$f" | cut -d' ' -f1)" "$(stat -c %s "$f")"
done > views.hsb
hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
echo "Norm:3:*:$(hex 'alphabeta')" > views.ndb

for o in "" --allmatch; do
    compat_run -d views.hdb $o h.html t.txt
    compare_all "view hashes ${o:-(first match)}"
    compat_run -d views.hdb -d views.ndb -d views.hsb $o h.html t.txt
    compare_all "view hashes with body signatures ${o:-(first match)}"
done
assert_has_line "a view's hash matches" "$V_OUT" "h.html: NoCommentSha.UNOFFICIAL FOUND"
compat_run -d views.hdb --allmatch h.html t.txt
assert_has_line "the text file's normalised text is not hashed" "$V_OUT" "t.txt: OK"

# XLM: a workbook of BOF, a macro BOUNDSHEET, EOF and 300 empty records of
# type 0; its scanned text is the header and the whole 4096-byte blocks.
python3 - <<'PY'
import hashlib, os, struct, sys
sys.path.insert(0, os.path.join(os.environ["VIGIL_SRC"], "tests", "lib"))
import cfb
rec = lambda t, d: struct.pack("<HH", t, len(d)) + d
bof = struct.pack("<HHHHII", 0x0600, 5, 0x2775, 0x07CD, 0, 0x0206)
wb = rec(0x0809, bof) + rec(0x0085, struct.pack("<IBBBB", 0, 0, 1, 6, 0) + b"Macro1") + rec(0x000A, b"")
wb += b"".join(rec(0, b"") for _ in range(300))
open("x.xls", "wb").write(cfb.cfb_write([("Workbook", wb)]))
head = (b"-- BIFF content extracted and disassembled from CL_TYPE_MSXL .xls file "
        b"because a XLM macro was found in the document\n")
text = (b"0809     16   BOF : Beginning of File\n"
        b"0085     14   BOUNDSHEET : Sheet Information - Excel 4.0 macro sheet, visible\n"
        b"000a      0   EOF : End of File\n" + b"0000      0   <unknown>\n" * 300)
view = head + text[:len(text) // 4096 * 4096]
with open("xlm.hdb", "w") as f:
    f.write("%s:%d:XlmText\n" % (hashlib.md5(view).hexdigest(), len(view)))
    full = head + text
    f.write("%s:%d:XlmWhole\n" % (hashlib.md5(full).hexdigest(), len(full)))
PY
compat_run -d xlm.hdb --allmatch x.xls
compare_all "XLM text hash"
assert_has_line "XLM: the scanned text's hash matches" "$V_OUT" "x.xls: XlmText.UNOFFICIAL FOUND"
assert_not_contains "XLM: the whole text is not what is scanned" "$V_OUT" "XlmWhole"
finish
