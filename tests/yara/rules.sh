#!/usr/bin/env bash
# yara/rules: YARA rule files in `vigil scan`: bad and empty rule files,
# loads that fail leave nothing half-loaded, compiler warnings only with -v,
# includes (relative to the including file, confined to the rule
# directory), external variables, timeouts, too many matches, and the
# --json data of a YARA detection.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/yara.sh"

printf 'xx hello world yy\n' > hello.txt
printf 'nothing at all here\n' > clean.txt
mkdir -p db
cat > db/good.yar <<'R'
rule Hello : greeting { meta: author = "test" level = 3
  strings: $a = "hello" $b = "world" condition: all of them }
R
printf '%s\n' "$(hdb_line clean.txt CleanHash)" > db/h.hdb

# ---- bad rules ----
printf 'rule ok { condition: true }\n\nrule bad {\n  condition: $x\n}\n' > bad.yar
vscan --no-builtin --yara bad.yar hello.txt
assert_rc "a bad rule file fails the scan" 2
assert_has_line "the compiler's file:line: message" "$ERR" 'ERROR: bad.yar:5: undefined string "$x"'
yara bad.yar hello.txt 2> yerr.txt
assert_contains "the same message as yara" "$(cat yerr.txt)" 'bad.yar(5): undefined string "$x"'
assert_not_contains "nothing is scanned" "$OUT" "hello.txt"

cp bad.yar db/zz.yar
vscan --no-builtin -d db hello.txt clean.txt
assert_rc "a bad rule file in a -d directory fails its load" 2
assert_has_line "its file:line" "$ERR" 'ERROR: db/zz.yar:5: undefined string "$x"'
assert_eq "nothing of the directory stays loaded" 0 "$(summary_value 'Known viruses' "$OUT")"
rm db/zz.yar

printf 'rule Hello { condition: true }\n' > dup.yar
vscan --no-builtin -d db --yara dup.yar hello.txt
assert_rc "a rule name loaded twice fails" 2
assert_contains "duplicated identifier" "$ERR" 'dup.yar:1: duplicated identifier "Hello"'
assert_eq "the directory stays, the failed file does not" 2 "$(summary_value 'Known viruses' "$OUT")"

# ---- empty rule files ----
: > empty.yar
printf '// only a comment\n' > comment.yar
vscan --no-builtin --yara empty.yar --yara comment.yar -d db/h.hdb hello.txt clean.txt
assert_rc "empty rule files load" 1
assert_has_line "and the other signatures still match" "$OUT" "clean.txt: CleanHash.UNOFFICIAL FOUND"
mkdir -p onlyempty && : > onlyempty/e.yar
vscan --no-builtin -d onlyempty hello.txt
assert_rc "a directory holding only an empty rule file loads" 0

# ---- detections, order, json ----
vscan --no-builtin -z -d db hello.txt clean.txt
assert_has_line "YARA.<rule>.UNOFFICIAL" "$OUT" "hello.txt: YARA.Hello.UNOFFICIAL FOUND"
vscan --no-builtin --json --no-summary -d db hello.txt
assert_contains "--json: rule, namespace, tags, meta, strings with offsets" "$OUT" \
    '"yara":{"rule":"Hello","namespace":"default","tags":["greeting"],"meta":{"author":"test","level":3},"strings":[{"identifier":"$a","offset":3,"length":5,"data":"68656c6c6f"},{"identifier":"$b","offset":9,"length":5,"data":"776f726c64"}],"strings_total":2}'
printf '%s\n' "$OUT" | python3 -c 'import json,sys; [json.loads(l) for l in sys.stdin]' &&
    ok "--json lines parse" || fail "--json lines do not parse"
printf 'rule Ps { strings: $a = "hello" private $b = "world" condition: $a and $b }\n' > ps.yar
vscan --no-builtin --json --no-summary --yara ps.yar hello.txt
assert_contains "--json: private strings are not listed (as yara -s)" "$OUT" \
    '"strings":[{"identifier":"$b","offset":9,"length":5,"data":"776f726c64"}],"strings_total":1}'


# ---- warnings: once, with -v only ----
printf 'rule slowish { strings: $a = { 00 ?? 01 } condition: $a }\n' > warn.yar
vscan --no-builtin --yara warn.yar hello.txt clean.txt
assert_not_contains "no compiler warning without -v" "$ERR$OUT" "may slow down scanning"
vscan --no-builtin -v --yara warn.yar hello.txt clean.txt
n=$(printf '%s\n' "$ERR$OUT" | grep -c 'warn.yar:1: string "$a" may slow down scanning')
assert_eq "-v: the warning once, with file:line" 1 "$n"

