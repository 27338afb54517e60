#!/usr/bin/env bash
# cli/output: --quiet, --stdout, and the progress line (only when stderr is a
# terminal: stdout and a non-terminal stderr never carry it).
. "$(dirname "$0")/../lib/common.sh"

make_eicar eicar.com
echo clean > clean.txt
hdb_line eicar.com Test.Eicar > sigs.hdb
mkdir tree
for i in $(seq 1 50); do echo "file $i" > "tree/f$i"; done
cp eicar.com tree/e

vscan --no-builtin -d sigs.hdb --quiet eicar.com clean.txt
assert_rc "--quiet with a detection" 1
assert_eq "--quiet: stdout empty" "" "$OUT"
assert_eq "--quiet: stderr empty" "" "$ERR"
vscan --no-builtin -d sigs.hdb --quiet clean.txt
assert_rc "--quiet clean" 0
vscan --no-builtin -d sigs.hdb --quiet clean.txt missing
assert_rc "--quiet with a missing path" 2
assert_eq "--quiet: still nothing on stdout" "" "$OUT"

vscan --no-builtin -d sigs.hdb --stdout clean.txt missing eicar.com
assert_rc "--stdout" 1
assert_has_line "--stdout: warning on stdout" "$OUT" "WARNING: missing: Can't access file"
assert_lacks_line "--stdout: warning not on stderr" "$ERR" "WARNING: missing: Can't access file"
vscan --no-builtin -d sigs.hdb clean.txt missing
assert_has_line "without --stdout: warning on stderr" "$ERR" "WARNING: missing: Can't access file"
assert_lacks_line "without --stdout: warning not on stdout" "$OUT" "WARNING: missing: Can't access file"

# No progress output when stderr is not a terminal.
vscan --no-builtin -d sigs.hdb -r tree
assert_eq "no progress on a non-terminal stderr" "" "$ERR"
plain_out=$OUT

# With a terminal on stderr (script(1) gives a pty), stdout is unchanged.
if command -v script >/dev/null; then
    RUN_TIMEOUT=30 run script -qec "\"$VIGIL\" scan --no-builtin -d sigs.hdb -r tree > tty.out" /dev/null
    assert_rc "scan with a terminal on stderr" 1
    strip() { sed -E 's/^(Time|Start Date|End Date): .*/\1: X/' ; }
    assert_eq "terminal on stderr: stdout identical to the non-terminal run" \
        "$(printf '%s\n' "$plain_out" | strip)" "$(strip < tty.out)"
    assert_not_contains "terminal on stderr: no carriage returns on stdout" "$(cat tty.out)" $'\r'

    # The progress line is redrawn at a human rate, not once per file: one
    # slow file (1 GiB, hashed for a size-* signature) then 20000 fast ones.
    truncate -s 1G slow.sparse
    printf '%s:*:Test.Never:73\n' 0123456789abcdef0123456789abcdef > star.hdb
    { echo slow.sparse; for i in $(seq 1 20000); do echo tree/f1; done; } > many.list
    start=$(date +%s.%N)
    RUN_TIMEOUT=60 run script -qec "\"$VIGIL\" scan --no-builtin -d star.hdb --max-filesize=0 --max-scansize=0 -f many.list > many.out" tty.log
    secs=$(echo "$(date +%s.%N) - $start" | bc)
    assert_rc "progress run" 0
    redraws=$(grep -o $'\r' tty.log | wc -l)
    limit=$(echo "($secs + 1) * 50 / 1" | bc)
    if [ "$redraws" -le "$limit" ]; then
        ok "progress: $redraws carriage returns in ${secs}s (limit $limit)"
    else
        fail "progress: $redraws carriage returns on the terminal in ${secs}s for 20001 files (limit 50/s): redrawn once per file?"
        printf '  | %s\n' "$(tr '\r' '\n' < tty.log | grep -m 3 Scanning)"
    fi
    rm -f slow.sparse
else
    skip "script(1) not installed: no pty check"
fi

# Bad command lines.
vscan --no-builtin --bogus-option clean.txt
assert_rc "unknown option" 2
vscan --no-builtin -d sigs.hdb --max-filesize=abc clean.txt
assert_rc "malformed --max-filesize" 2
vscan --no-builtin -d sigs.hdb -j 0 clean.txt
if [ "$RC" = 2 ] || [ "$RC" = 0 ]; then ok "-j 0 is refused or means default (exit $RC)"; else
    fail "-j 0: exit $RC"; show stderr "$ERR"; fi
vscan --no-builtin -d sigs.hdb -j abc clean.txt
assert_rc "-j abc" 2
# clamscan ignores an invalid --exclude regex and treats an invalid --include
# as matching nothing; vigil refuses the command line (exit 2, nothing scanned).
for o in '--exclude=(' '--include=[' '--exclude-dir=(' '--include-dir=*x'; do
    vscan --no-builtin -d sigs.hdb "$o" eicar.com
    assert_rc "invalid regex $o" 2
    assert_contains "invalid regex $o: error names the option" "$OUT$ERR" "${o%%=*}"
    assert_not_contains "invalid regex $o: nothing scanned" "$OUT" "FOUND"
done

# No path: the current directory, printed as absolute paths (as clamscan).
cd tree || exit 2
vscan --no-builtin -d ../sigs.hdb --no-summary
cd "$T" || exit 2
assert_rc "no path scans the current directory" 1
assert_has_line "no path: absolute names" "$OUT" "$T/tree/e: Test.Eicar.UNOFFICIAL FOUND"

finish
