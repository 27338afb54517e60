#!/usr/bin/env bash
# cli/audit: the hash-chained audit log of vigil scan's actions and
# `vigil audit verify`: an intact log, then each kind of tampering (edited,
# removed, inserted, reordered entries, a cut first line), a torn last line
# and how the next writer puts it on record, concurrent writers, the default
# path as root, and no log for a non-root user who did not ask for one.
. "$(dirname "$0")/../lib/common.sh"

make_eicar eicar.com
hdb_line eicar.com Test.Eicar > sigs.hdb
mkdir q
for i in 1 2 3 4 5 6; do mkdir -p "v$i" && cp eicar.com "v$i/bad$i.com"; done
echo clean > v1/clean.txt

L=$T/audit.log
verify() { run "$VIGIL" audit verify "$@"; }
line() { sed -n "${1}p" "$L"; }

# ---- entries -------------------------------------------------------------
vscan --no-builtin -d sigs.hdb --audit-log="$L" -r --copy=q v1 v2 v3
assert_rc "copy three files" 1
vscan --no-builtin -d sigs.hdb --audit-log="$L" --move=q v4/bad4.com
vscan --no-builtin -d sigs.hdb --audit-log="$L" --remove v5/bad5.com
assert_eq "five actions, five lines" 5 "$(wc -l < "$L")"
assert_match "a copy entry" "$(line 1)" \
    '^\{"seq":1,"prev":"0{64}","time":"[0-9-]{10}T[0-9:]{8}Z","user":"root","uid":0,"pid":[0-9]+,"action":"copy","path":"'"$T"'/v1/bad1.com","target":"'"$T"'/q/bad1.com","signature":"Test.Eicar.UNOFFICIAL"\}$'
assert_match "a move entry" "$(line 4)" '"seq":4,.*"action":"move","path":"'"$T"'/v4/bad4.com","target":"'"$T"'/q/bad4.com"'
assert_match "a remove entry" "$(line 5)" '"seq":5,.*"action":"remove","path":"'"$T"'/v5/bad5.com","signature":"Test.Eicar.UNOFFICIAL"\}$'
assert_eq "line 2's prev is the SHA-256 of line 1" \
    "$(line 1 | tr -d '\n' | sha256sum | cut -d' ' -f1)" \
    "$(line 2 | sed -E 's/.*"prev":"([0-9a-f]{64})".*/\1/')"
verify "$L"
assert_rc "intact log" 0
assert_eq "intact: count and head" "$L: intact, 5 entries
$L: head $(line 5 | tr -d '\n' | sha256sum | cut -d' ' -f1)" "$OUT"
cp "$L" good.log

# ---- tampering -------------------------------------------------------------
tampered() { # DESC EXPECTED-LINE-TEXT: verify $L, expect exit 1 and that report
    verify "$L"
    assert_rc "$1: verify fails" 1
    assert_eq "$1: the first wrong line and what is wrong" "$2" "$(printf '%s\n' "$OUT" | head -n 1)"
    cp good.log "$L"
}
sed -i '3s/bad3.com/bad9.com/' "$L"
tampered "edited path" "$L: line 3: edited: its SHA-256 is not the prev of line 4"
sed -i '2s/"copy"/"copx"/' "$L"
tampered "edited action" "$L: line 2: edited: its SHA-256 is not the prev of line 3"
sed -i '2s/"seq":2,/"seq":2 ,/; 2s/{/[/' "$L"
tampered "line 2 no longer JSON" "$L: line 2: edited: not a valid audit entry"
sed -i '3d' "$L"
tampered "removed entry" "$L: line 3: removed: entries 3..3 are missing before this line"
sed -i '1d' "$L"
tampered "removed first entry" "$L: line 1: removed: entries 1..1 are missing before this line"
{ sed -n 1,2p good.log; sed -n 4p good.log; sed -n 3p good.log; sed -n 5p good.log; } > "$L"
tampered "reordered entries" "$L: line 3: reordered: seq 4 here, but entry 3 is at line 4"
# An inserted entry forged to chain onto line 2 (right prev, next seq).
forged=$(line 3 | sed -E 's/"path":"[^"]*"/"path":"\/forged"/')
{ sed -n 1,2p good.log; printf '%s\n' "$forged"; sed -n '3,$p' good.log; } > "$L"
tampered "inserted entry" "$L: line 3: inserted: line 4 chains to the line before this one"
sed -i '1s/"prev":"0/"prev":"1/' "$L"
tampered "first prev not zeros" "$L: line 1: edited: the first entry's prev is not 64 zeros"

