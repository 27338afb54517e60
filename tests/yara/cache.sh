#!/usr/bin/env bash
# yara/cache: libyara's compiled rules kept in the cache directory
# (db/yara_cache.h). Cold cache, warm cache and no cache report the same
# (file, rule) pairs as `yara -r` on the generated parity rules; `vigil db
# compile` fills the cache a scan then uses; a damaged, foreign or
# untrusted cache file is compiled again, never used; an edited rule file
# or include (even one whose size and times are put back) is compiled
# again; compiled rules from anywhere else (yarac) are refused, and a
# .yarc in a -d directory is passed over as clamscan passes it over.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/yara.sh"
# This test prepares (and damages) its caches itself.
unset VIGIL_TEST_CACHE

GEN="python3 $VIGIL_SRC/tests/lib/yaragen.py"
$GEN rules rules 4 200 || fail "yaragen rules"
$GEN files files 4 60 || fail "yaragen files"
for f in /usr/bin/ls /usr/bin/true; do [ -f "$f" ] && cp "$f" files/; done
C=$T/ycache
mkdir -m 700 "$C"
vgy() { find "$C" -name '*.vgy' | sort; }

yara_pairs rules/gen.yar rules/global.yar -- files
y=$YPAIRS
[ "$(printf '%s\n' "$y" | grep -c .)" -gt 100 ] && ok "yara reports pairs" ||
    fail "yara reports too few pairs: the test proves nothing"

vigil_pairs --no-cache -z -r -d rules files
assert_eq "no cache: yara's pairs" "$y" "$PAIRS"

vigil_pairs --cache-dir "$C" --debug -z -r -d rules files
assert_eq "cold cache: yara's pairs" "$y" "$PAIRS"
assert_contains "cold: compiled and written" "$ERR" "wrote compiled YARA rules to the cache"
assert_eq "one compiled rule file in the cache" 1 "$(vgy | grep -c .)"
f=$(vgy)

vigil_pairs --cache-dir "$C" --debug -z -r -d rules files
assert_eq "warm cache: yara's pairs" "$y" "$PAIRS"
assert_contains "warm: read from the cache" "$ERR" "compiled YARA rules from the cache $f"
assert_not_contains "warm: nothing written" "$ERR" "wrote compiled YARA rules"
vigil_pairs --cache-dir "$C" -r -d rules files
assert_eq "warm, first match: yara's first rule of each file" "$YFIRST" "$PAIRS"
vscan --no-builtin --cache-dir "$C" -d rules files/ls
n_warm=$(summary_value 'Known viruses' "$OUT")
vscan --no-builtin --no-cache -d rules files/ls
assert_eq "the same rule count from the cache" "$(summary_value 'Known viruses' "$OUT")" "$n_warm"

# `vigil db compile` writes what a scan with the same options reads.
C2=$T/ycache2
mkdir -m 700 "$C2"
run "$VIGIL" db compile --no-builtin --cache-dir "$C2" -d rules
assert_rc "db compile" 0
assert_contains "db compile says so" "$OUT" "YARA rules compiled into $C2"
run "$VIGIL" db compile --no-builtin --cache-dir "$C2" -d rules
assert_contains "db compile again: already there" "$OUT" "YARA rules already compiled in $C2"
vigil_pairs --cache-dir "$C2" --debug -z -r -d rules files
assert_contains "the scan uses db compile's file" "$ERR" "compiled YARA rules from the cache"
assert_eq "with yara's pairs" "$y" "$PAIRS"

