#!/usr/bin/env bash
# bench/containers.sh - archive scanning, vigil vs clamscan, same database,
# one run each, side by side: wall time, MB/s of input and of extracted
# data, peak RSS, and the detections (which must agree).
#
#   bench/containers.sh [path/to/vigil]     (default: $VIGIL, else build*/vigil)
#
# Corpus (built in a temp directory, nothing downloaded): BENCH_DEBS .deb
# files from /var/cache/apt/archives (the first by name under 8 MB), a zip
# of /usr/share/doc, a tar.gz of /usr/share/man, and clam.exe (from the
# clamav-testfiles package) hidden in a zip inside a tar.gz so both
# scanners have something to find. Database: the MD5 of clam.exe plus
# BENCH_BODY body signatures that never match (so the matcher reads every
# extracted byte in both scanners). Not part of ctest.
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
. "$here/corpus.sh"
bench_vigil "${1:-}"
CLAMSCAN=${CLAMSCAN:-clamscan}
NDEBS=${BENCH_DEBS:-100}
NBODY=${BENCH_BODY:-1000}
TF=/usr/share/clamav-testfiles
for t in python3 /usr/bin/time zip tar "$CLAMSCAN"; do
    command -v "$t" >/dev/null || { echo "bench: $t is required" >&2; exit 2; }
done

W=$(mktemp -d /tmp/vigil-bench-arc.XXXXXX)
trap 'rm -rf "$W"' EXIT
mkdir "$W/corpus"
echo "== corpus"
n=0
for d in /var/cache/apt/archives/*.deb; do
    [ "$n" -ge "$NDEBS" ] && break
    [ "$(stat -c %s "$d")" -lt $((8 << 20)) ] || continue
    cp "$d" "$W/corpus/"
    n=$((n + 1))
done
(cd /usr/share && zip -qr "$W/corpus/doc.zip" doc)
tar czf "$W/corpus/man.tar.gz" -C /usr/share man
mkdir "$W/hide" && cp "$TF/clam.exe" "$W/hide/" && (cd "$W/hide" && zip -q inner.zip clam.exe &&
    tar czf "$W/corpus/hidden.tar.gz" inner.zip)
sigtool --md5 "$TF/clam.exe" > "$W/db.hdb"
python3 - "$W/db.ndb" "$NBODY" <<'PY'
import random, sys
random.seed(7)
with open(sys.argv[1], "w") as f:
    for i in range(int(sys.argv[2])):
        pat = "".join("%02x" % random.randrange(256) for _ in range(12))
        f.write("Bench.Never.%d:0:*:%s\n" % (i, pat))
PY
in_bytes=$(du -cb "$W"/corpus/* | tail -1 | cut -f1)
# Extracted bytes: what a full unpack yields, one level down for .deb members
# (control and data tars, decompressed) and the sources of the zip and tar.gz.
ext_bytes=$(python3 - "$W/corpus" <<'PY'
import gzip, io, lzma, os, subprocess, sys
d = sys.argv[1]; total = 0
def unz(name, data):
    if name.endswith(".xz"): return len(lzma.decompress(data))
    if name.endswith(".gz"): return len(gzip.decompress(data))
    if name.endswith(".zst"):
        return len(subprocess.run(["zstd", "-dc"], input=data, capture_output=True).stdout)
    return len(data)
for f in sorted(os.listdir(d)):
    p = os.path.join(d, f)
    if not f.endswith(".deb"): continue
    b = open(p, "rb").read(); off = 8
    while off + 60 <= len(b):
        name = b[off:off+16].decode().strip().rstrip("/"); size = int(b[off+48:off+58])
        total += unz(name, b[off+60:off+60+size]); off += 60 + size + (size & 1)
print(total)
PY
)
ext_bytes=$((ext_bytes + $(du -sb /usr/share/doc | cut -f1) + $(du -sb /usr/share/man | cut -f1)))
echo "   $(ls "$W/corpus" | wc -l) files, $((in_bytes >> 20)) MiB in, about $((ext_bytes >> 20)) MiB extracted one level down"

# run NAME CMD...: one run; prints wall and CPU seconds, MB/s of input and
# of extracted data per CPU second (wall time on a shared machine measures
# the neighbours), and peak RSS (MiB); keeps the output.
run() {
    local name=$1 secs u sy kb cpu
    shift
    /usr/bin/time -f '%e %U %S %M' -o "$W/$name.time" "$@" > "$W/$name.out" 2> "$W/$name.err" || true
    read -r secs u sy kb < <(tail -1 "$W/$name.time")
    cpu=$(python3 -c "print(max($u + $sy, 0.001))")
    printf '%-9s %7.2f s wall %7.2f s CPU %8.1f MB/s in %8.1f MB/s extracted %6d MiB peak RSS\n' \
        "$name" "$secs" "$cpu" "$(python3 -c "print($in_bytes/1e6/$cpu)")" \
        "$(python3 -c "print($ext_bytes/1e6/$cpu)")" $((kb / 1024))
}
echo "== one run each (-j 1 for vigil, as clamscan is single-threaded)"
run clamscan "$CLAMSCAN" -d "$W/db.hdb" -d "$W/db.ndb" -r -i "$W/corpus"
run vigil "$VIGIL" scan --no-builtin -j 1 -d "$W/db.hdb" -d "$W/db.ndb" -r -i "$W/corpus"
run vigil-j "$VIGIL" scan --no-builtin -d "$W/db.hdb" -d "$W/db.ndb" -r -i "$W/corpus"
echo "== detections"
grep ' FOUND$' "$W/clamscan.out" | sed "s|$W/||" | sed 's/^/   clamscan: /' || true
grep ' FOUND$' "$W/vigil.out" | sed "s|$W/||" | sed 's/^/   vigil:    /' || true
for s in clamscan vigil; do
    printf '   %s: %s\n' "$s" "$(grep -E '^(Limits exceeded|Data scanned)' "$W/$s.out" | tr '\n' ' ')"
done
