#!/usr/bin/env bash
# compat/allowlist_containers: a container whose MD5 is in a .fp (or its
# SHA-256 in a .sfp) clears what is found inside it, as clamscan 1.4
# reports it OK, with and without --allmatch, at any depth (a tar holding
# an allow-listed tar), while a detection beside it in the same outer
# archive is still reported.
#
# Not reproduced (measured, a side effect of clamscan's clean cache): once
# clamscan has cleared clam.exe inside an allow-listed zip, a copy of
# clam.exe scanned later in the same run (a sibling after the zip in a
# tar, or a later file on the command line) is OK too. vigil reports that
# copy; so each case here is scanned in a run of its own, or with the
# copy first.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/compat.sh"

TF=$CLAMAV_TESTFILES
[ -f "$TF/clam.exe" ] || { fail "clamav-testfiles is not installed"; finish; }
hdb_line "$TF/clam.exe" ClamExe > clam.hdb
cp "$TF/clam.zip" "$TF/clam.tar.gz" "$TF/clam.ole.doc" .
mkdir n
cp clam.zip n/a.zip
cp "$TF/clam.exe" n/b.exe
(cd n && tar cf ../only.tar a.zip && tar cf ../rev.tar b.exe a.zip)
tar cf outer.tar only.tar
{
    hdb_line clam.zip ZipOk
    hdb_line clam.tar.gz TgzOk
    hdb_line clam.ole.doc DocOk
    hdb_line only.tar OnlyOk
} > ok.fp
sha=$(sha256sum clam.zip | cut -d' ' -f1)
printf '%s:%s:ZipSha\n' "$sha" "$(stat -c %s clam.zip)" > ok.sfp

for f in clam.zip clam.tar.gz clam.ole.doc only.tar rev.tar outer.tar; do
    for o in "" --allmatch -a; do
        compat_run -d clam.hdb -d ok.fp $o "$f"
        compare_all "$f ${o:-(first match)}"
    done
done
for f in clam.zip clam.tar.gz clam.ole.doc only.tar outer.tar; do
    compat_run -d clam.hdb -d ok.fp "$f"
    assert_has_line "$f: allow-listed container is OK" "$V_OUT" "$f: OK"
done
compat_run -d clam.hdb -d ok.fp rev.tar
assert_has_line "rev.tar: the copy beside the allow-listed zip is found" "$V_OUT" \
    "rev.tar: ClamExe.UNOFFICIAL FOUND"
compat_run -d ok.sfp -d clam.hdb clam.zip
compare_all ".sfp (SHA-256) before the hdb"
assert_has_line ".sfp: allow-listed zip is OK" "$V_OUT" "clam.zip: OK"
compat_run -d clam.hdb clam.zip
assert_has_line "without the allow list the zip is found" "$V_OUT" "clam.zip: ClamExe.UNOFFICIAL FOUND"
finish
