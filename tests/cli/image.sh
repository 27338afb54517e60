#!/usr/bin/env bash
# cli/image: the compiled engine as one mapped file (core/image.h). The
# second start with the same databases maps the image instead of parsing;
# it reports exactly what a parse reports (hashes, body, logical
# signatures, allmatch). A changed database, a touched one, another build
# (key) get another image. Damage of every kind is rejected and rebuilt,
# never trusted: byte flips in each region, truncation, a wrong version,
# and - with the XXH3-128 trailer made valid again - a directory entry
# pointing outside the file and out-of-range indices inside tables. What
# ClamAV's own databases hold besides (PCRE subsignatures, .cdb, .ftm,
# .mdb/.msb/.imp, signed .cvd containers and the warnings of formats vigil
# skips) is imaged too, and a warm start says and finds what a parse does.
. "$(dirname "$0")/../lib/common.sh"
VIGIL_TEST_CACHE= # this file tests the cache itself
export VIGIL_CACHE_DIR="$T/.cache"

python3 - <<'PY'
import hashlib, random
r = random.Random(5)
sigs = [bytes(r.randrange(1, 256) for _ in range(12)) for _ in range(300)]
with open("b.ndb", "w") as f:
    for i, s in enumerate(sigs):
        f.write("Img.Body-%d:0:*:%s\n" % (i, s.hex()))
    f.write("Img.Gap:0:*:%s*%s\n" % (sigs[40].hex(), sigs[41].hex()))
with open("h.hdb", "w") as f:
    for i in range(200):
        f.write("%032x:%d:Img.Hash-%d\n" % (r.getrandbits(128), 100 + i, i))
    f.write("%s:6:Img.Hash.Hello\n" % hashlib.md5(b"hello\n").hexdigest())
    f.write("%s:*:Img.Hash.Any:73\n" % hashlib.md5(b"anysize\n").hexdigest())
with open("l.ldb", "w") as f:
    f.write("Img.Ldb;Engine:51-255,Target:0;0&1&2;%s;%s;%s\n"
            % (sigs[200].hex(), sigs[201].hex(), sigs[202].hex()))
    f.write("Img.Ldb.Count;Engine:51-255,Target:0;0>1;%s\n" % sigs[210].hex())
with open("hit.bin", "wb") as f:
    f.write(b"x" * 50 + sigs[17] + b"y" * 30 + sigs[40] + b"-" * 9 + sigs[41])
    f.write(b"z" * 20 + sigs[200] + sigs[202] + b"." + sigs[201])
    f.write(sigs[210] + b"," + sigs[210])
with open("ldb1.bin", "wb") as f:
    f.write(sigs[210] + b"only once")
PY
printf 'hello\n' > hello.txt
printf 'anysize\n' > any.txt
echo clean > clean.txt
FILES=(hit.bin ldb1.bin hello.txt any.txt clean.txt)
DB=(-d b.ndb -d h.hdb -d l.ldb)
C=$VIGIL_CACHE_DIR
img() { find "$C" -name '*.vgi' | head -1; }
nimg() { find "$C" -name '*.vgi' | wc -l; }

# The truth: a parse without any cache.
vscan --no-cache --no-builtin -z "${DB[@]}" "${FILES[@]}"
assert_rc "parse: found" 1
want=$(found_lines "$OUT")
for l in "hit.bin: Img.Gap.UNOFFICIAL FOUND" "hit.bin: Img.Ldb.UNOFFICIAL FOUND" \
         "hit.bin: Img.Ldb.Count.UNOFFICIAL FOUND" "hello.txt: Img.Hash.Hello.UNOFFICIAL FOUND" \
         "any.txt: Img.Hash.Any.UNOFFICIAL FOUND"; do
    assert_has_line "parse: $l" "$want" "$l"
done
assert_lacks_line "parse: one match is no count" "$want" "ldb1.bin: Img.Ldb.Count.UNOFFICIAL FOUND"
vscan --no-cache --no-builtin "${DB[@]}" "${FILES[@]}"
want1=$(found_lines "$OUT")
nsigs=$(summary_value "$OUT" 'Known viruses')

vscan --debug --no-builtin -z "${DB[@]}" "${FILES[@]}"
assert_contains "cold: writes the image" "$ERR" "wrote the image $C/"
assert_eq "cold: same detections" "$(found_lines "$OUT")" "$want"
assert_eq "one image" "$(nimg)" 1
f=$(img)
assert_eq "image mode" "$(stat -c %a "$f")" 644
cp "$f" good.vgi

