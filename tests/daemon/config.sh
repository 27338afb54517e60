#!/usr/bin/env bash
# vigild's configuration and listeners: clamd.conf syntax (Debian's stock
# clamd.conf works), errors naming file:line, keys vigild does not use
# warned about once each, the command line, LocalSocketMode/Group,
# FixStaleSocket, TCPSocket on loopback, User.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/daemon.sh"

daemon_db
F="$T/files"

# vcheck CONFIG-TEXT: runs vigild on a configuration that must not start.
vcheck() {
    printf '%s\n' "$1" > "$T/bad.conf"
    run "$VIGILD" -c "$T/bad.conf" --foreground
}

vcheck "LocalSocket $T/x.sock
DatabaseDirectory $T/db
MaxThreads many"
assert_rc "bad number: fails" 1
assert_eq "bad number: file:line" "ERROR: $T/bad.conf:3: invalid value for MaxThreads: many" "$ERR"
vcheck "# comment

Foreground maybe"
assert_eq "bad boolean: file:line" "ERROR: $T/bad.conf:3: invalid value for Foreground: maybe" "$ERR"
vcheck "StreamMaxLength 10Q"
assert_eq "bad size suffix" "ERROR: $T/bad.conf:1: invalid value for StreamMaxLength: 10Q" "$ERR"
vcheck "LocalSocketMode 999"
assert_eq "bad octal mode" "ERROR: $T/bad.conf:1: invalid value for LocalSocketMode: 999" "$ERR"
vcheck "Example
LocalSocket /x"
assert_contains "the Example line is refused" "$ERR" "bad.conf:1: the configuration file still has its Example line"
vcheck "LocalSocket"
assert_eq "a key without value" "ERROR: $T/bad.conf:1: option LocalSocket needs a value" "$ERR"
run "$VIGILD" -c "$T/none.conf"
assert_rc "missing file: fails" 1
assert_eq "missing file: says why" "ERROR: $T/none.conf: No such file or directory" "$ERR"
vcheck "DatabaseDirectory $T/nodb"
assert_rc "missing database: fails" 1
assert_contains "missing database: says why" "$ERR" "Can't load the database: $T/nodb"
vcheck "DatabaseDirectory $T/db"
assert_contains "no listener: says so" "$ERR" "No LocalSocket or TCPSocket configured"

run "$VIGILD" --version
assert_eq "--version" "vigild $("$VIGIL" --version 2>/dev/null | grep -oE '[0-9]+\.[0-9]+\.[0-9]+' | head -1) (clamd protocol of ClamAV 1.4)" "$OUT"
run "$VIGILD" -h
assert_contains "-h prints usage" "$OUT" "--config-file=FILE"
run "$VIGILD" --bogus
assert_rc "unknown option: exit 2" 2

# ---- Debian's clamd.conf, with the paths of this test ---------------------
if [ -f /etc/clamav/clamd.conf ]; then
    {
        cat /etc/clamav/clamd.conf
        printf 'LocalSocket %s\nDatabaseDirectory %s\nLogFile %s\nPidFile %s\n' \
            "$T/deb.sock" "$T/db" "$T/deb.log" "$T/deb.pid"
        printf 'User %s\nFixStaleSocket no\nPhishingSignatures yes\n' "$(id -un)"
    } > "$T/deb.conf"
    timeout -s KILL 60 "$VIGILD" -c "$T/deb.conf" --foreground >"$T/deb.out" 2>&1 &
    _DAEMON_PIDS+=($!)
    if wait_ping "$T/deb.sock" 20; then ok "Debian's clamd.conf: vigild starts"; else
        fail "Debian's clamd.conf: vigild does not start"; show out "$(cat "$T/deb.out")"; fi
    run python3 "$DAEMON_PY" req "$T/deb.sock" "zSCAN $F/eicar\\0"
    assert_eq "Debian's clamd.conf: scans" "b'$F/eicar: Test.Eicar.UNOFFICIAL FOUND\\x00'" "$OUT"
    assert_eq "Debian's clamd.conf: LocalSocketMode 666" "666" "$(stat -c %a "$T/deb.sock")"
    assert_eq "an unused key is warned about once" 1 \
        "$(grep -c 'ignoring PhishingSignatures: not an option vigild uses' "$T/deb.out")"
    assert_not_contains "used keys are not warned about" "$(cat "$T/deb.out")" "ignoring MaxThreads"
    kill "$(cat "$T/deb.pid")"
else
    fail "/etc/clamav/clamd.conf missing (clamav-daemon not installed)"
fi

