#!/usr/bin/env bash
# cli/image_yara: an engine with YARA rules gets the image of its ClamAV
# part (core/image_engine.h). With --yara FILE and with a -d directory
# holding .yar files between .ldb/.ndb/.hdb files: the cold run writes the
# image, the warm run maps it (and the rules from their own cache), and
# both print what a parse without any cache prints - the same FOUND lines
# in the same order (YARA rules and logical signatures are reported in
# load order, which the image's steps keep), first match and -z, the same
# summary, the same warnings - and what clamscan prints. Editing a .yar
# file keeps the image and gives the new rule; editing a ClamAV file
# writes a new image and keeps the compiled rules. A bad .yar fails the
# load (exit 2, file:line), leaves nothing of its source loaded, and no
# image is written for it.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/compat.sh"
VIGIL_TEST_CACHE= # this file tests the cache itself
export VIGIL_CACHE_DIR="$T/.cache"
C=$VIGIL_CACHE_DIR

mkdir db
python3 - <<'PY'
import hashlib, random, zipfile
r = random.Random(11)
sigs = [bytes(r.randrange(1, 256) for _ in range(12)) for _ in range(300)]
elf = open("/usr/bin/ls", "rb").read(64)
with open("db/b.ndb", "w") as f:
    for i, s in enumerate(sigs):
        f.write("YImg.Body-%d:0:*:%s\n" % (i, s.hex()))
with open("db/h.hdb", "w") as f:
    for i in range(200):
        f.write("%032x:%d:YImg.Hash-%d\n" % (r.getrandbits(128), 100 + i, i))
    f.write("%s:6:YImg.Hash.Hello\n" % hashlib.md5(b"hello\n").hexdigest())
# a.ldb before m.yar before z.ldb: the rules sit between them.
open("db/a.ldb", "w").write("L.One;Engine:51-255,Target:0;0;68656c6c6f\n"
                            "L.Two;Engine:51-255,Target:0;0;776f726c64\n")
open("db/z.ldb", "w").write("L.Three;Engine:51-255,Target:0;0;74657374\n")
open("db/m.yar", "w").write('rule Y1 { strings: $a = "vigil" condition: $a }\n'
                            'rule Y2 { strings: $a = "data" condition: $a }\n')
open("r.yar", "w").write('rule R1 { strings: $a = "here" condition: $a }\n')
# ELF-typed files (clamscan scans a text file twice with --allmatch).
files = {
    "f1.elf": b"hello world vigil test data here\n",  # L.One first
    "f2.elf": b"a vigil test\n",                       # Y1 before L.Three
    "f3.elf": b"only a test\n",                        # L.Three
    "f4.elf": b"x" * 40 + sigs[17] + b" here vigil",   # body, Y1, R1
}
for name, body in files.items():
    open(name, "wb").write(elf + body)
with zipfile.ZipFile("z.zip", "w") as z:
    z.writestr("in/f1.elf", elf + files["f1.elf"])
    z.writestr("in/f4.elf", elf + files["f4.elf"])
open("hello.txt", "wb").write(b"hello\n")
PY
echo clean > clean.txt
FILES=(f1.elf f2.elf f3.elf f4.elf z.zip hello.txt clean.txt)
img() { find "$C" -name '*.vgi' | sort; }
nimg() { find "$C" -name '*.vgi' | wc -l; }
# What a run must reproduce: FOUND lines in their order, the summary
# without its times.
found() { printf '%s\n' "$1" | grep -E ': .+ FOUND$' || true; }
summary() { printf '%s\n' "$1" | sed -n '/^----------- SCAN SUMMARY/,$p' | grep -v -E '^(Time|Start Date|End Date):'; }

