#!/usr/bin/env bash
# yara/ditekshen: real YARA rules written by others
# ($VIGIL_SHARED/rules/ditekshen-detection/yara/*.yar, read in place, all
# files as one rule set). For every rule, an object carrying its text and
# plain hex strings after a MinGW-built PE (tests/lib/yaragen.py plant), plus
# ClamAV's test files and a few ELF files: the (file, rule) pairs `vigil scan
# -z` reports equal those of `yara -r`, and without -z vigil reports yara's
# first rule of each file.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/yara.sh"

DIR=$VIGIL_SHARED/rules/ditekshen-detection/yara
if ! ls "$DIR"/*.yar >/dev/null 2>&1; then
    fail "no .yar files in $DIR"
    finish
fi

make_pe pe || fail "building PE files with MinGW"
python3 "$VIGIL_SRC/tests/lib/yaragen.py" plant obj pe/p64.exe "$DIR"/*.yar ||
    fail "yaragen.py plant"
cp pe/*.exe pe/*.dll /usr/bin/ls /usr/bin/true obj/
for f in "$CLAMAV_TESTFILES"/clam*.exe "$CLAMAV_TESTFILES"/clam.ole.doc "$CLAMAV_TESTFILES"/clam.pdf; do
    [ -f "$f" ] && cp "$f" obj/
done

yara_pairs "$DIR"/*.yar -- obj
vigil_pairs -z -r -d "$DIR" obj
assert_rc "vigil loads the rules and finds" 1
assert_eq "-z: the same (file, rule) pairs as yara -r" "$YPAIRS" "$PAIRS"
n=$(printf '%s\n' "$YPAIRS" | grep -c .)
r=$(printf '%s\n' "$YPAIRS" | awk '{print $NF}' | sort -u | wc -l)
[ "$r" -gt 300 ] && ok "yara reports $n pairs of $r different rules" ||
    fail "yara reports only $r different rules ($n pairs)"

vigil_pairs -r -d "$DIR" obj
assert_eq "first match: yara's first rule of each file" "$YFIRST" "$PAIRS"

finish