# ---- a torn last line --------------------------------------------------------
head -c -20 good.log > "$L"
verify "$L"
assert_rc "torn last line: verify fails" 1
assert_match "torn: reported as such" "$OUT" "^$L: line 5: torn: the last line has no newline"
vscan --no-builtin -d sigs.hdb --audit-log="$L" --copy=q v6/bad6.com
assert_rc "a write after the tear" 1
assert_match "the tear is put on record, chained to the last good line" "$(line 6)" \
    '^\{"seq":5,"prev":"'"$(line 4 | tr -d '\n' | sha256sum | cut -d' ' -f1)"'",.*"action":"recover","lost":"'"$(line 5 | tr -d '\n' | sha256sum | cut -d' ' -f1)"'","lost_bytes":[0-9]+,"detail":"the last line had no newline: a write was cut short"\}$'
assert_match "then the new entry" "$(line 7)" '^\{"seq":6,.*"action":"copy","path":"'"$T"'/v6/bad6.com"'
verify "$L"
assert_rc "recovered log verifies" 0
assert_match "recovered: the damage is counted" "$OUT" \
    "^$L: intact, 6 entries, 1 damaged line\(s\) on record"
# The recovered fragment cannot be edited afterwards: its hash is on record.
sed -i '5s/^{"seq"/{"seX"/' "$L"
verify "$L"
assert_rc "editing the recorded fragment is caught" 1
assert_eq "edited fragment: reported" "$L: line 5: edited: not a valid audit entry" \
    "$(printf '%s\n' "$OUT" | head -n 1)"

# ---- concurrent writers -------------------------------------------------------
rm -f "$L"
mkdir many
for i in $(seq 1 30); do cp eicar.com "many/e$i.com"; done
for w in 1 2 3 4; do
    mkdir -p "q$w"
    "$VIGIL" scan --no-builtin -d sigs.hdb --audit-log="$L" -j 2 --copy="q$w" many \
        > /dev/null 2>&1 &
done
wait
assert_eq "4 writers x 30 copies = 120 lines" 120 "$(wc -l < "$L")"
verify "$L"
assert_rc "concurrent writers: chain intact" 0
assert_eq "concurrent writers: seq 1..120 in order" "$(seq 1 120)" \
    "$(sed -E 's/^\{"seq":([0-9]+),.*/\1/' "$L")"

# ---- where the log goes -------------------------------------------------------
rm -f "$T/.audit.log"
cp eicar.com d1.com
vscan --no-builtin -d sigs.hdb d1.com
assert_no_file "no action, no audit log" "$T/.audit.log"
vscan --no-builtin -d sigs.hdb --remove d1.com
assert_eq "root default (here \$VIGIL_AUDIT_LOG): one entry" 1 "$(wc -l < "$T/.audit.log")"
vscan --no-builtin -d sigs.hdb --audit-log=/nonexistent/dir/audit.log --remove eicar.com
assert_rc "an --audit-log that cannot be opened stops the scan" 2
assert_contains "... with the reason" "$ERR" "ERROR: Can't open audit log /nonexistent/dir/audit.log: No such file or directory"
assert_file "... before anything was removed" eicar.com
if command -v setpriv > /dev/null; then
    chmod 755 "$T" && mkdir -p user && cp eicar.com user/u.com && chmod -R a+rwX user && chmod a+r sigs.hdb
    run setpriv --reuid=65534 --regid=65534 --clear-groups env -u VIGIL_AUDIT_LOG \
        "$VIGIL" scan --no-builtin -d sigs.hdb --remove user/u.com
    assert_rc "non-root --remove without --audit-log works" 1
    assert_no_file "non-root: file removed" user/u.com
    assert_eq "non-root: no warning about an audit log" "" "$ERR"
else
    skip "setpriv missing: non-root default not tested"
fi

verify "$T/missing.log"
assert_rc "verify of a missing file" 2
run "$VIGIL" audit frobnicate
assert_rc "unknown audit subcommand" 2

finish
