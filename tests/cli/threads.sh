#!/usr/bin/env bash
# cli/threads: -j N scans in parallel but prints in walk order: -j 1 and -j 4
# give byte-identical per-file output (and summary counts) on a tree of 500
# (501) files mixing clean, infected, empty, big and excluded files, several times.
. "$(dirname "$0")/../lib/common.sh"

make_eicar eicar.com
head -c 3000 /dev/urandom > other.bin
hdb_line eicar.com Test.Eicar > sigs.hdb
hsb_line other.bin Test.Other sha256 >> sigs.hsb

mkdir tree
for d in $(seq 0 9); do
    mkdir -p "tree/d$d/sub"
    for f in $(seq 0 49); do
        case $((f % 9)) in
        0) cp eicar.com "tree/d$d/f$f" ;;
        1) : > "tree/d$d/f$f" ;;
        2) cp other.bin "tree/d$d/sub/f$f" ;;
        3) head -c $((f * 5000)) /dev/urandom > "tree/d$d/f$f.big" ;;
        *) echo "file $d $f" > "tree/d$d/f$f.txt" ;;
        esac
    done
done
head -c 20000000 /dev/urandom > tree/d0/aaa-slow.bin
n=$(find tree -type f | wc -l)
assert_eq "tree has 501 files" 501 "$n"

# Drop what legitimately differs between runs: times and dates (text and JSON).
norm() {
    printf '%s\n' "$1" | grep -v -E '^(Time|Start Date|End Date): ' |
        sed -E 's/"(time_ms|start_date|end_date)":("[^"]*"|[0-9.]+)/"\1":X/g'
}

check_same() { # DESC ARGS...
    local desc=$1 base i
    shift
    vscan --no-builtin -d sigs.hdb -d sigs.hsb -j 1 "$@"
    assert_rc "$desc -j 1" 1 || return
    base=$(norm "$OUT")
    for i in 1 2 3; do
        vscan --no-builtin -d sigs.hdb -d sigs.hsb -j 4 "$@"
        assert_rc "$desc -j 4 run $i" 1
        assert_eq "$desc: -j 4 run $i output identical to -j 1, same order" "$base" "$(norm "$OUT")"
    done
    vscan --no-builtin -d sigs.hdb -d sigs.hsb -j 16 "$@"
    assert_eq "$desc: -j 16 output identical to -j 1" "$base" "$(norm "$OUT")"
}

check_same "-r tree" -r tree
lines=$(printf '%s\n' "$OUT" | grep -c -E ': (OK|Empty file|.* FOUND)$')
assert_eq "-r tree: one line per file" "$n" "$lines"
check_same "-r -i" -r -i tree
check_same "-r -z --exclude" -r -z '--exclude=\.txt$' tree
check_same "several paths" -r tree/d3 eicar.com tree/d1/sub tree/d7
check_same "--json" -r --json tree

# The log file keeps the same order too.
rm -f j1.log j4.log
vscan --no-builtin -d sigs.hdb -d sigs.hsb -j 1 -r -l j1.log tree
vscan --no-builtin -d sigs.hdb -d sigs.hsb -j 4 -r -l j4.log tree
assert_eq "-l log: -j 4 identical to -j 1" "$(norm "$(cat j1.log)")" "$(norm "$(cat j4.log)")"

# -j 4 finds exactly the same set as -j 1 when some workers take longer.
vscan --no-builtin -d sigs.hdb -d sigs.hsb -j 4 -r tree
expected=$(( $(find tree -type f -size 68c | wc -l) + $(find tree -type f -size 3000c | wc -l) ))
assert_eq "-j 4: Infected files = copies of the two signed files" "$expected" \
    "$(summary_value 'Infected files' "$OUT")"

finish