# check_case LABEL ARGS...: the truth without a cache, then cold, warm.
check_case() {
    local label=$1 want wantz wants f
    shift
    vscan --no-cache --no-builtin -z "$@" "${FILES[@]}"
    want=$(found "$OUT")
    [ "$(printf '%s\n' "$want" | grep -c YARA)" -ge 3 ] && ok "$label: YARA rules found" ||
        fail "$label: too few YARA detections: the test proves nothing"
    vscan --no-cache --no-builtin "$@" "${FILES[@]}"
    wantz=$(found "$OUT") wants=$(summary "$OUT")
    vscan --debug --no-builtin -z "$@" "${FILES[@]}"
    assert_rc "$label cold: found" 1
    assert_contains "$label cold: writes the image" "$ERR" "wrote the image $C/"
    assert_eq "$label cold: same FOUND lines in order (allmatch)" "$want" "$(found "$OUT")"
    assert_eq "$label cold: one image" 1 "$(nimg)"
    f=$(img)
    for pass in warm warm2; do
        vscan --debug --no-builtin -z "$@" "${FILES[@]}"
        assert_rc "$label $pass: found" 1
        assert_contains "$label $pass: maps the image" "$ERR" "compiled engine from the image $f"
        assert_contains "$label $pass: rules from their cache" "$ERR" \
            "compiled YARA rules from the cache"
        assert_not_contains "$label $pass: writes nothing" "$ERR" "wrote "
        assert_eq "$label $pass: same FOUND lines in order (allmatch)" "$want" "$(found "$OUT")"
        vscan --no-builtin "$@" "${FILES[@]}"
        assert_eq "$label $pass: same FOUND lines (first match)" "$wantz" "$(found "$OUT")"
        assert_eq "$label $pass: same summary" "$wants" "$(summary "$OUT")"
    done
    IMG=$f WANT=$want
}

# ---- --yara FILE beside -d files --------------------------------------------
YA=(-d db/a.ldb -d db/b.ndb -d db/h.hdb --yara r.yar -d db/z.ldb)
check_case "--yara" "${YA[@]}"
assert_has_line "--yara: the rule's detection" "$WANT" "f4.elf: YARA.R1.UNOFFICIAL FOUND"
ya_img=$IMG

# Editing the rules keeps the image; the new rule detects.
printf 'rule R2 { strings: $a = "only" condition: $a }\n' >> r.yar
vscan --debug --no-builtin -z "${YA[@]}" "${FILES[@]}"
assert_contains "--yara edited: the same image" "$ERR" "compiled engine from the image $ya_img"
assert_contains "--yara edited: the rules compiled again" "$ERR" "wrote compiled YARA rules"
assert_has_line "--yara edited: the new rule detects" "$OUT" "f3.elf: YARA.R2.UNOFFICIAL FOUND"
assert_eq "--yara edited: still one image" 1 "$(nimg)"
vscan --no-cache --no-builtin "${YA[@]}" "${FILES[@]}"
nocache=$(found "$OUT") nocache_s=$(summary "$OUT")
vscan --no-builtin "${YA[@]}" "${FILES[@]}"
assert_eq "--yara edited: as a parse" "$nocache" "$(found "$OUT")"
assert_eq "--yara edited: same summary" "$nocache_s" "$(summary "$OUT")"

# A bad rule file: exit 2 with file:line, as without a cache; no image.
printf 'rule ok { condition: true }\n\nrule bad {\n  condition: $x\n}\n' > bad.yar
vscan --no-cache --no-builtin "${YA[@]}" --yara bad.yar clean.txt
nc_out=$(summary "$OUT") nc_err=$ERR
C2=$T/cache2
mkdir -m 700 "$C2"
vscan --cache-dir "$C2" --no-builtin "${YA[@]}" --yara bad.yar clean.txt
assert_rc "--yara bad: fails" 2
assert_has_line "--yara bad: its file:line" "$ERR" 'ERROR: bad.yar:5: undefined string "$x"'
assert_eq "--yara bad: the same error as a parse" "$nc_err" "$ERR"
assert_eq "--yara bad: the same summary as a parse" "$nc_out" "$(summary "$OUT")"
assert_eq "--yara bad: no image written" 0 "$(find "$C2" -name '*.vgi' | wc -l)"
run "$VIGIL" db compile --no-builtin --cache-dir "$C2" "${YA[@]}" --yara bad.yar
assert_rc "db compile, bad rules: fails" 2
assert_eq "db compile, bad rules: no image written" 0 "$(find "$C2" -name '*.vgi' | wc -l)"
# A malformed ClamAV file loaded before the rules is the error, as in a parse.
printf 'Bad.Sig:0:*:4142zz\n' > bad.ndb
vscan --no-cache --no-builtin -d bad.ndb --yara bad.yar clean.txt
nc_err=$ERR nc_rc=$RC
vscan --no-builtin -d bad.ndb --yara bad.yar clean.txt
assert_eq "bad .ndb, then bad rules: the same error" "$nc_err" "$ERR"
assert_eq "bad .ndb, then bad rules: the same exit code" "$nc_rc" "$RC"

