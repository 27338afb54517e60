#!/usr/bin/env bash
# yara/parity: generated rules (tests/lib/yaragen.py: text strings with
# nocase wide ascii fullword, hex strings with jumps, alternatives and
# wildcards, regexes, counts, offsets, filesize, uint16(0), pe.*, elf.*,
# math, private and global rules) over generated files, MinGW-built PE
# files and ELF files from /usr/bin: the (file, rule) pairs `vigil scan -z`
# reports equal those of `yara -r`; without -z vigil reports each file's
# first rule in yara's order.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/yara.sh"

GEN="python3 $VIGIL_SRC/tests/lib/yaragen.py"
$GEN rules rules 4 400 || fail "yaragen rules"
$GEN files files 4 120 || fail "yaragen files"
make_pe files || fail "building PE files with MinGW"
# ELF files: small ones, and one larger than the global rule allows.
for f in /usr/bin/ls /usr/bin/true /usr/bin/cat /usr/bin/gpg; do
    [ -f "$f" ] && cp "$f" files/
done

yara_pairs rules/gen.yar rules/global.yar -- files
y=$YPAIRS
vigil_pairs -z -r -d rules files
v=$PAIRS
assert_rc "vigil scans the generated files" 1
assert_eq "-z: the same (file, rule) pairs as yara -r" "$y" "$v"
n=$(printf '%s\n' "$y" | grep -c .)
[ "$n" -gt 1000 ] && ok "yara reports $n pairs (the files carry the rules' strings)" ||
    fail "yara reports only $n pairs"
for r in pe_any pe_amd64 pe_i386 pe_dll pe_export pe_text elf_dyn elf_dynsym \
         uses_private tagged high_entropy tiny_file global_size; do
    printf '%s\n' "$y" | grep -q " $r\$" && ok "some file matches $r" ||
        fail "no file matches $r: the test does not cover it"
done
assert_not_contains "private rules are never reported" "$v" " priv_alpha"
printf '%s\n' "$y" | grep -q "^files/gpg " &&
    fail "the global rule should keep every rule off files/gpg" ||
    ok "the global rule keeps every rule off the large file, in both"

# Without -z: one rule per file, the first one yara prints for it.
vigil_pairs -r -d rules files
v1=$PAIRS
assert_eq "first match: yara's first rule of each file" "$YFIRST" "$v1"

# The same rules given with --yara (any file name) instead of -d.
cp rules/gen.yar gen.rules
vigil_pairs -z -r --yara gen.rules --yara rules/global.yar files
v2=$PAIRS
assert_eq "--yara FILE loads the same rules" "$y" "$v2"

finish
