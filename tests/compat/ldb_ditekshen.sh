#!/usr/bin/env bash
# compat/ldb_ditekshen: real logical signatures written by others
# ($VIGIL_SHARED/rules/ditekshen-detection/clamav/*.ldb, read in place):
# every line loads in both scanners (same count, no error), and on objects
# carrying each signature's subsignatures (all of them, all three times, all
# but one; written by tests/lib/ldbgen.py) the detections are equal, with
# and without -z.
#
# Known gap: clamscan scans an object it types as plain binary data twice
# (raw, then as an unknown type), so with -z it lists each match of such an
# object twice; vigil lists it once. Two of these signatures pin bytes at
# offset 0 that make their objects binary data; with -z their objects are
# compared as sets of names.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/compat.sh"

DIR=$VIGIL_SHARED/rules/ditekshen-detection/clamav
GEN=$VIGIL_SRC/tests/lib/ldbgen.py
if ! ls "$DIR"/*.ldb >/dev/null 2>&1; then
    fail "no .ldb files in $DIR"
    finish
fi

ordered() { result_lines "$1" | sort -s -t: -k1,1; }
# The same with each file's repeated lines folded (the binary-data gap).
folded() { result_lines "$1" | sort -u; }

printf 'nothing to find here\n' > clean.txt
for db in "$DIR"/*.ldb; do
    name=$(basename "$db" .ldb)
    lines=$(grep -c -v -e '^#' -e '^$' "$db")
    compat_run -d "$db" clean.txt
    compare_rc "$name: loads"
    assert_eq "$name: clamscan loads it" 0 "$C_RC"
    compare_summary "$name: $lines lines, same Known viruses"
    python3 "$GEN" plant "$db" "obj-$name" 7 || fail "$name: ldbgen.py plant"
done

compat_run -d "$DIR" obj-*
compare_all "first match"
n=$(found_lines "$C_OUT" | wc -l)
[ "$n" -gt 300 ] && ok "clamscan finds $n objects (the objects carry the signatures)" ||
    fail "clamscan finds only $n objects"

compat_run -z -d "$DIR" obj-*
compare_rc "-z"
compare_summary "-z"
dups=$(ordered "$C_OUT" | uniq -d | cut -d: -f1 | sort -u)
_cmp "-z: per-file lines in order (objects clamscan scans once)" \
    "$(ordered "$C_OUT" | grep -v -F -f <(printf '%s\n' $dups '^$'))" \
    "$(ordered "$V_OUT" | grep -v -F -f <(printf '%s\n' $dups '^$'))"
_cmp "-z: the same names on every object" "$(folded "$C_OUT")" "$(folded "$V_OUT")"
[ -n "$dups" ] && skip "-z: clamscan lists the matches of $(echo $dups | wc -w) binary-data objects twice"

finish
