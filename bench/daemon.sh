#!/usr/bin/env bash
# bench/daemon.sh - vigild against Debian's clamd, same database, one run:
# CLIENTS concurrent clients sending TOTAL INSTREAM scans of mixed files;
# scans/s, p50/p99 latency, and resident memory (RSS and PSS of the whole
# process tree) at idle, at the peak of the scan burst, and at the peak of a
# RELOAD of the same files and of a RELOAD after the database files were
# rewritten (same bytes, new change time: vigild must build a new engine
# image), and for vigild of a RELOAD after `vigil db compile` prepared the
# image of rewritten files, with the ratio peak PSS / idle PSS. Not part of
# `make check`. BENCH_DAEMONS ("clamd vigild") picks the daemons.
#
#   bench/daemon.sh path/to/vigild
# Env: BENCH_SIGS (1000000 hash signatures), BENCH_DB (hash, or mixed: the
#      90/8/2% hash/body/logical database of bench/mixed.py over the files),
#      BENCH_FILES (2000 files),
#      BENCH_CLIENTS (64), BENCH_SCANS (10000), BENCH_THREADS (nproc: clamd's
#      MaxThreads and vigild's worker count, so both use the same cores),
#      BENCH_LARGE (1: the large-stream phase, vigild with StreamFollow yes
#      and no), LARGE_MIB (16), LARGE_COUNT (20), LARGE_RATE (200 MB/s).
set -euo pipefail
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)
VIGILD=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
CLAMD=${CLAMD:-$(command -v clamd || echo /usr/sbin/clamd)}
SIGS=${BENCH_SIGS:-1000000}
FILES=${BENCH_FILES:-2000}
CLIENTS=${BENCH_CLIENTS:-64}
SCANS=${BENCH_SCANS:-10000}
THREADS=${BENCH_THREADS:-$(nproc)}
PY=$here/daemon_load.py

W=$(mktemp -d /tmp/vigil-bench-daemon.XXXXXX)
PIDS=()
cleanup() {
    for p in "${PIDS[@]+"${PIDS[@]}"}"; do kill -KILL "$p" 2>/dev/null || true; done
    rm -rf "$W"
}
trap cleanup EXIT

# Data: the hash database of bench/run.sh, plus mixed files: the generated
# small files (100 of them in the database) and real binaries from /usr/bin.
mkdir -p "$W/db" "$W/g"
python3 "$here/gen.py" db "$W/g" "$SIGS"
python3 "$here/gen.py" files "$W/g" "$FILES" 100
mv "$W/g/bench.hdb" "$W/g/bench.hsb" "$W/db/"
export VIGIL_CACHE_DIR=$W/cache # vigild's engine images
mkdir -m 700 "$VIGIL_CACHE_DIR"
# (sed, not head: head's early exit would fail the pipeline under pipefail)
{
    find "$W/g/files" -type f | sed -n "1,${FILES}p"
    find /usr/bin -maxdepth 1 -type f -size +16k -size -2M | sort | sed -n '1,200p'
} > "$W/list"
if [ "${BENCH_DB:-hash}" = mixed ]; then
    rm -f "$W/db/"*
    python3 "$here/mixed.py" "$W/list" "$W/db" "$SIGS"
    echo "database: $SIGS mixed signatures (90% MD5, 8% body, 2% logical)"
else
    echo "database: $SIGS hash signatures"
fi
echo "files: $(wc -l < "$W/list") (generated + /usr/bin)"

conf() {
    printf 'LocalSocket %s\nDatabaseDirectory %s\nForeground yes\nLogFile %s\n' \
        "$W/$1.sock" "$W/db" "$W/$1.log"
    printf 'MaxThreads %s\nMaxQueue 1000\nStreamMaxLength 25M\nSelfCheck 0\n' "$THREADS"
    printf 'MaxConnectionQueueLength 1024\nPidFile %s\nTemporaryDirectory %s\n' "$W/$1.pid" "$W"
}

# start NAME BINARY: starts a daemon and waits (up to 10 min) for PONG.
start() {
    conf "$1" > "$W/$1.conf"
    "$2" -c "$W/$1.conf" > "$W/$1.out" 2>&1 &
    PIDS+=($!)
    for _ in $(seq 1 6000); do
        python3 -c "
import socket,sys; s=socket.socket(socket.AF_UNIX); s.settimeout(1)
s.connect(sys.argv[1]); s.sendall(b'zPING\0'); sys.exit(s.recv(9) != b'PONG\0')" \
            "$W/$1.sock" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "$1 did not start"; cat "$W/$1.out"; exit 1
}

printf '\n%-8s | %9s | %9s %8s %8s | %6s %6s | %-15s | %-15s | %-15s | %-8s | %-15s | %-8s | %s\n' \
    daemon "start s" "scans/s" "p50 ms" "p99 ms" found errors "idle RSS/PSS" "burst RSS/PSS" \
    "reload RSS/PSS" "s, x idle" "changed RSS/PSS" "s, x idle" "precompiled PSS, s, x idle"
