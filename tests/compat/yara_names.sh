#!/usr/bin/env bash
# compat/yara_names: a .yar file among ClamAV databases, with clamscan 1.4.6
# (which loads simple YARA rules itself): the same detection names
# (YARA.<rule>.UNOFFICIAL) and the same report order with the other kinds:
# body, hash, logical signatures, then YARA rules, with and without -z.
#
# Known gap: clamscan files YARA rules among the logical signatures in load
# order, so a .yar file that loads before an .ldb file (e.g. a.yar and
# z.ldb in one directory) is reported before it there; vigil always reports
# YARA rules after the logical signatures. The objects are PE files, which
# clamscan scans once (it scans text twice), so -z lists compare one to one.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/compat.sh"
. "$(dirname "$0")/../lib/yara.sh"

make_pe pe || fail "building PE files with MinGW"
mkdir -p db obj
cp pe/p64.exe obj/plain.exe
{ cat pe/p64.exe; printf 'xx hello world yy'; } > obj/hello.exe
{ cat pe/p64.exe; printf 'only the world'; } > obj/world.exe
cat > db/t.yar <<'R'
rule HelloRule : tag1 { meta: author = "x" strings: $a = "hello world" condition: $a }
rule WorldRule { strings: $b = "world" condition: $b }
R
printf 'BodySig:0:*:68656c6c6f\n' > db/b.ndb
hdb_line obj/hello.exe HashSig > db/h.hdb
printf 'LogSig;Engine:51-255,Target:0;0;776f726c64\n' > db/l.ldb

compat_run -d db/t.yar obj
compare_all "YARA rules alone"
assert_has_line "YARA.<rule>.UNOFFICIAL" "$V_OUT" "obj/hello.exe: YARA.HelloRule.UNOFFICIAL FOUND"
compat_run -z -d db/t.yar obj
compare_all "YARA rules alone, -z"
compat_run -d db obj
compare_all "with body, hash and logical signatures"
compat_run -z -d db obj
compare_rc "-z with every kind"
_cmp "-z with every kind: the same lines in the same order" \
    "$(result_lines "$C_OUT" | sort -s -t: -k1,1)" "$(result_lines "$V_OUT" | sort -s -t: -k1,1)"
finish
