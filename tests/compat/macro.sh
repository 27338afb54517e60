#!/usr/bin/env bash
# compat/macro: macro groups, clamscan and vigil side by side. A .ndb line
# with offset $g is a member of macro group g: it loads and counts as a
# known virus but is never reported; a logical signature's ${min-max}g$
# subsignature checks, each time the subsignature before it matches again,
# that a group member started min..max bytes after its previous match (and
# cancels that match if not). clamscan 1.4.6 never counts the macro
# subsignature itself, so `0&1` with a macro never matches; what the check
# changes is the count of the subsignature before it (`0>1|1`, `0=2|1`).
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/compat.sh"

cat > m.ndb <<'NDB'
D1:0:$12:626262
D2:0:$12:636363
D3:0:$30:626264
D4:0:$5$:717171
Plain:0:*:707070
NDB
cat > m.ldb <<'LDB'
Mac.And;Engine:51-255,Target:0;0&1;616161;${6-7}12$
Mac.First;Engine:51-255,Target:0;0|1;616161;${6-7}12$
Mac.Twice;Engine:51-255,Target:0;0>1|1;616161;${2-4}12$
Mac.Exactly2;Engine:51-255,Target:0;0=2|1;616161;${2-4}12$
Mac.Other;Engine:51-255,Target:0;0>1|1;787878;${0-9}30$
LDB
pad() { printf '%*s' "$1" '' | tr ' ' '.'; }
# Files start "..", then a 00 01 code unit (at an even offset, not at the
# start, where it reads as UTF-16) so that ClamAV types them as binary data
# and adds no normalised text view (vigil does not build those yet).
bin() { printf '..\000\001'; printf "$@"; }
mkdir f
# aaa, then a group-12 member 6 or 7 bytes after its start, or elsewhere.
for g in 0 2 3 4 5 6; do bin 'zzaaa%sbbbzz%s' "$(pad "$g")" "$(pad 20)" > f/one$g; done
# aaa twice or three times, with and without members at the checked distance.
bin 'aaa.bbb....aaa.....%s' "$(pad 20)" > f/twice_near
bin 'aaa......bbb..aaa..%s' "$(pad 20)" > f/twice_far
bin 'aaabbb.aaaccc.aaa..%s' "$(pad 20)" > f/three_near
bin 'aaa.....aaa.ccc.aaa..bbb%s' "$(pad 20)" > f/three_mixed
bin 'xxx.bbdxxx..bbd..xxx%s' "$(pad 20)" > f/other_group
bin 'bbbcccqqqppp%s' "$(pad 20)" > f/members_only
echo nothing here at all, really > f/clean

compat_run --no-summary -d m.ndb -d m.ldb f
compare_all "macro groups"
# With -z clamscan 1.4.6 reports every match twice in an object it types as
# binary data (it scans such objects raw twice); vigil once: compare sets.
compat_run --no-summary -z -d m.ndb -d m.ldb f
compare_rc "macro groups, allmatch"
_cmp "macro groups, allmatch: detections" "$(found_lines "$C_OUT" | sort -u)" \
    "$(found_lines "$V_OUT" | sort -u)"
compat_run -d m.ndb f/clean
compare_summary "members count as known viruses"
assert_lacks_line "members are never reported" "$V_OUT" "f/members_only: D1.UNOFFICIAL FOUND"

for bad in '$x' '$' '$-1' '$32' '$1,x'; do
    printf 'Good:0:*:414243\nBad:0:%s:626262\n' "$bad" > bad.ndb
    compat_run --no-summary -d bad.ndb f/clean
    compare_rc "malformed offset '$bad'"
    assert_contains "malformed offset '$bad': vigil names the line" "$V_ERR" "bad.ndb:2:"
done
printf 'Ok:0:$31:626262\nOk2:0:$7$:626262\nOk3:0:$3,5:626262\n' > ok.ndb
compat_run -d ok.ndb f/clean
compare_all "group 31, \$7\$ and a shift load"
finish
