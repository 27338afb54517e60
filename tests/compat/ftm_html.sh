#!/usr/bin/env bash
# compat/ftm_html: a user .ftm and HTML, side by side with clamscan 1.4.
# Measured: a .ftm with a type-0 entry replaces the built-in magic table,
# HTML's included, so an HTML file is then typed by the loaded table (its
# first type-0 entry that matches: CL_TYPE_HTML gives the HTML views,
# CL_TYPE_TEXT_ASCII the text view) or, when none matches, by the text
# check: it is text (raw target-0 and normalised target-7 matches, no HTML
# views). Type-1 entries alone change nothing here.
#
# Not compared: with "<html>" typed CL_TYPE_BINARY_DATA clamscan
# --allmatch reports the raw target-0 match twice, vigil once; and with
# the built-in magic, a text file holding HTML further in (a.html) is
# matched raw by target 0 too in clamscan, not in vigil.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/compat.sh"

python3 - <<'PY'
pad = "x" * 2000
page = "<p>" + pad + "</p><p>Alpha<!-- c -->Beta</p><script>var q = 'Sc' + 'riptX';</script>"
open("h.html", "w").write("<html><body>" + page + "</body></html>\n")
open("a.html", "w").write("AAAA" + page + "\n")
PY
hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
{
    echo "Norm:3:*:$(hex 'alphabeta')"
    echo "Js:3:*:$(hex '"scriptx"')"
    echo "Raw3:3:*:$(hex 'Alpha<!-- c -->Beta')"
    echo "Raw0:0:*:$(hex 'Alpha<!-- c -->Beta')"
    echo "Txt7:7:*:$(hex 'alpha<!-- c -->beta')"
} > f.ndb

compat_run -d f.ndb --allmatch h.html
compare_all "built-in magic"
i=0
while IFS= read -r line; do
    i=$((i + 1))
    printf '%s\n' "$line" > t$i.ftm
    for o in "" --allmatch; do
        compat_run -d t$i.ftm -d f.ndb $o h.html
        compare_all ".ftm [$line] ${o:-(first match)}"
    done
done <<'LINES'
0:0:504b0304:ZIP:CL_TYPE_ANY:CL_TYPE_ZIP
0:0:3c68746d6c3e:HTML:CL_TYPE_ANY:CL_TYPE_HTML
0:0:3c68746d6c3e:TXT:CL_TYPE_ANY:CL_TYPE_TEXT_ASCII
1:*:3c68746d6c3e:BIN:CL_TYPE_ANY:CL_TYPE_BINARY_DATA
1:*:3c68746d6c3e:HTML:CL_TYPE_ANY:CL_TYPE_HTML
0:0:41414141:A:CL_TYPE_ANY:CL_TYPE_HTML
LINES
compat_run -d t1.ftm -d f.ndb --allmatch h.html
assert_has_line "a ZIP .ftm: the HTML file is text" "$V_OUT" "h.html: Txt7.UNOFFICIAL FOUND"
assert_not_contains "a ZIP .ftm: no HTML views" "$V_OUT" "Norm"
compat_run -d t6.ftm -d f.ndb --allmatch a.html
compare_all "a .ftm typing AAAA as HTML"
assert_has_line "a .ftm typing AAAA as HTML: its views" "$V_OUT" "a.html: Norm.UNOFFICIAL FOUND"
compat_run -d t1.ftm -d f.ndb --scan-html=no --allmatch h.html
compare_all "--scan-html=no with a .ftm"
finish
