#!/usr/bin/env bash
# bench/run.sh - vigil scan against clamscan, side by side, in one run.
#
#   bench/run.sh [path/to/vigil]      (default: $VIGIL, else build*/vigil)
#
# Env: BENCH_SIGS (1000000), BENCH_FILES (10000), BENCH_HITS (100),
#      BENCH_RUNS (5 for load, the scan runs use max(3, BENCH_RUNS-2)),
#      CLAMSCAN (clamscan). Needs hyperfine, GNU time (/usr/bin/time), python3.
# Not part of ctest. Prints a table; writes nothing outside a temp directory.
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
. "$here/corpus.sh"
bench_vigil "${1:-}"
CLAMSCAN=${CLAMSCAN:-clamscan}
SIGS=${BENCH_SIGS:-1000000}
NFILES=${BENCH_FILES:-10000}
HITS=${BENCH_HITS:-100}
RUNS=${BENCH_RUNS:-5}
SRUNS=$(( RUNS > 5 ? RUNS - 2 : 3 ))
NPROC=$(nproc)
for t in hyperfine python3 /usr/bin/time "$CLAMSCAN"; do
    command -v "$t" >/dev/null || { echo "bench: $t is required" >&2; exit 2; }
done

W=$(mktemp -d /tmp/vigil-bench.XXXXXX)
trap 'rm -rf "$W"' EXIT
cd "$W"

echo "== generating $SIGS signatures (90% MD5 .hdb, 10% SHA-256 .hsb) and $NFILES files"
python3 "$here/gen.py" db "$W" "$SIGS"
python3 "$here/gen.py" files "$W" "$NFILES" "$HITS"
echo hello > tiny
DB=(-d bench.hdb -d bench.hsb)
total_sigs=$(cat bench.hdb bench.hsb | wc -l)

V="$VIGIL scan --no-builtin ${DB[*]}"
C="$CLAMSCAN ${DB[*]}"

# Sanity: both load the same number of signatures and find the same files.
kv_v=$($V tiny | sed -n 's/^Known viruses: //p' || true)
kv_c=$($C tiny | sed -n 's/^Known viruses: //p' || true)
hits_v=$($V -j "$NPROC" -r -i --no-summary files | grep -c ' FOUND$' || true)
hits_c=$($C -r -i --no-summary files | grep -c ' FOUND$' || true)
echo "   signatures: $total_sigs lines; Known viruses: vigil $kv_v, clamscan $kv_c"
echo "   detections in files/: vigil $hits_v, clamscan $hits_c (expected $HITS)"

# mean_of JSON INDEX: mean seconds of one hyperfine command.
mean_of() { python3 -c 'import json,sys; print("%.4f" % json.load(open(sys.argv[1]))["results"][int(sys.argv[2])]["mean"])' "$1" "$2"; }
sd_of() { python3 -c 'import json,sys; print("%.4f" % json.load(open(sys.argv[1]))["results"][int(sys.argv[2])]["stddev"] or 0)' "$1" "$2"; }
# peak_rss CMD...: the largest "Maximum resident set size" of 3 runs, in MiB.
peak_rss() {
    local i m=0 k
    for i in 1 2 3; do
        /usr/bin/time -v -o rss.txt "$@" >/dev/null 2>&1 || true
        k=$(sed -n 's/.*Maximum resident set size (kbytes): //p' rss.txt)
        [ "$k" -gt "$m" ] && m=$k
    done
    echo "$(( (m + 512) / 1024 ))"
}

echo "== (a) load $total_sigs hash signatures, scan one tiny file ($RUNS runs)"
hyperfine -N -i -w 1 -r "$RUNS" --export-json load.json \
    "$V --no-summary tiny" "$C --no-summary tiny" >/dev/null 2>&1
load_v=$(mean_of load.json 0); load_c=$(mean_of load.json 1)
sdl_v=$(sd_of load.json 0); sdl_c=$(sd_of load.json 1)
rss_v=$(peak_rss $V --no-summary tiny)
rss_c=$(peak_rss $C --no-summary tiny)

echo "== (b) scan $NFILES small files with that database ($SRUNS runs each)"
hyperfine -N -i -w 1 -r "$SRUNS" --export-json scan.json \
    "$V -j 1 -r files" "$V -j $NPROC -r files" "$C -r files" >/dev/null 2>&1
s1=$(mean_of scan.json 0); sn=$(mean_of scan.json 1); sc=$(mean_of scan.json 2)
rss_s1=$(peak_rss $V -j 1 -r files)
rss_sn=$(peak_rss $V -j "$NPROC" -r files)
rss_sc=$(peak_rss $C -r files)

python3 - "$NFILES" "$load_v" "$load_c" "$sdl_v" "$sdl_c" "$rss_v" "$rss_c" \
    "$s1" "$sn" "$sc" "$rss_s1" "$rss_sn" "$rss_sc" "$NPROC" "$total_sigs" <<'PY'
import sys
a = sys.argv[1:]
n = int(a[0]); lv, lc, sdv, sdc = map(float, a[1:5]); rv, rc = int(a[5]), int(a[6])
s1, sn, sc = map(float, a[7:10]); r1, rn, rcs = map(int, a[10:13]); nproc = a[13]; sigs = a[14]
def ratio(x, y): return "%.1fx" % (x / y) if y else "-"
print()
print("(a) load %s hash signatures + scan 1 tiny file" % sigs)
print("    %-28s %12s %12s %10s" % ("", "vigil", "clamscan", "clam/vigil"))
print("    %-28s %12s %12s %10s" % ("wall time (s, mean)", "%.3f±%.3f" % (lv, sdv), "%.3f±%.3f" % (lc, sdc), ratio(lc, lv)))
print("    %-28s %12d %12d %10s" % ("peak RSS (MiB)", rv, rc, ratio(rc, rv)))
print()
print("(b) scan %d small files with that database (wall time includes the load)" % n)
print("    %-22s %10s %10s %16s %10s %10s" % ("", "time (s)", "files/s", "files/s - load", "RSS MiB", "vs clam"))
noisy = False
def row(name, t, load, sd, rss):
    global noisy
    net = t - load
    if net <= 0:
        nets = "-"
    elif net < 2 * sd:
        nets = "~%.0f (*)" % (n / net); noisy = True
    else:
        nets = "%.0f" % (n / net)
    print("    %-22s %10.3f %10.0f %16s %10d %10s" % (name, t, n / t, nets, rss, ratio(sc, t)))
row("vigil -j 1", s1, lv, sdv, r1)
row("vigil -j %s" % nproc, sn, lv, sdv, rn)
row("clamscan", sc, lc, sdc, rcs)
print()
print("    vs clam = clamscan time / this time (higher is better for vigil)")
if noisy:
    print("    (*) scan time after the load is under 2 stddev of the load time: only an order of magnitude")
PY
