#!/usr/bin/env bash
# daemon/reload_disk: vigild's compile helper compiles for the image only
# (vigil_engine_set_image_only: hash signatures and names through
# temporary files in the cache directory). When the image cannot be
# written (a file size limit on vigild, as a full disk would), the reload
# fails with the reason logged, the old engine keeps serving, and no
# temporary file is left; with the limit gone the next RELOAD succeeds and
# the streamed image answers as the parsed engine would. A helper whose
# temporary files are cut short under it (truncated through /proc while
# it is stopped) fails too, and the engine it was replacing still serves.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/daemon.sh"

daemon_db
F="$T/files"
S() { run python3 "$DAEMON_PY" req "$VIGILD_SOCK" "$1"; }
logged() { grep -c "$1" "$T/vigild.log" || true; }
# wait_log TEXT N: waits for the Nth line with TEXT in the log.
wait_log() {
    local k
    for k in $(seq 1 300); do
        [ "$(logged "$1")" -ge "$2" ] && return 0
        sleep 0.1
    done
    return 1
}
# About 1.5 MB of image: more than the limit below.
python3 -c "
import hashlib
with open('$T/db/bulk.hdb', 'w') as f:
    for i in range(20000):
        d = b'bulk signature %08d' % i
        f.write('%s:%d:Bulk.%d\n' % (hashlib.md5(d).hexdigest(), len(d), i))"
mkdir -p "$VIGIL_CACHE_DIR" && chmod 700 "$VIGIL_CACHE_DIR"
start_vigild "Debug yes"
pid=$(vigild_pid)

prlimit --pid "$pid" --fsize=1048576: || fail "prlimit"
hdb_line "$F/clean" Test.One >> "$T/db/test.hdb"
S 'zRELOAD\0'
wait_log "Database reload failed" 1 && ok "the reload failed" || fail "no failed reload"
assert_match "with the reason" "$(cat "$T/vigild.log")" \
    "Database reload failed, keeping the old database: .*cannot write the engine image: File too large"
S "zSCAN $F/eicar\\0"
assert_eq "the old engine serves" "b'$F/eicar: Test.Eicar.UNOFFICIAL FOUND\\x00'" "$OUT"
S "zSCAN $F/clean\\0"
assert_eq "without the new signature" "b'$F/clean: OK\\x00'" "$OUT"
assert_eq "no temporary file left" "" \
    "$(find "$VIGIL_CACHE_DIR" -type f ! -name '*.vgi' | head -3)"

prlimit --pid "$pid" --fsize=unlimited: || fail "prlimit"
S 'zRELOAD\0'
wait_log "Database correctly reloaded" 1 && ok "then the reload succeeds" || fail "no reload"
S "zSCAN $F/clean\\0"
assert_eq "the new signature detects" "b'$F/clean: Test.One.UNOFFICIAL FOUND\\x00'" "$OUT"
printf 'bulk signature %08d' 777 > "$F/bulk777"
S "zSCAN $F/bulk777\\0"
assert_eq "and the bulk ones" "b'$F/bulk777: Bulk.777.UNOFFICIAL FOUND\\x00'" "$OUT"
assert_eq "the same parent serves" "$pid" "$(vigild_pid)"

# ---- temporary files damaged under the helper -------------------------------
python3 -c "
import hashlib
with open('$T/db/big.hdb', 'w') as f:
    for i in range(300000):
        f.write('%s:%d:Big.%d\n' % (hashlib.md5(b'b%d' % i).hexdigest(), 5000 + i, i))"
printf 'another clean file\n' > "$F/two"
hdb_line "$F/two" Test.Two >> "$T/db/test.hdb"
S 'zRELOAD\0'
helper= spills=
for k in $(seq 1 2000); do
    helper=$(sed -n 's/.*Reload: compile helper \([0-9]*\) started.*/\1/p' "$T/vigild.log" | sed -n 3p)
    if [ -n "$helper" ] && kill -STOP "$helper" 2>/dev/null; then
        spills=$(find /proc/"$helper"/fd -lname '*#*(deleted)' 2>/dev/null)
        [ -n "$spills" ] && break
        kill -CONT "$helper"
    fi
    sleep 0.005
done
[ -n "$spills" ] && ok "the helper stopped with its temporary files open" \
    || fail "no helper with temporary files to stop (helper ${helper:-none}: $(ls -l /proc/${helper:-0}/fd 2>&1 | tail -3))"
for f in $spills; do truncate -s 0 "$f"; done
kill -CONT "$helper" 2>/dev/null
wait_log "Database reload failed" 2 && ok "the reload failed" || fail "no failed reload"
printf '%s\n' "$(grep 'Database reload failed' "$T/vigild.log" | tail -1)"
S "zSCAN $F/clean\\0"
assert_eq "the engine it was replacing serves" \
    "b'$F/clean: Test.One.UNOFFICIAL FOUND\\x00'" "$OUT"
S "zSCAN $F/two\\0"
assert_eq "without the new signature" "b'$F/two: OK\\x00'" "$OUT"
finish
