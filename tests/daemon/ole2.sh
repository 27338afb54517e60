#!/usr/bin/env bash
# daemon/ole2: clamd.conf's AlertOLE2Macros, ScanOLE2 and ScanOneNote in
# vigild as in clamd: clamdscan against both daemons with the same
# configuration, on clam.ole.doc, a generated document with a VBA project
# (tests/lib/cfb.py) and an Excel 4.0 macro sheet. Standard output and
# exit code must be the same (the summary's times aside).
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/daemon.sh"

CLAMDSCAN=${CLAMDSCAN:-$(command -v clamdscan || true)}
if [ -z "$CLAMDSCAN" ]; then
    fail "clamdscan is not installed (scripts/install-deps test)"
    finish
fi

daemon_db
F="$T/files"
cp "$CLAMAV_TESTFILES/clam.ole.doc" "$F/"
printf 'Sub AutoOpen()\r\n  MsgBox "hello"\r\nEnd Sub\r\n' > "$T/src.bas"
python3 "$VIGIL_SRC/tests/lib/cfb.py" doc "$F/m.doc" "$T/src.bas"
python3 "$VIGIL_SRC/tests/lib/cfb.py" xlm "$F/x.xls"
drop_times() { printf '%s\n' "$1" | grep -vE '^(Time|Start Date|End Date):'; }

for conf in "AlertOLE2Macros yes" "AlertOLE2Macros no" $'AlertOLE2Macros yes\nScanOLE2 no' \
    $'ScanOneNote no\nAlertOLE2Macros yes'; do
    start_clamd "$conf"
    start_vigild "$conf"
    for f in clam.ole.doc m.doc x.xls; do
        run "$CLAMDSCAN" --config-file="$(clamdscan_conf "$CLAMD_SOCK")" "$F/$f"
        c_out=$(drop_times "$OUT") c_rc=$RC
        run "$CLAMDSCAN" --config-file="$(clamdscan_conf "$VIGILD_SOCK")" "$F/$f"
        assert_eq "${conf//$'\n'/, }: $f: stdout" "$c_out" "$(drop_times "$OUT")"
        assert_eq "${conf//$'\n'/, }: $f: exit code" "$c_rc" "$RC"
        if [ "$conf" = "AlertOLE2Macros yes" ] && [ "$f" = m.doc ]; then
            assert_contains "vigild alerts on the macro" "$OUT" \
                "m.doc: Heuristics.OLE2.ContainsMacros.VBA FOUND"
        fi
    done
    _daemon_stop
    _DAEMON_PIDS=()
    rm -f "$T"/*.pid "$T"/*.sock
done

finish
