#!/usr/bin/env bash
# compat/ftm: .ftm file-type magic databases (types 0 and 1) type objects
# as clamscan's do: a type-0 entry replaces the built-in magic table (so
# formats it does not name are no longer unpacked, and no built-in
# self-extracting archive is looked for), type-1 entries find archives
# anywhere in a file; malformed lines fail the load with file:line.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/compat.sh"

TF=$CLAMAV_TESTFILES
hdb_line "$TF/clam.exe" ClamExe > clam.hdb
python3 -c 'import random,sys; r=random.Random(3); sys.stdout.buffer.write(bytes(r.randrange(256) for _ in range(3000)))' > pre.bin
cat pre.bin "$TF/clam.zip" > app.zip.bin
cat pre.bin "$TF/clam.cab" > app.cab.bin
{ printf '\336\255\276\357'; cat "$TF/clam.zip"; } > deadbeef.bin
cp "$TF/clam.zip" "$TF/clam.tar.gz" "$TF/clam.cab" "$TF/clam.exe.bz2" .
files="app.zip.bin app.cab.bin deadbeef.bin clam.zip clam.tar.gz clam.cab clam.exe.bz2"

compat_run -d clam.hdb $files
compare_all "built-in magic"

i=0
while IFS= read -r line; do
    i=$((i + 1))
    printf '%s\n' "$line" > t$i.ftm
    compat_run -d t$i.ftm -d clam.hdb $files
    compare_all ".ftm [$line]"
done <<'LINES'
0:0:504b0304:ZIP:CL_TYPE_ANY:CL_TYPE_ZIP
1:*:50??0304:ZIP-SFX:CL_TYPE_ANY:CL_TYPE_ZIPSFX
1:*:504b0304:ZIP-SFX:CL_TYPE_ANY:CL_TYPE_ZIPSFX
0:0:deadbeef:X:CL_TYPE_ANY:CL_TYPE_ZIP
0:0:1f8b:GZ:CL_TYPE_ANY:CL_TYPE_GZ
0:0:4d534346:CAB:CL_TYPE_ANY:CL_TYPE_MSCAB:1:255
LINES

# Malformed: the load fails (exit 2) in both; vigil names file and line.
while IFS='|' read -r line why; do
    printf '# a comment\n0:0:504b0304:ZIP:CL_TYPE_ANY:CL_TYPE_ZIP\n%s\n' "$line" > bad.ftm
    compat_run -d bad.ftm -d clam.hdb clam.zip
    compare_rc "malformed .ftm [$line]"
    assert_contains "malformed .ftm [$line]: vigil's message" "$V_ERR" "bad.ftm:3: $why"
done <<'LINES'
0:0:504b0304:ZIP:CL_TYPE_ANY|Problem parsing external filetype database
0:0:504g0304:ZIP:CL_TYPE_ANY:CL_TYPE_ZIP|Can't decode the hex string
0:0:504b0304:ZIP:CL_TYPE_ANY:CL_TYPE_FOO|Unknown file type
0:x:504b0304:ZIP:CL_TYPE_ANY:CL_TYPE_ZIP|Invalid offset
LINES
# Lines ClamAV skips; a file of nothing else is malformed.
for line in "7:0:504b0304:ZIP:CL_TYPE_ANY:CL_TYPE_ZIP" \
    "0:0:504b0304:ZIP:CL_TYPE_ANY:CL_TYPE_ZIP:300"; do
    printf '%s\n' "$line" > skip.ftm
    compat_run -d skip.ftm -d clam.hdb clam.zip
    compare_rc "only skipped lines [$line]"
    assert_contains "only skipped lines: vigil's message" "$V_ERR" \
        "empty external filetype database"
    printf '%s\n0:0:1f8b:GZ:CL_TYPE_ANY:CL_TYPE_GZ\n' "$line" > skip2.ftm
    compat_run -d skip2.ftm -d clam.hdb $files
    compare_all "skipped line, then a good one [$line]"
done

finish
