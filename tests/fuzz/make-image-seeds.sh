#!/bin/sh
# make-image-seeds.sh VIGIL - writes the seeds of fuzz_image
# (tests/fuzz/corpus/image/*.vgi): engine images of tiny databases, written
# by the given build of vigil (x86-64 layout). Run it again when the image
# format changes (core/image.h IMAGE_VERSION, a table, a record layout).
set -eu
VIGIL=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
OUT=$(cd "$(dirname "$0")" && pwd)/corpus/image
W=$(mktemp -d /tmp/vigil-image-seeds.XXXXXX)
trap 'rm -rf "$W"' EXIT
cd "$W"
echo hello > hello.txt

# hashes: MD5, SHA-1, SHA-256 detection hashes and an allow list.
mkdir hashes
printf '%s:6:Fz.Hash\n' "$(md5sum < hello.txt | cut -d' ' -f1)" > hashes/h.hdb
printf '%s:*:Fz.Any:73\n' "$(sha1sum < hello.txt | cut -d' ' -f1)" >> hashes/h.hdb
printf '%s:6:Fz.Sha256\n' "$(sha256sum < hello.txt | cut -d' ' -f1)" > hashes/h.hsb
printf '%s:12:Fz.Allowed\n' "$(md5sum < /dev/null | cut -d' ' -f1)" > hashes/a.fp

# mixed: body signatures with gaps and alternatives, logical signatures
# with a PCRE subsignature, byte compare and a macro-free expression, .cdb,
# .ftm, section and import hashes, and a format vigil skips (a kept note).
mkdir mixed
cat > mixed/b.ndb <<'N'
Fz.Body:0:*:636c616d2e657865
Fz.Gap:0:*:636c616d2e6578654d5a90??03*0000636c616d2e657865
Fz.Alt:0:*:68656c(6c|70)6f{-4}0a0b
N
cat > mixed/l.ldb <<'L'
Fz.Ldb;Engine:51-255,Target:0;0&1;636c616d;2e657865
Fz.Pcre;Engine:81-255,Target:0;0&1;68656c;0/hel+o/i
Fz.Bcomp;Engine:81-255,Target:0;0&1;68656c6c6f;0(>>5#hb1#=10)
L
printf 'Fz.Cdb:CL_TYPE_ZIP:*:clam\\.exe:*:*:*:*:*:*\n' > mixed/c.cdb
printf '1:*:4d5a90000300:Fz-SFX:CL_TYPE_ANY:CL_TYPE_MSEXE\n' > mixed/t.ftm
printf '512:23db1dd3f77fae25610b6a32701313ae:Fz.Sect\n' > mixed/s.mdb
printf '%s:12:Fz.Imp\n' "$(md5sum < hello.txt | cut -d' ' -f1)" > mixed/i.imp
echo x > mixed/x.pdb
cat hashes/h.hdb > mixed/h.hdb

# yara: a rule file between two logical signature files: the image holds
# the steps that place it (core/image_engine.h), not the rule.
mkdir yara
printf 'Fz.A;Engine:51-255,Target:0;0;68656c6c6f\n' > yara/a.ldb
printf 'rule Fz { strings: $a = "hello" condition: $a }\n' > yara/m.yar
printf 'Fz.Z;Engine:51-255,Target:0;0;656c6c\nFz.Z2;Engine:51-255,Target:0;0;6c6c6f\n' > yara/z.ldb

for db in hashes mixed yara; do
    rm -rf cache
    VIGIL_CACHE_DIR=$W/cache "$VIGIL" scan --no-builtin -d "$db" hello.txt > /dev/null 2>&1 || true
    img=$(find cache -name '*.vgi' | head -1)
    [ -n "$img" ] || { echo "no image written for $db" >&2; exit 1; }
    cp "$img" "$OUT/$db.vgi"
    echo "$OUT/$db.vgi: $(wc -c < "$OUT/$db.vgi") bytes"
done

# streamed: the hashes again, compiled for the image only (`vigil db
# compile`: the hash tables written by match/hashset_stream.c).
rm -rf cache && mkdir -m 700 cache
"$VIGIL" db compile --no-builtin -d hashes --cache-dir "$W/cache" > /dev/null
img=$(find cache -name '*.vgi' | head -1)
[ -n "$img" ] || { echo "no image written by db compile" >&2; exit 1; }
cp "$img" "$OUT/streamed.vgi"
echo "$OUT/streamed.vgi: $(wc -c < "$OUT/streamed.vgi") bytes"
