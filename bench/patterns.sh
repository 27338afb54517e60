#!/usr/bin/env bash
# bench/patterns.sh - body signatures: vigil scan vs clamscan, same .ndb and
# corpus, one run. For each signature count: start-up (load + compile, one
# tiny file), peak RSS, and throughput (MB/s) over a corpus of real binaries
# from /usr/bin and /usr/lib, vigil at -j 1 and all cores, clamscan; and the
# detection lists of both, compared.
#
#   bench/patterns.sh path/to/vigil
# Env: BENCH_BODY_SIGS ("1000 10000 100000"), BENCH_CORPUS_MB (64).
set -euo pipefail
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)
VIGIL=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
CLAMSCAN=${CLAMSCAN:-clamscan}
COUNTS=${BENCH_BODY_SIGS:-1000 10000 100000}
MB=${BENCH_CORPUS_MB:-64}
NPROC=$(nproc)

W=$(mktemp -d /tmp/vigil-bench-pat.XXXXXX)
trap 'rm -rf "$W"' EXIT

. "$here/corpus.sh"
bench_corpus "$W" "$MB" elf
i=$CORPUS_FILES mb=$CORPUS_MB
echo tiny > "$W/tiny"
echo "corpus: $i files, $mb MiB of /usr/bin + /usr/lib ELF binaries"

secs() { /usr/bin/time -f '%e %M' "$@" >/dev/null 2>"$W/time" || true; tail -1 "$W/time"; }

printf '\n%8s | %-22s | %12s %12s %9s | %10s %10s %10s | %s\n' sigs scanner "cold start s" \
    "cached s" "RSS MiB" "MB/s -j1" "MB/s -jN" "speedup" detections
for n in $COUNTS; do
    python3 "$here/patterns.py" "$W/corpus.list" "$W/b.ndb" "$n"
    # Cold: an empty cache directory (compiles, then writes the cache);
    # cached: the same command again. Every later vigil run is cached.
    C="--cache-dir=$W/cache-$n"
    mkdir -p "$W/cache-$n"
    read -r vcold _ < <(secs "$VIGIL" scan --no-builtin "$C" -d "$W/b.ndb" "$W/tiny")
    read -r vs vr < <(secs "$VIGIL" scan --no-builtin "$C" -d "$W/b.ndb" "$W/tiny")
    read -r cs cr < <(secs "$CLAMSCAN" -d "$W/b.ndb" "$W/tiny")
    read -r v1 _ < <(secs "$VIGIL" scan --no-builtin "$C" -j 1 -d "$W/b.ndb" -r "$W/corpus")
    read -r vn vrss < <(secs "$VIGIL" scan --no-builtin "$C" -j "$NPROC" -d "$W/b.ndb" -r "$W/corpus")
    read -r c1 crss < <(secs "$CLAMSCAN" -d "$W/b.ndb" -r "$W/corpus")
    "$VIGIL" scan --no-builtin "$C" -z -i --no-summary -d "$W/b.ndb" -r "$W/corpus" | sort > "$W/v.found" || true
    "$CLAMSCAN" -z -i --no-summary -d "$W/b.ndb" -r "$W/corpus" | sort > "$W/c.found" || true
    same=$(cmp -s "$W/v.found" "$W/c.found" && echo "equal ($(wc -l < "$W/v.found") lines)" ||
           echo "DIFFER: vigil $(wc -l < "$W/v.found"), clamscan $(wc -l < "$W/c.found")")
    rate() { python3 -c "import sys; t=float(sys.argv[2])-float(sys.argv[3]); print('%.1f' % (float(sys.argv[1])/max(t,0.001)))" "$mb" "$1" "$2"; }
    # Throughput excludes each scanner's own start-up.
    rv1=$(rate "$v1" "$vs"); rvn=$(rate "$vn" "$vs"); rc1=$(rate "$c1" "$cs")
    sp=$(python3 -c "print('%.0fx' % (float('$rv1')/max(float('$rc1'),0.001)))")
    printf '%8s | %-22s | %12s %12s %9s | %10s %10s %10s | %s\n' "$n" vigil "$vcold" "$vs" \
        $((vrss / 1024)) "$rv1" "$rvn" "$sp" "$same"
    printf '%8s | %-22s | %12s %12s %9s | %10s %10s %10s |\n' "" clamscan "$cs" "-" \
        $((crss / 1024)) "$rc1" "-" "1x"
done
echo
echo "startup: load + compile + one tiny file (cold: empty cache directory; cached: the"
echo "compiled pre-filter from the cache); MB/s: corpus MiB / (wall - cached startup);"
echo "speedup: vigil -j 1 MB/s / clamscan MB/s; RSS: peak of the corpus scan."
