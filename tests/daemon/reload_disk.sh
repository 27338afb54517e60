#!/usr/bin/env bash
# daemon/reload_disk: vigild's compile helper compiles for the image only
# (vigil_engine_set_image_only: hash signatures and names through
# temporary files in the cache directory). When the image cannot be
# written (a file size limit on vigild, as a full disk would), the reload
# fails with the reason logged, the old engine keeps serving, and no
# temporary file is left; with the limit gone the next RELOAD succeeds and
# the streamed image answers as the parsed engine would.
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
start_vigild
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
finish
