#!/usr/bin/env bash
# compat/mail: mail, MIME, mbox, TNEF, BinHex and uuencoded files
# (src/unpack/mail.c, mailhdr.c, maildec.c, tnef.c, binhex.c, uuencode.c)
# against clamscan: the package's test files with only clam.exe's hash,
# hand-made MIME oddities around clam.exe (tests/lib/mailgen.py), layer
# paths (-a), --scan-mail=no, and body signatures of target type 4 (mail).
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/compat.sh"

cp "$CLAMAV_TESTFILES/clam.exe" clam.exe
hdb_line clam.exe ClamExe > t.hdb
# clamscan decodes quoted-printable line by line and ends the last line
# with "\n" (measured): the hash of clam.exe plus a newline is what matches
# a quoted-printable clam.exe, in clamscan and in vigil.
printf '\n' | cat clam.exe - > clamnl.bin
hdb_line clamnl.bin ClamNL >> t.hdb

# ---- the package's test files --------------------------------------------
PKG="clam.exe.mbox.base64 clam.exe.mbox.uu clam.mail clam.tnef clam.exe.binhex"
for f in $PKG; do cp "$CLAMAV_TESTFILES/$f" .; done
compat_run -d t.hdb $PKG
compare_all "package mail files"
compare_found "package mail files"
for f in $PKG; do
    compat_run -d t.hdb -a "$f"
    compare_found "$f -a (layer path)"
done
compat_run -d t.hdb --allmatch $PKG
compare_all "package mail files --allmatch"
compare_found "package mail files --allmatch"
compat_run -d t.hdb --scan-mail=no $PKG
compare_all "package mail files --scan-mail=no"
compare_found "package mail files --scan-mail=no"
assert_has_line "--scan-mail=no: mail left packed" "$V_OUT" "clam.mail: OK"

# ---- hand-made MIME --------------------------------------------------------
python3 "$VIGIL_SRC/tests/lib/mailgen.py" clam.exe
# Same as clamscan, FOUND lines and layer paths: nested multiparts, base64,
# quoted-printable, uuencode in a text body and as a transfer encoding,
# RFC 2231 filename*=, quoted and unquoted boundaries, the boundary given in
# Content-Disposition, a duplicate Content-Type (multipart last), a comment
# in a header name, no final boundary, an mbox of two messages, an
# encapsulated message/rfc822, an unnamed attachment ("attachment"), CRLF
# lines, a one-part message, a message after text (MHTML), a message
# starting with an X- header (MHTML), a uuencoded file, a text body that
# starts with a uuencoded file, one in a message without Content-Type,
# a message that is all one message/rfc822 (read in place), a forwarded
# message as an attachment (named "attachment"), one in base64 (named by its
# file name), blanks after a delimiter, upper-case fields, base64 with
# garbage or on one line, an inner boundary that is a prefix of the outer
# one, a folded Content-Type, a preamble and a part without header, RFC 2047
# encoded file names (B and Q, two words, words in text, a broken word),
# multiparts nested
# 17 deep (found) and 18 deep (past max-recursion: clamscan skips it).
SAME="nested.eml base64.eml qp.eml uubody.eml xuu.eml rfc2231.eml quoted.eml
unquoted.eml cdisp.eml dupct.eml comment.eml nofinal.eml mbox rfc822.eml
noname.eml crlf.eml single.eml after-text.txt xheader.eml file.uu nest17.eml
nest18.eml uustart.eml uunoct.eml toprfc822.eml fwd.eml fwd64.eml
blank-after-boundary.eml uppercase.eml b64-garbage.eml b64-one-line.eml
prefix-boundary.eml folded-ct.eml preamble.eml rfc2047-0.eml rfc2047-1.eml
rfc2047-2.eml rfc2047-3.eml rfc2047-4.eml"
compat_run -d t.hdb $SAME
compare_all "MIME edge cases"
compare_found "MIME edge cases"
for f in $SAME; do
    compat_run -d t.hdb -a "$f"
    compare_found "$f -a (layer path)"
done
# BinHex inside mail: an attachment (found by both, the .hqx named at depth
# 1), and after text in a body (neither looks for it there).
{ printf 'From: a@b\nSubject: t\nMIME-Version: 1.0\n'
  printf 'Content-Type: multipart/mixed; boundary=A\n\n--A\n'
  printf 'Content-Type: application/mac-binhex40; name="c.hqx"\n\n'
  cat clam.exe.binhex; printf '\n--A--\n'; } > bhatt.eml
{ printf 'From: a@b\nSubject: t\nContent-Type: text/plain\n\nHello, see below\n\n'
  cat clam.exe.binhex; } > bhbody.eml
compat_run -d t.hdb -a bhatt.eml bhbody.eml
compare_all "BinHex in mail"
compare_found "BinHex in mail -a"
# A zip attached to a message: the layer path through both containers.
python3 - <<'PY'
import base64, zipfile
with zipfile.ZipFile('invoice.zip', 'w') as z:
    z.write('clam.exe')
