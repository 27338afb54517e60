#!/usr/bin/env bash
# compat/xlm: Excel 4.0 (XLM) macros, clamscan and vigil side by side.
# clamscan 1.4 disassembles the Workbook stream of a workbook that
# declares an Excel 4.0 macro sheet into text (libclamav xlm_extract.c)
# and scans that text with the signatures of target 0. Measured: it scans
# the text before its stdio buffer is flushed, so it sees the header line
# and only the whole 4096-byte blocks of the rest; a workbook cut inside a
# record gives no text at all. Workbooks from tests/lib/xlmgen.py;
# signatures on strings found only in the disassembly (clamscan's
# rendering of an 8-bit ptgStr from its token byte on, a UTF-16 string as
# UTF-8, function names, NAME records).
#
# Not compared: the order of several signatures matching one buffer under
# --allmatch -a (clamscan reports by offset, and numbers the last line
# "!(1)"), which is the scan layer's, not this format's.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/compat.sh"

GEN="python3 $VIGIL_SRC/tests/lib/xlmgen.py"
hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }

$GEN big.xls 300 5          # text of 8 blocks and more: formulas of random bytes too
$GEN plain.xls 300          # only decoded tokens
$GEN small.xls 10           # text shorter than one block
$GEN cut.xls 300 5 cut      # the last record cut short
python3 "$VIGIL_SRC/tests/lib/cfb.py" xlm tiny.xls

{
    echo "XlmHead:0:*:$(hex 'BIFF content extracted')"
    echo "XlmStr:0:*:$(hex ' ptgStr')171700$(hex 'cmd /c calc.exe XLMM ptg')"
    echo "XlmWide:0:*:$(hex 'wide ')c3a9e4b8ad$(hex ' XLMWIDE ptg')"
    echo "XlmTail:0:*:$(hex ' ptgStr')170800$(hex 'TAIL')"
    echo "XlmHtml:3:*:$(hex 'EXEC (0x006e)')"
} > xlm.ndb
printf 'XlmLdb;Engine:81-255,Target:0;0&1&2;%s;%s;%s\n' \
    "$(hex 'built-in-name 1 auto_open')" "$(hex 'args 2 func EXEC (0x006e)')" \
    "$(hex 'BOUNDSHEET : Sheet Information - Excel 4.0 macro sheet, hidden')" > xlm.ldb

for f in big.xls plain.xls small.xls cut.xls tiny.xls; do
    compat_run -d xlm.ndb -d xlm.ldb "$f"
    compare_all "$f"
done
assert_has_line "tiny.xls: the header is scanned" "$V_OUT" "tiny.xls: XlmHead.UNOFFICIAL FOUND"

compat_run -d xlm.ndb -d xlm.ldb --allmatch big.xls plain.xls small.xls cut.xls tiny.xls
compare_all "--allmatch"
for n in XlmHead XlmStr XlmWide XlmLdb; do
    assert_contains "--allmatch: $n matches the text" "$V_OUT" "big.xls: $n.UNOFFICIAL FOUND"
done
assert_not_contains "the last, unflushed block is not scanned" "$V_OUT" "XlmTail"
assert_not_contains "the text is not HTML" "$V_OUT" "XlmHtml"
assert_not_contains "a cut workbook gives no text" "$V_OUT" "cut.xls: XlmHead"
assert_lacks_line "small text: only the header" "$V_OUT" "small.xls: XlmStr.UNOFFICIAL FOUND"

compat_run -d xlm.ndb -a big.xls small.xls
compare_all "-a"
compat_run -d xlm.ndb --alert-macros big.xls tiny.xls
compare_all "--alert-macros"
compat_run -d xlm.ndb --scan-ole2=no big.xls
compare_all "--scan-ole2=no"
finish
