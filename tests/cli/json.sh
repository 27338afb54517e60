#!/usr/bin/env bash
# cli/json: --json prints JSON Lines: one object per file
# {"path","result":OK|FOUND|EMPTY|ERROR|SKIPPED,"detections":[{"name","layer"}]}
# and a final {"summary":{...}}. Every line must parse (strict UTF-8, even for
# file names that are not), results and detections must match what the text
# mode reports, and the exit code is the same.
. "$(dirname "$0")/../lib/common.sh"

if ! command -v python3 >/dev/null; then skip "python3 missing"; finish; fi

make_eicar eicar.com
echo clean > clean.txt
: > empty
head -c 3000 /dev/urandom > other.bin
hdb_line eicar.com Test.Eicar > sigs.hdb
hsb_line eicar.com Test.Eicar256 sha256 > sigs.hsb
hdb_line other.bin Test.Other >> sigs.hdb

# check.py [exact] ENTRY...: reads JSON Lines on stdin; each ENTRY is
# "path=RESULT[:name,name]". Prints problems, exits 1 if any.
cat > check.py <<'PY'
import json, sys
raw = sys.stdin.buffer.read()
problems = []
try:
    text = raw.decode("utf-8")
except UnicodeDecodeError as e:
    print("output is not valid UTF-8:", e); sys.exit(1)
lines = text.split("\n")
if lines and lines[-1] == "":
    lines.pop()
objs = []
for i, l in enumerate(lines, 1):
    try:
        o = json.loads(l)
    except ValueError as e:
        problems.append("line %d is not JSON (%s): %r" % (i, e, l)); continue
    if not isinstance(o, dict):
        problems.append("line %d is not an object: %r" % (i, l)); continue
    objs.append(o)
if problems:
    print("\n".join(problems)); sys.exit(1)
if not objs or set(objs[-1].keys()) != {"summary"} or not isinstance(objs[-1]["summary"], dict):
    print("last line is not {\"summary\":{...}}:", lines[-1] if lines else "(no output)"); sys.exit(1)
summary = objs[-1]["summary"]
files = objs[:-1]
for o in files:
    if "summary" in o:
        problems.append("summary object before the end: %r" % o)
        continue
    if not isinstance(o.get("path"), str):
        problems.append("no string path: %r" % o)
    if o.get("result") not in ("OK", "FOUND", "EMPTY", "ERROR", "SKIPPED"):
        problems.append("bad result: %r" % o)
    d = o.get("detections")
    if not isinstance(d, list):
        problems.append("detections is not a list: %r" % o); continue
    for x in d:
        if not isinstance(x, dict) or not isinstance(x.get("name"), str) or not isinstance(x.get("layer"), str):
            problems.append("bad detection %r in %r" % (x, o))
    if (o.get("result") == "FOUND") != (len(d) > 0):
        problems.append("result and detections disagree: %r" % o)
found = sum(1 for o in files if o.get("result") == "FOUND")
inf = [v for k, v in summary.items() if "infected" in k.lower()]
if len(inf) != 1 or inf[0] != found:
    problems.append("summary %r: expected one 'infected' count equal to %d" % (summary, found))
want = {}
exact = sys.argv[1:2] == ["exact"]
for e in sys.argv[2 if exact else 1:]:
    p, r = e.rsplit("=", 1)
    names = None
    if ":" in r:
        r, n = r.split(":", 1); names = sorted(n.split(",")) if n else []
    want[p] = (r, names)
got = {}
for o in files:
    if o.get("path") in got:
        problems.append("path reported twice: %r" % o.get("path"))
    got[o.get("path")] = o
for p, (r, names) in want.items():
    o = got.get(p)
    if o is None:
        problems.append("no object for path %r" % p); continue
    if o.get("result") != r:
        problems.append("%r: result %r, expected %r" % (p, o.get("result"), r))
    if names is not None:
        gn = sorted(x.get("name") for x in o.get("detections", []))
        if gn != names:
            problems.append("%r: detections %r, expected %r" % (p, gn, names))
extra = set(got) - set(want)
if exact and extra:
    problems.append("unexpected objects for %r" % sorted(extra))