# Editing a ClamAV file writes a new image and keeps the compiled rules.
cp -r db dbx
sleep 0.01
printf 'YImg.New:0:*:%s\n' "$(printf 'only a' | od -An -tx1 | tr -d ' \n')" >> db/b.ndb
vscan --debug --no-builtin "${YA[@]}" "${FILES[@]}"
assert_contains "--yara, .ndb edited: a new image" "$ERR" "wrote the image"
assert_contains "--yara, .ndb edited: the rules from their cache" "$ERR" \
    "compiled YARA rules from the cache"
assert_not_contains "--yara, .ndb edited: not compiled again" "$ERR" "wrote compiled YARA rules"
assert_has_line "--yara, .ndb edited: the new signature" "$OUT" "f3.elf: YImg.New.UNOFFICIAL FOUND"
assert_eq "--yara, .ndb edited: two images" 2 "$(nimg)"
rm -rf db && mv dbx db
rm -rf "$C" && mkdir -m 700 "$C"

# ---- the rules given with -d between ClamAV files: as clamscan -------------
YF=(-d db/a.ldb -d db/m.yar -d db/z.ldb -d db/b.ndb -d db/h.hdb)
check_case "-d files" "${YF[@]}"
assert_has_line "-d files: a logical signature loaded before the rules comes first" "$OUT" \
    "f1.elf: L.One.UNOFFICIAL FOUND"
assert_has_line "-d files: a rule comes before a logical signature loaded after it" "$OUT" \
    "f2.elf: YARA.Y1.UNOFFICIAL FOUND"
# clamscan prints the same, mapped, cold and parsed (no cache).
rm -rf "$C" && mkdir -m 700 "$C"
for pass in cold mapped parsed; do
    [ $pass = parsed ] && export VIGIL_CACHE_DIR="$T/.no-such/cache"
    compat_run "${YF[@]}" "${FILES[@]}"
    compare_all "-d files ($pass)"
    _cmp "-d files ($pass): FOUND lines in order (first match)" "$(found "$C_OUT")" \
        "$(found "$V_OUT")"
    compat_run -z "${YF[@]}" f1.elf f2.elf f3.elf f4.elf
    compare_all "-d files ($pass), allmatch"
    [ $pass = mapped ] && assert_eq "-d files: one image" 1 "$(nimg)"
done
export VIGIL_CACHE_DIR=$C
rm -rf "$C" && mkdir -m 700 "$C"

# ---- a -d directory of .yar and ClamAV files ----------------------------------
# (vigil loads a directory's files in name order; clamscan in readdir
# order, so only the sets of detections are compared with it.)
check_case "directory" -d db
dir_img=$IMG
assert_has_line "directory: a logical signature before the rules comes first" "$OUT" \
    "f1.elf: L.One.UNOFFICIAL FOUND"
assert_has_line "directory: a rule comes before a later logical signature" "$OUT" \
    "f2.elf: YARA.Y1.UNOFFICIAL FOUND"
for pass in mapped parsed; do
    [ $pass = parsed ] && export VIGIL_CACHE_DIR="$T/.no-such/cache"
    compat_run -z -d db "${FILES[@]}"
    compare_all "directory ($pass), allmatch"
done
export VIGIL_CACHE_DIR=$C

# Editing the rules in place (sed -i: a new file, the directory's times
# change): the same image; the new rule detects.
sed -i 's/^rule Y2 .*$/&\nrule Y3 { strings: $a = "only" condition: $a }/' db/m.yar
vscan --debug --no-builtin -d db "${FILES[@]}"
assert_contains "directory, .yar edited: the same image" "$ERR" \
    "compiled engine from the image $dir_img"
assert_has_line "directory, .yar edited: the new rule detects (before z.ldb)" "$OUT" \
    "f3.elf: YARA.Y3.UNOFFICIAL FOUND"
assert_eq "directory, .yar edited: one image" 1 "$(nimg)"
vscan --no-cache --no-builtin -z -d db "${FILES[@]}"
want=$(found "$OUT")
vscan --no-builtin -z -d db "${FILES[@]}"
assert_eq "directory, .yar edited: as a parse, in order" "$want" "$(found "$OUT")"
# A new rule file between the logical ones: the same image; its rules are
# placed where a parse places them.
printf 'rule Q1 { strings: $a = "test" condition: $a }\n' > db/q.yar
vscan --no-cache --no-builtin -z -d db f2.elf f3.elf
want=$(found "$OUT")
vscan --debug --no-builtin -z -d db f2.elf f3.elf
assert_contains "directory, new .yar: the same image" "$ERR" \
    "compiled engine from the image $dir_img"
