#!/usr/bin/env bash
# compat/yara_order: clamscan loads a YARA rule as a logical signature, so
# logical signatures and YARA rules are reported in the order their files
# were loaded (interleaved when a .yar file sits between two .ldb files),
# and without --allmatch the first in that order is the one reported;
# signatures of the object's own target type come before both. The
# scanned file starts with an ELF header: clamscan reports every match of
# a text file twice with --allmatch (its raw and normalised-text scans),
# which is another matter than the order.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/compat.sh"

{ head -c 64 /usr/bin/ls; printf 'hello world vigil test data here\n'; } > f.elf
printf 'L.One;Engine:51-255,Target:0;0;68656c6c6f\nL.Two;Engine:51-255,Target:0;0;776f726c64\n' > a.ldb
printf 'L.Three;Engine:51-255,Target:0;0;74657374\n' > c.ldb
cat > b.yar <<'R'
rule Y1 { strings: $a = "vigil" condition: $a }
rule Y2 { strings: $a = "data" condition: $a }
R
printf 'rule Never { strings: $a = "absent" condition: $a }\n' > n.yar
printf 'L.Elf;Engine:51-255,Target:6;0;68656c6c6f\n' > e.ldb

# e.ldb is typed (ELF): clamscan lists the object's own target first, then
# target-0 signatures and YARA rules (target 0 too) by load order.
for order in "a.ldb b.yar c.ldb" "b.yar a.ldb" "c.ldb b.yar a.ldb" "a.ldb c.ldb b.yar" \
             "n.yar a.ldb b.yar" "b.yar e.ldb a.ldb" "b.yar e.ldb"; do
    args=()
    for f in $order; do args+=(-d "$f"); done
    compat_run "${args[@]}" f.elf
    compare_all "loaded as: $order"
    compat_run --allmatch "${args[@]}" f.elf
    compare_all "loaded as: $order (allmatch)"
done
compat_run --allmatch -d b.yar -d a.ldb f.elf
assert_eq "allmatch, b.yar first: the YARA rules first" \
    "YARA.Y1.UNOFFICIAL YARA.Y2.UNOFFICIAL L.One.UNOFFICIAL L.Two.UNOFFICIAL" \
    "$(printf '%s\n' "$V_OUT" | awk '/ FOUND$/ { printf "%s%s", sep, $2; sep = " " }')"

finish
