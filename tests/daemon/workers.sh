#!/usr/bin/env bash
# vigild's process model: a worker killed mid-scan or hung past its time
# costs that scan one ERROR reply and is replaced; RELOAD and SIGUSR2 swap
# the engine while scans in flight finish on the old one; a database that
# does not load leaves the old engine serving; SIGHUP reopens the log;
# SIGTERM and SHUTDOWN exit cleanly, leaving no worker, socket or PidFile.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/daemon.sh"

daemon_db
F="$T/files"
# MaxThreads 1: one worker, so the test knows which process scans.
start_vigild "MaxThreads 1
MaxScanTime 800
LogClean yes"
S=$VIGILD_SOCK
req() { run python3 "$DAEMON_PY" req "$S" "$1"; }
scan() { run python3 "$DAEMON_PY" req "$S" "zSCAN $1\\0"; }

# the_worker: the one worker's pid, once it is there.
the_worker() {
    local k w
    for k in $(seq 1 200); do
        w=$(vigild_workers)
        if [ "$(printf '%s\n' "$w" | grep -c .)" = 1 ]; then printf '%s\n' "$w"; return; fi
        sleep 0.1
    done
}

# wait_busy: until STATS shows the worker scanning (the job was handed over).
wait_busy() {
    local k
    for k in $(seq 1 100); do
        python3 "$DAEMON_PY" req "$S" 'zSTATS\0' | grep -q 'tSCAN ' && return 0
        sleep 0.1
    done
    fail "the scan never reached the worker"
}

# ---- the worker is sandboxed (src/os/linux/sandbox.c) -------------------
scan "$F/clean"
w=$(the_worker)
assert_match "worker runs under a seccomp filter" "$(grep '^Seccomp:' /proc/$w/status)" '^Seccomp:[[:space:]]+2$'
assert_match "worker has no_new_privs" "$(grep '^NoNewPrivs:' /proc/$w/status)" '^NoNewPrivs:[[:space:]]+1$'
# sandbox_enter closed everything but the socket to the parent and stderr.
assert_eq "worker keeps two descriptors" "$(ls /proc/$w/fd | wc -l)" 2
# ---- a worker killed in the middle of a scan ---------------------------
w=$(the_worker)
kill -STOP "$w"
CLAMDPROTO_TIMEOUT=30 python3 "$DAEMON_PY" req "$S" "zSCAN $F/eicar\\0" > "$T/killed.out" &
reqpid=$!
wait_busy
kill -KILL "$w"
wait $reqpid
assert_eq "killed worker: that scan gets ERROR" \
    "b'$F/eicar: Internal error (scan worker died) ERROR\\x00'" "$(cat "$T/killed.out")"
scan "$F/eicar"
assert_eq "killed worker: the next scan works" "b'$F/eicar: Test.Eicar.UNOFFICIAL FOUND\\x00'" "$OUT"
w2=$(the_worker)
[ -n "$w2" ] && [ "$w2" != "$w" ] && ok "killed worker was replaced" || fail "no new worker ($w -> $w2)"

# ---- a worker past its time (MaxScanTime + grace) ------------------------
kill -STOP "$w2"
start=$(date +%s%N)
req "zINSTREAM\\0\\0\\0\\0\\x05hello\\0\\0\\0\\0"
took=$(( ($(date +%s%N) - start) / 1000000 ))
assert_eq "hung worker: that scan gets ERROR" "b'stream: Time limit reached ERROR\\x00'" "$OUT"
[ "$took" -lt 5000 ] && ok "hung worker killed after ${took} ms" || fail "hung worker took ${took} ms"
scan "$F/clam.exe"
assert_eq "hung worker: the next scan works" \
    "b'$F/clam.exe: Test.ClamExe.UNOFFICIAL FOUND\\x00'" "$OUT"

# ---- SIGTERM: a clean exit -----------------------------------------------
pid=$(vigild_pid)
workers=$(vigild_workers)
kill -TERM "$pid"
for k in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$pid" 2>/dev/null && fail "vigild still running after SIGTERM" || ok "SIGTERM: exited"
wait "$VIGILD_PID"
assert_eq "SIGTERM: exit status 0" 0 "$?"
assert_no_file "SIGTERM: socket removed" "$S"
assert_no_file "SIGTERM: PidFile removed" "$T/vigild.pid"
for w in $workers; do
    kill -0 "$w" 2>/dev/null && fail "worker $w outlived vigild"
done
ok "SIGTERM: no worker left"

# A second daemon with the default MaxScanTime: a scan held in flight
# across a reload must not hit its deadline.
start_vigild "MaxThreads 1
LogClean yes"

