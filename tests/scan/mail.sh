#!/usr/bin/env bash
# scan/mail: damaged and hostile mail (src/unpack/mail.c, tnef.c,
# binhex.c, uuencode.c): truncated messages, TNEF, BinHex and uuencoded
# files are scanned as far as they go (a signature on the first bytes of
# clam.exe still matches the part that is left) and reported damaged; mail
# bombs (multiparts nested thousands deep, a header line of megabytes, a
# header folded over two million lines,
# a hundred thousand empty parts, a BinHex run-length bomb) end in seconds.
. "$(dirname "$0")/../lib/common.sh"

cp "$CLAMAV_TESTFILES/clam.exe" .
# The first 32 bytes of clam.exe, at the start of an object (any type).
echo "ClamHead:0:0:$(head -c 32 clam.exe | od -An -tx1 | tr -d ' \n')" > head.ndb
python3 "$VIGIL_SRC/tests/lib/mailgen.py" clam.exe

# cut FILE BYTES NAME: the first BYTES of FILE.
cut_at() { head -c "$2" "$1" > "$3"; }
cut_at "$CLAMAV_TESTFILES/clam.tnef" 3800 cut.tnef
cut_at "$CLAMAV_TESTFILES/clam.exe.binhex" 500 cut.hqx
cut_at "$CLAMAV_TESTFILES/clam.mail" 1000 cut.mail
cut_at file.uu 300 cut.uu
for f in cut.tnef cut.hqx cut.mail cut.uu; do
    vscan --no-builtin -d head.ndb --json "$f"
    assert_contains "$f: what is left is scanned" "$OUT" '"name":"ClamHead.UNOFFICIAL"'
    assert_contains "$f: damage noted" "$OUT" '"notes":["damaged"]'
done
vscan --no-builtin -d head.ndb --json "$CLAMAV_TESTFILES/clam.tnef"
assert_contains "whole TNEF: no damage noted" "$OUT" '"notes":[]'

# Malformed: a TNEF attribute longer than the file, a BinHex with a bad
# character, a multipart whose boundary never comes, a header only.
printf '\x78\x9f\x3e\x22\x01\x00\x02\x0f\x80\x06\x00\xff\xff\xff\x7fMZ' > long.tnef
printf '(This file must be converted with BinHex 4.0)\n:!!!!~~~~' > bad.hqx
printf 'From: a\nContent-Type: multipart/mixed; boundary=x\n\nno parts\n' > noparts.eml
printf 'From: a\nContent-Type: multipart/mixed; boundary=x' > hdronly.eml
for f in long.tnef bad.hqx noparts.eml hdronly.eml; do
    vscan --no-builtin -d head.ndb --json "$f"
    assert_rc "$f: malformed, scanned without error" 0 "$RC"
done

# Bombs: each must end within MAX_S seconds of CPU time.
MAX_S=5
if grep -q '^VIGIL_SANITIZE:BOOL=ON' "${VIGIL_BUILD:-/nonexistent}/CMakeCache.txt" 2>/dev/null; then
    MAX_S=60
fi
python3 - <<'PY'
import base64
H = 'From: a@b\nMIME-Version: 1.0\n'
n = 5000
s = H + 'Content-Type: multipart/mixed; boundary="b0"\n\n'
for i in range(n):
    s += '--b%d\nContent-Type: multipart/mixed; boundary="b%d"\n\n' % (i, i + 1)
open('deep.eml', 'w').write(s)
open('longhdr.eml', 'w').write(H + 'Content-Type: multipart/mixed; boundary="' + 'x' * (8 << 20) + '"\n\n--x\n\n')
open('folded.eml', 'w').write(H + 'Content-Type: multipart/mixed;\n' + ' x=y;\n' * 2000000 + ' boundary=z\n\n--z\n\n')
open('parts.eml', 'w').write(H + 'Content-Type: multipart/mixed; boundary=p\n\n' + '--p\n\nx\n' * 100000 + '--p--\n')
# BinHex run-length bomb: 0x41 then 0x90 0xff repeated (254 bytes per pair).
raw = b'\x05a.txt\x00' + b'\0' * 10 + b'\xff\xff\xff\xff' + b'\0\0\0\0\0\0' + b'A' + b'\x90\xff' * 300000
raw += b'\0' * (-len(raw) % 3)
alpha = b"!\"#$%&'()*+,-012345689@ABCDEFGHIJKLMNPQRSTUVXYZ[`abcdefhijklmpqr"
bits = ''.join('{:08b}'.format(c) for c in raw)
enc = bytes(alpha[int(bits[i:i + 6], 2)] for i in range(0, len(bits), 6))
open('rle.hqx', 'wb').write(b'(This file must be converted with BinHex 4.0)\n:' + enc + b':\n')
PY
for f in deep.eml longhdr.eml folded.eml parts.eml rle.hqx; do
    /usr/bin/time -f '%U %S' -o time.txt timeout 120 "$VIGIL" scan --no-builtin \
        -d head.ndb --json "$f" > out.json 2> err.txt
    rc=$?
    read -r u sy < <(tail -1 time.txt)
    t=$(awk -v u="$u" -v s="$sy" 'BEGIN { printf "%.2f", u + s }')
    if [ "$rc" -le 1 ] && awk -v t="$t" -v m="$MAX_S" 'BEGIN { exit !(t < m) }'; then
        ok "$f: ${t}s CPU (< ${MAX_S}s)"
    else
        fail "$f: exit $rc, ${t}s CPU (limit ${MAX_S}s)"
        show "stderr" "$(cat err.txt)"
    fi
done
vscan --no-builtin -d head.ndb --json parts.eml
assert_contains "parts.eml: 100000 parts stop at --max-files" "$OUT" '"MaxFiles"'
# 76 MB from 0.8 MB: under the defaults it is scanned whole; under a 10 MB
# file size limit the decoding stops there and says so.
vscan --no-builtin -d head.ndb --json --max-filesize=10M rle.hqx
assert_contains "rle.hqx: run-length bomb cut at the file size limit" "$OUT" '"limits":["MaxFileSize"]'

finish
