#!/usr/bin/env bash
# compat/dbdir: -d with a directory of databases: mixed formats, files of
# unknown extension (ignored), an empty directory, a bad file inside.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/compat.sh"

make_eicar eicar.com
head -c 3000 /dev/urandom > other.bin
head -c 5000 /dev/urandom > third.bin
echo clean > clean.txt

mkdir db
hdb_line eicar.com Test.Eicar > db/main.hdb
hsb_line other.bin Test.Other256 sha256 > db/more.hsb
hsb_line third.bin Test.Third1 sha1 >> db/more.hsb
hdb_line third.bin Allowed.Third > db/local.fp
head -c 300 /dev/urandom > db/junk.xyz
echo "not a database" > db/README
compat_run -d db eicar.com other.bin third.bin clean.txt
compare_all "directory of .hdb .hsb .fp plus unknown files"

compat_run -d db -d db eicar.com
compare_all "the same directory twice"

mkdir emptydb
compat_run -d emptydb eicar.com
compare_rc "empty database directory"
compare_found "empty database directory"

mkdir onlyjunk
echo hello > onlyjunk/notes.txt
compat_run -d onlyjunk eicar.com
compare_rc "directory with no database file"

mkdir withempty
cp db/main.hdb withempty/
: > withempty/zero.hdb
compat_run -d withempty eicar.com
compare_rc "directory holding an empty .hdb"
compare_found "directory holding an empty .hdb"

mkdir garbage
cp db/main.hdb garbage/
{ printf R; head -c 200 /dev/urandom | tr '\n' x; } > garbage/x.hdb  # R: never a '#' comment
compat_run -d garbage eicar.com
compare_rc "directory holding random bytes named x.hdb"
compare_found "directory holding random bytes named x.hdb"

compat_run -d missing-dir eicar.com
compare_rc "-d naming a missing path"
compare_found "-d naming a missing path"

finish
