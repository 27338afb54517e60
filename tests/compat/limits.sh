#!/usr/bin/env bash
# compat/limits: --max-filesize (above, equal, 0 = no limit, K/M suffixes),
# --alert-exceeds-max, --max-scansize. vigil also reports a hit limit in the
# summary ("Limits exceeded: N"), which clamscan does not print.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/compat.sh"

make_eicar eicar.com
head -c 2000000 /dev/urandom > big.bin
hdb_line big.bin Test.Big > sigs.hdb
hdb_line eicar.com Test.Eicar >> sigs.hdb

compat_run -d sigs.hdb big.bin
compare_all "no size option: big file detected"

compat_run -d sigs.hdb --max-filesize=1M big.bin eicar.com
compare_all "--max-filesize=1M, 2,000,000-byte file"
assert_eq "--max-filesize hit: vigil's summary says Limits exceeded: 1" \
    1 "$(summary_value 'Limits exceeded' "$V_OUT")"

compat_run -d sigs.hdb --max-filesize=1953K big.bin
compare_all "--max-filesize=1953K (just under)"
compat_run -d sigs.hdb --max-filesize=1999999 big.bin
compare_all "--max-filesize one byte under the size"
compat_run -d sigs.hdb --max-filesize=2000000 big.bin
compare_all "--max-filesize equal to the size"
assert_eq "limit not hit: vigil prints no Limits exceeded line" \
    "(none)" "$(summary_value 'Limits exceeded' "$V_OUT")"
compat_run -d sigs.hdb --max-filesize=0 big.bin
compare_all "--max-filesize=0 (no limit)"

compat_run -d sigs.hdb --max-filesize=1M --alert-exceeds-max big.bin eicar.com
compare_all "--alert-exceeds-max"
assert_has_line "--alert-exceeds-max: heuristic name" "$V_OUT" \
    "big.bin: Heuristics.Limits.Exceeded.MaxFileSize FOUND"

mkdir tree
cp big.bin tree/a
cp big.bin tree/b
cp eicar.com tree/c
compat_run -d sigs.hdb -r --max-filesize=1M tree
compare_all "-r with two files over --max-filesize"
assert_eq "two files over the limit: Limits exceeded: 2" \
    2 "$(summary_value 'Limits exceeded' "$V_OUT")"

compat_run -d sigs.hdb --max-filesize=3M --max-scansize=1M big.bin
compare_all "--max-scansize below the file size"
compat_run -d sigs.hdb --max-filesize=3M --max-scansize=3M big.bin
compare_all "--max-scansize above the file size"

finish