# ---- RELOAD while a scan is in flight ------------------------------------
# The old database knows EICAR; the new one does not. The scan handed to the
# (stopped) old worker must still find it; the next scan must not.
w=$(the_worker)
kill -STOP "$w"
CLAMDPROTO_TIMEOUT=30 python3 "$DAEMON_PY" req "$S" "zSCAN $F/eicar\\0" > "$T/inflight.out" &
reqpid=$!
wait_busy
hdb_line "$F/clam.exe" Test.ClamExe > "$T/db/test.hdb"
hdb_line "$F/clean" Test.NowDetected >> "$T/db/test.hdb"
req 'zRELOAD\0'
assert_eq "RELOAD answers RELOADING" "b'RELOADING\\x00'" "$OUT"
for k in $(seq 1 200); do
    grep -q "Database correctly reloaded" "$T/vigild.log" && break
    sleep 0.1
done
assert_contains "reload logged" "$(cat "$T/vigild.log")" "Database correctly reloaded (2 signatures)"
scan "$F/clean"
assert_eq "new scans use the new engine" "b'$F/clean: Test.NowDetected.UNOFFICIAL FOUND\\x00'" "$OUT"
req 'zPING\0'
assert_eq "answers while an old worker is busy" "b'PONG\\x00'" "$OUT"
kill -CONT "$w"
wait $reqpid
assert_eq "the scan in flight finished on the old engine" \
    "b'$F/eicar: Test.Eicar.UNOFFICIAL FOUND\\x00'" "$(cat "$T/inflight.out")"
sleep 0.2
kill -0 "$w" 2>/dev/null && fail "old worker $w still running after its last scan" \
    || ok "old worker exited after its last scan"

# ---- SIGUSR2, and a database that does not load -------------------------
hdb_line "$F/eicar" Test.Eicar > "$T/db/test.hdb"
kill -USR2 "$(vigild_pid)"
for k in $(seq 1 200); do
    [ "$(grep -c 'Database correctly reloaded' "$T/vigild.log")" = 2 ] && break
    sleep 0.1
done
scan "$F/eicar"
assert_eq "SIGUSR2 reloads" "b'$F/eicar: Test.Eicar.UNOFFICIAL FOUND\\x00'" "$OUT"
printf 'not a hash line\n' > "$T/db/broken.hdb"
req 'zRELOAD\0'
for k in $(seq 1 200); do
    grep -q "Database reload failed" "$T/vigild.log" && break
    sleep 0.1
done
assert_match "a failed reload is logged with its reason" "$(cat "$T/vigild.log")" \
    "Database reload failed, keeping the old database: .*broken.hdb:1"
scan "$F/eicar"
assert_eq "after a failed reload the old engine serves" \
    "b'$F/eicar: Test.Eicar.UNOFFICIAL FOUND\\x00'" "$OUT"
rm -f "$T/db/broken.hdb"

# ---- SIGHUP reopens the log ----------------------------------------------
mv "$T/vigild.log" "$T/vigild.log.1"
kill -HUP "$(vigild_pid)"
sleep 0.3
scan "$F/clean"
sleep 0.2
assert_file "SIGHUP: a new log file" "$T/vigild.log"
assert_contains "SIGHUP: the new log has the next scan (LogClean)" \
    "$(cat "$T/vigild.log" 2>/dev/null)" "$F/clean: OK"

# ---- SHUTDOWN ------------------------------------------------------------
pid=$(vigild_pid)
req 'zSHUTDOWN\0'
assert_eq "SHUTDOWN: no reply" "b''" "$OUT"
for k in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$pid" 2>/dev/null && fail "vigild still running after SHUTDOWN" || ok "SHUTDOWN: exited"

# ---- SelfCheck and VirusEvent --------------------------------------------
hdb_line "$F/eicar" Test.Eicar > "$T/db/test.hdb"
start_vigild "SelfCheck 1
VirusEvent printf '%s %s' \"\$CLAM_VIRUSEVENT_FILENAME\" \"\$CLAM_VIRUSEVENT_VIRUSNAME\" > $T/event"
scan "$F/eicar"
for k in $(seq 1 100); do [ -s "$T/event" ] && break; sleep 0.1; done
assert_eq "VirusEvent runs with the file and the name" \
    "$F/eicar Test.Eicar.UNOFFICIAL" "$(cat "$T/event" 2>/dev/null)"
scan "$F/clean"
assert_eq "SelfCheck: before the change" "b'$F/clean: OK\x00'" "$OUT"
hdb_line "$F/clean" Test.Changed >> "$T/db/test.hdb"
for k in $(seq 1 100); do
    scan "$F/clean"
    [ "$OUT" = "b'$F/clean: Test.Changed.UNOFFICIAL FOUND\x00'" ] && break
    sleep 0.1
done
assert_eq "SelfCheck: a changed database is reloaded" \
    "b'$F/clean: Test.Changed.UNOFFICIAL FOUND\x00'" "$OUT"
assert_contains "SelfCheck: logged" "$(cat "$T/vigild.log")" \
    "SelfCheck: Database modification detected. Forcing reload."

finish
