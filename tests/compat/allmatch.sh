#!/usr/bin/env bash
# compat/allmatch: -z/--allmatch with several signatures matching one file,
# and first-match mode reporting one name.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/compat.sh"

make_eicar eicar.com
echo clean > clean.txt
hdb_line eicar.com Test.A > a.hdb
hsb_line eicar.com Test.B sha256 > b.hsb
hsb_line eicar.com Test.C sha1 > c.hsb

compat_run -z -d a.hdb -d b.hsb eicar.com clean.txt
compare_all "-z md5 + sha256"
compat_run --allmatch -d a.hdb -d b.hsb -d c.hsb eicar.com clean.txt
compare_all "--allmatch md5 + sha256 + sha1"
compat_run --allmatch -d c.hsb -d b.hsb -d a.hdb eicar.com
compare_all "--allmatch with the databases in reverse order"

mkdir t
cp eicar.com t/one
cp eicar.com t/two
compat_run -z -r -d a.hdb -d b.hsb t
compare_all "-z over a tree (Infected files counts files, not names)"

# Without -z: one FOUND line per file, whichever signature.
compat_run -d a.hdb -d b.hsb -d c.hsb eicar.com
compare_rc "first match"
compare_summary "first match"
n=$(printf '%s\n' "$V_OUT" | grep -c ' FOUND$')
assert_eq "first match: vigil prints exactly one FOUND line" 1 "$n"

# A signature of several parts is reported (and counted, in a logical
# signature) once per place its last part ends: "QQQ{1-5}RRR" in
# "QQQ..RRRRR" ends three times. Appended to a real ELF file, which clamscan
# scans once (it scans objects it types as binary data twice with -z).
cp /usr/bin/true parts.elf
printf 'QQQ..RRRRRxxxxQQQ.RRRyyyyyyAAA........BBBBBBzz' >> parts.elf
cat > parts.ndb <<'NDB'
Parts.Gap:0:*:515151{1-5}525252
Parts.Star:0:*:414141*424242
Parts.Single:0:*:52525252
NDB
cat > parts.ldb <<'LDB'
Parts.Count4;Engine:81-255,Target:0;0>3;515151{1-5}525252
Parts.Count5;Engine:81-255,Target:0;0>4;515151{1-5}525252
Parts.Star3;Engine:81-255,Target:0;0=3;414141*424242
LDB
compat_run -z --no-summary -d parts.ndb -d parts.ldb parts.elf
compare_all "-z: several parts, once per end of the last part"
compat_run --no-summary -d parts.ndb -d parts.ldb parts.elf
compare_all "several parts, first match"

# Two signatures with the same hash and size: clamscan keeps one name.
hdb_line eicar.com Test.Dup1 > dup.hdb
hdb_line eicar.com Test.Dup2 >> dup.hdb
compat_run -z -d dup.hdb eicar.com
compare_all "-z with a duplicated md5 in one file"

finish
