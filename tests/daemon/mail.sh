#!/usr/bin/env bash
# daemon/mail: clamd.conf's ScanMail (default yes; no leaves mail, MIME and
# TNEF packed): vigild answers zSCAN of the package's mail files as clamd
# does, both ways.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/daemon.sh"

daemon_db
F=$T/files
for f in clam.mail clam.exe.mbox.base64 clam.tnef clam.exe.binhex; do
    cp "$CLAMAV_TESTFILES/$f" "$F/"
done

# replies SOCKET: the zSCAN reply for each mail file, one a line.
replies() {
    local f
    for f in clam.mail clam.exe.mbox.base64 clam.tnef clam.exe.binhex; do
        python3 "$DAEMON_PY" req "$1" "zSCAN $F/$f\\0"
    done
}

for setting in "" "ScanMail yes" "ScanMail no"; do
    start_clamd "$setting"
    start_vigild "$setting"
    c=$(replies "$CLAMD_SOCK")
    v=$(replies "$VIGILD_SOCK")
    assert_eq "${setting:-default}: vigild replies as clamd" "$c" "$v"
    case $setting in
    *no) assert_contains "ScanMail no: clam.mail is OK" "$v" "clam.mail: OK" ;;
    *) assert_contains "${setting:-default}: clam.mail is found" "$v" \
        "clam.mail: Test.ClamExe.UNOFFICIAL FOUND" ;;
    esac
    stop_both
done

finish
