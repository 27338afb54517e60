#!/usr/bin/env bash
# compat/hashdb: .hdb and .hsb hash signatures, clamscan vs vigil scan.
# md5 in .hdb, sha1 and sha256 (and md5) in .hsb, size "*" with and without
# the minimum-flevel field, .UNOFFICIAL naming, the ClamAV test file clam.exe,
# line forms ClamAV accepts (comment, CRLF, no final newline, upper case) and
# the ones it refuses (blank line, bad hash, empty file): both must exit 2.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/compat.sh"

make_eicar eicar.com
echo "just some clean text" > clean.txt
: > empty
head -c 4096 /dev/urandom > random.bin

hdb_line eicar.com Test.Md5 > md5.hdb
compat_run -d md5.hdb eicar.com clean.txt empty random.bin
compare_all ".hdb md5"
assert_has_line ".hdb md5: name gets .UNOFFICIAL" "$V_OUT" "eicar.com: Test.Md5.UNOFFICIAL FOUND"

hsb_line eicar.com Test.Sha1 sha1 > sha1.hsb
compat_run -d sha1.hsb eicar.com clean.txt
compare_all ".hsb sha1"

hsb_line eicar.com Test.Sha256 sha256 > sha256.hsb
compat_run -d sha256.hsb eicar.com clean.txt
compare_all ".hsb sha256"

hsb_line eicar.com Test.HsbMd5 md5 > md5.hsb
compat_run -d md5.hsb eicar.com
compare_all ".hsb holding an md5"

hsb_line eicar.com Test.HdbSha1 sha1 > sha1.hdb
compat_run -d sha1.hdb eicar.com
compare_all ".hdb holding a sha1 (length picks the hash)"

# Same hash, wrong size: no match.
printf '%s:67:Test.WrongSize\n' "$(md5sum < eicar.com | cut -d' ' -f1)" > wrongsize.hdb
compat_run -d wrongsize.hdb eicar.com
compare_all "size mismatch does not match"

# Several databases at once, -d repeated.
hdb_line random.bin Test.Random > random.hdb
compat_run -d md5.hdb -d random.hdb eicar.com random.bin clean.txt
compare_all "two -d databases"

# Size "*": refused without a minimum flevel >= 73, accepted with it.
m=$(md5sum < eicar.com | cut -d' ' -f1)
s=$(sha256sum < eicar.com | cut -d' ' -f1)
printf '%s:*:Test.StarNoFlevel\n' "$m" > star.hdb
compat_run -d star.hdb eicar.com
compare_rc "size * without flevel (malformed)"
compare_found "size * without flevel (malformed)"
assert_eq "size * without flevel: vigil refuses with exit 2" 2 "$V_RC"
printf '%s:*:Test.Star256NoFlevel\n' "$s" > star.hsb
compat_run -d star.hsb eicar.com
compare_rc "hsb size * without flevel (malformed)"
compare_found "hsb size * without flevel (malformed)"
printf '%s:*:Test.Star:73\n' "$m" > star73.hdb
compat_run -d star73.hdb eicar.com clean.txt
compare_all "size * with flevel 73 (.hdb)"
printf '%s:*:Test.Star256:73\n' "$s" > star73.hsb
compat_run -d star73.hsb eicar.com clean.txt
compare_all "size * with flevel 73 (.hsb sha256)"
printf '%s:*:Test.Star72:72\n' "$m" > star72.hdb
compat_run -d star72.hdb eicar.com
compare_rc "size * with flevel 72 (too low)"
compare_found "size * with flevel 72 (too low)"

# The ClamAV test file from the clamav-testfiles package.
clamexe=$CLAMAV_TESTFILES/clam.exe
if [ -r "$clamexe" ]; then
    hdb_line "$clamexe" Test.ClamExe > clamexe.hdb
    compat_run -d clamexe.hdb "$clamexe" eicar.com
    compare_all "clam.exe by .hdb"
    hsb_line "$clamexe" Test.ClamExe256 sha256 > clamexe.hsb
    compat_run -d clamexe.hsb "$clamexe"
    compare_all "clam.exe by .hsb sha256"
else
    skip "clam.exe: $clamexe not readable (package clamav-testfiles)"
fi

# Line forms ClamAV accepts.
{ echo "# a comment line"; hdb_line eicar.com Test.AfterComment; } > comment.hdb
compat_run -d comment.hdb eicar.com
compare_all "comment line"
hdb_line eicar.com Test.Crlf | sed 's/$/\r/' > crlf.hdb
compat_run -d crlf.hdb eicar.com
compare_all "CRLF line ending"
printf '%s' "$(hdb_line eicar.com Test.NoNewline)" > nonl.hdb
compat_run -d nonl.hdb eicar.com
compare_all "no final newline"
hdb_line eicar.com Test.Upper | sed 's/^[0-9a-f]*/\U&/' > upper.hdb
compat_run -d upper.hdb eicar.com
compare_all "upper-case hex"

# Line forms ClamAV refuses: both must fail the load with exit 2.
{ echo; hdb_line eicar.com Test.AfterBlank; } > blank.hdb
compat_run -d blank.hdb eicar.com
compare_rc "blank line (malformed)"
compare_found "blank line (malformed)"
printf 'zz:68:Test.BadHash\n' > badhash.hdb
compat_run -d badhash.hdb eicar.com
compare_rc "bad hash (malformed)"
compare_found "bad hash (malformed)"
{ hdb_line eicar.com Test.Good; echo "$m:68"; } > twofields.hdb
compat_run -d twofields.hdb eicar.com
compare_rc "second line has two fields (malformed)"
compare_found "second line has two fields (malformed)"
# The size field: ClamAV takes up to 4294967294 and refuses 4294967295 and up.
for sz in 4294967294 4294967295 5368709120; do
    printf '%s:%s:Test.Size%s\n' "$m" "$sz" "$sz" > "size$sz.hdb"
    compat_run -d "size$sz.hdb" eicar.com
    compare_rc "size field $sz"
    compare_found "size field $sz"
done
printf '%s:abc:Test.BadSize\n' "$m" > badsize.hdb
compat_run -d badsize.hdb eicar.com
compare_rc "non-numeric size (malformed)"
compare_found "non-numeric size (malformed)"
: > empty.hdb
compat_run -d empty.hdb eicar.com
compare_rc "empty .hdb"
compare_found "empty .hdb"

finish