check_warm() { # $1: label
    vscan --debug --no-builtin -z "${DB[@]}" "${FILES[@]}"
    assert_rc "$1: found" 1
    assert_contains "$1: maps the image" "$ERR" "compiled engine from the image $f"
    assert_not_contains "$1: parses nothing" "$ERR" "wrote the"
    assert_eq "$1: same detections (allmatch)" "$(found_lines "$OUT")" "$want"
    vscan --no-builtin "${DB[@]}" "${FILES[@]}"
    assert_eq "$1: same detections (first match)" "$(found_lines "$OUT")" "$want1"
    assert_eq "$1: same signature count" "$(summary_value "$OUT" 'Known viruses')" "$nsigs"
}
check_warm warm

# A damaged image: said, rebuilt (byte-identical to the good one), and the
# scan still reports exactly the parse's detections.
check_rebuilt() { # $1: label
    vscan --debug --no-builtin -z "${DB[@]}" "${FILES[@]}"
    assert_rc "$1: found" 1
    assert_eq "$1: same detections" "$(found_lines "$OUT")" "$want"
    assert_contains "$1: rejected" "$ERR" "image damaged or not trusted; rebuilding it"
    assert_not_contains "$1: not used" "$ERR" "compiled engine from the image"
    assert_contains "$1: rewritten" "$ERR" "wrote the image $f"
    if cmp -s "$f" good.vgi; then ok "$1: rebuilt image equals the good one"
    else fail "$1: rebuilt image differs"; fi
}
size=$(stat -c %s good.vgi)
# One byte flipped in the magic, version, key, length, directory, a table
# and the trailer.
for at in 0 17 30 58 70 $((size / 3)) $((size / 2)) $((size - 40)) $((size - 1)); do
    cp good.vgi "$f"
    python3 -c "import sys; p=sys.argv[1]; b=bytearray(open(p,'rb').read()); b[int(sys.argv[2])]^=0x41; open(p,'wb').write(b)" "$f" "$at"
    check_rebuilt "flip at $at"
done
for cut in 1 32 $((size / 2)) $((size - 64)); do
    head -c "$cut" good.vgi > "$f"
    check_rebuilt "truncated to $cut"
done
cp good.vgi "$f"; printf 'x' >> "$f"
check_rebuilt "one byte appended"

# Valid trailer, wrong contents: tools/image_tamper.py rewrites a field and
# recomputes the SHA-256, so only the loader's own checks stand in the way.
tamper() { python3 "$VIGIL_SRC/tests/cli/image_tamper.py" good.vgi "$f" "$@"; }
for what in version dir-offset dir-length dir-id names-nul ldb-expr ldb-name ldb-subs \
            hs-offset hs-magic; do
    tamper "$what" || fail "tamper $what: tool failed"
    check_rebuilt "tampered $what"
done

# Tables read in place are checked entry by entry as a scan reads them,
# not all at attach (hash slots and records, body signature entries and
# records, the body plan, the pre-filter's literals and owner lists): the
# image is used, no worker dies, nothing is found that the parse does not
# find, and what the damaged entry does not touch is still found.
check_harmless() { # $1: label, $2: the detection the damage loses, "" none
    vscan --debug --no-builtin -z "${DB[@]}" "${FILES[@]}"
    assert_rc "$1: found" 1
    assert_contains "$1: maps the image" "$ERR" "compiled engine from the image $f"
    assert_not_contains "$1: no worker died" "$OUT$ERR" "worker died"
    assert_not_contains "$1: no worker killed" "$OUT$ERR" "was killed by signal"
    local l lost=${2:-none}
    while IFS= read -r l; do
        [ -z "$l" ] || [ "$l" = "$lost" ] || grep -qxF -- "$l" <<< "$(found_lines "$OUT")" ||
            fail "$1: lost $l"
    done <<< "$want"
    while IFS= read -r l; do
        [ -z "$l" ] || grep -qxF -- "$l" <<< "$want" || fail "$1: not in the parse: $l"
    done <<< "$(found_lines "$OUT")"
    [ -z "${2:-}" ] || assert_lacks_line "$1: the damaged entry matches nothing" \
        "$(found_lines "$OUT")" "$2"
    ok "$1: checked"
}
hello="hello.txt: Img.Hash.Hello.UNOFFICIAL FOUND"
body17="hit.bin: Img.Body-17.UNOFFICIAL FOUND"
for what in "hash-slot:$hello" "hash-value:$hello" "hash-full:" "body-name@17:$body17" \
            "body-sig@17:$body17" "body-lsig@17:$body17" "body-text@17:$body17" \
            "plan-slot@17:$body17" "owner-loop:" "owner-sig:" "lit-len@17:$body17"; do
    tamper "${what%%:*}" || fail "tamper ${what%%:*}: tool failed"
    check_harmless "tampered ${what%%:*}" "${what#*:}"
