#!/usr/bin/env bash
# yara/prefilter: the literal pre-filter in front of libyara
# (db/yara_gate.h). A rule set whose every reportable rule needs one of its
# strings (text with nocase wide ascii fullword, hex with jumps, wildcards
# and alternatives, one libyara splits at a long jump, counts, at/in, `N
# of`, groups, `and` with anything) turns it on, and the (file, rule) pairs
# stay those of `yara -r` on files that hold the strings in every form and
# files that hold none. Each rule
# that may match without a string (`not`, filesize, `#a == 0`, uint16 alone,
# `or filesize`, for loops, rule references, modules, externals, regexes,
# xor, base64, `0 of them`) turns it off, and still matches what yara
# matches.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/yara.sh"

mkdir -p files
python3 - <<'PY'
import random
rnd = random.Random(11)
gated = r'''
rule t_plain { strings: $a = "plain-marker" condition: $a }
rule t_nocase { strings: $a = "NoCase-Marker" nocase condition: $a }
rule t_wide { strings: $a = "wide-marker" wide condition: $a }
rule t_wide_ascii { strings: $a = "both-marker" wide ascii nocase condition: $a }
rule t_fullword { strings: $a = "word" fullword condition: $a and filesize < 100000 }
rule t_escape { strings: $a = "tab\there\x41\"q\\" condition: $a }
rule t_hex { strings: $h = { 4D 5A ?? 00 [2-4] 50 45 ( 01 02 | 03 04 ) 11 22 33 } condition: $h }
rule t_hexnib { strings: $h = { 1? 2? AA BB CC DD } condition: $h }
rule t_hex_comment { strings: $h = { DE AD /* a comment } */ BE EF // more
    CA FE } condition: $h }
rule t_count : tag1 { meta: m = "x" n = -3 strings: $a = "cnt-marker" condition: #a > 1 }
rule t_count2 { strings: $a = "two-marker" condition: #a == 2 }
rule t_at { strings: $a = "AT-HEAD" condition: $a at 0 }
rule t_in { strings: $a = "in-range" condition: $a in (0..64) }
rule t_of { strings: $a = "of-one" $b = "of-two" $c = "of-three" condition: 2 of them }
rule t_all { strings: $x1 = "all-1" $x2 = "all-2" condition: all of ($x*) }
rule t_anyset { strings: $a = "set-a" $b = "set-b" $c = "set-c" condition: any of ($a, $b) and not $c }
rule t_group { strings: $a = "grp-a" $b = "grp-b" condition: ($a or $b) and filesize > 10 }
rule t_mz { strings: $a = "mz-marker" condition: uint16(0) == 0x5a4d and $a }
rule t_or { strings: $a = "or-a" $b = "or-b" condition: $a or (#b >= 2 and filesize < 1MB) }
rule t_anon { strings: $ = "anon-1" $ = "anon-2" condition: any of them }
rule t_refd { strings: $a = "refd-marker" condition: $a and t_plain }
rule t_chain { strings: $h = { 41 42 43 [300-400] 44 45 46 } condition: $h }
rule t_long { strings: $h = { 01 02 03 04 05 06 07 08 09 0A 0B 0C } condition: $h }
rule t_nul { strings: $h = { 00 00 00 7F 45 4C } condition: $h }
private rule p_size { condition: filesize > 0 }
global private rule g_size { condition: filesize < 10MB }
rule t_uses_private { strings: $a = "priv-marker" condition: $a and p_size }
'''
open("gated.yar", "w").write(gated)
# Rules that may match without a string, each with the file that shows it.
ungated = {
    "u_not": ('rule u_not { strings: $a = "zz-never" condition: not $a }', b"anything"),
    "u_size": ('rule u_size { strings: $a = "zz-never" condition: $a or filesize < 10 }', b"tiny!!"),
    "u_zero": ('rule u_zero { strings: $a = "zz-never" condition: #a == 0 }', b"x-----"),
    "u_mz": ('rule u_mz { condition: uint16(0) == 0x5a4d }', b"MZ rest of file"),
    "u_for": ('rule u_for { strings: $a = "zz-never" condition: for any i in (0..#a) : (i == 0) }', b"y-----"),
    "u_ref": ('private rule g_other { condition: filesize > 3 }\nrule u_ref { condition: g_other }', b"longer"),
    "u_mod": ('import "math"\nrule u_mod { strings: $a = "zz-never" condition: $a or math.entropy(0, filesize) >= 0 }', b"m-----"),
    "u_re": ('rule u_re { strings: $r = /re-[0-9]+-x/ condition: $r }', b"..re-123-x.."),
    "u_xor": ('rule u_xor { strings: $a = "xor-marker" xor condition: $a }', bytes(c ^ 7 for c in b"xor-marker")),
    "u_b64": ('rule u_b64 { strings: $a = "b64-marker" base64 condition: $a }', b"YjY0LW1hcmtlcg=="),
    "u_zeroof": ('rule u_zeroof { strings: $a = "zz-never" condition: 0 of them }', b"z-----"),
    "u_ge0": ('rule u_ge0 { strings: $a = "zz-never" condition: #a >= 0 }', b"g-----"),
    "u_notgrp": ('rule u_notgrp { strings: $a = "zz-never" condition: not ($a) }', b"n-----"),
    "u_cmpgrp": ('rule u_cmpgrp { strings: $a = "zz-never" $b = "zz-nope" condition: (#a + #b) == 0 }', b"c-----"),
    "u_true": ('rule u_true { condition: true }', b"t-----"),
}
import os
os.makedirs("un", exist_ok=True)
for name, (text, sample) in ungated.items():
    open("un/%s.yar" % name, "w").write(text + "\n")
    open("files/%s.bin" % name, "wb").write(sample)
