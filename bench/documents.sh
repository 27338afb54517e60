#!/usr/bin/env bash
# bench/documents.sh - documents, mail and web files, vigil vs clamscan, same
# database, one run each, side by side: wall and CPU time, MB/s of input per
# CPU second, peak RSS, and the detections (which must agree).
#
#   bench/documents.sh path/to/vigil
#
# Corpus (built in a temporary directory, nothing downloaded): the HTML,
# text and PDF files under /usr/share/doc (up to BENCH_DOC_MB MiB), and
# generated documents whose text comes from those files: BENCH_GEN each of
# .docx and .xlsx (zip + XML), .doc (OLE2 with a VBA project, through
# tests/lib/cfb.py), PDF (Flate streams and an object stream, through
# tests/lib/pdfgen.py) and mbox files of several messages with base64 and
# quoted-printable attachments. clam.exe (clamav-testfiles) is hidden in one
# mail attachment and in one .doc's Ole10Native object, so both scanners
# have something to find. Database: the MD5 of clam.exe plus BENCH_BODY
# random body signatures that never match, of target types 0, 3 (HTML), 4
# (mail), 7 (text) and 10 (PDF), so every normalised view is matched in
# full in both scanners. Not part of ctest.
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
lib=$here/../tests/lib
VIGIL=${1:?usage: $0 path/to/vigil}
VIGIL=$(cd "$(dirname "$VIGIL")" && pwd)/$(basename "$VIGIL")
CLAMSCAN=${CLAMSCAN:-clamscan}
MB=${BENCH_DOC_MB:-48}
NGEN=${BENCH_GEN:-40}
NBODY=${BENCH_BODY:-2000}
TF=/usr/share/clamav-testfiles
for t in python3 /usr/bin/time sigtool "$CLAMSCAN"; do
    command -v "$t" >/dev/null || { echo "bench: $t is required" >&2; exit 2; }
done

W=$(mktemp -d /tmp/vigil-bench-doc.XXXXXX)
trap 'rm -rf "$W"' EXIT
mkdir -p "$W/corpus/doc" "$W/corpus/gen"
echo "== corpus"
find /usr/share/doc -type f \( -name '*.html' -o -name '*.htm' -o -name '*.txt' -o -name '*.pdf' \) \
    -size +1k 2>/dev/null | sort | python3 -c '
import os, shutil, sys
limit, total, i = int(sys.argv[1]) << 20, 0, 0
for p in sys.stdin.read().split("\n"):
    if not p or os.path.islink(p):
        continue
    s = os.path.getsize(p)
    if total + s > limit:
        break
    total += s
    shutil.copy(p, "%s/%05d%s" % (sys.argv[2], i, os.path.splitext(p)[1]))
    i += 1
' "$MB" "$W/corpus/doc"

python3 - "$W/corpus" "$NGEN" "$TF/clam.exe" "$lib" <<'PY'
import base64, email.message, glob, io, os, random, subprocess, sys, zipfile
out, n, exe, lib = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
sys.path.insert(0, lib)
import cfb  # noqa: E402
rnd = random.Random(5)
texts = sorted(glob.glob(out + "/doc/*.txt"))
def text(k=60000):
    b = open(rnd.choice(texts), "rb").read() if texts else b"lorem ipsum " * 5000
    return b[:k].decode("latin-1").replace("&", "and").replace("<", "(").replace(">", ")")
def xml_doc(body):
    return ('<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="x"><w:body>' +
            "".join("<w:p><w:r><w:t>%s</w:t></w:r></w:p>" % l for l in body.split("\n")) +
            "</w:body></w:document>")
