#!/usr/bin/env python3
"""htmlcorpus.py DIR - writes the corpus of tests/compat/html.sh into DIR:
HTML and text files whose interesting content shows only in the views
clamscan builds (normalised HTML, text without tags, normalised scripts,
decoded Script Encoder blocks, data: URIs, normalised text), and the
databases (.ndb of targets 0, 3 and 7, .ldb with Target:3 and Target:7)
whose signatures match those views."""
import base64
import os
import struct
import sys

# Microsoft Script Encoder: the decoding tables of characters 0x20..0x7f
# and the table used at each position modulo 64 (the format's constants).
ORDER = [0, 2, 1, 0, 2, 1, 2, 1, 1, 2, 1, 2, 0, 1, 2, 1, 0, 1, 2, 1, 0, 0,
         2, 1, 1, 2, 0, 1, 2, 1, 1, 2, 0, 0, 1, 2, 1, 2, 1, 0, 1, 0, 0, 2,
         1, 0, 1, 2, 0, 1, 2, 1, 0, 0, 2, 1, 1, 0, 0, 2, 1, 0, 1, 2]
TABLES = [
    bytes.fromhex(
        "2e477a56426a2f26494134325b7672433839704568714f09624423753c7e3e5e"
        "ff774a615d224b6f4e3b4c50672a7d74542b2d2c306e6b66352521644d52633f"
        "7b7829287359337f6d55537c3a5f65465831696c5a48275c3d24793760512036"
    ),
    bytes.fromhex(
        "323021295b38333d583a3565395c5673664e456b6259785e7d4a6d713c603e53"
        "ff422748727531374d5222546a47642d207f2e4c5d7e6c6f797443267625242b"
        "28234134092a443f773b55696163506751494f46687c36706e7a2f5f4b5a2c57"
    ),
    bytes.fromhex(
        "2d755260715e495c627d2936207c7a7f6b63332b68516676316454433c3a3e7e"
        "ff452c2a7427374479592f6f26726a397b3f387767534734785d30235a5b6c48"
        "5570692e4c21244e5009567335614b583b57226d4d2528464a32413d5f4f4265"
    ),
]


# What TAB (0x09) decodes to in each table.
TAB = [0x57, 0x7B, 0x6E]


def screnc(plain):
    """Encodes plain (printable ASCII without '@', '<', '>') as a block."""
    out = []
    for i, ch in enumerate(plain.encode()):
        t = ORDER[i % 64]
        enc = [0x20 + k for k, v in enumerate(TABLES[t]) if v == ch]
        enc += [0x09] if ch == TAB[t] else []
        assert enc, "cannot encode %r" % chr(ch)
        out.append(enc[0])
    length = base64.b64encode(struct.pack("<I", len(plain))).decode()
    checksum = base64.b64encode(struct.pack("<I", sum(plain.encode()))).decode()
    return "#@~^" + length + bytes(out).decode("latin-1") + checksum + "^#~@"


def hx(s):
    return s.encode().hex()


def main(d):
    for t in TABLES:
        assert len(t) == 96, len(t)
    files = {
        # case, a comment inside the pattern, whitespace runs
        "case.html": "<HTML><BODY>\nHeLLo <!-- split -->   WoRLD\n</BODY></HTML>\n",
        "comment.html": "<html><body>Hel<!-- in the middle -->lo\t\t\n  world</body></html>\n",
        # references: hex, decimal, named
        "refs.html": "<html><p>&#x41;&#66;C tom&amp;jerry &#x4d;ixed</p></html>\n",
        # a script: names numbered, strings joined
        "script.html": "<html><head><script type=\"text/javascript\">\n"
                       "var payload = \"ev\" + 'il'; document.write(payload);\n"
                       "</script></head><body>x</body></html>\n",
        # a JScript.Encode block
        "screnc.html": "<html><script language=\"JScript.Encode\">"
                       + screnc('alert("screnc payload");') + "</script></html>\n",
        # data: URIs, base64 and plain
        "datauri.html": "<html><img src=\"data:application/octet-stream;base64,"
                        + base64.b64encode(b"DATAURI payload in base64\n").decode()
                        + "\"></html>\n",
        # clamscan scans the data: URIs of a file in no fixed order: one each
        "dataplain.html": "<html><a href='data:text/plain,plain%20data%20uri'>x</a></html>\n",
        # the raw bytes of an HTML file are not matched (HTMLSKIPRAW)
        "raw.html": "<html>RAW ONLY   Pattern</html>\n",
        "mixed.txt": "Some text\nMixed   CASE\tText here\n",
        "plain.txt": "nothing interesting here at all\n",
        "raw.txt": "RAW ONLY   Pattern\n",
    }
    # Script Encoder files (ClamAV's CL_TYPE_SCRENC): whole, and cut short
    block = screnc('alert("screnc payload");')
    files["encoded.js"] = block + "\nafter the block\n"
    files["encodedcut.js"] = block[:30]
    for name, text in files.items():
        with open(os.path.join(d, name), "w", encoding="latin-1") as f:
            f.write(text)
    with open(os.path.join(d, "utf16.txt"), "wb") as f:
        f.write("\ufeffUTF16 Wide   TEXT line\n".encode("utf-16-le"))
    # HTML in UTF-16, little- and big-endian
    for name, enc in (("utf16le.html", "utf-16-le"), ("utf16be.html", "utf-16-be")):
        with open(os.path.join(d, name), "wb") as f:
            f.write("\ufeff<HTML><body>Hello   World</body></HTML>\n".encode(enc))
    sigs = []
    for t in (0, 3, 7):
        for name, pat in (("HelloWorld", "hello world"), ("Refs", "abc tom&jerry mixed"),
                          ("Script", 'var n000="evil";document.write(n000);'),
                          ("ScrEnc", 'alert("screnc payload");'),
                          ("MixedCase", "mixed case text"), ("Wide", "utf16 wide text"),
                          ("RawOnly", "RAW ONLY   Pattern"), ("NormRaw", "raw only pattern"),
                          ("Notags", " hel lo world ")):
            sigs.append("T%d.%s:%d:*:%s" % (t, name, t, hx(pat)))
    sigs.append("T0.DataB64:0:*:%s" % hx("DATAURI payload"))
    sigs.append("T0.DataPlain:0:*:%s" % hx("plain data uri\n"))
    with open(os.path.join(d, "views.ndb"), "w") as f:
        f.write("\n".join(sigs) + "\n")
    with open(os.path.join(d, "views.ldb"), "w") as f:
        f.write("L3.HelloRefs;Engine:51-255,Target:3;0|1;%s;%s\n"
                % (hx("hello world"), hx("abc tom")))
        f.write("L7.Mixed;Engine:51-255,Target:7;0&1;%s;%s\n"
                % (hx("mixed case"), hx("text here")))
        f.write("L0.Script;Engine:51-255,Target:0;0;%s\n" % hx("document.write(n000)"))


if __name__ == "__main__":
    main(sys.argv[1])
