#!/usr/bin/env bash
# cli/actions: --move, --copy, --remove really act on infected files only:
# moved/copied bytes are identical, clean and empty files are untouched, the
# messages name the real path and the destination, and a bad quarantine
# directory is an error before anything is touched.
. "$(dirname "$0")/../lib/common.sh"

make_eicar eicar.com
hdb_line eicar.com Test.Eicar > sigs.hdb
esum=$(sha256sum < eicar.com)

setup() {
    rm -rf w q
    mkdir -p w/sub q
    cp eicar.com w/e1
    cp eicar.com w/sub/e2
    echo clean > w/c1
    : > w/empty
    touch -d '2001-01-01 00:00:00' w/c1 w/empty
    clean_state=$(cd w && find . -name c1 -o -name empty | sort | xargs stat -c '%n %s %Y %i')
}
clean_untouched() {
    assert_eq "$1: clean and empty files untouched" "$clean_state" \
        "$(cd w && find . -name c1 -o -name empty | sort | xargs stat -c '%n %s %Y %i')"
}

for j in 1 4; do
    setup
    vscan --no-builtin -d sigs.hdb -j $j -r --move=q w
    assert_rc "--move -j $j" 1
    assert_no_file "--move -j $j: w/e1 gone" w/e1
    assert_no_file "--move -j $j: w/sub/e2 gone" w/sub/e2
    assert_eq "--move -j $j: two files in quarantine" 2 "$(find q -type f | wc -l)"
    assert_eq "--move -j $j: quarantined bytes identical" \
        "$esum$esum" "$(find q -type f -exec sh -c 'sha256sum < "$1"' _ {} \; | tr -d '\n')"
    assert_has_line "--move -j $j: message for w/e1" "$OUT" \
        "w/e1 (real path: '$T/w/e1'): moved to '$T/q/e1'"
    assert_has_line "--move -j $j: message for w/sub/e2" "$OUT" \
        "w/sub/e2 (real path: '$T/w/sub/e2'): moved to '$T/q/e2'"
    assert_has_line "--move -j $j: detection still reported" "$OUT" "w/e1: Test.Eicar.UNOFFICIAL FOUND"
    clean_untouched "--move -j $j"
done

# Same name twice: the second gets a numbered suffix, nothing is overwritten.
setup
vscan --no-builtin -d sigs.hdb --move=q w/e1
cp eicar.com w/e1
vscan --no-builtin -d sigs.hdb --move=q w/e1
assert_has_line "--move onto an existing name" "$OUT" \
    "w/e1 (real path: '$T/w/e1'): moved to '$T/q/e1.001'"
assert_eq "--move twice: two files kept" 2 "$(find q -type f | wc -l)"

setup
vscan --no-builtin -d sigs.hdb -r --copy=q w
assert_rc "--copy" 1
assert_eq "--copy: original w/e1 intact" "$esum" "$(sha256sum < w/e1)"
assert_eq "--copy: original w/sub/e2 intact" "$esum" "$(sha256sum < w/sub/e2)"
assert_eq "--copy: two copies" 2 "$(find q -type f | wc -l)"
assert_has_line "--copy: message" "$OUT" "w/e1 (real path: '$T/w/e1'): copied to '$T/q/e1'"
clean_untouched "--copy"

setup
vscan --no-builtin -d sigs.hdb -r --remove w
assert_rc "--remove" 1
assert_no_file "--remove: w/e1 removed" w/e1
assert_no_file "--remove: w/sub/e2 removed" w/sub/e2
assert_has_line "--remove: message" "$OUT" "w/e1 (real path: '$T/w/e1'): Removed."
clean_untouched "--remove"

# A symlink to an infected file: the real file is acted on, as clamscan does.
setup
ln -s e1 w/link
vscan --no-builtin -d sigs.hdb --follow-file-symlinks=2 --copy=q w/link
assert_rc "--copy through a symlink" 1
assert_has_line "--copy through a symlink: real path" "$OUT" \
    "w/link (real path: '$T/w/e1'): copied to '$T/q/e1'"

# Nothing infected: nothing moved, nothing printed about moving.
setup
vscan --no-builtin -d sigs.hdb -r --move=q w/c1 w/empty
assert_rc "--move with clean files" 0
assert_eq "--move with clean files: quarantine empty" 0 "$(find q -type f | wc -l)"
assert_not_contains "--move with clean files: no message" "$OUT" "moved to"

# A quarantine directory that does not exist: error, the file stays.
setup
vscan --no-builtin -d sigs.hdb --move=nowhere w/e1
assert_rc "--move to a missing directory" 2
assert_file "--move to a missing directory: file stays" w/e1

# With --no-summary -i the action lines still appear.
setup
vscan --no-builtin -d sigs.hdb -r -i --no-summary --remove w
assert_has_line "--remove -i: message" "$OUT" "w/e1 (real path: '$T/w/e1'): Removed."

finish
