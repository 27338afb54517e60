#!/usr/bin/env bash
# compat/cdb: container metadata signatures (.cdb) on the members of the
# clamav-testfiles archives, one field at a time, as clamscan 1.4.6 applies
# them (including what its readers pass for unknown values: 0 for the
# compressed size and position in 7z and cab, 0 for both sizes in chm);
# detections before the member's own, layer paths, .ign2, and malformed
# lines failing with file:line.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/compat.sh"

TF=$CLAMAV_TESTFILES
hdb_line "$TF/clam.exe" ClamExe > clam.hdb
mkdir pkg
cp "$TF"/{clam.zip,clam.tar.gz,clam.7z,clam.cab,clam.newc.cpio,clam.bz2.zip,clam.chm} pkg/
cp "$TF/clam.exe" clam.exe
echo hello > h.txt
zip -q -P secret pkg/enc.zip clam.exe h.txt

i=0
while IFS= read -r line; do
    i=$((i + 1))
    printf '%s\n' "$line" > t$i.cdb
    compat_run -d t$i.cdb -r pkg
    compare_all ".cdb [$line]"
done <<'LINES'
T1:CL_TYPE_ZIP:*:clam\.exe:*:*:*:*:*:*
T2:*:*:clam\.exe:*:*:*:*:*:*
T3:CL_TYPE_ZIP:*:.*:*:544:*:*:*:*
T4:CL_TYPE_ZIP:*:.*:*:*:*:1:*:*
T5:CL_TYPE_ZIP:*:.*:*:*:*:2:*:*
T6:CL_TYPE_ZIP:*:.*:*:*:0:*:*:*
E1:CL_TYPE_ZIP:*:.*:*:*:1:*:*:*
T8:CL_TYPE_ZIP:*:CLAM.*:*:*:*:*:*:*
T9:CL_TYPE_ZIP:100-500:.*:*:*:*:*:*:*
T10:CL_TYPE_ZIP:*:.*:*:*:*:*:*:*:300
T11:CL_TYPE_ZIP:*:.*:*:500-600:*:*:*:*
S1:CL_TYPE_ZIP:*:.*:256:*:*:*:*:*
S2:CL_TYPE_POSIX_TAR:*:.*:544:*:*:*:*:*
C1:CL_TYPE_ZIP:*:.*:*:*:*:*:deadbeef:anything
P:CL_TYPE_ZIP:*:.*:*:*:*:1-3:*:*
K4:CL_TYPE_MSCAB:*:.*:*:*:*:1:*:*
K5:CL_TYPE_MSCAB:*:.*:*:*:*:0:*:*
K8:CL_TYPE_MSCAB:*:.*:0:544:*:*:*:*
Z5:CL_TYPE_7Z:*:.*:*:544:*:1:*:*
Z9:CL_TYPE_7Z:*:.*:0:544:*:0:*:*
Z6:CL_TYPE_CPIO_NEWC:*:.*:544:544:*:1:*:*
Z7:CL_TYPE_MSCHM:*:/clam.*:0:0:*:1:*:*
LINES

# With the hash of clam.exe too: the metadata match comes first.
echo 'T2:*:*:clam\.exe:*:*:*:*:*:*' > any.cdb
compat_run -d any.cdb -d clam.hdb --allmatch -r pkg
compare_all "--allmatch: metadata match, then the member's hash"
compat_run -d any.cdb -a pkg/clam.zip pkg/clam.tar.gz pkg/clam.cab
compare_found "-a: the member named one layer up"
echo T2 > t.ign2
compat_run -d t.ign2 -d any.cdb -r pkg
compare_all ".ign2 drops a .cdb signature"

# Malformed lines: the load fails in both; vigil names file and line.
while IFS='|' read -r line why; do
    printf '# comment\nOK:*:*:x:*:*:*:*:*:*\n%s\n' "$line" > bad.cdb
    compat_run -d bad.cdb pkg/clam.zip
    compare_rc "malformed .cdb [$line]"
    assert_contains "malformed .cdb [$line]: vigil's message" "$V_ERR" "bad.cdb:3: $why"
done <<'LINES'
X:CL_TYPE_ZIP:*:(:*:*:*:*:*:*|Can't compile regular expression
Y:CL_TYPE_ZIP:*:.*:*:*:*:*:*|Problem parsing database
Z:CL_TYPE_FOO:*:.*:*:*:*:*:*:*|Unknown container type
W:CL_TYPE_ZIP:a:.*:*:*:*:*:*:*|Invalid value
V:CL_TYPE_ZIP:*:.*:*:*:2:*:*:*|Invalid encryption flag value
LINES

finish
