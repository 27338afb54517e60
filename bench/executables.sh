#!/usr/bin/env bash
# bench/executables.sh - executables, vigil vs clamscan, same database, one
# run each, side by side: CPU seconds, MB/s per CPU second, peak RSS, and
# the detections (which must agree).
#
#   bench/executables.sh [path/to/vigil]    (default: $VIGIL, else build*/vigil)
#
# Corpus (copied or built in a temp directory, nothing downloaded): ELF files
# from /usr/bin and /usr/lib (regular files with the ELF magic, by name,
# until BENCH_MB MiB), the PE files of the clamav-testfiles package (read
# at run time), and BENCH_PES PE32/PE32+ files built here with mingw (code
# of growing size, a version resource). Database: the MD5 of clam.exe;
# .mdb and .imp lines (random, never matching, plus the section hash of
# clam.exe's first section so the section hashes are computed and one
# matches); BENCH_BODY body signatures of target 1 and of target 6 that never
# match; an .ldb of BENCH_LDB signatures with EP, section and VI offsets
# and EntryPoint/NumberOfSections ranges that never match. Not part of ctest.
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
. "$here/corpus.sh"
bench_vigil "${1:-}"
CLAMSCAN=${CLAMSCAN:-clamscan}
MB=${BENCH_MB:-200}
NPES=${BENCH_PES:-20}
NBODY=${BENCH_BODY:-2000}
NLDB=${BENCH_LDB:-200}
TF=/usr/share/clamav-testfiles
for t in python3 /usr/bin/time sigtool i686-w64-mingw32-gcc x86_64-w64-mingw32-gcc \
    i686-w64-mingw32-windres x86_64-w64-mingw32-windres "$CLAMSCAN"; do
    command -v "$t" >/dev/null || { echo "bench: $t is required" >&2; exit 2; }
done

W=$(mktemp -d /tmp/vigil-bench-exe.XXXXXX)
trap 'rm -rf "$W"' EXIT
mkdir -p "$W/corpus/elf" "$W/corpus/pe" "$W/build"
echo "== corpus"
limit=$((MB << 20)) total=0 n=0
while IFS= read -r -d '' f; do
    [ "$total" -ge "$limit" ] && break
    [ "$(head -c 4 "$f" | od -An -tx1 | tr -d ' ')" = 7f454c46 ] || continue
    s=$(stat -c %s "$f")
    [ "$s" -lt $((64 << 20)) ] || continue
    n=$((n + 1))
    cp "$f" "$W/corpus/elf/$n-$(basename "$f")"
    total=$((total + s))