# ---- damaged, foreign and untrusted files ----
good=$(sha256sum < "$f")
python3 - "$f" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
b[len(b) // 2] ^= 0x40  # inside libyara's arena
open(p, "wb").write(b)
PY
vigil_pairs --cache-dir "$C" --debug -z -r -d rules files
assert_eq "tampered file: still yara's pairs" "$y" "$PAIRS"
assert_contains "tampered file: compiled again" "$ERR" "compiled YARA rules damaged or not trusted"
assert_eq "and replaced by a good one" "$good" "$(sha256sum < "$f")"
vigil_pairs --cache-dir "$C" --debug -z -r -d rules files
assert_contains "which the next scan uses" "$ERR" "compiled YARA rules from the cache"

head -c 1000 "$f" > "$f.t" && mv "$f.t" "$f"
vigil_pairs --cache-dir "$C" --debug -z -r -d rules files
assert_contains "truncated file: compiled again" "$ERR" "compiled YARA rules damaged or not trusted"
assert_eq "truncated file: yara's pairs" "$y" "$PAIRS"

# A valid file of other rules, under this file's name: its key differs.
printf 'rule other { condition: true }\n' > other.yar
mkdir -m 700 "$T/ycache3"
run "$VIGIL" db compile --no-builtin --cache-dir "$T/ycache3" --yara other.yar
cp "$(find "$T/ycache3" -name '*.vgy')" "$f"
vigil_pairs --cache-dir "$C" --debug -z -r -d rules files
assert_contains "another rule set's file: not used" "$ERR" "compiled YARA rules damaged or not trusted"
assert_eq "another rule set's file: yara's pairs" "$y" "$PAIRS"
assert_lacks_line "its rule never runs" "$PAIRS" "files/ls other"

chmod 0666 "$f"
vigil_pairs --cache-dir "$C" --debug -z -r -d rules files
assert_contains "a file others can write: not trusted" "$ERR" "compiled YARA rules damaged or not trusted"
assert_eq "and replaced by one that is" "-rw-r--r--" "$(stat -c %A "$f")"

# ---- edited rule files and includes ----
mkdir -p inc/sub
cat > inc/main.yar <<'R'
include "sub/one.yar"
rule top_rule { strings: $a = "top-marker" condition: $a }
R
printf 'rule inc_rule { strings: $a = "alpha-marker" condition: $a }\n' > inc/sub/one.yar
printf 'alpha-marker beta-marker\n' > ab.txt
vigil_pairs --cache-dir "$C" --debug -z -d inc ab.txt
assert_eq "the include's rule" "ab.txt inc_rule" "$PAIRS"
vigil_pairs --cache-dir "$C" --debug -z -d inc ab.txt
assert_contains "rules with an include come from the cache" "$ERR" \
    "compiled YARA rules from the cache"
cp -p inc/sub/one.yar ref
printf 'rule inc_rule { strings: $a = "beta-marker"  condition: $a }\n' > inc/sub/one.yar
touch -r ref inc/sub/one.yar
assert_eq "(the same size)" "$(stat -c %s ref)" "$(stat -c %s inc/sub/one.yar)"
vigil_pairs --cache-dir "$C" --debug -z -d inc ab.txt
assert_contains "an edited include (same size and times): compiled again" "$ERR" \
    "compiled YARA rules out of date"
assert_eq "and its new rule runs" "ab.txt inc_rule" "$PAIRS"
yara_pairs inc/main.yar -- ab.txt
assert_eq "as yara's" "$YPAIRS" "$PAIRS"
printf 'rule inc_rule { strings: $a = "gamma-marker" condition: $a }\n' > inc/sub/one.yar
vigil_pairs --cache-dir "$C" -z -d inc ab.txt
assert_eq "an include that no longer matches: nothing" "" "$PAIRS"
printf 'rule inc_rule { strings: $a = "gamma-marker" condition: $a }\n' > inc/sub/two.yar
rm inc/sub/one.yar && ln -s two.yar inc/sub/one.yar
vigil_pairs --cache-dir "$C" --debug -z -d inc ab.txt
assert_contains "an include now resolved elsewhere (same bytes): compiled again" "$ERR" \
    "compiled YARA rules out of date"

printf 'rule top_rule { strings: $a = "beta-marker" condition: $a }\n' > inc/main.yar
vigil_pairs --cache-dir "$C" --debug -z -d inc ab.txt
assert_eq "an edited rule file: its new rule" "ab.txt top_rule" "$PAIRS"
assert_contains "compiled, not taken from the cache" "$ERR" "wrote compiled YARA rules"

# ---- compiled rules from elsewhere ----
printf 'rule yc { strings: $a = "alpha-marker" condition: $a }\n' > yc.yar
yarac yc.yar yc.yarc || fail "yarac"
vscan --no-builtin --yara yc.yarc ab.txt
assert_rc "--yara with yarac's output: refused" 2
assert_contains "with a clear message" "$ERR" \
    "yc.yarc: compiled YARA rules (yarac) are not loaded: they can run code"
mkdir -p onlyc && cp yc.yarc onlyc/
cp yc.yarc onlyc/yc.yar.yarc
vscan --no-builtin -d onlyc ab.txt
v_rc=$RC
run clamscan --no-summary -d onlyc ab.txt
assert_eq "a -d directory with only .yarc: clamscan's exit code" "$RC" "$v_rc"
cp yc.yar onlyc/
vigil_pairs -z -d onlyc ab.txt
assert_eq "beside a .yar, the .yarc is passed over" "ab.txt yc" "$PAIRS"
run clamscan --no-summary -d onlyc ab.txt
assert_has_line "as clamscan passes it over" "$OUT" "ab.txt: YARA.yc.UNOFFICIAL FOUND"

finish
