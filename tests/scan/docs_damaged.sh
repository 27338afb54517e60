#!/usr/bin/env bash
# scan/docs_damaged: truncated and corrupted PDF and RTF documents
# (src/unpack/pdf.c, rtf.c) never crash or hang: every prefix of generated
# samples (a Flate stream, an object stream, RC4 and AES encryption, an
# LZW stream, an OLE1 package in RTF) and copies with bytes overwritten are
# scanned with exit code 0 or 1 and no error; a stream cut in its middle
# still gives up what it holds, noted as damaged; a Flate bomb stops at the
# limits (MaxFileSize compared with clamscan).
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/compat.sh"

GEN="python3 $(dirname "$0")/../lib/pdfgen.py"
python3 -c 'import cryptography' 2>/dev/null ||
    { fail "python3-cryptography is not installed (scripts/install-deps test)"; finish; }
cp "$CLAMAV_TESTFILES/clam.exe" clam.exe
hdb_line clam.exe ClamExe > clam.hdb

mkdir src cuts
for m in flate objstm rc4-128 aes128 aes256 lzw js; do $GEN pdf "$m" clam.exe "src/$m.pdf"; done
$GEN rtf package clam.exe src/package.rtf
$GEN rtf bin clam.exe src/bin.rtf
python3 - src cuts <<'PY'
import os, random, sys
src, out = sys.argv[1], sys.argv[2]
r = random.Random(7)
for name in sorted(os.listdir(src)):
    data = open(os.path.join(src, name), "rb").read()
    base, ext = os.path.splitext(name)
    for i, cut in enumerate(range(1, len(data), max(1, len(data) // 40))):
        open(os.path.join(out, "%s-cut%02d%s" % (base, i, ext)), "wb").write(data[:cut])
    for i in range(20):
        b = bytearray(data)
        for _ in range(1 + i % 8):
            b[r.randrange(len(b))] = r.choice(b"0123456789<>()[]/\\{} \nRobjendstream\xff\x00")
        open(os.path.join(out, "%s-bad%02d%s" % (base, i, ext)), "wb").write(bytes(b))
PY
n=$(ls cuts | wc -l)
vscan --no-builtin -d clam.hdb --allmatch -r cuts
[ "$RC" = 0 ] || [ "$RC" = 1 ] && ok "$n truncated and corrupted documents: exit $RC" ||
    fail "truncated and corrupted documents: exit $RC"
assert_eq "every document scanned" "$n" "$(summary_value "Scanned files" "$OUT")"
assert_eq "no errors" "(none)" "$(summary_value "Total errors" "$OUT")"

# Cut after the first half of clam.exe in a raw stream: the half is
# scanned, the document is damaged.
$GEN pdf truncated clam.exe half.pdf
vscan --no-builtin -d clam.hdb --json half.pdf
assert_contains "stream cut in its middle: damage noted" "$OUT" '"damaged"'

# A Flate bomb: 60 MiB of zeros from 60 KiB.
python3 - "$(dirname "$0")/../lib" <<'PY'
import sys, zlib
sys.path.insert(0, sys.argv[1])
import pdfgen
objs = pdfgen.catalog() + [(3, b"<< /LEN /Filter /FlateDecode >>",
                            zlib.compress(bytes(60 << 20), 9))]
open("bomb.pdf", "wb").write(pdfgen.build_pdf(objs))
PY
compat_run -d clam.hdb --alert-exceeds-max --max-filesize=1M bomb.pdf
compare_all "Flate bomb, --max-filesize=1M"
vscan --no-builtin -d clam.hdb --json bomb.pdf
assert_contains "Flate bomb: vigil's ratio limit" "$OUT" '"MaxCompressionRatio"'

finish