for i in range(n):
    with zipfile.ZipFile("%s/gen/d%03d.docx" % (out, i), "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", xml_doc(text()))
    with zipfile.ZipFile("%s/gen/x%03d.xlsx" % (out, i), "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        rows = "".join('<row r="%d"><c t="inlineStr"><is><t>%s</t></is></c></row>' % (r, w)
                       for r, w in enumerate(text(20000).split()[:3000]))
        z.writestr("xl/worksheets/sheet1.xml", "<worksheet><sheetData>%s</sheetData></worksheet>" % rows)
    src = text(30000).encode("latin-1")
    streams = [("WordDocument", cfb.word_fib(False)), ("1Table", src)]
    streams += cfb.vba_project("Macros/", [("Module1", b"Sub A()\r\n' " + src[:4000] + b"\r\nEnd Sub\r\n")])
    if i == 0:
        streams.append(("ObjectPool/_1/\x01Ole10Native", cfb.ole10native("x.exe", open(exe, "rb").read())))
    open("%s/gen/o%03d.doc" % (out, i), "wb").write(cfb.cfb_write(streams))
    payload = "%s/gen/p%03d.txt" % (out, i)
    open(payload, "wb").write(text(80000).encode("latin-1"))
    mode = ["flate", "objstm", "chain"][i % 3]
    subprocess.run([sys.executable, lib + "/pdfgen.py", "pdf", mode, payload,
                    "%s/gen/g%03d.pdf" % (out, i)], check=True)
    os.unlink(payload)
    box = []
    for k in range(5):
        m = email.message.EmailMessage()
        m["From"], m["To"], m["Subject"] = "a@example.org", "b@example.org", "report %d" % k
        m.set_content(text(8000))
        m.add_attachment(text(30000).encode("latin-1"), maintype="application",
                         subtype="octet-stream", filename="notes%d.txt" % k)
        if i == 0 and k == 4:
            m.add_attachment(open(exe, "rb").read(), maintype="application",
                             subtype="octet-stream", filename="invoice.exe")
        box.append(b"From a@example.org Thu Jan  1 00:00:00 2026\n" + bytes(m))
    open("%s/gen/m%03d.mbox" % (out, i), "wb").write(b"\n".join(box))
PY
sigtool --md5 "$TF/clam.exe" > "$W/db.hdb"
python3 - "$W/db.ndb" "$NBODY" <<'PY'
import random, sys
random.seed(7)
with open(sys.argv[1], "w") as f:
    for i in range(int(sys.argv[2])):
        pat = "".join("%02x" % random.randrange(256) for _ in range(12))
        f.write("Bench.Never.%d:%d:*:%s\n" % (i, [0, 3, 4, 7, 10][i % 5], pat))
PY
in_bytes=$(du -cb "$W"/corpus/doc "$W"/corpus/gen | tail -1 | cut -f1)
echo "   $(find "$W/corpus" -type f | wc -l) files, $((in_bytes >> 20)) MiB:" \
    "$(ls "$W/corpus/doc" | wc -l) from /usr/share/doc, $(ls "$W/corpus/gen" | wc -l) generated"

# run NAME CMD...: one run; prints wall and CPU seconds (user + system of
# the whole process tree: wall time on a shared machine measures the
# neighbours), MB/s of input per CPU second and peak RSS; keeps the output.
run() {
    local name=$1 secs u sy kb cpu
    shift
    /usr/bin/time -f '%e %U %S %M' -o "$W/$name.time" "$@" > "$W/$name.out" 2> "$W/$name.err" || true
    read -r secs u sy kb < <(tail -1 "$W/$name.time")
    cpu=$(python3 -c "print(max($u + $sy, 0.001))")
    printf '%-9s %7.2f s wall %7.2f s CPU %8.1f MB/s %6d MiB peak RSS\n' \
        "$name" "$secs" "$cpu" "$(python3 -c "print($in_bytes/1e6/$cpu)")" $((kb / 1024))
}
echo "== one run each (-j 1 for vigil, as clamscan is single-threaded)"
run clamscan "$CLAMSCAN" -d "$W/db.hdb" -d "$W/db.ndb" -r -i "$W/corpus"
run vigil "$VIGIL" scan --no-builtin -j 1 -d "$W/db.hdb" -d "$W/db.ndb" -r -i "$W/corpus"
run vigil-j "$VIGIL" scan --no-builtin -d "$W/db.hdb" -d "$W/db.ndb" -r -i "$W/corpus"
echo "== detections"
for s in clamscan vigil; do
    grep ' FOUND$' "$W/$s.out" | sed "s|$W/||" | sort > "$W/$s.found" || true
    sed "s/^/   $s: /" "$W/$s.found"
done
if cmp -s "$W/clamscan.found" "$W/vigil.found"; then
    echo "   detections equal ($(wc -l < "$W/vigil.found") lines)"
else
    echo "   detections DIFFER"
fi
