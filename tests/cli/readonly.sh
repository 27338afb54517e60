#!/usr/bin/env bash
# cli/readonly: scanning changes nothing: every file's bytes, mode, size,
# mtime and ctime, and the directory listing, are the same after scans with
# every reporting option (--move/--copy/--remove are the only writers and are
# tested in cli/actions).
. "$(dirname "$0")/../lib/common.sh"

make_eicar eicar.com
hdb_line eicar.com Test.Eicar > sigs.hdb
hsb_line eicar.com Test.Eicar256 sha256 > sigs.hsb
mkdir -p tree/a/b tree/c
cp eicar.com tree/a/b/e
cp eicar.com tree/c/e2
: > tree/empty
echo text > tree/a/t
head -c 200000 /dev/urandom > tree/c/r
ln -s a/t tree/link
chmod 640 tree/a/t
chmod 4755 tree/c/r
touch -d '2001-02-03 04:05:06' tree/a/b/e tree/c/r tree/empty
state() { find tree -printf '%p %y %m %s %T@ %C@ %l\n' | sort; find tree -type f -print0 | sort -z | xargs -0 sha256sum; }
before=$(state)
sleep 1.1   # a touched mtime/ctime would then differ

for o in "" "-z" "-j 4" "--json" "-i -o" "--follow-dir-symlinks=2 --follow-file-symlinks=2" \
    "--max-filesize=1K --alert-exceeds-max" "-l $T/scan.log" "--stdout --no-summary"; do
    # shellcheck disable=SC2086
    vscan --no-builtin -d sigs.hdb -d sigs.hsb -r $o tree
    assert_rc "scan -r ${o:-(plain)}" 1
    assert_eq "scan -r ${o:-(plain)}: tree unchanged" "$before" "$(state)"
done
vscan -r tree tree/a/b/e
assert_eq "scan with builtins: tree unchanged" "$before" "$(state)"

finish
