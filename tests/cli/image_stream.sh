#!/usr/bin/env bash
# cli/image_stream: `vigil db compile` compiles for the image only (the
# hash signatures and names go through temporary files in the cache
# directory and the image's hash tables are written by a partitioned pass,
# match/hashset_stream.c); a scan that maps that image says exactly what a
# scan that parses says (in memory, no cache), and what a cold scan's
# image (tables built in memory) says, and clamscan finds the same. The
# database has what the pass must keep: duplicates (the entry loaded last
# is reported), any-size `*` entries, MD5, SHA-1 and SHA-256 (.hsb), an
# allow list (.fp), section hashes (.mdb), a body signature, and digests
# whose home is the last slot of the table (entries that wrap to its
# start) next to one whose home is the first. A file size limit (as a full
# disk) fails the compile with exit code 2 and leaves no file behind.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/compat.sh"
VIGIL_TEST_CACHE= # this file tests the cache itself
export VIGIL_CACHE_DIR="$T/.cache"
mkdir -m 700 "$VIGIL_CACHE_DIR"

python3 - <<'PY'
import hashlib, random
r = random.Random(11)
md5 = lambda b: hashlib.md5(b).hexdigest()
files = {}
def mk(name, data):
    files[name] = data
    open(name, "wb").write(data)
# Files whose MD5 starts with ffff (home: the last slot of a table of at
# most 65536 slots) and with 0000 (the first slot, where wrapped ones go).
def find(prefix, tag):
    i = 0
    while True:
        d = b"%s-%08d\n" % (tag, i)
        if md5(d).startswith(prefix):
            return d
        i += 1
mk("last.bin", find("ffff", b"last"))
mk("first.bin", find("0000", b"first"))
for i in range(40):
    mk("f%02d.txt" % i, b"file %d\n" % i)
mk("allowed.txt", b"allowed but also detected\n")
with open("a.hdb", "w") as f:
    for i in range(20000):
        f.write("%032x:%d:Str.Rand-%d\n" % (r.getrandbits(128), r.randint(1, 9000), i))
    # 400 entries that home on the last slot too, around last.bin's digest
    for i in range(400):
        f.write("ffff%028x:%d:Str.Wrap-%d\n" % (r.getrandbits(112), r.randint(1, 9000), i))
    for name in ("last.bin", "first.bin", "allowed.txt"):
        f.write("%s:%d:Str.%s\n" % (md5(files[name]), len(files[name]), name))
    for i in range(0, 40, 2):
        d = files["f%02d.txt" % i]
        f.write("%s:%d:Str.Hit-%d\n" % (md5(d), len(d), i))
        if i % 4 == 0:  # a duplicate: the last loaded is reported
            f.write("%s:%d:Str.Dup-%d\n" % (md5(d), len(d), i))
        if i % 6 == 0:  # the same digest for another size: no match
            f.write("%s:%d:Str.Size-%d\n" % (md5(d), len(d) + 1, i))
with open("b.hdb", "w") as f:  # later file: its duplicates win
    f.write("%s:%d:Str.Later\n" % (md5(files["f08.txt"]), len(files["f08.txt"])))
    for i in (1, 3, 5):
        d = files["f%02d.txt" % i]
        f.write("%s:*:Str.Any-%d:73\n" % (md5(d), i))
with open("c.hsb", "w") as f:
    for i in range(3000):
        f.write("%064x:%d:Str.Sha-%d\n" % (r.getrandbits(256), r.randint(1, 9000), i))
    for i in (7, 9):
        d = files["f%02d.txt" % i]
        f.write("%s:%d:Str.Sha256-%d\n" % (hashlib.sha256(d).hexdigest(), len(d), i))
        f.write("%s:*:Str.Sha1Any-%d:73\n" % (hashlib.sha1(d).hexdigest(), i))
with open("d.fp", "w") as f:
    d = files["allowed.txt"]
    f.write("%s:%d:Str.Allowed\n" % (md5(d), len(d)))
with open("e.mdb", "w") as f:  # several sorted runs of sechash_stream.c
    for i in range(40000):
        f.write("%d:%032x:Str.Sect-%d\n" % (r.randint(100, 900), r.getrandbits(128), i))
with open("g.ndb", "w") as f:
    f.write("Str.Body:0:*:66696c652031310a\n")  # "file 11\n"
PY
# clam.exe's section hash (as sigtool --mdb gives it) twice, in a bucket
# of many: match/sechash.c's copy of ClamAV's quicksort decides which name
# is reported, and the streamed table must keep its order.
cp "$CLAMAV_TESTFILES/clam.exe" .
sect=$(sigtool --mdb clam.exe 2>&1 | sed -n 's/.*Section{0}: \([0-9]*:[0-9a-f]*\)$/\1/p')
[ -n "$sect" ] || fail "sigtool --mdb gave no section hash"
printf '%s:Str.Sect.Clam\n%s:Str.Sect.Clam2\n' "$sect" "$sect" >> e.mdb
DB=(-d a.hdb -d b.hdb -d c.hsb -d d.fp -d e.mdb -d g.ndb)
FILES=(last.bin first.bin allowed.txt clam.exe f*.txt)
strip() { printf '%s\n' "$1" | grep -v -e '^Time:' -e '^Start Date:' -e '^End Date:'; }