done

# A Vectorscan database is used in place: its bytecode is checked by
# Vectorscan (its CRC) when a scanner is made, not at attach. A damaged one
# (with a valid trailer: only on purpose) is refused with an error, never
# run; with and without the sandbox.
tamper hs-bytecode || fail "tamper hs-bytecode: tool failed"
for mode in sandbox no-sandbox; do
    extra=(); [ $mode = sandbox ] || extra=(--no-sandbox)
    vscan --no-builtin "${extra[@]}" "${DB[@]}" "${FILES[@]}"
    assert_rc "tampered hs-bytecode ($mode): error" 2
    assert_contains "tampered hs-bytecode ($mode): said" "$ERR" "malformed database"
    assert_not_contains "tampered hs-bytecode ($mode): no crash" "$OUT$ERR" "killed by signal"
done

# Trust: another's file mode, a symlink.
cp good.vgi "$f"; chmod 666 "$f"
check_rebuilt "world-writable image"
assert_eq "replaced by a private file" "$(stat -c %a "$f")" 644
mv "$f" elsewhere.vgi; ln -s "$PWD/elsewhere.vgi" "$f"
check_rebuilt "symlinked image"
check_warm "after rebuilds"

# A changed database, or one only rewritten (same bytes, new ctime): a new
# key, a new image; the old stays usable for its files.
sleep 0.01
cp l.ldb l2.ldb && cat l2.ldb > l.ldb
vscan --debug --no-builtin -z "${DB[@]}" "${FILES[@]}"
assert_contains "rewritten database: new image" "$ERR" "wrote the image"
assert_eq "rewritten database: same detections" "$(found_lines "$OUT")" "$want"
assert_eq "two images" "$(nimg)" 2
sed -i 's/^Img.Ldb.Count;.*$//' l.ldb
sed -i '/^$/d' l.ldb
vscan --debug --no-builtin -z "${DB[@]}" "${FILES[@]}"
assert_contains "changed database: new image" "$ERR" "wrote the image"
assert_lacks_line "changed database: removed signature gone" "$OUT" "hit.bin: Img.Ldb.Count.UNOFFICIAL FOUND"
assert_has_line "changed database: others stay" "$OUT" "hit.bin: Img.Ldb.UNOFFICIAL FOUND"

# A directory of databases is keyed by its files: a new file is a new key.
mkdir dbdir && cp b.ndb h.hdb dbdir/
vscan --debug --no-builtin -z -d dbdir hit.bin hello.txt
assert_contains "directory: image written" "$ERR" "wrote the image"
vscan --debug --no-builtin -z -d dbdir hit.bin hello.txt
assert_contains "directory: image mapped" "$ERR" "compiled engine from the image"
d1=$(found_lines "$OUT")
cp l2.ldb dbdir/l.ldb
vscan --debug --no-builtin -z -d dbdir hit.bin hello.txt
assert_contains "directory with a new file: new image" "$ERR" "wrote the image"
assert_has_line "directory with a new file: its signatures" "$OUT" "hit.bin: Img.Ldb.UNOFFICIAL FOUND"

# A malformed database is reported as the parse reports it, cache or not.
printf 'Bad.Sig:0:*:4142zz\n' > bad.ndb
vscan --no-cache --no-builtin -d bad.ndb clean.txt
nocache_err=$ERR nocache_rc=$RC
vscan --no-builtin -d bad.ndb clean.txt
assert_eq "malformed database: same rc" "$RC" "$nocache_rc"
assert_eq "malformed database: same error" "$ERR" "$nocache_err"

# An allow list of one digest kind only: the other kinds' empty tables must
# not lead a lookup into the next table (a worker crashed on this).
printf '%s:6:Img.Allowed\n' "$(sha256sum < hello.txt | cut -d' ' -f1)" > a.sfp
vscan --no-cache --no-builtin -d h.hdb -d a.sfp hello.txt any.txt
allow_want=$(found_lines "$OUT")
assert_lacks_line "allow list: hello.txt allowed" "$OUT" "hello.txt: Img.Hash.Hello.UNOFFICIAL FOUND"
for pass in cold warm; do
    vscan --debug --no-builtin -d h.hdb -d a.sfp hello.txt any.txt
    assert_eq "allow list ($pass): same detections" "$(found_lines "$OUT")" "$allow_want"
    assert_not_contains "allow list ($pass): no worker died" "$OUT" "worker died"
