#!/usr/bin/env bash
# Raw clamd protocol, byte for byte: every command and framing, malformed
# commands, oversize streams, FILDES, IDSESSION and its misuse, each sent to
# Debian's clamd and to vigild with the same database; the replies must be
# equal (up to the version text and descriptor numbers, see clamdproto.py),
# and both daemons must still answer after every case.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/daemon.sh"

daemon_db
F="$T/files"
mkdir -p "$F/tree/sub" "$F/cleandir" "$F/emptydir"
printf 'clean one\n' > "$F/tree/a-clean"
make_eicar "$F/tree/eicar"
cp "$F/clam.exe" "$F/tree/sub/clam.exe"
printf 'clean two\n' > "$F/cleandir/x"
printf 'clean three\n' > "$F/cleandir/y"
# Things a walk skips or reports: a symbolic link, a FIFO, ExcludePath.
mkdir -p "$F/odd/excluded" "$F/odd/deep/er"
make_eicar "$F/odd/excluded/eicar"
ln -s "$F/eicar" "$F/odd/link"
mkfifo "$F/odd/fifo"
cp "$F/clam.exe" "$F/odd/deep/er/clam.exe"
printf 'ok\n' > "$F/odd/plain"

# A body signature for part of EICAR as well: ALLMATCHSCAN then has two
# detections to report for one file.
printf 'Test.EicarBody:0:*:%s\n' "$(head -c 40 "$F/eicar" | tail -c 20 | od -An -tx1 | tr -d ' \n')" > "$T/db/body.ndb"

start_clamd
start_vigild

out=$(python3 "$DAEMON_PY" compare "$CLAMD_SOCK" "$VIGILD_SOCK" "$F" 2>&1)
rc=$?
printf '%s\n' "$out"
if [ $rc -eq 0 ]; then ok "all raw cases equal"; else fail "raw cases differ"; fi

# ALLMATCHSCAN really had two detections to compare.
run python3 "$DAEMON_PY" req "$VIGILD_SOCK" "zALLMATCHSCAN $F/eicar\\0"
assert_contains "ALLMATCHSCAN reports the hash detection" "$OUT" "Test.Eicar.UNOFFICIAL FOUND"
assert_contains "ALLMATCHSCAN reports the body detection" "$OUT" "Test.EicarBody.UNOFFICIAL FOUND"

# Hanging up at every stage of a request costs nothing: the daemon goes on
# answering, and no descriptor of the cut connections stays open.
fds_before=$(ls /proc/"$(vigild_pid)"/fd | wc -l)
for cut in 'zPI' 'zINSTREAM\0' 'zINSTREAM\0\0\0' 'zINSTREAM\0\0\0\0\x05ab' \
           'zIDSESSION\0zPING\0' 'nSCAN '"$F"'/tree\n' 'nMULTISCAN '"$F"'/tree\n' \
           'zIDSESSION\0zINSTREAM\0\0\0\0\x02ab'; do
    python3 "$DAEMON_PY" cut "$VIGILD_SOCK" "$cut"
    run python3 "$DAEMON_PY" req "$VIGILD_SOCK" 'zPING\0'
    assert_eq "answers after hanging up on: $cut" "b'PONG\\x00'" "$OUT"
done
# (a cut stream that a worker was following is given up when the worker
# answers: wait for that, up to 5 s, on a loaded machine)
for _ in $(seq 50); do
    fds_after=$(ls /proc/"$(vigild_pid)"/fd | wc -l)
    [ "$fds_after" -le "$fds_before" ] && break
    sleep 0.1
done
assert_eq "no descriptor leaked by cut connections" "$fds_before" "$fds_after"

# A client that does not read its replies is dropped after SendBufTimeout
# (500 ms), not kept with its descriptor forever.
run python3 "$DAEMON_PY" stall "$VIGILD_SOCK"
assert_match "a client that reads nothing is dropped" "$OUT" "^closed [0-9]+$"
n=${OUT#closed }
[ "${n:-5000}" -lt 5000 ] && ok "dropped before all 5000 replies ($n)" || fail "all replies sent: $OUT"
run python3 "$DAEMON_PY" req "$VIGILD_SOCK" 'zPING\0'
assert_eq "still answers after dropping a stalled client" "b'PONG\\x00'" "$OUT"

# A command that never ends is dropped at the input limit, not buffered.
run python3 "$DAEMON_PY" flood "$VIGILD_SOCK" 20000
assert_match "an endless command line is dropped" "$OUT" "^b''$"

finish
