#!/usr/bin/env bash
# daemon/reload: a RELOAD compiles in a helper process and the parent maps
# the image it leaves (src/daemon/engine.c):
#  - a changed database is compiled by the helper, which writes one new
#    engine image, and the new signatures detect;
#  - an image prepared by `vigil db compile --no-builtin -d DIR` (as an
#    update job would) is the one vigild maps: the reload writes none;
#  - the parent answers and scans while the helper works, and a helper
#    that dies leaves the old engine serving, with the reason logged.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/daemon.sh"

daemon_db
F="$T/files"
S() { run python3 "$DAEMON_PY" req "$VIGILD_SOCK" "$1"; }
images() { find "$VIGIL_CACHE_DIR" -name '*.vgi' | wc -l; }
# reloaded N: waits for the Nth "Database correctly reloaded".
reloaded() {
    local k
    for k in $(seq 1 300); do
        [ "$(grep -c 'Database correctly reloaded' "$T/vigild.log")" -ge "$1" ] && return 0
        sleep 0.1
    done
    return 1
}
# Enough signatures for an image (and a parse worth a helper).
python3 -c "
import hashlib
with open('$T/db/bulk.hdb', 'w') as f:
    for i in range(20000):
        f.write('%s:%d:Bulk.%d\n' % (hashlib.md5(b'%d' % i).hexdigest(), 1000 + i, i))"
mkdir -p "$VIGIL_CACHE_DIR" && chmod 700 "$VIGIL_CACHE_DIR"
start_vigild "Debug yes"
pid=$(vigild_pid)
n0=$(images)
assert_eq "start-up wrote the engine image" 1 "$n0"

# ---- vigild compiles the changed database ---------------------------------
hdb_line "$F/clean" Test.One >> "$T/db/test.hdb"
S 'zRELOAD\0'
reloaded 1 && ok "reloaded" || fail "no reload"
S "zSCAN $F/clean\\0"
assert_eq "the new signature detects" "b'$F/clean: Test.One.UNOFFICIAL FOUND\\x00'" "$OUT"
assert_match "a helper process compiled it" "$(cat "$T/vigild.log")" \
    "Reload: compile helper [0-9]+ started"
assert_eq "the helper wrote the new image" $((n0 + 1)) "$(images)"
assert_eq "the same parent serves" "$pid" "$(vigild_pid)"

# ---- an image prepared by vigil db compile ---------------------------------
printf 'not even clean\n' > "$F/other"
hdb_line "$F/other" Test.Two >> "$T/db/test.hdb"
run "$VIGIL" db compile --no-builtin -d "$T/db"
assert_rc "vigil db compile" 0
n1=$(images)
assert_eq "vigil db compile wrote an image" $((n0 + 2)) "$n1"
S 'zRELOAD\0'
reloaded 2 && ok "reloaded" || fail "no reload"
S "zSCAN $F/other\\0"
assert_eq "its signatures detect" "b'$F/other: Test.Two.UNOFFICIAL FOUND\\x00'" "$OUT"
assert_eq "vigild mapped vigil's image: wrote none" "$n1" "$(images)"

# ---- a helper stopped, then killed ------------------------------------------
# A large database, so that the helper parses long enough to be stopped.
python3 -c "
import hashlib
with open('$T/db/big.hdb', 'w') as f:
    for i in range(300000):
        f.write('%s:%d:Big.%d\n' % (hashlib.md5(b'b%d' % i).hexdigest(), 5000 + i, i))"
S 'zRELOAD\0'
helper=
for k in $(seq 1 1000); do
    helper=$(sed -n 's/.*Reload: compile helper \([0-9]*\) started.*/\1/p' "$T/vigild.log" | sed -n 3p)
    [ -n "$helper" ] && break
    sleep 0.01
done
kill -STOP "$helper" 2>/dev/null && ok "a third helper, stopped while it parses" \
    || fail "no third helper to stop"
S 'zPING\0'
assert_eq "the parent answers while the helper works" "b'PONG\\x00'" "$OUT"
S "zSCAN $F/eicar\\0"
assert_eq "and scans with the old engine" "b'$F/eicar: Test.Eicar.UNOFFICIAL FOUND\\x00'" "$OUT"
kill -KILL "$helper"
for k in $(seq 1 100); do
    grep -q "Database reload failed" "$T/vigild.log" && break
    sleep 0.1
done
assert_contains "a dead helper is logged" "$(cat "$T/vigild.log")" \
    "Database reload failed, keeping the old database: the compile helper died"
rm -f "$T/db/big.hdb"
S "zSCAN $F/other\\0"
assert_eq "the old engine still serves" "b'$F/other: Test.Two.UNOFFICIAL FOUND\\x00'" "$OUT"
finish
