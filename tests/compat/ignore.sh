#!/usr/bin/env bash
# compat/ignore: .ign2 and .ign ignore lists, by name and by name:md5 of the
# signature line, and the -d order (an ignore list acts on signatures loaded
# after it; in a database directory ignore lists are read first).
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/compat.sh"

make_eicar eicar.com
head -c 3000 /dev/urandom > other.bin
hdb_line eicar.com Test.Eicar > sigs.hdb
hdb_line other.bin Test.Other >> sigs.hdb
eicar_line=$(sed -n 1p sigs.hdb)

echo Test.Eicar > name.ign2
compat_run -d name.ign2 -d sigs.hdb eicar.com other.bin
compare_all ".ign2 by name, before the db"
assert_has_line ".ign2 by name: vigil reports eicar.com OK" "$V_OUT" "eicar.com: OK"
compat_run -d sigs.hdb -d name.ign2 eicar.com other.bin
compare_all ".ign2 by name, after the db"

echo Test.Eicar.UNOFFICIAL > suffixed.ign2
compat_run -d suffixed.ign2 -d sigs.hdb eicar.com
compare_all ".ign2 naming the .UNOFFICIAL name does not ignore"

echo "Test.Eicar:$(line_md5 "$eicar_line")" > namemd5.ign2
compat_run -d namemd5.ign2 -d sigs.hdb eicar.com other.bin
compare_all ".ign2 name:md5-of-line"

echo "Test.Eicar:$(printf '%s\n' "$eicar_line" | md5sum | cut -d' ' -f1)" > nlmd5.ign2
compat_run -d nlmd5.ign2 -d sigs.hdb eicar.com
compare_all ".ign2 name:md5 of the line with its newline (wrong md5)"

echo "Test.Eicar:00000000000000000000000000000000" > wrongmd5.ign2
compat_run -d wrongmd5.ign2 -d sigs.hdb eicar.com
compare_all ".ign2 name:wrong-md5 does not ignore"

echo "Test.Eicar:zz" > badmd5.ign2
compat_run -d badmd5.ign2 -d sigs.hdb eicar.com
compare_rc ".ign2 with a malformed md5"
compare_found ".ign2 with a malformed md5"

# Old .ign forms: one field, and the 3-field db:line:name form.
echo Test.Eicar > one.ign
compat_run -d one.ign -d sigs.hdb eicar.com other.bin
compare_all ".ign one field"
echo "sigs.hdb:1:Test.Eicar" > three.ign
compat_run -d three.ign -d sigs.hdb eicar.com other.bin
compare_all ".ign db:line:name"
echo "elsewhere.ndb:99:Test.Eicar" > threeother.ign
compat_run -d threeother.ign -d sigs.hdb eicar.com
compare_all ".ign db:line:name with another db and line"
echo "Test.Eicar:$(line_md5 "$eicar_line")" > namemd5.ign
compat_run -d namemd5.ign -d sigs.hdb eicar.com
compare_all ".ign name:md5"

# Ignoring the only signature of an md5 that two signatures share.
hsb_line eicar.com Test.Eicar256 sha256 > sigs.hsb
compat_run -z -d name.ign2 -d sigs.hdb -d sigs.hsb eicar.com
compare_all ".ign2 one of two matching sigs under --allmatch"

# Empty and comment-only ignore lists (clamscan accepts both, unlike an empty
# .hdb), and a blank line (refused).
: > empty.ign2
compat_run -d empty.ign2 -d sigs.hdb eicar.com
compare_all "empty .ign2"
: > empty.ign
compat_run -d empty.ign -d sigs.hdb eicar.com
compare_all "empty .ign"
printf '# nothing to ignore\n' > comment.ign2
compat_run -d comment.ign2 -d sigs.hdb eicar.com
compare_all ".ign2 with only a comment"
printf 'Test.Eicar\n\n' > blank.ign2
compat_run -d blank.ign2 -d sigs.hdb eicar.com
compare_rc ".ign2 with a blank line"
compare_found ".ign2 with a blank line"

# A database directory: the ignore list is read first whatever its name.
mkdir dbdir
cp sigs.hdb dbdir/a.hdb
echo Test.Eicar > dbdir/z.ign2
compat_run -d dbdir eicar.com other.bin
compare_all "directory with z.ign2 after a.hdb by name"

finish
