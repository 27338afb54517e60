#!/usr/bin/env bash
# compat/html: HTML, text and mail objects typed and matched as clamscan
# 1.4 does: clam.exe in clam.exe.html's data: URI (found through the hash
# of clam.exe alone, -a layer path too), and a generated corpus of HTML and
# text files whose patterns show only in clamscan's normalised views
# (HTML lower-cased without comments, references decoded, text without
# tags, normalised and Script-Encoded scripts, Script Encoder files, data:
# URIs, HTML in UTF-16, normalised and UTF-16 text) against .ndb signatures of targets 0, 3 and 7 and an .ldb
# with Target:3 and Target:7: the same detections, with and without
# --allmatch, and with --scan-html=no.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/compat.sh"

TF=$CLAMAV_TESTFILES
[ -f "$TF/clam.exe" ] || { fail "clamav-testfiles is not installed"; finish; }
hdb_line "$TF/clam.exe" ClamExe > clam.hdb
cp "$TF/clam.exe.html" .

compat_run -d clam.hdb clam.exe.html
compare_all "clam.exe.html"
assert_has_line "clam.exe.html: found by vigil" "$V_OUT" \
    "clam.exe.html: ClamExe.UNOFFICIAL FOUND"
compat_run -d clam.hdb -a clam.exe.html
compare_found "clam.exe.html -a: FOUND and layer-path lines"
assert_has_line "clam.exe.html -a: the data: URI's part" "$V_OUT" \
    "clam.exe.html!(2)HTML:attachment: ClamExe.UNOFFICIAL FOUND"
compat_run -d clam.hdb --allmatch clam.exe.html
compare_all "clam.exe.html --allmatch"

mkdir corpus
python3 "$(dirname "$0")/../lib/htmlcorpus.py" corpus || fail "corpus not generated"
mv corpus/views.ndb corpus/views.ldb .

compat_run -d views.ndb -d views.ldb -r corpus
compare_all "corpus"
compare_found "corpus"
compat_run -d views.ndb -d views.ldb --allmatch -r corpus
compare_all "corpus --allmatch"
compare_found "corpus --allmatch"
# The corpus proves something only if the views are matched at all.
for line in "case.html: T3.HelloWorld" "comment.html: T3.Notags" "refs.html: T3.Refs" \
    "script.html: T3.Script" "script.html: T7.Script" "script.html: L0.Script" \
    "screnc.html: T3.ScrEnc" "screnc.html: T7.ScrEnc" "datauri.html: T0.DataB64" \
    "dataplain.html: T0.DataPlain" "mixed.txt: T7.MixedCase" "mixed.txt: L7.Mixed" \
    "utf16.txt: T7.Wide" "case.html: L3.HelloRefs" "raw.txt: T0.RawOnly" \
    "utf16le.html: T3.HelloWorld" "utf16be.html: T3.HelloWorld" \
    "encoded.js: T3.ScrEnc" "encoded.js: T7.ScrEnc"; do
    assert_has_line "--allmatch: $line" "$V_OUT" "corpus/$line.UNOFFICIAL FOUND"
done
assert_lacks_line "--allmatch: an HTML file's own bytes are not matched" "$V_OUT" \
    "corpus/raw.html: T0.RawOnly.UNOFFICIAL FOUND"

compat_run -d views.ndb -d views.ldb -a corpus/encoded.js corpus/datauri.html
compare_found "-a: a Script Encoder file's script, a data: URI's part"
assert_has_line "-a: the decoded script is an unnamed layer" "$V_OUT" \
    "corpus/encoded.js!(1): T3.ScrEnc.UNOFFICIAL FOUND"

compat_run -d views.ndb -d views.ldb --allmatch --scan-html=no -r corpus
compare_all "--scan-html=no --allmatch"
compare_found "--scan-html=no --allmatch"
assert_has_line "--scan-html=no: the raw HTML is matched" "$V_OUT" \
    "corpus/raw.html: T3.RawOnly.UNOFFICIAL FOUND"

# Mail typing: target-4 signatures match a file starting with a mail
# header (the header lines are no part of the message's body).
printf 'From: a@example.com\nTo: b@example.com\nSubject: Hi there\n\nbody\n' > mail.eml
printf 'Received: from x\nSubject: Hi there\n\nbody\n' > mail2.eml
printf 'Subject: Hi there\n' | od -An -tx1 | tr -d ' \n' > subj.hex
{ printf 'M4.Subject:4:*:%s\n' "$(cat subj.hex)"
  printf 'M0.Subject:0:*:%s\n' "$(cat subj.hex)"
  printf 'M3.Subject:3:*:%s\n' "$(cat subj.hex)"; } > mail.ndb
compat_run -d mail.ndb --allmatch mail.eml mail2.eml
compare_all "mail typing --allmatch"
compare_found "mail typing --allmatch"
assert_has_line "mail typing: target 4" "$V_OUT" "mail.eml: M4.Subject.UNOFFICIAL FOUND"
finish
