#!/usr/bin/env bash
# cli/log: -l/--log FILE: created, appended to, holds the FOUND lines,
# warnings and the summary, written even with --quiet; an unwritable log
# path is an error (exit 2), as in clamscan.
. "$(dirname "$0")/../lib/common.sh"

make_eicar eicar.com
echo clean > clean.txt
hdb_line eicar.com Test.Eicar > sigs.hdb

vscan --no-builtin -d sigs.hdb -l scan.log eicar.com clean.txt missing
assert_rc "-l with a detection and a missing path" 1
assert_file "-l creates the log" scan.log
log=$(cat scan.log 2>/dev/null)
assert_has_line "log has the FOUND line" "$log" "eicar.com: Test.Eicar.UNOFFICIAL FOUND"
assert_has_line "log has the warning" "$log" "WARNING: missing: Can't access file"
assert_has_line "log has the summary" "$log" "----------- SCAN SUMMARY -----------"
assert_eq "log summary: Infected files" 1 "$(summary_value 'Infected files' "$log")"
assert_eq "log summary: Scanned files" 2 "$(summary_value 'Scanned files' "$log")"
assert_has_line "stdout still has the FOUND line" "$OUT" "eicar.com: Test.Eicar.UNOFFICIAL FOUND"

vscan --no-builtin -d sigs.hdb --log=scan.log eicar.com
assert_rc "--log= form" 1
assert_eq "second run appends" 2 "$(grep -c 'eicar.com: Test.Eicar.UNOFFICIAL FOUND' scan.log)"
assert_eq "two summaries" 2 "$(grep -c -- '----------- SCAN SUMMARY' scan.log)"

rm -f q.log
vscan --no-builtin -d sigs.hdb --quiet -l q.log eicar.com
assert_rc "--quiet -l" 1
assert_eq "--quiet: nothing on stdout" "" "$OUT"
assert_has_line "--quiet -l: log still written" "$(cat q.log 2>/dev/null)" \
    "eicar.com: Test.Eicar.UNOFFICIAL FOUND"

vscan --no-builtin -d sigs.hdb -l sub/dir/none.log eicar.com
assert_rc "log in a missing directory" 2
assert_contains "log error names the file" "$OUT$ERR" "sub/dir/none.log"

vscan --no-builtin -d sigs.hdb --json -l j.log eicar.com
assert_rc "--json -l" 1
assert_file "--json -l writes a log" j.log

finish
