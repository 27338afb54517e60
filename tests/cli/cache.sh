#!/usr/bin/env bash
# cli/cache: the compiled pre-filter kept between runs (--cache-dir,
# VIGIL_CACHE_DIR, --no-cache, vigil db compile). The second start with the
# same database loads the cache; a changed database gets another file; a
# damaged, truncated or foreign-owned file is rebuilt, never trusted; a
# directory others can write is not used; small databases are not cached.
# Every run must report exactly the detections of a run without the cache.
. "$(dirname "$0")/../lib/common.sh"
VIGIL_TEST_CACHE= # this file tests the cache itself
export VIGIL_CACHE_DIR="$T/.cache"

# 3000 random 12-byte body signatures (enough to be cached), two of them
# planted in a file, and a second database that differs in one signature.
python3 - <<'PY'
import random
r = random.Random(11)
sigs = [bytes(r.randrange(1, 256) for _ in range(12)) for _ in range(3000)]
with open("big.ndb", "w") as f:
    for i, s in enumerate(sigs):
        f.write("Big.Sig-%d:0:*:%s\n" % (i, s.hex()))
with open("big2.ndb", "w") as f:
    for i, s in enumerate(sigs[:-1]):
        f.write("Big.Sig-%d:0:*:%s\n" % (i, s.hex()))
    f.write("Big.Sig-2999:0:*:%s\n" % bytes(range(1, 13)).hex())
with open("small.ndb", "w") as f:
    for i, s in enumerate(sigs[:50]):
        f.write("Small.Sig-%d:0:*:%s\n" % (i, s.hex()))
with open("hit.bin", "wb") as f:
    f.write(b"x" * 100 + sigs[17] + b"y" * 100 + sigs[2999] + b"z" * 10)