open("ext.yar", "w").write('rule u_ext { strings: $a = "zz-never" condition: $a or filename == "ext.bin" }\n')
open("ext.bin", "wb").write(b"e-----")
# Members that deflate: the zip's own bytes do not hold the strings.
open("z_plain", "wb").write(b"plain-marker" + b"a" * 600)


def wide(s): return b"".join(bytes([c, 0]) for c in s)
samples = {
    "plain": b"xx plain-marker yy",
    "nocase": b"..nOcAsE-mArKeR..",
    "wide": wide(b"wide-marker"),
    "wide_ascii_w": wide(b"BOTH-marker"),
    "wide_ascii_a": b"both-MARKER",
    "word_yes": b"a word here",
    "word_no": b"swordfish",
    "escape": b"tab\there\x41\"q\\",
    "hex": bytes.fromhex("4d5a77000000005045030411223344"),
    "hex_alt_no": bytes.fromhex("4d5a7700000000504505061122 33".replace(" ", "")),
    "hexnib": bytes.fromhex("1f2eaabbccdd"),
    "hexcomment": bytes.fromhex("deadbeefcafe"),
    "count1": b"cnt-marker",
    "count2": b"cnt-marker cnt-marker",
    "two2": b"two-marker two-marker",
    "two3": b"two-marker two-marker two-marker",
    "at_yes": b"AT-HEAD then",
    "at_no": b" AT-HEAD",
    "in_yes": b"in-range",
    "in_no": b"x" * 100 + b"in-range",
    "of_two": b"of-one of-three",
    "of_one": b"of-two ",
    "all_yes": b"all-1 all-2",
    "all_no": b"all-2 ",
    "anyset_yes": b"set-b ",
    "anyset_not": b"set-a set-c",
    "grp": b"0123456789 grp-b",
    "mz_yes": b"MZ mz-marker",
    "mz_no": b"ZM mz-marker",
    "or_b": b"or-b or-b",
    "anon": b"anon-2 ",
    "refd": b"refd-marker plain-marker",
    "long": bytes(range(1, 13)),
    "chain_yes": b"ABC" + b"." * 350 + b"DEF",
    "chain_no": b"ABC" + b"." * 10 + b"DEF",
    "nul": b"\0\0\0\x7fELF",
    "priv": b"priv-marker",
}
open("z_wide", "wb").write(wide(b"wide-marker") + b"\0" * 600)
for k, v in samples.items():
    open("files/s_%s" % k, "wb").write(v)
for i in range(40):  # clean files: none of the strings
    open("files/clean_%02d" % i, "wb").write(bytes(rnd.randrange(256) for _ in range(rnd.randrange(6, 3000))))
PY
for f in /usr/bin/true /usr/bin/ls; do cp "$f" files/; done

# ---- every rule needs a string: the pre-filter is on ----
yara_pairs gated.yar -- files
vigil_pairs --debug -z -r --yara gated.yar files
assert_contains "the pre-filter is on" "$ERR" "YARA: every rule needs one of"
assert_eq "the same (file, rule) pairs as yara -r" "$YPAIRS" "$PAIRS"
n=$(printf '%s\n' "$YPAIRS" | grep -c .)
[ "$n" -ge 20 ] && ok "yara reports $n pairs (the files carry the strings)" ||
    fail "yara reports only $n pairs"
