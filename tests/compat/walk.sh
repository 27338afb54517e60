#!/usr/bin/env bash
# compat/walk: what gets scanned and what is printed: -r trees with empty
# files and empty directories, a directory without -r, several paths, -i, -o,
# --no-summary, --exclude/--include/--exclude-dir/--include-dir, -f lists,
# and the names of the SCAN SUMMARY lines.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/compat.sh"

make_eicar eicar.com
mkdir -p tree/a/b tree/c tree/emptydir tree/d/e/f
cp eicar.com tree/a/b/x.com
cp eicar.com tree/c/y.txt
cp eicar.com tree/d/e/f/deep.bin
echo hi > tree/a/clean
: > tree/a/empty
: > tree/c/e2
echo 'more text' > tree/d/notes.txt
head -c 10000 /dev/urandom > tree/d/e/rand.dat
hdb_line eicar.com Test.Eicar > sigs.hdb

compat_run -d sigs.hdb -r tree
compare_all "-r tree"
compat_run -d sigs.hdb --recursive tree/
compare_all "--recursive tree/ (trailing slash)"
compat_run -d sigs.hdb -r ./tree/a
compare_all "-r ./tree/a"
compat_run -d sigs.hdb -r "$T/tree/c"
compare_all "-r absolute path"
compat_run -d sigs.hdb tree
compare_all "directory without -r (top level only)"
compat_run -d sigs.hdb tree/c
compare_all "directory of files without -r"
compat_run -d sigs.hdb -r tree/emptydir
compare_all "-r empty directory"
compat_run -d sigs.hdb tree/a/empty
compare_all "one empty file"
compat_run -d sigs.hdb -r tree/c tree/a/clean eicar.com tree/d
compare_all "several paths, files and directories"
compat_run -d sigs.hdb -r tree/c tree/c
compare_all "the same path twice"

compat_run -d sigs.hdb -r -i tree
compare_all "-i"
compat_run -d sigs.hdb -r --infected tree
compare_all "--infected"
compat_run -d sigs.hdb -r -o tree
compare_all "-o"
compat_run -d sigs.hdb -r --suppress-ok-results tree
compare_all "--suppress-ok-results"
compat_run -d sigs.hdb -r --no-summary tree
compare_all "--no-summary"
assert_eq "--no-summary: vigil prints only per-file lines" \
    "$(printf '%s\n' "$V_OUT" | grep -v -E '^.+: .+$' || true)" ""
compat_run -d sigs.hdb -r -i --no-summary tree tree/a/clean
compare_all "-i --no-summary"

# The summary block has clamscan's lines in clamscan's order (vigil may add
# "Limits exceeded"; the values of times and sizes are not compared).
compat_run -d sigs.hdb -r tree
fields() {
    printf '%s\n' "$1" | sed -n '/^----------- SCAN SUMMARY -----------$/,$p' |
        sed -n 's/^\([A-Za-z ]*\):.*/\1/p' | grep -v '^Limits exceeded$'
}
_cmp "summary field names" "$(fields "$C_OUT")" "$(fields "$V_OUT")"
_cmp "summary header and blank line before it" \
    "$(printf '%s\n' "$C_OUT" | grep -B1 -x -- '----------- SCAN SUMMARY -----------')" \
    "$(printf '%s\n' "$V_OUT" | grep -B1 -x -- '----------- SCAN SUMMARY -----------')"

# Include/exclude. clamscan matches file patterns against the absolute path
# and directory patterns against the path as walked; the patterns below are
# anchored at the end so both readings agree.
compat_run -d sigs.hdb -r '--exclude=\.com$' tree
compare_all "--exclude=\\.com\$"
compat_run -d sigs.hdb -r --exclude='/clean$' --exclude='\.txt$' tree
compare_all "two --exclude"
compat_run -d sigs.hdb -r '--include=\.(com|txt)$' tree
compare_all "--include"
compat_run -d sigs.hdb -r '--include=\.com$' '--include=/empty$' tree
compare_all "two --include"
compat_run -d sigs.hdb -r '--exclude-dir=/b$' tree
compare_all "--exclude-dir=/b\$"
compat_run -d sigs.hdb -r '--exclude-dir=/e$' '--exclude-dir=/a$' tree
compare_all "two --exclude-dir"
compat_run -d sigs.hdb -r '--exclude-dir=^tree$' tree
compare_all "--exclude-dir matching the top directory"
compat_run -d sigs.hdb -r '--include-dir=(tree|/c)$' tree
compare_all "--include-dir"
compat_run -d sigs.hdb -r '--include-dir=(tree|/d|/e)$' '--exclude=\.dat$' tree
compare_all "--include-dir with --exclude"
compat_run -d sigs.hdb -r -i '--exclude-dir=/b$' tree
compare_all "--exclude-dir with -i (no Excluded lines)"
compat_run -d sigs.hdb -r -o '--exclude=/clean$' tree
compare_all "--exclude with -o (Excluded lines stay)"
compat_run -d sigs.hdb '--exclude=\.com$' eicar.com
compare_all "--exclude of a file named on the command line"

# Directory depth: clamscan stops at 15 levels (--max-dir-recursion).
p=deep
for i in $(seq 1 20); do p=$p/d$i; mkdir -p "$p"; cp eicar.com "$p/e"; done
assert_eq "deep tree built" 20 "$(find deep -type f | wc -l)"
compat_run -d sigs.hdb -r deep
compare_all "-r 20 levels deep (default --max-dir-recursion)"
compat_run -d sigs.hdb -r --max-dir-recursion=3 deep
compare_all "--max-dir-recursion=3"

# -f file lists.
printf '%s\n' tree/a/clean tree/c/y.txt tree/a/empty eicar.com > list1
compat_run -d sigs.hdb -f list1
compare_all "-f list of files"
printf '%s\n' tree/a tree/c/y.txt > list2
compat_run -d sigs.hdb --file-list=list2
compare_all "--file-list with a directory, no -r"
compat_run -d sigs.hdb -r -f list2
compare_all "-f list with a directory and -r"
printf '%s\r\n' tree/a/clean eicar.com > crlflist
printf '  %s\n' tree/a/clean >> crlflist
printf '%s  \n' eicar.com >> crlflist
compat_run -d sigs.hdb -f crlflist
compare_all "-f list with CRLF lines and leading/trailing spaces"
compare_stderr_lines "-f list with CRLF lines and leading/trailing spaces"
: > emptylist
compat_run -d sigs.hdb -f emptylist
compare_rc "-f empty list"
compare_found "-f empty list"

finish