for name in ${BENCH_DAEMONS:-clamd vigild}; do
    bin=$CLAMD; [ "$name" = vigild ] && bin=$VIGILD
    t0=$(date +%s.%N)
    start "$name" "$bin"
    t1=$(date +%s.%N)
    pid=$(cat "$W/$name.pid")
    sleep 2
    read -r irss ipss < <(python3 "$PY" mem "$pid")
    read -r rate p50 p99 found errors brss bpss < \
        <(python3 "$PY" load "$W/$name.sock" "$W/list" "$CLIENTS" "$SCANS" "$pid")
    read -r rsecs rrss rpss < <(python3 "$PY" reload "$W/$name.sock" "$W/$name.log" "$pid" 1)
    sleep 2
    for f in "$W/db/"*; do cp "$f" "$f.new"; mv "$f.new" "$f"; done # same bytes, new files
    read -r csecs crss cpss < <(python3 "$PY" reload "$W/$name.sock" "$W/$name.log" "$pid" 2)
    psecs=- ppss=0
    if [ "$name" = vigild ] && [ -x "$(dirname "$VIGILD")/vigil" ]; then
        # The database changes again, and `vigil db compile` (another
        # process, as an updater would run it) builds its image before
        # the RELOAD, which then only maps it.
        sleep 2
        for f in "$W/db/"*; do cp "$f" "$f.new"; mv "$f.new" "$f"; done
        "$(dirname "$VIGILD")/vigil" db compile --no-builtin -d "$W/db" > /dev/null
        read -r psecs _ ppss < <(python3 "$PY" reload "$W/$name.sock" "$W/$name.log" "$pid" 3)
    fi
    mib() { echo $(( $1 / 1024 )); }
    x() { python3 -c "import sys; print('%.2f' % (float(sys.argv[1]) / max(float(sys.argv[2]), 1)))" "$1" "$2"; }
    printf '%-8s | %9.1f | %9s %8s %8s | %6s %6s | %6s/%-6s MiB | %6s/%-6s MiB | %6s/%-6s MiB | %4s %4s | %6s/%-6s MiB | %4s %4s | %6s MiB %4s %4s\n' \
        "$name" "$(python3 -c "print($t1 - $t0)")" "$rate" "$p50" "$p99" "$found" "$errors" \
        "$(mib "$irss")" "$(mib "$ipss")" "$(mib "$brss")" "$(mib "$bpss")" \
        "$(mib "$rrss")" "$(mib "$rpss")" "$rsecs" "$(x "$rpss" "$ipss")" \
        "$(mib "$crss")" "$(mib "$cpss")" "$csecs" "$(x "$cpss" "$ipss")" \
        "$(mib "$ppss")" "$psecs" "$(x "$ppss" "$ipss")"
    kill -TERM "$pid" 2>/dev/null || true
    sleep 1
done
echo
echo "$CLIENTS clients, $SCANS INSTREAM scans, $THREADS scan threads (clamd) / workers (vigild);"
echo "memory: the daemon and all its processes; PSS shares a page among the processes mapping it;"
echo "x idle: reload peak PSS / idle PSS (idle: before the burst; target < 1.3)."

# Large streams, vigild only, with and without StreamFollow: LARGE_COUNT
# scans one at a time of LARGE_MIB MiB sent at LARGE_RATE MB/s, against the
# database plus one SHA-256 signature of any size (.hsb '*'), so every
# stream needs its SHA-256; and against the database alone (its hash
# signatures name small sizes: no digest is needed past the first bytes).
# tail: from the last chunk to the reply; CPU: the daemon's, per scan.
if [ "${BENCH_LARGE:-1}" != 0 ] && [[ " ${BENCH_DAEMONS:-clamd vigild} " = *" vigild "* ]]; then
    mkdir -p "$W/dbl"
    ln -f "$W/db/"* "$W/dbl/"
    printf '%064d:*:Bench.AnySize:73\n' 0 > "$W/dbl/any.hsb"
    printf '\nlarge streams: %s x %s MiB at %s MB/s, one at a time\n' "${LARGE_COUNT:-20}" \
        "${LARGE_MIB:-16}" "${LARGE_RATE:-200}"
    printf '%-24s | %-6s | %9s %9s | %9s %9s | %10s | %14s\n' database \
        follow "tail p50" "tail p99" "all p50" "all p99" "CPU s/scan" "tail CPU s/scan"
    for db in dbl db; do
        for follow in yes no; do
            conf vigild-large > "$W/vl.conf"
            sed -i "s#^DatabaseDirectory .*#DatabaseDirectory $W/$db#" "$W/vl.conf"
            printf 'StreamFollow %s\n' "$follow" >> "$W/vl.conf"
            "$VIGILD" -c "$W/vl.conf" > "$W/vl.out" 2>&1 &
            PIDS+=($!)
            for _ in $(seq 1 6000); do [ -S "$W/vigild-large.sock" ] && break; sleep 0.1; done
            sleep 2
            pid=$(cat "$W/vigild-large.pid")
            read -r t50 t99 a50 a99 cpu tcpu _ < <(python3 "$PY" large "$W/vigild-large.sock" \
                "${LARGE_MIB:-16}" "${LARGE_COUNT:-20}" "${LARGE_RATE:-200}" "$pid")
            label="db + any-size SHA-256"
            [ "$db" = db ] && label="db only"
            printf '%-24s | %-6s | %9s %9s | %9s %9s | %10s | %14s\n' "$label" "$follow" \
                "$t50" "$t99" "$a50" "$a99" "$cpu" "$tcpu"
            kill -TERM "$pid"
            for _ in $(seq 1 100); do [ -S "$W/vigild-large.sock" ] || break; sleep 0.1; done
            rm -f "$W/vigild-large.sock"
        done
    done
    echo "(ms; CPU: the daemon's processes, user+system; tail: after the last chunk;"
    echo " StreamFollow yes: a worker digests each stream while it arrives)"
fi
