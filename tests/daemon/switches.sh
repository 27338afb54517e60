#!/usr/bin/env bash
# daemon/switches: clamd.conf's ScanPE, ScanELF, ScanPDF, ScanHTML,
# AlertBrokenExecutables, AlertEncrypted and AlertEncryptedArchive:
# vigild answers zSCAN of files each switch governs exactly as clamd does
# with the same setting (and the switch visibly changes something).
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/daemon.sh"

daemon_db
F=$T/files
for f in clam.pdf clam.exe.html clam-upx.exe; do
    cp "$CLAMAV_TESTFILES/$f" "$F/"
done
head -c 600 "$CLAMAV_TESTFILES/clam.exe" > "$F/broken.exe" # sections past the end
(cd "$F" && zip -q -P secret enc.zip clam.exe)
files="clam.pdf clam.exe.html clam-upx.exe broken.exe enc.zip"

replies() {
    local f
    for f in $files; do
        python3 "$DAEMON_PY" req "$1" "zSCAN $F/$f\\0"
    done
}

for setting in "" "ScanPDF no" "ScanHTML no" "ScanPE no" "ScanELF no" \
               "AlertBrokenExecutables yes" "AlertEncrypted yes" "AlertEncryptedArchive yes"; do
    start_clamd "$setting"
    start_vigild "$setting"
    c=$(replies "$CLAMD_SOCK")
    v=$(replies "$VIGILD_SOCK")
    assert_eq "${setting:-default}: vigild replies as clamd" "$c" "$v"
    case $setting in
    "") assert_contains "default: clam.pdf found" "$v" "clam.pdf: Test.ClamExe.UNOFFICIAL FOUND" ;;
    "ScanPDF no") assert_contains "ScanPDF no: clam.pdf OK" "$v" "clam.pdf: OK" ;;
    "ScanPE no") assert_contains "ScanPE no: clam-upx.exe OK" "$v" "clam-upx.exe: OK" ;;
    "AlertEncrypted"*) assert_contains "$setting: encrypted zip alerted" "$v" \
        "enc.zip: Heuristics.Encrypted.Zip FOUND" ;;
    esac
    stop_both
done

finish
