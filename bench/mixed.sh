#!/usr/bin/env bash
# bench/mixed.sh - a ClamAV-shaped database (90% hashes, 8% body, 2% logical
# signatures; bench/mixed.py), vigil scan vs clamscan, same database and
# corpus, one run. For each size: start-up cold (vigil: empty cache
# directory) and from vigil's compiled cache (the engine image), wall and
# user CPU seconds; resident memory at rest once the engine is loaded (RSS
# and PSS of the process tree, and of vigil's mapped image: clean (file)
# pages vs dirty ones); peak RSS of the corpus scan; MB/s at -j 1
# and all cores; and whether both report the same detections. The machine
# may be shared: wall time is noisy, user CPU time less so.
# Three sources for the body and logical signatures (bench/mixed.py): cut
# from the scanned corpus itself (worst case: every atom recurs), from other
# binaries of the system (held out), and random bytes of the same shapes
# (best case: selective signatures on clean files).
#
#   bench/mixed.sh path/to/vigil
# Env: BENCH_MIXED_SIGS ("1000 100000 1000000"), BENCH_CORPUS_MB (64),
#      BENCH_MIXED_SOURCES ("corpus heldout random"), BENCH_RUNS (5: runs
#      of each timing, the median is reported; cold starts run once).
set -euo pipefail
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)
VIGIL=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
CLAMSCAN=${CLAMSCAN:-clamscan}
COUNTS=${BENCH_MIXED_SIGS:-1000 100000 1000000}
SOURCES=${BENCH_MIXED_SOURCES:-corpus heldout random}
MB=${BENCH_CORPUS_MB:-64}
NPROC=$(nproc)
RUNS=${BENCH_RUNS:-5}

W=$(mktemp -d /tmp/vigil-bench-mix.XXXXXX)
trap 'rm -rf "$W"' EXIT
. "$here/corpus.sh"
bench_corpus "$W" "$MB" elf
bench_heldout "$W" "$MB"
i=$CORPUS_FILES mb=$CORPUS_MB
echo tiny > "$W/tiny"
echo "corpus: $i files, $mb MiB of /usr/bin + /usr/lib ELF binaries"

# secs CMD...: runs CMD RUNS times; prints the median wall seconds, the
# largest peak RSS (KiB, the largest process of the tree) and the median user
# CPU seconds. One run per measurement made each figure a lottery at these
# sizes (a 60 ms scan, 10 ms clock steps, CPUs waking from idle). Before
# each run the corpus is read once, untimed: this machine's page cache loses
# a third of it within 20 s (seen 2026-11-22, with 23 GB free), and a scan
# that waits for the disk measures the disk.
secs() {
    python3 - "$RUNS" "$W/corpus" "$@" <<'PY'
import os, resource, statistics, subprocess, sys, time
walls, users, rss = [], [], 0
for _ in range(int(sys.argv[1])):
    for d, _, names in os.walk(sys.argv[2]):
        for n in names:
            with open(os.path.join(d, n), "rb") as f:
                while f.read(1 << 20):
                    pass
    t0 = time.perf_counter()
    pid = subprocess.Popen(sys.argv[3:], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL).pid
    _, _, ru = os.wait4(pid, 0)
    walls.append(time.perf_counter() - t0)
    users.append(ru.ru_utime)
    rss = max(rss, ru.ru_maxrss)
print("%.3f %d %.3f" % (statistics.median(walls), rss, statistics.median(users)))
PY
}
# at_rest CMD...: runs CMD reading stdin from a FIFO held open, waits until
# it blocks reading it (engine loaded, nothing to scan yet), prints the
# tree's "rss_kib pss_kib" and its image mapping's "rss pss clean dirty"
# (KiB), then lets it finish.
at_rest() {
    rm -f "$W/fifo"; mkfifo "$W/fifo"
    "$@" - < "$W/fifo" > /dev/null 2>&1 &
    local pid=$! i
    exec 9> "$W/fifo"
    for i in $(seq 1 1200); do
        # blocked in read(0, ...)
        if grep -qs "^0 0x0 " /proc/"$pid"/syscall; then
            break
        fi
        sleep 0.1
    done
    echo "$(python3 "$here/daemon_load.py" mem "$pid") $(python3 "$here/daemon_load.py" maps "$pid" .vgi)"
    exec 9>&-
    wait "$pid" || true
}
rate() { python3 -c "import sys; t=float(sys.argv[2])-float(sys.argv[3]); print('%.1f' % (float(sys.argv[1])/max(t,0.001)))" "$mb" "$1" "$2"; }
ratio() { python3 -c "import sys; print('%.2f' % (float(sys.argv[1])/max(float(sys.argv[2]),0.001)))" "$1" "$2"; }