done
assert_contains "allow list: warm run mapped" "$ERR" "compiled engine from the image"

# What ClamAV's databases hold besides: PCRE subsignatures, .cdb, .ftm,
# section and import hashes, a signed .cvd, a format vigil skips (its
# warning). Cold, warm and no-cache runs print the same; the warm one maps.
TF=$CLAMAV_TESTFILES
mkdir full && cp "$TF/clam.exe" "$TF/clam.zip" .
printf 'Img.Pcre;Engine:81-255,Target:0;0&1;68656c;0/hel+o/\n' > full/p.ldb
printf 'Img.Cdb:CL_TYPE_ZIP:*:clam\\.exe:*:*:*:*:*:*\n' > full/c.cdb
printf '1:*:4d5a90000300:Img-SFX:CL_TYPE_ANY:CL_TYPE_MSEXE\n' > full/t.ftm
python3 - "$TF/clam.exe" <<'PY'
import hashlib, struct, sys
b = open(sys.argv[1], "rb").read()
pe = struct.unpack_from("<I", b, 0x3c)[0]
sh = pe + 24 + struct.unpack_from("<H", b, pe + 20)[0]
falign = struct.unpack_from("<I", b, pe + 24 + 36)[0]
rsz, raw = struct.unpack_from("<II", b, sh + 16)
# ClamAV's section: raw start aligned down, size up, to FileAlignment
raw, rsz = raw // falign * falign, min(-(-rsz // falign) * falign, len(b) - raw // falign * falign)
open("full/s.mdb", "w").write("%d:%s:Img.Sect\n" % (rsz, hashlib.md5(b[raw:raw + rsz]).hexdigest()))
open("full/i.imp", "w").write("%s:12:Img.Imp\n" % hashlib.md5(b"none").hexdigest())
PY
cp "$VIGIL_SHARED/clamav-testdata/cvd/test-3.cvd" full/
echo 'whatever' > full/x.pdb
FULL=(hello.txt clam.exe clam.zip)
vscan --no-cache --no-builtin -v -z -d full "${FULL[@]}"
full_out=$(found_lines "$OUT") full_warn=$(grep 'WARNING' <<< "$ERR")
for l in "hello.txt: Img.Pcre.UNOFFICIAL FOUND" "clam.exe: Img.Sect.UNOFFICIAL FOUND" \
         "clam.zip: Img.Cdb.UNOFFICIAL FOUND" "clam.exe: Clamav.Test.File-6 FOUND"; do
    assert_has_line "full parse: $l" "$full_out" "$l"
done
assert_contains "full parse: the skipped format said" "$full_warn" \
    "full/x.pdb: this database format is not supported yet; skipped"
full_n=$(summary_value "$OUT" 'Known viruses')
for pass in cold warm; do
    vscan --debug --no-builtin -v -z -d full "${FULL[@]}"
    assert_eq "full ($pass): same detections" "$(found_lines "$OUT")" "$full_out"
    assert_eq "full ($pass): same warnings" "$(grep 'WARNING' <<< "$ERR")" "$full_warn"
    assert_eq "full ($pass): same count" "$(summary_value "$OUT" 'Known viruses')" "$full_n"
done
assert_contains "full: warm run mapped" "$ERR" "compiled engine from the image"
vscan --no-builtin -d full -z --allmatch "${FULL[@]}"
warm_all=$(found_lines "$OUT")
vscan --no-cache --no-builtin -d full -z --allmatch "${FULL[@]}"
assert_eq "full: allmatch warm = parse" "$warm_all" "$(found_lines "$OUT")"

# YARA rules are compiled by libyara, not imaged: rules alone make no image
# (tests/cli/image_yara.sh: the image of the ClamAV files beside them).
printf 'rule img_yara { strings: $a = "hello" condition: $a }\n' > y.yar
vscan --debug --no-builtin -d y.yar hello.txt
assert_has_line "yara: found" "$OUT" "hello.txt: YARA.img_yara.UNOFFICIAL FOUND"
assert_not_contains "yara: no image written" "$ERR" "wrote the image"
assert_not_contains "yara: no image mapped" "$ERR" "compiled engine from the image"
finish
