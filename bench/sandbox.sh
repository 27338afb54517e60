#!/usr/bin/env bash
# bench/sandbox.sh - the cost of the sandbox: vigil scan throughput with
# sandboxed worker processes (the default) and with --no-sandbox (in-process
# threads), at -j 1 and -j 2, one run each after a warm-up run that fills the
# page cache. The signatures make every byte count: 200 body signatures that
# never match (Vectorscan reads every byte) and one SHA-256 hash signature of
# any size (every file is hashed whole).
#
#   bench/sandbox.sh path/to/vigil [corpus-dir]
# Env: BENCH_RUNS (1; with more, the fastest run of each counts, which
# filters out the noise of a shared machine), BENCH_CORPUS (default /usr/lib/llvm-14, ~480 MiB, else /usr/lib/gcc or /usr/lib), BENCH_JOBS ("1 2"), BENCH_ARGS
# (extra scan options, e.g. "-d /var/lib/clamav"), BENCH_SYSCALLS (1: also
# count the system calls of one run per mode at -j 1 with strace -f -c,
# all processes; the sandbox's cost on many small files is mostly these).
# A tree of many small files shows the sandbox's per-file cost best, e.g.
# bench/sandbox.sh build/vigil /usr/share/doc.
set -euo pipefail
export LC_ALL=C
VIGIL=${1:?usage: bench/sandbox.sh path/to/vigil [corpus]}
CORPUS=${2:-${BENCH_CORPUS:-}}
if [ -z "$CORPUS" ]; then
    for d in /usr/lib/llvm-14 /usr/lib/gcc /usr/lib; do [ -d "$d" ] && { CORPUS=$d; break; }; done
fi
JOBS=${BENCH_JOBS:-1 2}
RUNS=${BENCH_RUNS:-1}
W=$(mktemp -d /tmp/vigil-bench-sb.XXXXXX)
trap 'rm -rf "$W"' EXIT
python3 - "$W" <<'PY'
import os, sys
w = sys.argv[1]
with open(os.path.join(w, "bench.ndb"), "w") as f:
    for i in range(200):
        f.write("Bench.Never-%d:0:*:%s\n" % (i, os.urandom(12).hex()))
with open(os.path.join(w, "bench.hsb"), "w") as f:
    f.write("%s:*:Bench.AnySize:73\n" % os.urandom(32).hex())
PY
ARGS=${BENCH_ARGS:-"--no-builtin -d $W/bench.ndb -d $W/bench.hsb"}

files=$(find "$CORPUS" -type f | wc -l)
bytes=$(find "$CORPUS" -type f -printf '%s\n' | awk '{ t += $1 } END { printf "%d", t }')
mib=$(awk -v b="$bytes" 'BEGIN { printf "%.0f", b / 1048576 }')
echo "corpus: $CORPUS, $files files, $mib MiB; vigil: $VIGIL $ARGS; best of $RUNS run(s)"
# Warm-up: the page cache, so both modes read from memory.
"$VIGIL" scan -r -i --no-summary $ARGS "$CORPUS" > /dev/null 2>&1 || true

run() { # MODE JOBS -> "wall cpu" seconds of the fastest of RUNS runs
    local extra="" r
    [ "$1" = no-sandbox ] && extra=--no-sandbox
    for r in $(seq 1 "$RUNS"); do
        /usr/bin/time -f '%e %U %S' -o "$W/t" "$VIGIL" scan -r -i -j "$2" $extra $ARGS \
            "$CORPUS" > "$W/out.$1.$2" 2> /dev/null || true
        awk '{ printf "%s %.2f\n", $1, $2 + $3 }' "$W/t"
    done | sort -n | head -n 1
}

# Wall time is what a user waits; CPU time (user + system, all processes)
# is what the sandbox costs the machine and varies less under load.
printf '\n%4s | %10s %7s %7s | %10s %7s %7s | %s\n' "-j" "sandbox s" "MB/s" "cpu s" \
    "no-sb s" "MB/s" "cpu s" "cost: wall, cpu"
for j in $JOBS; do
    read -r ts cs <<<"$(run sandbox "$j")"
    read -r tn cn <<<"$(run no-sandbox "$j")"
    awk -v j="$j" -v ts="$ts" -v tn="$tn" -v cs="$cs" -v cn="$cn" -v mib="$mib" 'BEGIN {
        printf "%4s | %10.2f %7.1f %7.2f | %10.2f %7.1f %7.2f | %+.1f%%, %+.1f%%\n", j, ts,
            mib / ts, cs, tn, mib / tn, cn, (ts / tn - 1) * 100, (cs / cn - 1) * 100 }'
    if ! diff <(grep -v -E '^(Time|Start Date|End Date): ' "$W/out.sandbox.$j") \
        <(grep -v -E '^(Time|Start Date|End Date): ' "$W/out.no-sandbox.$j") > "$W/diff"; then
        echo "     the two reports differ (did the corpus change meanwhile?):"
        head -n 8 "$W/diff" | sed 's/^/     /'
    fi
done

if [ "${BENCH_SYSCALLS:-0}" = 1 ] && command -v strace > /dev/null; then
    printf '\nsystem calls, -j 1, all processes (strace -f -c):\n'
    for mode in sandbox no-sandbox; do
        extra=""
        [ "$mode" = no-sandbox ] && extra=--no-sandbox
        strace -f -c -o "$W/strace.$mode" "$VIGIL" scan -r -i -j 1 $extra $ARGS "$CORPUS" \
            > /dev/null 2>&1 || true
        # The total line: % time, seconds, usecs/call, calls, [errors,] total.
        awk -v m="$mode" -v f="$files" '$NF == "total" {
            printf "  %-10s %9d calls, %.1f per file\n", m, $4, $4 / f }' "$W/strace.$mode"
    done
fi