if problems:
    print("\n".join(problems)); sys.exit(1)
PY

# json_check DESC [exact] ENTRY...: validates the last run's stdout.
json_check() {
    local msg desc=$1
    shift
    if msg=$(printf '%s\n' "$OUT" | python3 check.py "$@" 2>&1); then
        ok "$desc: valid JSON Lines with the expected objects"
    else
        fail "$desc  [$LAST_CMD]"
        printf '%s\n' "$msg" | sed 's/^/  | /'
        show stdout "$OUT"
        show stderr "$ERR"
    fi
}

vscan --no-builtin -d sigs.hdb --json eicar.com clean.txt empty
assert_rc "--json exit code with a detection" 1
json_check "three files" exact "eicar.com=FOUND:Test.Eicar.UNOFFICIAL" \
    "clean.txt=OK:" "empty=EMPTY"
assert_not_contains "--json: no text summary" "$OUT" "SCAN SUMMARY"
n=$(printf '%s\n' "$OUT" | grep -c '"path"')
assert_eq "--json: one object per file" 3 "$n"

vscan --no-builtin -d sigs.hdb --json clean.txt
assert_rc "--json clean" 0
json_check "clean" exact "clean.txt=OK:"

vscan --no-builtin -d sigs.hdb --json missing clean.txt
assert_rc "--json missing path" 2
json_check "missing path" "missing=ERROR" "clean.txt=OK"

vscan --no-builtin -d sigs.hdb -d sigs.hsb -z --json eicar.com
json_check "--allmatch: two detections" exact \
    "eicar.com=FOUND:Test.Eicar.UNOFFICIAL,Test.Eicar256.UNOFFICIAL"

mkdir tree
cp eicar.com tree/a.com
cp other.bin tree/b.bin
echo x > tree/c.txt
vscan --no-builtin -d sigs.hdb -r --json '--exclude=\.txt$' tree
json_check "-r with an excluded file" "tree/a.com=FOUND:Test.Eicar.UNOFFICIAL" \
    "tree/b.bin=FOUND:Test.Other.UNOFFICIAL" "tree/c.txt=SKIPPED"

# A file over --max-filesize is not silently OK: its object names the limit.
vscan --no-builtin -d sigs.hdb --json --max-filesize=1K other.bin
assert_rc "--json over --max-filesize" 0
assert_contains "--json over --max-filesize: the object names MaxFileSize" \
    "$(printf '%s\n' "$OUT" | grep '"other.bin"')" "MaxFileSize"

vscan --no-builtin -d sigs.hdb --json --max-filesize=1K --alert-exceeds-max other.bin
assert_rc "--alert-exceeds-max --json" 1
json_check "--alert-exceeds-max" exact "other.bin=FOUND:Heuristics.Limits.Exceeded.MaxFileSize"

run --in eicar.com "$VIGIL" scan --no-builtin -d sigs.hdb --json -
assert_rc "--json stdin" 1
printf '%s\n' "$OUT" | python3 -c 'import json,sys; [json.loads(l) for l in sys.stdin]' &&
    ok "--json stdin parses" || fail "--json stdin: output is not JSON Lines: $OUT"

# File names that need escaping.
mkdir odd
weird=$'odd/q"uote\\back\ttab\nnewline'
cp eicar.com "$weird"
cp eicar.com "odd/caf"$'\xc3\xa9'
cp eicar.com "odd/bad"$'\xff\xfe'"bytes"
echo x > "odd/ctl"$'\x01\x1f'
vscan --no-builtin -d sigs.hdb -r --json odd
assert_rc "--json odd names" 1
json_check "odd names (escaping, UTF-8, invalid bytes)" "$weird=FOUND:Test.Eicar.UNOFFICIAL" \
    "odd/café=FOUND:Test.Eicar.UNOFFICIAL" "odd/ctl"$'\x01\x1f'"=OK"
n=$(printf '%s\n' "$OUT" | python3 -c 'import json,sys; print(sum(1 for l in sys.stdin if "path" in json.loads(l)))' 2>/dev/null)
assert_eq "odd names: 4 file objects (the invalid-UTF-8 name too)" 4 "$n"

finish
