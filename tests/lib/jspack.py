#!/usr/bin/env python3
"""tests/lib/jspack.py - HTML pages whose scripts are packed with Dean
Edwards' packer (eval(function(p,a,c,k,e,d)...) and its (p,a,c,k,e,r)
form, anonymous and named; p,a,x,k,e,d, which clamscan does not decode,
and p,a,c,x,e,d, which it does) and with scriptasylum's dF() encoder, for the
tests only. The payloads' marker strings appear in no page as such: only
a decoder that works as ClamAV's does shows them.

  jspack.py DIR    writes DIR/*.html and DIR/jspack.ndb (targets 3 and 7)
"""
import os
import re
import sys

DIGITS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
UNPACK = ("e=function(c){return(c<a?'':e(parseInt(c/a)))+((c=c%a)>35?"
          "String.fromCharCode(c+29):c.toString(36))};if(!''.replace(/^/,String))"
          "{while(c--){d[e(c)]=k[c]||e(c)}k=[function(e){return d[e]}];"
          "e=function(){return'\\\\w+'};c=1};while(c--){if(k[c]){p=p.replace("
          "new RegExp('\\\\b'+e(c)+'\\\\b','g'),k[c])}}return p")


def b62(n, radix):
    s = ""
    while True:
        s = DIGITS[n % radix] + s
        n //= radix
        if n == 0:
            return s


def pack(code, radix=62, last="d", name=None):
    """Dean Edwards' packer: every word becomes its index in base radix."""
    words = []
    for w in re.findall(r"\w+", code):
        if w not in words:
            words.append(w)
    packed = re.sub(r"\w+", lambda m: b62(words.index(m.group(0)), radix), code)
    packed = packed.replace("\\", "\\\\").replace("'", "\\'")
    args = "'%s',%d,%d,'%s'.split('|'),0,{}" % (packed, radix, len(words), "|".join(words))
    params = "p,a,c,k,e," + last
    if name:
        return "function %s(%s){%s}%s(%s);" % (name, params, UNPACK, name, args)
    return "eval(function(%s){%s}(%s))" % (params, UNPACK, args)


def esc(s):
    return "".join(c if c.isalnum() else "%%%02X" % ord(c) for c in s)


def df(code, d):
    """scriptasylum's encoder: escape, shift by d, escape, append d."""
    return "dF('%s%d')" % (esc("".join(chr(ord(c) + d) for c in esc(code))), d)


PAGES = {
    "de-anon.html": pack("document.write('hello packed world DEMARKONE');var a=1;"),
    "de-r.html": pack("var s='x';alert('DEMARKTWO '+s)", radix=36, last="r"),
    "de-named.html": pack("window.status='DEMARKTHREE';", name="unpk"),
    "de-long.html": pack(" ".join("w%d" % i for i in range(300)) + " DEMARKFOUR();"),
    "de-notpacker.html": pack("document.write('DEMARKFIVE')").replace("p,a,c,k", "p,a,x,k", 1),
    "de-pacx.html": pack("document.write('DEMARKSEVEN')").replace("p,a,c,k", "p,a,c,x", 1),
    "df.html": "var x=1;" + df("document.write('DFMARKONE payload');var zz=5;", 1) + ";x++;",
    "df-de.html": df(pack("alert('DFMARKTWO inner')"), 3),
    "two.html": pack("DEMARKSIX(1)") + ";" + df("DFMARKTHREE(2)", 2),
}

SIGS = [("DeAnon", 'write("hello packed world demarkone")'), ("DeR", 'alert("demarktwo "+'),
        ("DeNamed", 'status="demarkthree"'), ("DeLong", "w299 demarkfour()"),
        ("DeNot", 'write("demarkfive")'), ("DfOne", 'write("dfmarkone payload");var n'),
        ("DfTwo", 'alert("dfmarktwo inner")'), ("Six", "demarksix(1)"), ("DfThree", "dfmarkthree(2)"),
        ("DePacx", 'write("demarkseven")')]


def main(out):
    os.makedirs(out, exist_ok=True)
    for name, script in PAGES.items():
        with open(os.path.join(out, name), "w") as f:
            f.write("<html><body><p>page</p><script>%s</script></body></html>\n" % script)
    with open(os.path.join(out, "jspack.ndb"), "w") as f:
        for name, s in SIGS:
            for t in (3, 7):
                f.write("%s.T%d:%d:*:%s\n" % (name, t, t, s.encode().hex()))


if __name__ == "__main__":
    main(sys.argv[1])
