#!/usr/bin/env bash
# Unmodified client libraries against Debian's clamd and against vigild with
# the same database: python3-pyclamd (ping, version, stats, scan_file,
# contscan_file, multiscan_file, allmatchscan, scan_stream, reload) and
# Perl's ClamAV::Client (libclamav-client-perl). Each call's answer, as the
# library returns it, must be the same from both daemons.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/daemon.sh"

# The system's python3, which has Debian's pyclamd, whatever is first in PATH.
SYSPY=/usr/bin/python3
daemon_db
F="$T/files"
mkdir -p "$F/tree/sub"
make_eicar "$F/tree/eicar"
cp "$F/clam.exe" "$F/tree/sub/clam.exe"
start_clamd
start_vigild

# compare_client NAME CMD...: runs CMD SOCKET DIR against both daemons.
compare_client() {
    local name=$1 c_out
    shift
    run "$@" "$CLAMD_SOCK" "$F"
    c_out=$OUT
    if [ "$RC" -ne 0 ] || [ -z "$OUT" ]; then
        fail "$name against clamd failed (exit $RC)"
        show "stderr" "$ERR"
        return
    fi
    wait_ping "$CLAMD_SOCK" 20
    run "$@" "$VIGILD_SOCK" "$F"
    wait_ping "$VIGILD_SOCK" 20
    assert_eq "$name: every call answers as clamd's" "$c_out" "$OUT"
    printf '%s\n' "$OUT" | sed 's/^/  | /'
}

if $SYSPY -c 'import pyclamd' 2>/dev/null; then
    compare_client pyclamd "$SYSPY" "$VIGIL_SRC/tests/daemon/clients.py"
else
    fail "python3-pyclamd is not installed (scripts/install-deps test)"
fi
if perl -MClamAV::Client -e 1 2>/dev/null; then
    compare_client "ClamAV::Client" perl "$VIGIL_SRC/tests/daemon/clients.pl"
else
    fail "libclamav-client-perl is not installed (scripts/install-deps test)"
fi

finish