done < <(find /usr/bin /usr/lib -type f -print0 2>/dev/null | sort -z)
for f in "$TF"/*; do
    [ "$(head -c 2 "$f" | tr -d '\0')" = MZ ] && cp "$f" "$W/corpus/pe/"
done
cat > "$W/build/v.rc" <<'RC'
1 VERSIONINFO
FILEVERSION 1,0,0,0
BEGIN
  BLOCK "StringFileInfo"
  BEGIN
    BLOCK "040904b0"
    BEGIN
      VALUE "CompanyName", "Vigil Bench"
      VALUE "ProductName", "bench"
    END
  END
END
RC
i686-w64-mingw32-windres "$W/build/v.rc" -O coff -o "$W/build/v32.o"
x86_64-w64-mingw32-windres "$W/build/v.rc" -O coff -o "$W/build/v64.o"
for i in $(seq 1 "$NPES"); do
    python3 - "$W/build/p$i.c" "$i" <<'PY'
import random, sys
i = int(sys.argv[2]); random.seed(1000 + i)  # not the database's seed
with open(sys.argv[1], 'w') as f:
    for k in range(20 * i):
        f.write('int f%d(int x) { return x * %d + (x >> %d) - %d; }\n' %
                (k, random.randrange(1, 1000), random.randrange(1, 9), random.randrange(1000)))
    f.write('static const unsigned char blob[] = {%s};\n' %
            ','.join(str(random.randrange(256)) for _ in range(20000 * i)))
    f.write('int main(int c, char **v) { int s = blob[c];\n')
    for k in range(20 * i):
        f.write('s += f%d(c);\n' % k)
    f.write('return s; }\n')
PY
    if [ $((i % 2)) = 0 ]; then
        x86_64-w64-mingw32-gcc -O1 "$W/build/p$i.c" "$W/build/v64.o" -o "$W/corpus/pe/built$i.exe"
    else
        i686-w64-mingw32-gcc -O1 "$W/build/p$i.c" "$W/build/v32.o" -o "$W/corpus/pe/built$i.exe"
    fi
done
sigtool --md5 "$TF/clam.exe" > "$W/db.hdb"
python3 - "$W" "$TF/clam.exe" "$NBODY" "$NLDB" <<'PY'
import hashlib, random, struct, sys
w, clam, nbody, nldb = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
random.seed(424242)
def rhex(n):
    return ''.join('%02x' % random.randrange(256) for _ in range(n))
d = open(clam, 'rb').read()
lf = struct.unpack_from('<I', d, 0x3c)[0]
osz = struct.unpack_from('<H', d, lf + 20)[0]
rsz, raw = struct.unpack_from('<II', d, lf + 24 + osz + 16)
with open(w + '/db.mdb', 'w') as f:
    f.write('%d:%s:Bench.Sect.Clam\n' % (rsz, hashlib.md5(d[raw:raw + rsz]).hexdigest()))
    for i in range(500):
        f.write('%d:%s:Bench.Sect.Never.%d\n' % (random.randrange(512, 1 << 20), rhex(16), i))
with open(w + '/db.imp', 'w') as f:
    for i in range(500):
        f.write('%s:%d:Bench.Imp.Never.%d\n' % (rhex(16), random.randrange(64, 4096), i))
with open(w + '/db.ndb', 'w') as f:
    for i in range(nbody):
        f.write('Bench.Never.%d:%d:*:%s\n' % (i, 1 if i % 2 else 6, rhex(12)))
with open(w + '/db.ldb', 'w') as f:
    offs = ['EP+0', 'EP+16', 'S0+0', 'SL+0', 'SE1', 'EOF-64', 'VI']
    for i in range(nldb):
        off = offs[i % len(offs)]
        t = 1 if off == 'VI' or i % 3 else 6
        tdb = 'Engine:51-255,Target:%d' % t
        if i % 5 == 0:
            tdb += ',NumberOfSections:1-%d' % random.randrange(2, 40)
        if i % 7 == 0:
            tdb += ',EntryPoint:0-%d' % random.randrange(1 << 20)
        f.write('Bench.Ldb.%d;%s;0&1;%s:%s;%s\n' % (i, tdb, off, rhex(8), rhex(6)))
PY
in_bytes=$(du -cb "$W"/corpus/*/* | tail -1 | cut -f1)
echo "   $(ls "$W/corpus/elf" | wc -l) ELF files, $(ls "$W/corpus/pe" | wc -l) PE files," \
    "$((in_bytes >> 20)) MiB; database: 1 MD5, $(wc -l < "$W/db.mdb") .mdb," \
    "$(wc -l < "$W/db.imp") .imp, $NBODY body, $NLDB .ldb"
db=(-d "$W/db.hdb" -d "$W/db.mdb" -d "$W/db.imp" -d "$W/db.ndb" -d "$W/db.ldb")

# run NAME CMD...: one run; prints CPU seconds (user + system), MB/s of
# input per CPU second (wall time on a shared machine measures the
# neighbours, so it is printed but not used) and peak RSS; keeps the output.
run() {
    local name=$1 secs u sy kb cpu
    shift
    /usr/bin/time -f '%e %U %S %M' -o "$W/$name.time" "$@" > "$W/$name.out" 2> "$W/$name.err" || true
    read -r secs u sy kb < <(tail -1 "$W/$name.time")
    cpu=$(python3 -c "print(max($u + $sy, 0.001))")
    printf '%-9s %7.2f s CPU %8.1f MB/s per CPU s %6d MiB peak RSS   (%.2f s wall)\n' \
        "$name" "$cpu" "$(python3 -c "print($in_bytes/1e6/$cpu)")" $((kb / 1024)) "$secs"
}
echo "== one run each (-j 1 for vigil, as clamscan is single-threaded)"
run clamscan "$CLAMSCAN" "${db[@]}" -r -i "$W/corpus"
run vigil "$VIGIL" scan --no-builtin -j 1 "${db[@]}" -r -i "$W/corpus"
run vigil-j "$VIGIL" scan --no-builtin "${db[@]}" -r -i "$W/corpus"
echo "== detections"
for s in clamscan vigil; do
    grep ' FOUND$' "$W/$s.out" | sed "s|$W/||" | sort > "$W/$s.found" || true
    sed "s/^/   $s: /" "$W/$s.found"
done
if cmp -s "$W/clamscan.found" "$W/vigil.found"; then
    echo "   same detections ($(wc -l < "$W/vigil.found"))"
else
    echo "   DIFFERENT detections:"; diff "$W/clamscan.found" "$W/vigil.found" | sed 's/^/   /' || true
fi
grep -h 'Known viruses' "$W/clamscan.out" "$W/vigil.out" | sed 's/^/   /'