assert_eq "directory, new .yar: as a parse, in order" "$want" "$(found "$OUT")"
assert_eq "directory, new .yar: its rule after m.yar's, before z.ldb's" \
    "YARA.Y3.UNOFFICIAL YARA.Q1.UNOFFICIAL L.Three.UNOFFICIAL" \
    "$(printf '%s\n' "$OUT" | awk '/^f3.elf: .* FOUND$/ { printf "%s%s", sep, $2; sep = " " }')"

# A bad rule file in the directory: exit 2, nothing of the directory
# loaded (as a parse), no image written.
cp bad.yar db/zz.yar
n0=$(nimg)
vscan --no-cache --no-builtin -d db clean.txt
nc_out=$(summary "$OUT") nc_err=$ERR
vscan --no-builtin -d db clean.txt
assert_rc "directory, bad .yar: fails" 2
assert_has_line "directory, bad .yar: its file:line" "$ERR" \
    'ERROR: db/zz.yar:5: undefined string "$x"'
assert_eq "directory, bad .yar: the error of a parse" "$nc_err" "$ERR"
assert_eq "directory, bad .yar: nothing half-loaded" "$nc_out" "$(summary "$OUT")"
assert_eq "directory, bad .yar: Known viruses 0" 0 "$(summary_value 'Known viruses' "$OUT")"
sleep 0.01
printf 'YImg.Other:0:*:%s\n' "$(printf 'a vigil' | od -An -tx1 | tr -d ' \n')" >> db/b.ndb
vscan --no-builtin -d db clean.txt
assert_rc "directory, bad .yar, new .ndb: fails" 2
assert_eq "directory, bad .yar, new .ndb: no image written" "$n0" "$(nimg)"
rm db/zz.yar

# Editing a ClamAV file: a new image, the rules from their cache.
vscan --debug --no-builtin -d db "${FILES[@]}"
assert_contains "directory, .ndb edited: a new image" "$ERR" "wrote the image"
assert_contains "directory, .ndb edited: the rules from their cache" "$ERR" \
    "compiled YARA rules from the cache"
assert_has_line "directory, .ndb edited: the new signature" "$OUT" \
    "f2.elf: YImg.Other.UNOFFICIAL FOUND"

# The warning of a format vigil skips: said by the parse, the cold and the
# warm run alike (the image replays it).
echo whatever > db/x.pdb
vscan --no-cache --no-builtin -d db f1.elf
w_want=$(grep WARNING <<< "$ERR") n_want=$(summary_value 'Known viruses' "$OUT")
assert_contains "skipped format: warned" "$w_want" "db/x.pdb: this database format is not supported yet"
for pass in cold warm; do
    vscan --debug --no-builtin -d db f1.elf
    assert_eq "skipped format ($pass): same warnings" "$w_want" "$(grep WARNING <<< "$ERR")"
    assert_eq "skipped format ($pass): same count" "$n_want" "$(summary_value 'Known viruses' "$OUT")"
done
assert_contains "skipped format: warm run mapped" "$ERR" "compiled engine from the image"

# `vigil db compile` prepares both caches; the scan then compiles nothing.
C3=$T/cache3
mkdir -m 700 "$C3"
run "$VIGIL" db compile --no-builtin --cache-dir "$C3" -d db --yara r.yar
assert_rc "db compile" 0
assert_match "db compile: the image" "$OUT" "^[0-9]+ signatures compiled into $C3\$"
assert_contains "db compile: the rules" "$OUT" "YARA rules compiled into $C3"
n_cold=$(printf '%s\n' "$OUT" | sed -n 's/ signatures compiled into .*//p')
vscan --debug --no-builtin --cache-dir "$C3" -d db --yara r.yar f1.elf
assert_contains "after db compile: the image mapped" "$ERR" "compiled engine from the image $C3/"
assert_contains "after db compile: the rules from the cache" "$ERR" \
    "compiled YARA rules from the cache $C3/"
assert_not_contains "after db compile: nothing written" "$ERR" "wrote "
run "$VIGIL" db compile --no-builtin --cache-dir "$C3" -d db --yara r.yar
assert_match "db compile again: already there" "$OUT" "^[0-9]+ signatures already compiled in $C3\$"
assert_eq "db compile again: the same count" "$n_cold" \
    "$(printf '%s\n' "$OUT" | sed -n 's/ signatures already compiled in .*//p')"
vscan --no-cache --no-builtin -d db --yara r.yar clean.txt
assert_eq "db compile: the count of a parse" "$(summary_value 'Known viruses' "$OUT")" "$n_cold"
finish
