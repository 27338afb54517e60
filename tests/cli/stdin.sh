#!/usr/bin/env bash
# cli/stdin: "-" scans standard input, from a regular file, a pipe and a large
# pipe (so a scanner that needs a size or a seek cannot cheat).
. "$(dirname "$0")/../lib/common.sh"

make_eicar eicar.com
echo clean > clean.txt
: > empty
head -c 30000000 /dev/urandom > big.bin
hdb_line eicar.com Test.Eicar > sigs.hdb
hdb_line big.bin Test.Big >> sigs.hdb

run --in eicar.com "$VIGIL" scan --no-builtin -d sigs.hdb -
assert_rc "stdin redirected from EICAR" 1
assert_has_line "stdin line" "$OUT" "stdin: Test.Eicar.UNOFFICIAL FOUND"
assert_eq "stdin counts as one scanned file" 1 "$(summary_value 'Scanned files' "$OUT")"

run --in clean.txt "$VIGIL" scan --no-builtin -d sigs.hdb --no-summary -
assert_rc "stdin clean" 0
assert_eq "stdin clean output" "stdin: OK" "$OUT"

run --in empty "$VIGIL" scan --no-builtin -d sigs.hdb --no-summary -
assert_rc "stdin empty" 0
assert_eq "stdin empty output (clamscan prints OK)" "stdin: OK" "$OUT"

run bash -c 'cat eicar.com | "$0" scan --no-builtin -d sigs.hdb --no-summary -' "$VIGIL"
assert_rc "stdin from a pipe" 1
assert_eq "stdin from a pipe output" "stdin: Test.Eicar.UNOFFICIAL FOUND" "$OUT"

run bash -c 'cat big.bin | "$0" scan --no-builtin -d sigs.hdb --no-summary -' "$VIGIL"
assert_rc "30 MB through a pipe" 1
assert_eq "30 MB through a pipe output" "stdin: Test.Big.UNOFFICIAL FOUND" "$OUT"

run bash -c 'cat big.bin | "$0" scan --no-builtin -d sigs.hdb --no-summary --max-filesize=1M -' "$VIGIL"
assert_rc "pipe over --max-filesize is not detected" 0

run bash -c '(cat big.bin; echo x) | "$0" scan --no-builtin -d sigs.hdb --no-summary -' "$VIGIL"
assert_rc "pipe one byte longer than the signature" 0

run bash -c 'cat eicar.com | "$0" scan -d sigs.hdb --no-summary -' "$VIGIL"
assert_rc "stdin with builtins" 1

run --in eicar.com "$VIGIL" scan --no-builtin -d sigs.hdb --json -
assert_rc "stdin --json" 1

finish
