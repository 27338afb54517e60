#!/usr/bin/env bash
# tests/lib/daemon.sh - run Debian's clamd and vigild side by side.
#
# Source after common.sh. daemon_db builds a tiny database in $T/db (the
# md5 of EICAR, assembled at run time, and of clamav-testfiles' clam.exe);
# start_clamd and start_vigild start each daemon in the foreground with its
# own configuration and socket in $T, and wait until it answers PING. Both
# are killed when the script exits, whatever happens; every wait has a
# deadline, so a hung daemon fails the test instead of hanging it.
#
# Environment: VIGILD (the built daemon, set by ctest), CLAMD (default
# /usr/sbin/clamd). Without clamd the comparisons would prove nothing, so
# the tests fail rather than skip.

: "${VIGILD:?VIGILD must name the built vigild binary}"
CLAMD=${CLAMD:-$(command -v clamd || echo /usr/sbin/clamd)}
if [ ! -x "$CLAMD" ]; then
    printf 'FAIL: clamd is not installed (clamav-daemon); the daemon tests need it\n'
    exit 1
fi
DAEMON_PY="$VIGIL_SRC/tests/daemon/clamdproto.py"

_DAEMON_PIDS=()
# _kill_tree PID: SIGKILL to a daemon's workers, then to the daemon; only
# if PID still is a process of this test (its command line names $T), never
# whatever reused the number of a stale PidFile.
_kill_tree() {
    local w
    [ -n "$1" ] && [ -r "/proc/$1/cmdline" ] || return
    tr '\0' ' ' < "/proc/$1/cmdline" | grep -qF "$T" || return
    for w in $(pgrep -P "$1" 2>/dev/null); do kill -KILL "$w" 2>/dev/null; done
    kill -KILL "$1" 2>/dev/null
}
_daemon_stop() {
    local p f
    # A failed test shows what the daemons said (sanitizer reports included).
    if [ "$FAILS" -ne 0 ]; then
        for f in "$T"/*.out; do
            [ -s "$f" ] && show "$(basename "$f")" "$(tail -40 "$f")"
        done
    fi
    # The daemons themselves, by their PidFiles: killing only the timeout
    # wrappers below would leave them running. c-icap ends its children on
    # SIGTERM.
    for f in "$T"/icap.*/c-icap.pid; do
        [ -f "$f" ] && kill -TERM "$(cat "$f")" 2>/dev/null
    done
    for f in "$T"/*.pid; do
        [ -f "$f" ] && _kill_tree "$(cat "$f")"
    done
    for p in "${_DAEMON_PIDS[@]+"${_DAEMON_PIDS[@]}"}"; do
        _kill_tree "$(pgrep -P "$p" 2>/dev/null | head -1)"
        kill -KILL "$p" 2>/dev/null
    done
    for p in "${_DAEMON_PIDS[@]+"${_DAEMON_PIDS[@]}"}"; do
        wait "$p" 2>/dev/null
    done
}
trap '_daemon_stop; _cleanup' EXIT

# daemon_db: writes $T/db/test.hdb (EICAR as Test.Eicar, clam.exe as
# Test.ClamExe) and the sample files $T/files/{eicar,clam.exe,clean,empty}.
daemon_db() {
    mkdir -p "$T/db" "$T/files"
    make_eicar "$T/files/eicar"
    cp "$CLAMAV_TESTFILES/clam.exe" "$T/files/clam.exe"
    printf 'just some clean text\n' > "$T/files/clean"
    : > "$T/files/empty"
    {
        hdb_line "$T/files/eicar" Test.Eicar
        hdb_line "$T/files/clam.exe" Test.ClamExe
    } > "$T/db/test.hdb"
}

# _write_conf FILE SOCKET EXTRA-LINES: a minimal foreground configuration.
_write_conf() {
    {
        printf 'LocalSocket %s\n' "$2"
        printf 'DatabaseDirectory %s\n' "$T/db"
        printf 'Foreground yes\n'
        printf 'StreamMaxLength 1M\n'
        printf 'MaxThreads 4\n'
        # Short, so the timeout cases of the protocol test finish quickly.
        printf 'CommandReadTimeout 1\nReadTimeout 2\n'
        printf 'ExcludePath /excluded$\n'
        [ -n "$3" ] && printf '%s\n' "$3"
    } > "$1"
}

# wait_ping SOCKET SECONDS: 0 once the daemon on SOCKET answers PONG.
wait_ping() {
    python3 "$DAEMON_PY" wait "$1" "$2"
}

# start_clamd [EXTRA-CONF-LINES]: clamd on $CLAMD_SOCK.
start_clamd() {
    CLAMD_SOCK="$T/clamd.sock"
    _write_conf "$T/clamd.conf" "$CLAMD_SOCK" "${1:-}"
    printf 'LogFile %s\nTemporaryDirectory %s\nPidFile %s\n' "$T/clamd.log" "$T" \
        "$T/clamd.pid" >> "$T/clamd.conf"
    timeout -s KILL 600 "$CLAMD" -c "$T/clamd.conf" >"$T/clamd.out" 2>&1 &
    _DAEMON_PIDS+=($!)
    CLAMD_PID=$!
    if ! wait_ping "$CLAMD_SOCK" 60; then
        fail "clamd did not start"
        show "clamd output" "$(cat "$T/clamd.out")"
        finish
    fi
}

# start_vigild [EXTRA-CONF-LINES]: vigild on $VIGILD_SOCK, log in $T/vigild.log.
start_vigild() {
    VIGILD_SOCK="$T/vigild.sock"
    _write_conf "$T/vigild.conf" "$VIGILD_SOCK" "${1:-}"
    printf 'LogFile %s\nPidFile %s\n' "$T/vigild.log" "$T/vigild.pid" >> "$T/vigild.conf"
    timeout -s KILL 600 "$VIGILD" -c "$T/vigild.conf" >"$T/vigild.out" 2>&1 &
    _DAEMON_PIDS+=($!)
    VIGILD_PID=$!
    if ! wait_ping "$VIGILD_SOCK" 20; then
        fail "vigild did not start"
        show "vigild output" "$(cat "$T/vigild.out")"
        finish
    fi
}

# vigild_pid: the pid of vigild itself (not of its timeout wrapper).
vigild_pid() { cat "$T/vigild.pid"; }

# stop_both: stops the clamd and vigild of start_clamd/start_vigild and
# waits until their sockets are gone, so the next pair can start.
stop_both() {
    local i
    kill "$(cat "$T/clamd.pid")" "$(vigild_pid)"
    for i in $(seq 1 100); do
        [ -e "$CLAMD_SOCK" ] || [ -e "$VIGILD_SOCK" ] || break
        sleep 0.1
    done
    rm -f "$CLAMD_SOCK" "$VIGILD_SOCK"
}

# vigild_workers: pids of vigild's scan workers, one a line.
vigild_workers() { pgrep -P "$(vigild_pid)" || true; }

# clamdscan_conf SOCKET: a clamdscan configuration file for SOCKET, printed.
clamdscan_conf() {
    local f="$T/clamdscan-$(basename "$1").conf"
    printf 'LocalSocket %s\n' "$1" > "$f"
    printf '%s\n' "$f"
}