# The truth: a parse, no cache.
vscan --no-cache --no-builtin "${DB[@]}" "${FILES[@]}"
assert_rc "parse: found" 1
truth=$(strip "$OUT")
for l in "last.bin: Str.last.bin.UNOFFICIAL FOUND" "first.bin: Str.first.bin.UNOFFICIAL FOUND" \
         "f00.txt: Str.Dup-0.UNOFFICIAL FOUND" "f02.txt: Str.Hit-2.UNOFFICIAL FOUND" \
         "f08.txt: Str.Later.UNOFFICIAL FOUND" "f03.txt: Str.Any-3.UNOFFICIAL FOUND" \
         "f07.txt: Str.Sha1Any-7.UNOFFICIAL FOUND" "f11.txt: Str.Body.UNOFFICIAL FOUND" \
         "clam.exe: Str.Sect.Clam.UNOFFICIAL FOUND" \
         "allowed.txt: OK"; do
    assert_has_line "parse: $l" "$truth" "$l"
done

# The image-only compile.
run "$VIGIL" db compile --no-builtin "${DB[@]}"
assert_rc "db compile" 0
sigs=$(summary_value "Known viruses" "$truth")
assert_eq "db compile counts what the scan counts" \
    "$sigs signatures compiled into $VIGIL_CACHE_DIR" "$OUT"
assert_eq "one image, no temporary file left" 1 "$(ls -A "$VIGIL_CACHE_DIR" | wc -l)"
vscan --debug --no-builtin "${DB[@]}" "${FILES[@]}"
assert_contains "the scan maps the compiled image" "$ERR" "compiled engine from the image"
vscan --no-builtin "${DB[@]}" "${FILES[@]}"
assert_rc "streamed image: found" 1
assert_eq "streamed image: what the parse says" "$truth" "$(strip "$OUT")"
# clamscan on the files without duplicate entries: for a digest listed
# twice with one size, ClamAV reports whichever its (unstable) quicksort of
# the size's bucket puts where its binary search looks (matcher-hash.c
# hm_sort), vigil the one loaded last, in either path.
# clam.exe neither: its section hash is listed twice in a bucket of ~50,
# where clamscan 1.4.6 reports Str.Sect.Clam2 and vigil (match/sechash.c's
# copy of ClamAV's quicksort, parsed or streamed alike) Str.Sect.Clam.
CF=(last.bin first.bin allowed.txt)
for f in f*.txt; do n=${f:1:2}; (( 10#$n % 4 == 0 )) || CF+=("$f"); done
compat_run "${DB[@]}" "${CF[@]}"
compare_found "streamed image and clamscan"
compare_rc "streamed image and clamscan"

# A cold scan's image (hash tables built in memory) says the same.
rm -f "$VIGIL_CACHE_DIR"/*
vscan --no-builtin "${DB[@]}" "${FILES[@]}"
assert_eq "cold scan: what the parse says" "$truth" "$(strip "$OUT")"
vscan --debug --no-builtin "${DB[@]}" "${FILES[@]}"
assert_contains "the second scan maps the cold scan's image" "$ERR" \
    "compiled engine from the image"
vscan --no-builtin "${DB[@]}" "${FILES[@]}"
assert_eq "the cold scan's image: what the parse says" "$truth" "$(strip "$OUT")"

# A signed .cvd (hash signatures inside a container): the same, and its
# warnings said again by the streamed image.
rm -f "$VIGIL_CACHE_DIR"/*
mkdir cvd && cp "$VIGIL_SHARED/clamav-testdata/cvd/test-3.cvd" cvd/
vscan --no-cache --no-builtin -d cvd clam.exe f01.txt
assert_has_line "cvd parse: found" "$(found_lines "$OUT")" "clam.exe: Clamav.Test.File-6 FOUND"
cvd_out=$(strip "$OUT") cvd_err=$ERR
run "$VIGIL" db compile --no-builtin -d cvd
assert_rc "cvd: db compile" 0
vscan --no-builtin -d cvd clam.exe f01.txt
assert_eq "cvd: the streamed image says what the parse says" "$cvd_out" "$(strip "$OUT")"
assert_eq "cvd: and warns as it warns" "$cvd_err" "$ERR"

# A file size limit, as a full disk: the temporary files cannot be made
# (64 KiB: the compile goes on in memory) and the image cannot be written,
# or a temporary file cannot grow (1100 KiB: more than a MiB of MD5
# records); the compile fails and leaves nothing.
python3 -c "
import random
r = random.Random(12)
with open('big.hdb', 'w') as f:
    for i in range(50000):
        f.write('%032x:%d:Str.Big-%d\n' % (r.getrandbits(128), r.randint(1, 9000), i))"
DB+=(-d big.hdb)
for lim in 64 1100; do
    rm -rf "$VIGIL_CACHE_DIR" && mkdir -m 700 "$VIGIL_CACHE_DIR"
    run bash -c "ulimit -f $lim; exec \"\$0\" db compile --no-builtin $(printf '%q ' "${DB[@]}")" \
        "$VIGIL"
    assert_rc "a limit of $lim KiB fails the compile" 2
    assert_match "and says why ($lim KiB)" "$ERR" "image|memory|large|space"
    assert_eq "and leaves no file ($lim KiB)" "" "$(ls -A "$VIGIL_CACHE_DIR")"
done
finish