b = base64.encodebytes(open('invoice.zip', 'rb').read()).decode()
open('zip.eml', 'w').write('From: a@b\nMIME-Version: 1.0\n'
    'Content-Type: multipart/mixed; boundary=A\n\n--A\n'
    'Content-Type: application/zip; name=invoice.zip\n'
    'Content-Transfer-Encoding: base64\n\n' + b + '--A--\n')
PY
compat_run -d t.hdb -a zip.eml
compare_all "zip in mail"
compare_found "zip in mail -a"
assert_has_line "zip in mail: layer path" "$V_OUT" \
    "zip.eml!MAIL:invoice.zip!(2)ZIP:clam.exe: ClamExe.UNOFFICIAL FOUND"
compat_run -d t.hdb --max-recursion=5 nest17.eml nested.eml
compare_found "multipart nesting follows --max-recursion"

# Where clamscan misses the attachment, vigil finds it, deliberately:
# - a boundary with semicolons, quoted as RFC 2045 allows ("A;B;C"):
#   clamscan cuts the parameter at the first ';';
# - two Content-Type fields, multipart first, text/plain last: clamscan takes
#   the last and never looks for parts; mail readers show the attachment.
# - "Content-Type :" (blanks before the colon, RFC 5322 4.5.1 obsolete
#   syntax that mail readers accept): clamscan does not see the field;
# - a part whose header runs into its base64 without an empty line:
#   clamscan takes the base64 for more header.
for c in semicolon.eml:s.exe dupct2.eml:p.exe space-colon.eml:o3.exe no-blank.eml:o9.exe; do
    f=${c%%:*}
    run "$CLAMSCAN" --no-summary -d t.hdb "$f"
    assert_has_line "$f: clamscan 1.4 misses it (if this fails, compare again)" "$OUT" "$f: OK"
    vscan --no-builtin --no-summary -d t.hdb -a "$f"
    assert_has_line "$f: vigil finds the attachment" "$OUT" \
        "$f!(1)MAIL:${c#*:}: ClamExe.UNOFFICIAL FOUND"
done
# name*="o10.exe" (RFC 2231 form without its charset'language' part): both
# find it; clamscan names the layer "attachment", vigil "o10.exe".
compat_run -d t.hdb rfc2231-nocs.eml
compare_all "RFC 2231 value without charset"
# RFC 2231 continuations (filename*0*=UTF-8''lo%6Eg; filename*1="name.exe"):
# both find clam.exe; clamscan names the layer "rfc2231failure", vigil
# "longname.exe", the name RFC 2231 section 3 gives.
compat_run -d t.hdb rfc2231cont.eml
compare_all "RFC 2231 continuations"
vscan --no-builtin --no-summary -d t.hdb -a rfc2231cont.eml
assert_has_line "RFC 2231 continuations: joined name" "$OUT" \
    "rfc2231cont.eml!(1)MAIL:longname.exe: ClamExe.UNOFFICIAL FOUND"

# ---- text parts, with a body signature (EICAR's first 40 bytes) ------------
make_eicar eicar.txt
python3 "$VIGIL_SRC/tests/lib/mailgen.py" clam.exe eicar.txt
echo "EicarBody:0:*:$(head -c 40 eicar.txt | od -An -tx1 | tr -d ' \n')" > e.ndb
# A message's text body (unnamed), a text part ("attachment"), base64 and
# quoted-printable text ("mixedtextportion"); a body without Content-Type is
# left to the message (not scanned apart).
TEXT="text-body.eml text-part.eml text-b64.eml text-qp.eml text-nohdr.eml"
compat_run -d e.ndb $TEXT
compare_all "text parts"
for f in $TEXT; do
    compat_run -d e.ndb -a "$f"
    compare_found "$f -a (layer path)"
done
# An HTML part: both find it, named "mixedtextportion"; clamscan reports it
# at depth 0 ("(0)MAIL:mixedtextportion", its HTML normaliser reads the part
# in place), vigil at depth 1, a child like every other part.
compat_run -d e.ndb html-part.eml
compare_all "HTML part"
vscan --no-builtin --no-summary -d e.ndb -a html-part.eml
assert_has_line "HTML part: layer path" "$OUT" \
    "html-part.eml!(1)MAIL:mixedtextportion: EicarBody.UNOFFICIAL FOUND"

# ---- body signatures of target type 4 ---------------------------------------
hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
{
    echo "MailSig:4:*:$(hex MAILMARKER)"
    echo "TextInMail:4:*:$(hex 'hello MAIL')"
} > t4.ndb
printf 'Subject: t\n\nhello MAILMARKER here\n' > m.eml
printf 'Subject: t\nContent-Type: text/plain\n\nhello MAILMARKER here\n' > m3.eml
printf 'Just text\nSubject: t\nhello MAILMARKER here\n' > plain.txt
printf 'Received: x\nSubject: t\n\nhello MAILMARKER\n' > r.eml
compat_run -d t4.ndb m.eml m3.eml plain.txt r.eml
compare_all "target 4 on mail and non-mail"
compare_found "target 4 on mail and non-mail"
compat_run -d t4.ndb --allmatch m.eml m3.eml plain.txt r.eml
compare_found "target 4 --allmatch"
assert_lacks_line "target 4 does not match plain text" "$V_OUT" "plain.txt: MailSig.UNOFFICIAL FOUND"

finish
