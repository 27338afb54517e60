#!/usr/bin/env bash
# cli/dbload: database loading errors and the default database directory.
# A malformed line fails the load with "file:LINE: reason" and exit 2 (no
# file is scanned); an empty .hdb fails as in clamscan; a -d directory with
# garbage in x.hdb fails naming x.hdb:1; files of unknown extensions are
# ignored; without -d, VIGIL_DATABASE_DIR is read and an unsupported .ndb
# (and .ldb, .cbc) gives one warning each while the scan still works.
. "$(dirname "$0")/../lib/common.sh"

make_eicar eicar.com
echo clean > clean.txt
good=$(hdb_line eicar.com Test.Eicar)

# malformed DESC LINE2: a db whose 2nd line is LINE2 must fail at line 2.
malformed() {
    printf '%s\n%s\n%s\n' "$good" "$2" "$good" > bad.hdb
    vscan --no-builtin -d bad.hdb eicar.com
    assert_rc "malformed line ($1)" 2
    assert_contains "malformed line ($1): stderr has file:line" "$ERR" "bad.hdb:2:"
    assert_not_contains "malformed line ($1): nothing scanned" "$OUT" "FOUND"
}
malformed "bad hex" "zz3aa2b1c0d9e8f7a6b5c4d3e2f1a0b9c:68:X"
malformed "hash of 31 digits" "44d88612fea8a8f36de82e1278abb02:68:X"
malformed "two fields" "44d88612fea8a8f36de82e1278abb02f:68"
malformed "size not a number" "44d88612fea8a8f36de82e1278abb02f:6x8:X"
malformed "size * without flevel" "44d88612fea8a8f36de82e1278abb02f:*:X"
malformed "empty name" "44d88612fea8a8f36de82e1278abb02f:68:"
malformed "blank line" ""

# Line number counts every line, comments included.
printf '# one\n# two\n%s\nnot a signature\n' "$good" > counted.hdb
vscan --no-builtin -d counted.hdb eicar.com
assert_rc "error after comment lines" 2
assert_contains "error after comments: line 4" "$ERR" "counted.hdb:4:"

# The same for the other formats.
printf '%s\nabc:1:X\n' "$(hsb_line eicar.com S sha256)" > bad.hsb
vscan --no-builtin -d bad.hsb eicar.com
assert_rc "malformed .hsb" 2
assert_contains "malformed .hsb: file:line" "$ERR" "bad.hsb:2:"
printf '%s\nzz:1:X\n' "$good" > bad.fp
vscan --no-builtin -d bad.fp eicar.com
assert_rc "malformed .fp" 2
assert_contains "malformed .fp: file:line" "$ERR" "bad.fp:2:"
printf 'Name\nName:nothex\n' > bad.ign2
vscan --no-builtin -d bad.ign2 eicar.com
assert_rc "malformed .ign2" 2
assert_contains "malformed .ign2: file:line" "$ERR" "bad.ign2:2:"

: > empty.hdb
vscan --no-builtin -d empty.hdb eicar.com
assert_rc "empty .hdb (clamscan: Empty database file)" 2
assert_contains "empty .hdb: error names the file" "$ERR" "empty.hdb"

vscan --no-builtin -d missing.hdb eicar.com
assert_rc "-d missing file" 2
assert_contains "-d missing file: error names it" "$ERR" "missing.hdb"

# A directory: garbage named x.hdb fails, unknown extensions are ignored.
mkdir garbage
echo "$good" > garbage/a.hdb
{ printf R; head -c 4000 /dev/urandom | tr -d '\n'; } > garbage/x.hdb  # R: never a '#' comment
vscan --no-builtin -d garbage eicar.com
assert_rc "directory with random bytes in x.hdb" 2
assert_contains "random x.hdb: file:line" "$ERR" "x.hdb:1:"

mkdir junkdir
echo "$good" > junkdir/a.hdb
head -c 4000 /dev/urandom > junkdir/random.bin
head -c 4000 /dev/urandom > junkdir/x.unknownext
head -c 4000 /dev/urandom > junkdir/noext
head -c 4000 /dev/urandom > junkdir/hdb
vscan --no-builtin -d junkdir eicar.com
assert_rc "directory with files of unknown extensions" 1
assert_has_line "unknown extensions ignored: still detects" "$OUT" "eicar.com: Test.Eicar.UNOFFICIAL FOUND"
assert_eq "unknown extensions ignored: Known viruses 1" 1 "$(summary_value 'Known viruses' "$OUT")"

# A subdirectory named like a database (clamscan 1.4.6 hangs on it): vigil
# must not hang; skipping it or refusing it with its name are both fine.
mkdir junkdir/sub.hdb
vscan --no-builtin -d junkdir eicar.com
case $RC in
1) ok "subdirectory sub.hdb in a -d directory skipped" ;;
2) assert_contains "subdirectory sub.hdb refused: error names it" "$ERR" "sub.hdb" ;;
*) fail "subdirectory sub.hdb in a -d directory: exit $RC"; show stderr "$ERR" ;;
esac

# The default directory (no -d): VIGIL_DATABASE_DIR.
mkdir defdb
echo "$good" > defdb/main.hdb
echo 'Test.Crb' > defdb/x.crb
head -c 64 /dev/urandom > defdb/y.pdb
head -c 512 /dev/urandom > defdb/z.cbc
echo "not a db" > defdb/notes.txt
export VIGIL_DATABASE_DIR=$T/defdb
vscan --no-builtin eicar.com clean.txt
assert_rc "default dir with unsupported formats: scan works" 1
assert_has_line "default dir: the .hdb signature is used" "$OUT" "eicar.com: Test.Eicar.UNOFFICIAL FOUND"
for f in x.crb y.pdb z.cbc; do
    n=$(printf '%s\n' "$ERR" | grep -c -F "$f")
    assert_eq "default dir: exactly one warning naming $f" 1 "$n"
done
assert_not_contains "default dir: no warning about notes.txt" "$ERR" "notes.txt"
assert_not_contains "default dir: no warning about main.hdb" "$ERR" "main.hdb"
assert_eq "default dir: Known viruses counts the .hdb" 1 "$(summary_value 'Known viruses' "$OUT")"

vscan eicar.com
assert_rc "default dir plus builtins" 1

echo "zz:68:Bad" > defdb/broken.hdb
vscan --no-builtin eicar.com
assert_rc "default dir with a malformed .hdb still fails" 2
assert_contains "default dir malformed: file:line" "$ERR" "broken.hdb:1:"
rm defdb/broken.hdb

export VIGIL_DATABASE_DIR=$T/no-such-dir
vscan --no-builtin eicar.com
assert_rc "default dir missing and --no-builtin: nothing to scan with" 2

finish
