#!/usr/bin/env bash
# cli/builtin: the bundled signatures (EICAR as Win.Test.EICAR_HDB-1, clam.exe
# as Clamav.Test.File-6, no .UNOFFICIAL suffix) and --no-builtin.
. "$(dirname "$0")/../lib/common.sh"

make_eicar eicar.com
echo clean > clean.txt
head -c 1000 /dev/urandom > r.bin
mkdir defdb
hdb_line r.bin Test.Random > defdb/local.hdb
export VIGIL_DATABASE_DIR=$T/defdb

vscan eicar.com clean.txt
assert_rc "builtin EICAR" 1
assert_has_line "builtin EICAR name" "$OUT" "eicar.com: Win.Test.EICAR_HDB-1 FOUND"
assert_has_line "clean file OK" "$OUT" "clean.txt: OK"

clamexe=$CLAMAV_TESTFILES/clam.exe
if [ -r "$clamexe" ]; then
    cp "$clamexe" clam.exe
    vscan clam.exe
    assert_rc "builtin clam.exe" 1
    assert_has_line "builtin clam.exe name" "$OUT" "clam.exe: Clamav.Test.File-6 FOUND"
else
    skip "clam.exe: $clamexe not readable"
fi

# EICAR one byte longer or shorter is another file for a hash signature.
{ cat eicar.com; echo; } > eicar-nl.com
head -c 67 eicar.com > eicar-short.com
vscan --no-summary eicar-short.com
assert_rc "67-byte EICAR prefix is not the EICAR hash" 0

vscan --no-builtin eicar.com
assert_rc "--no-builtin: EICAR not detected" 0
assert_has_line "--no-builtin: EICAR OK" "$OUT" "eicar.com: OK"
vscan --no-builtin r.bin
assert_rc "--no-builtin keeps the default database directory" 1
assert_has_line "--no-builtin: default-dir signature" "$OUT" "r.bin: Test.Random.UNOFFICIAL FOUND"

# Known viruses: with -d and --no-builtin exactly the lines of the file.
hdb_line eicar.com A > three.hdb
hdb_line r.bin B >> three.hdb
hdb_line clean.txt C >> three.hdb
vscan --no-builtin -d three.hdb clean.txt
assert_eq "--no-builtin -d: Known viruses counts the db lines" 3 "$(summary_value 'Known viruses' "$OUT")"
vscan -d three.hdb clean.txt
kv=$(summary_value 'Known viruses' "$OUT")
if [ "$kv" != "(none)" ] && [ "$kv" -gt 3 ] 2>/dev/null; then
    ok "with builtins Known viruses ($kv) is more than the 3 db lines"
else
    fail "with builtins Known viruses should exceed 3, got '$kv'"
    show stdout "$OUT"
fi
# -d with builtins: EICAR found (by either name), once.
vscan -d three.hdb eicar.com
assert_rc "-d plus builtins: EICAR found" 1
assert_eq "-d plus builtins: one FOUND line" 1 "$(printf '%s\n' "$OUT" | grep -c ' FOUND$')"

finish