for r in t_plain t_nocase t_wide t_wide_ascii t_fullword t_escape t_hex t_hexnib \
         t_hex_comment t_count t_count2 t_at t_in t_of t_all t_anyset t_group t_mz \
         t_or t_anon t_refd t_chain t_long t_nul t_uses_private; do
    printf '%s\n' "$YPAIRS" | grep -q " $r\$" && ok "some file matches $r" ||
        fail "no file matches $r: the test does not cover it"
done
printf '%s\n' "$YPAIRS" | grep -q '^files/clean_' &&
    fail "a clean file matches: the test proves no skip" || ok "the clean files match nothing"
vigil_pairs -r --yara gated.yar files
assert_eq "first match: yara's first rule of each file" "$YFIRST" "$PAIRS"
# Inside an archive (no yara to compare: the member's pairs are the file's).
zip -q -9 inzip.zip z_plain z_wide files/clean_00
vigil_pairs -z --yara gated.yar inzip.zip
assert_eq "archive members go through the pre-filter too" \
    "$(printf 'inzip.zip t_plain\ninzip.zip t_wide')" "$PAIRS"

# The compiled pre-filter is kept in the cache directory, checked as the
# compiled rules are: a damaged file is compiled again.
# (This part prepares its cache itself, whatever VIGIL_TEST_CACHE says.)
saved_mode=${VIGIL_TEST_CACHE:-}
VIGIL_TEST_CACHE=
C=$T/gcache
mkdir -m 700 "$C"
vigil_pairs --cache-dir "$C" --debug -z -r --yara gated.yar files
assert_contains "cold: the pre-filter written to the cache" "$ERR" "wrote the YARA pre-filter"
vigil_pairs --cache-dir "$C" --debug -z -r --yara gated.yar files
assert_contains "warm: the pre-filter from the cache" "$ERR" "YARA pre-filter from the cache"
assert_eq "warm: yara's pairs" "$YPAIRS" "$PAIRS"
g=$(find "$C" -name '*.vgg')
python3 -c "
import sys; p = sys.argv[1]; b = bytearray(open(p, 'rb').read())
b[len(b) // 2] ^= 1; open(p, 'wb').write(b)" "$g"
vigil_pairs --cache-dir "$C" --debug -z -r --yara gated.yar files
assert_contains "a damaged pre-filter file is compiled again" "$ERR" "damaged or not trusted"
assert_eq "damaged pre-filter file: yara's pairs" "$YPAIRS" "$PAIRS"
VIGIL_TEST_CACHE=$saved_mode

# ---- one rule that may match without a string: the pre-filter is off ----
for f in un/*.yar; do
    r=$(basename "$f" .yar)
    cat gated.yar "$f" > "mix_$r.yar"
    yara_pairs "mix_$r.yar" -- files
    vigil_pairs --debug -z -r --yara "mix_$r.yar" files
    assert_contains "$r: the pre-filter is off" "$ERR" "YARA: rule $r may match without"
    printf '%s\n' "$YPAIRS" | grep -q " $r\$" && ok "$r matches some file in yara" ||
        fail "$r matches nothing: the test does not show it must run"
    assert_eq "$r: yara's pairs" "$YPAIRS" "$PAIRS"
done

# External variables (yara has no `filename` unless told; vigil defines it).
cat gated.yar ext.yar > mix_ext.yar
vigil_pairs --debug -z --yara mix_ext.yar ext.bin files/s_plain
assert_contains "u_ext: the pre-filter is off" "$ERR" "YARA: rule u_ext may match without"
assert_eq "u_ext: matches by its file name alone" \
    "$(printf 'ext.bin u_ext\nfiles/s_plain t_plain')" "$PAIRS"

# An include's rules are not read by the pre-filter: it stays off.
mkdir -p inc && cp gated.yar inc/g.inc
printf 'include "g.inc"\nrule t_top { strings: $a = "top-x" condition: $a }\n' > inc/top.yar
vigil_pairs --debug -z -r -d inc files
assert_contains "rules from an include: off" "$ERR" "may match without"
yara_pairs inc/top.yar -- files
assert_eq "rules from an include: yara's pairs" "$YPAIRS" "$PAIRS"

finish