# ---- socket mode and group, stale sockets --------------------------------
start_vigild "LocalSocketMode 660
LocalSocketGroup $(id -gn)
FixStaleSocket yes"
assert_eq "LocalSocketMode 660" "660" "$(stat -c %a "$VIGILD_SOCK")"
assert_eq "LocalSocketGroup" "$(id -gn)" "$(stat -c %G "$VIGILD_SOCK")"
run "$VIGILD" -c "$T/vigild.conf" --foreground
assert_rc "a live socket is never taken over" 1
assert_contains "a live socket: says why" "$ERR" "Socket file $VIGILD_SOCK exists"
kill -KILL "$(vigild_pid)"
sleep 0.2
assert_file "a killed vigild leaves a stale socket" "$VIGILD_SOCK"
start_vigild "FixStaleSocket yes"
ok "FixStaleSocket yes: starts over a stale socket"
kill -KILL "$(vigild_pid)"
sleep 0.2
printf 'LocalSocket %s\nDatabaseDirectory %s\nFixStaleSocket no\n' "$VIGILD_SOCK" "$T/db" > "$T/nofix.conf"
run "$VIGILD" -c "$T/nofix.conf" --foreground
assert_rc "FixStaleSocket no: refuses a stale socket" 1

# ---- TCP on loopback -------------------------------------------------------
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
rm -f "$VIGILD_SOCK"
printf 'TCPSocket %s\nDatabaseDirectory %s\nForeground yes\nPidFile %s\n' "$port" "$T/db" "$T/tcp.pid" > "$T/tcp.conf"
timeout -s KILL 60 "$VIGILD" -c "$T/tcp.conf" >"$T/tcp.out" 2>&1 &
_DAEMON_PIDS+=($!)
cat > "$T/tcp.py" <<'PY'
import socket, struct, sys, time
port, path = int(sys.argv[1]), sys.argv[2]
for _ in range(100):
    try:
        s = socket.create_connection(('127.0.0.1', port), timeout=5)
        break
    except OSError:
        time.sleep(0.1)
data = open(path, 'rb').read()
s.sendall(b'zINSTREAM\0' + struct.pack('>I', len(data)) + data + struct.pack('>I', 0))
print(s.recv(100))
PY
run python3 "$T/tcp.py" "$port" "$F/eicar"
assert_eq "TCP: INSTREAM" "b'stream: Test.Eicar.UNOFFICIAL FOUND\\x00'" "$OUT"
assert_contains "TCP: bound to loopback only" "$(cat "$T/tcp.out")" "TCP: Bound to [127.0.0.1]:$port"
kill "$(cat "$T/tcp.pid")"

# ---- systemd socket activation -------------------------------------------
if command -v systemd-socket-activate >/dev/null 2>&1; then
    printf 'DatabaseDirectory %s\nForeground yes\nPidFile %s\n' "$T/db" "$T/act.pid" > "$T/act.conf"
    timeout -s KILL 60 systemd-socket-activate -l "$T/act.sock" \
        "$VIGILD" -c "$T/act.conf" >"$T/act.out" 2>&1 &
    _DAEMON_PIDS+=($!)
    for k in $(seq 1 50); do [ -S "$T/act.sock" ] && break; sleep 0.1; done
    run python3 "$DAEMON_PY" req "$T/act.sock" "zSCAN $F/eicar\\0"
    assert_eq "socket activation: scans on systemd's socket" \
        "b'$F/eicar: Test.Eicar.UNOFFICIAL FOUND\\x00'" "$OUT"
    assert_contains "socket activation: logged" "$(cat "$T/act.out")" \
        "Received 1 file descriptor(s) from systemd."
    kill "$(cat "$T/act.pid")"
else
    skip "systemd-socket-activate not installed"
fi

# ---- detached (Foreground no) ----------------------------------------------
printf 'LocalSocket %s\nDatabaseDirectory %s\nPidFile %s\nLogFile %s\n' \
    "$T/bg.sock" "$T/db" "$T/bg.pid" "$T/bg.log" > "$T/bg.conf"
run "$VIGILD" -c "$T/bg.conf"
assert_rc "detached: the starting process exits 0" 0
if wait_ping "$T/bg.sock" 20; then ok "detached: answers"; else fail "detached: no answer"; fi
bgpid=$(cat "$T/bg.pid" 2>/dev/null)
_DAEMON_PIDS+=("$bgpid")
assert_eq "detached: its own session" "$bgpid" "$(ps -o sid= -p "$bgpid" | tr -d ' ')"
kill -TERM "$bgpid"
for k in $(seq 1 100); do kill -0 "$bgpid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$bgpid" 2>/dev/null && fail "detached: still running after SIGTERM" || ok "detached: SIGTERM exits"
assert_no_file "detached: socket removed" "$T/bg.sock"

# ---- User ------------------------------------------------------------------
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
    chmod 755 "$T"
    start_vigild "User nobody"
    uid=$(awk '/^Uid:/ {print $2}' /proc/"$(vigild_pid)"/status)
    assert_eq "User nobody: the parent runs as nobody" "$(id -u nobody)" "$uid"
    for w in $(vigild_workers); do
        assert_eq "User nobody: worker $w runs as nobody" "$(id -u nobody)" \
            "$(awk '/^Uid:/ {print $2}' /proc/"$w"/status)"
    done
else
    skip "User: needs root"
fi

finish