PY
echo clean > clean.txt
C=$VIGIL_CACHE_DIR
nfiles() { find "$1" -name '*.vgc' 2>/dev/null | wc -l; }
# A scan maps the engine image (tests/cli/image.sh) before it would look for
# the pre-filter cache: drop the images where this file tests the latter.
noimg() { rm -f "${1:-$C}"/*.vgi; }

vscan --no-cache --no-builtin -z -d big.ndb hit.bin clean.txt
assert_rc "without cache: found" 1
want=$(found_lines "$OUT")
assert_eq "without cache: both planted signatures" "$(printf '%s\n' "$want" | wc -l)" 2
assert_eq "--no-cache writes nothing" "$(nfiles "$C")" 0

vscan --debug --no-builtin -z -d big.ndb hit.bin clean.txt
assert_rc "first run: found" 1
assert_eq "first run: same detections" "$(found_lines "$OUT")" "$want"
assert_contains "first run writes the cache" "$ERR" "wrote the cache $C/"
assert_eq "one cache file" "$(nfiles "$C")" 1
f=$(find "$C" -name '*.vgc')
assert_eq "cache file mode" "$(stat -c %a "$f")" 644

noimg
vscan --debug --no-builtin -z -d big.ndb hit.bin clean.txt
assert_rc "second run: found" 1
assert_eq "second run: same detections" "$(found_lines "$OUT")" "$want"
assert_contains "second run loads the cache" "$ERR" "compiled signatures from the cache $f"
assert_not_contains "second run writes nothing" "$ERR" "wrote the cache"

# One flipped byte in the middle: detected, rebuilt, replaced.
cp "$f" saved.vgc
size=$(stat -c %s "$f")
printf '\x5a' | dd of="$f" bs=1 seek=$((size / 2)) conv=notrunc status=none
noimg
vscan --debug --no-builtin -z -d big.ndb hit.bin clean.txt
assert_rc "damaged cache: found" 1
assert_eq "damaged cache: same detections" "$(found_lines "$OUT")" "$want"
assert_contains "damaged cache: said" "$ERR" "cache file damaged; rebuilding it"
assert_contains "damaged cache: rewritten" "$ERR" "wrote the cache $f"
if cmp -s "$f" saved.vgc; then ok "rebuilt file equals the good one"; else fail "rebuilt file differs"; fi

# Truncated: the same.
head -c $((size - 100)) saved.vgc > "$f"
noimg
vscan --debug --no-builtin -z -d big.ndb hit.bin
assert_eq "truncated cache: same detections" "$(found_lines "$OUT")" "$(printf '%s\n' "$want" | grep hit.bin)"
assert_contains "truncated cache: rebuilt" "$ERR" "cache file damaged; rebuilding it"

# A file others may write is not trusted (it is replaced by one of ours).
chmod 666 "$f"
noimg
vscan --debug --no-builtin -z -d big.ndb hit.bin
assert_not_contains "group/world-writable cache not loaded" "$ERR" "compiled signatures from the cache"
assert_eq "replaced by a private file" "$(stat -c %a "$f")" 644

# Another database: another file; both stay usable.
vscan --debug --no-builtin -z -d big2.ndb hit.bin
assert_rc "changed database: found" 1
assert_contains "changed database compiles" "$ERR" "wrote the cache"
assert_eq "two cache files" "$(nfiles "$C")" 2
assert_has_line "changed database: its own detections" "$OUT" "hit.bin: Big.Sig-17.UNOFFICIAL FOUND"
assert_lacks_line "changed database: changed signature gone" "$OUT" "hit.bin: Big.Sig-2999.UNOFFICIAL FOUND"

# Small databases compile in milliseconds: no file.
vscan --no-builtin --cache-dir "$T/c-small" -d small.ndb clean.txt
assert_eq "small database: no cache file" "$(nfiles "$T/c-small")" 0

# A cache directory others can write is not used at all.
mkdir -m 777 open
vscan --debug --no-builtin --cache-dir "$T/open" -d big.ndb hit.bin
assert_rc "open cache dir: still scans" 1
assert_contains "open cache dir: said" "$ERR" "compiled signatures are not cached"
assert_eq "open cache dir: nothing written" "$(nfiles "$T/open")" 0

# vigil db compile prepares exactly what a scan looks for.
run "$VIGIL" db compile --no-builtin --cache-dir "$T/c2" -d big.ndb
assert_rc "db compile" 0
assert_contains "db compile says where" "$OUT" "3000 signatures compiled into $T/c2"
run "$VIGIL" db compile --no-builtin --cache-dir "$T/c2" -d big.ndb
assert_contains "db compile again: up to date" "$OUT" "3000 signatures already compiled in $T/c2"
vscan --debug --no-builtin --cache-dir "$T/c2" -z -d big.ndb hit.bin clean.txt
assert_contains "scan after db compile maps the image" "$ERR" "compiled engine from the image $T/c2/"
assert_eq "scan after db compile: same detections" "$(found_lines "$OUT")" "$want"
noimg "$T/c2"
vscan --debug --no-builtin --cache-dir "$T/c2" -z -d big.ndb hit.bin clean.txt
assert_contains "scan after db compile loads the cache" "$ERR" "compiled signatures from the cache $T/c2/"
assert_eq "scan after db compile: same detections" "$(found_lines "$OUT")" "$want"
run "$VIGIL" db compile --cache-dir "$T/c2" -d small.ndb
assert_rc "db compile small" 0
assert_contains "db compile small: imaged" "$OUT" "compiled into $T/c2"
assert_eq "db compile small: no pre-filter cache file" "$(nfiles "$T/c2")" 1
run "$VIGIL" db compile --cache-dir "$T/c2" -d nonexistent.ndb
assert_rc "db compile of a missing database" 2
# Files not used for 7 days are removed when a new one is written beside
# them (one image a day of database updates would pile up); a hit counts as
# a use; names that are not cache files, and the file written, stay.
mkdir -m 700 "$T/c3"
h=$(printf '%064d' 0) h2=$(printf '%064d' 1) h3=$(printf '%064d' 2)
for f in "$h.vgi" "$h.vgc" "$h2.vgy" "$h3.vgi.AbC123" keep.vgi notes.txt; do
    echo old > "$T/c3/$f" && touch -d '10 days ago' "$T/c3/$f"
done
echo new > "$T/c3/$h2.vgi"
vscan --debug --no-builtin --cache-dir "$T/c3" -d small.ndb clean.txt
assert_contains "prune: an image written" "$ERR" "wrote the image $T/c3/"
for f in "$h.vgi" "$h.vgc" "$h2.vgy" "$h3.vgi.AbC123"; do
    [ -e "$T/c3/$f" ] && fail "prune: $f unused for 10 days removed" || ok "prune: $f removed"
done
for f in keep.vgi notes.txt "$h2.vgi"; do
    [ -e "$T/c3/$f" ] && ok "prune: $f kept" || fail "prune: $f kept"
done
img3=$(find "$T/c3" -name '*.vgi' -newer "$T/c3/notes.txt" ! -name "$h2.vgi" | head -1)
touch -d '10 days ago' "$img3"
vscan --debug --no-builtin --cache-dir "$T/c3" -d small.ndb clean.txt
assert_contains "prune: the old image still maps" "$ERR" "compiled engine from the image $img3"
[ "$(find "$img3" -mtime -1 | wc -l)" = 1 ] && ok "prune: a hit marks the image used" ||
    fail "prune: a hit marks the image used"
finish
