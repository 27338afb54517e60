#!/usr/bin/env bash
# compat/ldb_containers: logical signatures with Container and Intermediates
# in their target description block, on clam.exe inside archives: vigil and
# clamscan agree. One file per run: clamscan's clean-result cache would
# otherwise skip an object already seen in another container.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/compat.sh"

cp "$CLAMAV_TESTFILES/clam.exe" clam.exe
cp "$CLAMAV_TESTFILES/clam.zip" "$CLAMAV_TESTFILES/clam.tar.gz" .
gzip -c clam.exe > c.exe.gz
zip -q t1.zip c.exe.gz clam.exe
tar czf t2.tgz t1.zip
# Sixteen bytes of clam.exe's code (no zero byte).
hex=33c050508bf3535350b02940300466ac
python3 -c 'import sys; sys.exit(bytes.fromhex(sys.argv[1]) not in open("clam.exe", "rb").read())' "$hex" ||
    { fail "the pattern is not in clam.exe"; finish; }

while IFS= read -r tdb; do
    printf 'L;Engine:81-255,Target:0,%s;0;%s\n' "$tdb" "$hex" > t.ldb
    for f in clam.exe clam.zip clam.tar.gz t1.zip t2.tgz; do
        compat_run -d t.ldb "$f"
        compare_all "$tdb on $f"
    done
done <<'TDBS'
Container:CL_TYPE_ZIP
Container:CL_TYPE_POSIX_TAR
Container:CL_TYPE_GZ
Container:CL_TYPE_ANY
Intermediates:CL_TYPE_GZ>CL_TYPE_POSIX_TAR
Intermediates:CL_TYPE_POSIX_TAR
Intermediates:CL_TYPE_ZIP>CL_TYPE_GZ
Intermediates:CL_TYPE_POSIX_TAR>CL_TYPE_ZIP>CL_TYPE_GZ
Intermediates:CL_TYPE_ANY>CL_TYPE_ZIP>CL_TYPE_GZ
Intermediates:CL_TYPE_GZ>CL_TYPE_POSIX_TAR>CL_TYPE_ZIP>CL_TYPE_GZ
Intermediates:CL_TYPE_ZIP>CL_TYPE_ZIP
TDBS

finish
