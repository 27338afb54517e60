#!/usr/bin/env bash
# c-icap's virus_scan service (libc-icap-mod-virus-scan, clamd_mod engine)
# pointed at Debian's clamd, then at vigild, same database: the ICAP answer
# to an infected and a clean response body must be the same.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/daemon.sh"

if ! command -v c-icap >/dev/null 2>&1 || [ ! -e /usr/lib/x86_64-linux-gnu/c_icap/clamd_mod.so ]; then
    fail "c-icap and libc-icap-mod-virus-scan are not installed (scripts/install-deps test)"
    finish
fi
daemon_db
F="$T/files"
start_clamd
start_vigild

# icap_answer SOCKET FILE: c-icap in front of the daemon on SOCKET, asked
# by c-icap-client to RESPMOD-scan FILE; prints the ICAP status, or the
# title and virus name of c-icap's block page.
icap_answer() {
    local port a dir
    dir=$(mktemp -d "$T/icap.XXXXXX")
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    cat > "$dir/c-icap.conf" <<CONF
PidFile $dir/c-icap.pid
CommandsSocket $dir/c-icap.ctl
Port 127.0.0.1:$port
StartServers 1
MaxServers 1
ThreadsPerChild 10
TmpDir $dir
ServerLog $dir/server.log
AccessLog $dir/access.log
ModulesDir /usr/lib/x86_64-linux-gnu/c_icap
ServicesDir /usr/lib/x86_64-linux-gnu/c_icap
TemplateDir /usr/share/c_icap/templates/
LoadMagicFile /etc/c-icap/c-icap.magic
Module common clamd_mod.so
clamd_mod.ClamdSocket $1
Service antivirus_module virus_scan.so
ServiceAlias avscan virus_scan?allow204=on&sizelimit=off&mode=simple
virus_scan.ScanFileTypes TEXT DATA EXECUTABLE ARCHIVE
virus_scan.DefaultEngine clamd
CONF
    timeout -s KILL 60 c-icap -N -f "$dir/c-icap.conf" >"$dir/out" 2>&1 &
    _DAEMON_PIDS+=($!)
    for _ in $(seq 1 100); do
        c-icap-client -i 127.0.0.1 -p "$port" -s avscan -method OPTIONS -v 2>&1 |
            grep -q 'ICAP/1.0 200' && break
        sleep 0.1
    done
    # c-icap answers OPTIONS before its scanning threads are ready: retry an
    # empty answer a few times.
    for _ in 1 2 3 4 5; do
        a=$(timeout 20 c-icap-client -i 127.0.0.1 -p "$port" -s avscan -f "$2" -v 2>&1 |
            grep -aE '<h1>|^ *<b> [A-Za-z].* </b>$|No modification needed|ICAP/1\.0' |
            sed 's/^[[:space:]]*//')
        [ -n "$a" ] && break
        sleep 0.5
    done
    printf '%s\n' "$a"
    kill "$(cat "$dir/c-icap.pid" 2>/dev/null)" 2>/dev/null
}

for f in eicar clam.exe clean; do
    c=$(icap_answer "$CLAMD_SOCK" "$F/$f")
    v=$(icap_answer "$VIGILD_SOCK" "$F/$f")
    [ -n "$c" ] || fail "c-icap with clamd gave no answer for $f"
    assert_eq "c-icap virus_scan, $f: same ICAP answer" "$c" "$v"
    printf '%s\n' "$v" | sed 's/^/  | /'
done
assert_contains "c-icap saw the detection through vigild" "$(icap_answer "$VIGILD_SOCK" "$F/eicar")" \
    "Test.Eicar.UNOFFICIAL"

finish