for src in $SOURCES; do
printf '\nsignatures cut from: %s\n' "$src"
printf '%8s | %-8s | %8s %8s | %8s %8s | %8s | %8s %8s | %s\n' sigs scanner "cold s" "cached s" \
    "cold usr" "cchd usr" "RSS MiB" "MB/s -j1" "MB/s -jN" detections
for n in $COUNTS; do
    case $src in
    heldout) msrc=heldout:$W/heldout.list ;;
    *) msrc=$src ;;
    esac
    python3 "$here/mixed.py" "$W/corpus.list" "$W" "$n" "$msrc"
    rm -rf "$W/cache-$n"
    DB=(-d "$W/m.hdb" -d "$W/m.ndb" -d "$W/m.ldb")
    C="--cache-dir=$W/cache-$n"
    mkdir -p "$W/cache-$n"
    read -r vcold _ vcoldu < <(RUNS=1 secs "$VIGIL" scan --no-builtin "$C" "${DB[@]}" "$W/tiny")
    read -r vs _ vsu < <(secs "$VIGIL" scan --no-builtin "$C" "${DB[@]}" "$W/tiny")
    read -r cs _ csu < <(secs "$CLAMSCAN" "${DB[@]}" "$W/tiny")
    read -r vrr vrp vir vip visc vipd < <(at_rest "$VIGIL" scan --no-builtin "$C" "${DB[@]}")
    read -r crr crp _ < <(at_rest "$CLAMSCAN" "${DB[@]}")
    read -r v1 vrss _ < <(secs "$VIGIL" scan --no-builtin "$C" -j 1 "${DB[@]}" -r "$W/corpus")
    read -r vn _ < <(secs "$VIGIL" scan --no-builtin "$C" -j "$NPROC" "${DB[@]}" -r "$W/corpus")
    read -r c1 crss _ < <(secs "$CLAMSCAN" "${DB[@]}" -r "$W/corpus")
    "$VIGIL" scan --no-builtin "$C" -z -i --no-summary "${DB[@]}" -r "$W/corpus" | sort > "$W/v.found" || true
    "$CLAMSCAN" -z -i --no-summary "${DB[@]}" -r "$W/corpus" | sort > "$W/c.found" || true
    same=$(cmp -s "$W/v.found" "$W/c.found" && echo "equal ($(wc -l < "$W/v.found") lines)" ||
           echo "DIFFER: vigil $(wc -l < "$W/v.found"), clamscan $(wc -l < "$W/c.found")")
    rv1=$(rate "$v1" "$vs"); rvn=$(rate "$vn" "$vs"); rc1=$(rate "$c1" "$cs")
    printf '%8s | %-8s | %8s %8s | %8s %8s | %8s | %8s %8s | %s\n' "$n" vigil "$vcold" "$vs" \
        "$vcoldu" "$vsu" $((vrss / 1024)) "$rv1" "$rvn" "$same"
    printf '%8s | %-8s | %8s %8s | %8s %8s | %8s | %8s %8s |\n' "" clamscan "$cs" "-" "$csu" "-" \
        $((crss / 1024)) "$rc1" "-"
    printf '%8s | %-8s | %8s %8s | %8s %8s | %8s | %8s %8s |\n' "" ratio "$(ratio "$vcold" "$cs")" \
        "$(ratio "$vs" "$cs")" "$(ratio "$vcoldu" "$csu")" "$(ratio "$vsu" "$csu")" \
        "$(ratio "$vrss" "$crss")" "$(ratio "$rv1" "$rc1")" "$(ratio "$rvn" "$rc1")"
    printf '%8s   at rest: vigil RSS %s PSS %s MiB (image: RSS %s PSS %s, clean %s, dirty %s MiB);' \
        "" $((vrr / 1024)) $((vrp / 1024)) $((vir / 1024)) $((vip / 1024)) $((visc / 1024)) $((vipd / 1024))
    printf ' clamscan RSS %s PSS %s MiB; PSS ratio %s\n' $((crr / 1024)) $((crp / 1024)) "$(ratio "$vrp" "$crp")"
done
done
echo
echo "cold: load + compile + one tiny file with an empty cache directory; cached: the same"
echo "again (the engine image from the cache); usr: user CPU seconds of the same runs;"
echo "at rest: the process tree once the engine is loaded, waiting on stdin;"
echo "MB/s: corpus MiB / (wall - cached start);"
echo "ratio: vigil / clamscan (start-up and RSS: lower is better; MB/s: higher is better)."
