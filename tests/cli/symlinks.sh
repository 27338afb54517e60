#!/usr/bin/env bash
# cli/symlinks: symlink loops must not hang or blow up with
# --follow-dir-symlinks=2 (clamscan stops at its directory depth limit; a
# loop-aware walker may stop sooner), and the files behind them are found.
. "$(dirname "$0")/../lib/common.sh"

make_eicar eicar.com
hdb_line eicar.com Test.Eicar > sigs.hdb
mkdir -p sl/d target
cp eicar.com target/e
cp eicar.com sl/d/real
ln -s ../target sl/dirlink
ln -s .. sl/d/loop          # sl/d/loop -> sl
ln -s . sl/self             # sl/self -> sl
mkdir -p ab/a ab/b
ln -s ../b ab/a/tob
ln -s ../a ab/b/toa
cp eicar.com ab/a/x

for o in "--follow-dir-symlinks=2" "--follow-dir-symlinks=2 --follow-file-symlinks=2" \
    "--follow-dir-symlinks=2 -j 4"; do
    # shellcheck disable=SC2086
    RUN_TIMEOUT=20 vscan --no-builtin -d sigs.hdb -r $o sl
    if [ "$RC" = 124 ] || [ "$RC" = 137 ]; then
        fail "$o: loop scan did not finish in 20 s"
        continue
    fi
    assert_rc "$o: loop scan finishes" 1
    assert_has_line "$o: sl/d/real found" "$OUT" "sl/d/real: Test.Eicar.UNOFFICIAL FOUND"
    assert_has_line "$o: file behind the dir symlink found" "$OUT" \
        "sl/dirlink/e: Test.Eicar.UNOFFICIAL FOUND"
    n=$(printf '%s\n' "$OUT" | wc -l)
    if [ "$n" -lt 100000 ]; then ok "$o: bounded output ($n lines)"; else
        fail "$o: $n output lines for a 3-file tree"; fi
done

RUN_TIMEOUT=20 vscan --no-builtin -d sigs.hdb -r --follow-dir-symlinks=2 ab/a
assert_rc "two directories linking to each other" 1
assert_has_line "a/x found" "$OUT" "ab/a/x: Test.Eicar.UNOFFICIAL FOUND"

RUN_TIMEOUT=20 vscan --no-builtin -d sigs.hdb -r --follow-dir-symlinks=2 sl/self sl/d/loop
assert_rc "loop symlinks named on the command line" 1

# Default (1): directory symlinks inside the tree are not followed.
vscan --no-builtin -d sigs.hdb -r sl
assert_rc "default symlink policy" 1
assert_lacks_line "default: sl/dirlink not followed" "$OUT" "sl/dirlink/e: Test.Eicar.UNOFFICIAL FOUND"

finish
