#!/usr/bin/env bash
# scan/html_hostile: hostile HTML and scripts (an unterminated comment, tag
# and attribute, a huge attribute, deep nesting, a flood of references, a
# script of a million tokens, a Script Encoder block whose length runs past
# the file, endless data: URIs, a truncated one) are scanned to the end in
# bounded time, never crash, and still find what they hide where it can
# be read: the views stay matched.
. "$(dirname "$0")/../lib/common.sh"

python3 - <<'PY'
import base64
def w(name, s):
    open(name, "w", encoding="latin-1").write(s)
big = 2 << 20
w("comment.html", "<html>hello world <!-- " + "x" * big)
w("tag.html", "<html>hello world <a " + "b=c " * (big // 4))
w("attr.html", "<html>hello world <a href=\"" + "y" * big)
w("hugeattr.html", "<html><p title='" + "z" * big + "'>hello world</p></html>")
w("nest.html", "<html>" + "<div>" * 200000 + "hello world" + "</div>" * 200000)
w("refs.html", "<html>hello world " + "&#x41;&amp;&#" * 100000 + "&" + "a" * 5000)
w("script.html", "<html><script>" + "var a = b + 'c' + \"d\"; f(g, [h]); {(" * 60000
  + "</script>hello world</html>")
w("screnc.html", "<html>hello world<script language=\"JScript.Encode\">#@~^/////w==" + "abc@" * 1000)
w("data.html", "<html>hello world " + "<img src=\"data:a;base64,QUJD\">" * 5000)
w("datacut.html", "<html>hello world <img src=\"data:text/plain;base64," + base64.b64encode(b"x" * 100000).decode())
PY
printf 'HW:3:*:%s\n' "$(printf 'hello world' | od -An -tx1 | tr -d ' \n')" > hw.ndb
for f in comment tag attr hugeattr nest refs script screnc data datacut; do
    start=$(date +%s)
    run timeout 120 "$VIGIL" scan --no-builtin --no-summary -d hw.ndb "$f.html"
    assert_rc "$f.html: scanned to the end" 1
    assert_has_line "$f.html: the view is matched" "$OUT" "$f.html: HW.UNOFFICIAL FOUND"
    assert_eq "$f.html: bounded time" yes "$([ $(($(date +%s) - start)) -lt 60 ] && echo yes || echo no)"
done
run timeout 120 "$VIGIL" scan --no-builtin --no-summary --allmatch -d hw.ndb \
    comment.html tag.html nest.html script.html screnc.html data.html datacut.html
assert_rc "--allmatch: all of them" 1
finish
