#!/usr/bin/env bash
# Unmodified clamdscan against Debian's clamd and against vigild with the
# same database: plain, --stream, --multiscan, --fdpass, --allmatch, stdin,
# --ping, --reload. Standard output, standard error and exit code must be
# the same (the summary's times and dates aside).
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/daemon.sh"

CLAMDSCAN=${CLAMDSCAN:-$(command -v clamdscan || true)}
if [ -z "$CLAMDSCAN" ]; then
    fail "clamdscan is not installed (scripts/install-deps test)"
    finish
fi

daemon_db
F="$T/files"
mkdir -p "$F/tree/sub/deeper" "$F/cleandir"
make_eicar "$F/tree/eicar"
cp "$F/clam.exe" "$F/tree/sub/clam.exe"
printf 'x\n' > "$F/tree/sub/deeper/clean"
: > "$F/tree/empty"
printf 'clean\n' > "$F/cleandir/one"
start_clamd
start_vigild
CC=$(clamdscan_conf "$CLAMD_SOCK")
VC=$(clamdscan_conf "$VIGILD_SOCK")

# drop_times TEXT: the summary without its clock lines.
drop_times() { printf '%s\n' "$1" | grep -vE '^(Time|Start Date|End Date):'; }

# order ARGS...: MULTISCAN answers in completion order, in clamd as in
# vigild: with --multiscan, compare the lines as a set.
order() {
    case " $* " in
    *" --multiscan "*) sort ;;
    *) cat ;;
    esac
}

# compare DESC ARGS...: runs clamdscan with ARGS against both daemons.
compare() {
    local desc=$1 c_out c_err c_rc
    shift
    run "$CLAMDSCAN" --config-file="$CC" "$@"
    c_out=$(drop_times "$OUT" | order "$@") c_err=$ERR c_rc=$RC
    run "$CLAMDSCAN" --config-file="$VC" "$@"
    assert_eq "$desc: stdout" "$c_out" "$(drop_times "$OUT" | order "$@")"
    assert_eq "$desc: stderr" "$c_err" "$ERR"
    assert_eq "$desc: exit code" "$c_rc" "$RC"
}

for mode in "" --stream --multiscan --fdpass --allmatch "--multiscan --fdpass" \
            "--allmatch --stream"; do
    # shellcheck disable=SC2086
    compare "clamdscan $mode files" $mode "$F/eicar" "$F/clean" "$F/clam.exe" "$F/empty"
    # shellcheck disable=SC2086
    compare "clamdscan $mode tree" $mode "$F/tree"
    # shellcheck disable=SC2086
    compare "clamdscan $mode clean dir" $mode --no-summary "$F/cleandir"
    # shellcheck disable=SC2086
    compare "clamdscan $mode missing file" $mode --no-summary "$F/nope" "$F/clean"
done
# stdin goes over FILDES (a descriptor number of the daemon's own, which
# differs) or, with --stream, over INSTREAM.
fdn() { printf '%s\n' "$1" | sed -E 's/fd\[[0-9]+\]/fd[N]/g'; }
for f in eicar clean; do
    for mode in "" --stream; do
        # shellcheck disable=SC2086
        run --in "$F/$f" "$CLAMDSCAN" --config-file="$CC" --no-summary $mode -
        c_out=$(fdn "$OUT") c_rc=$RC
        # shellcheck disable=SC2086
        run --in "$F/$f" "$CLAMDSCAN" --config-file="$VC" --no-summary $mode -
        assert_eq "clamdscan $mode stdin $f: stdout" "$c_out" "$(fdn "$OUT")"
        assert_eq "clamdscan $mode stdin $f: exit code" "$c_rc" "$RC"
    done
done
compare "clamdscan --ping" --ping 1
compare "clamdscan --reload" --reload
wait_ping "$VIGILD_SOCK" 10 && ok "vigild answers after --reload" || fail "vigild gone after --reload"
compare "clamdscan after reload" --no-summary "$F/eicar"

finish