# ---- includes ----
mkdir -p inc/sub outside
printf 'include "sub/a.yar"\nrule Top { condition: A }\n' > inc/top.yar
printf 'include "b.yar"\nrule A { condition: B }\n' > inc/sub/a.yar
printf 'rule B { strings: $h = "hello" condition: $h }\n' > inc/sub/b.yar
vscan --no-builtin -z --yara inc/top.yar hello.txt
assert_rc "nested includes resolve relative to the including file" 1
assert_has_line "a rule from an include" "$OUT" "hello.txt: YARA.B.UNOFFICIAL FOUND"
assert_has_line "the including rule" "$OUT" "hello.txt: YARA.Top.UNOFFICIAL FOUND"
yara_pairs inc/top.yar -- hello.txt
vigil_pairs -z --yara inc/top.yar hello.txt
assert_eq "the same rules match as with yara" "$YPAIRS" "$PAIRS"
printf 'rule Out { condition: true }\n' > outside/o.yar
printf 'include "../outside/o.yar"\n' > inc/escape.yar
vscan --no-builtin --yara inc/escape.yar hello.txt
assert_rc "an include outside the rule directory fails" 2
assert_contains "and says so" "$ERR" "is outside the rule directory"
printf 'include "%s/outside/o.yar"\n' "$T" > inc/abs.yar
vscan --no-builtin --yara inc/abs.yar hello.txt
assert_rc "an absolute include outside the rule directory fails" 2
ln -s ../outside inc/link
printf 'include "link/o.yar"\n' > inc/viasym.yar
vscan --no-builtin --yara inc/viasym.yar hello.txt
assert_rc "a symbolic link out of the rule directory fails" 2
printf 'include "nowhere.yar"\n' > inc/missing.yar
vscan --no-builtin --yara inc/missing.yar hello.txt
assert_rc "a missing include fails" 2
assert_contains "with its name" "$ERR" "inc/missing.yar:1: can't open include file: nowhere.yar"
printf 'include "self.yar"\n' > inc/self.yar
vscan --no-builtin --yara inc/self.yar hello.txt
assert_rc "an include of itself fails" 2
assert_contains "as a circular reference" "$ERR" "includes circular reference"
printf 'include "cyc2.yar"\nrule C1 { condition: true }\n' > inc/cyc1.yar
printf 'include "cyc1.yar"\nrule C2 { condition: true }\n' > inc/cyc2.yar
vscan --no-builtin --yara inc/cyc1.yar hello.txt
assert_rc "a cycle of two includes fails" 2
assert_contains "as a circular reference too" "$ERR" "includes circular reference"
mkdir -p deep
for i in $(seq 0 19); do printf 'include "d%d.yar"\n' $((i + 1)) > deep/d$i.yar; done
printf 'rule Deep { condition: true }\n' > deep/d20.yar
vscan --no-builtin --yara deep/d0.yar hello.txt
assert_rc "twenty levels of includes fail" 2
assert_contains "as too deep" "$ERR" "includes depth exceeded"
vscan --no-builtin --yara deep/d10.yar hello.txt
assert_rc "ten levels load" 1

# ---- external variables ----
mkdir -p sub.d
cp hello.txt sub.d/Report.DOC
cat > ext.yar <<'R'
rule ByName { condition: filename == "Report.DOC" and extension == "DOC" }
rule ByPath { condition: filepath matches /sub\.d\/Report/ and depth == 0 }
rule ByType { condition: filetype == "ELF" }
R
vscan --no-builtin -z --yara ext.yar sub.d/Report.DOC /usr/bin/true hello.txt
assert_has_line "filename and extension" "$OUT" "sub.d/Report.DOC: YARA.ByName.UNOFFICIAL FOUND"
assert_has_line "filepath and depth" "$OUT" "sub.d/Report.DOC: YARA.ByPath.UNOFFICIAL FOUND"
assert_has_line "filetype (vigil's type name)" "$OUT" "/usr/bin/true: YARA.ByType.UNOFFICIAL FOUND"
assert_has_line "other files: nothing" "$OUT" "hello.txt: OK"

# ---- one read: YARA gets the buffer the body signatures read ----
head -c 3000000 /dev/urandom > big.bin
printf 'Body:0:*:68656c6c6f776f726c64\n' > b.ndb
if strace -f -e trace=pread64,read -o trace.txt "$VIGIL" scan --no-builtin -d b.ndb \
        -d db/good.yar big.bin > /dev/null 2>&1 || [ $? = 1 ]; then
    # The object's reads: those returning 64 KiB or more (the loader's
    # and the small databases' reads return less).
    got=$(python3 - trace.txt <<'PY'
import re, sys
n = total = 0
for line in open(sys.argv[1]):
    m = re.search(r' (pread64|read)\(.*\) += (\d+)$', line)
    if m and int(m.group(2)) >= 65536:
        n += 1
        total += int(m.group(2))
print("%d reads, %d bytes" % (n, total))
PY
)
    assert_eq "body signatures and YARA rules read the 3 MB file once" \
        "1 reads, 3000000 bytes" "$got"
else
    fail "strace vigil scan"
fi

# ---- time and match limits ----
cat > slow.yar <<'R'
rule SlowLoop { condition: for all i in (0..filesize - 1) :
  (for all j in (0..filesize - 1) : (uint8(i) != 0xFF or uint8(j) != 0xFE)) }
R
head -c 30000 /dev/zero > zero.bin
start=$(date +%s%N)
vscan --no-builtin --json --no-summary --max-scantime=300 --yara slow.yar zero.bin
ms=$(( ($(date +%s%N) - start) / 1000000 ))
assert_rc "a rule that runs out of time is not a detection" 0
assert_contains "the limit is reported" "$OUT" '"limits":["MaxScanTime"]'
[ "$ms" -lt 5000 ] && ok "the 300 ms budget holds (whole run $ms ms)" ||
    fail "the 300 ms budget did not hold: $ms ms"
vscan --no-builtin --alert-exceeds-max --max-scantime=300 --yara slow.yar zero.bin
assert_has_line "--alert-exceeds-max alerts on it" "$OUT" \
    "zero.bin: Heuristics.Limits.Exceeded.MaxScanTime FOUND"

python3 -c "open('many.bin','wb').write(b'A' * 1100000)"
printf 'rule Many { strings: $a = "AA" condition: #a > 10 }\n' > many.yar
vscan --no-builtin --json --no-summary --yara many.yar many.bin
assert_contains "too many matches: the rule still reports" "$OUT" '"name":"YARA.Many.UNOFFICIAL"'
assert_contains "and the limit is reported" "$OUT" '"limits":["YaraMaxStringMatches"]'
assert_contains "strings are listed up to the cap, counted in full" "$OUT" '"strings_total":1000000'

finish
