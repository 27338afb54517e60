#!/usr/bin/env bash
# compat/errors: paths that cannot be scanned. Missing paths, unreadable files
# and directories (run as nobody), a FIFO or a device named on the command
# line, an -f list naming a removed file; exit 2 unless a detection wins, the
# same lines on stdout and stderr and the same "Total errors".
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/compat.sh"

make_eicar eicar.com
echo clean > clean.txt
hdb_line eicar.com Test.Eicar > sigs.hdb

compat_run -d sigs.hdb missing
compare_all "missing path"
compare_stderr_lines "missing path"
compat_run -d sigs.hdb missing clean.txt
compare_all "missing path and a clean file"
compare_stderr_lines "missing path and a clean file"
compat_run -d sigs.hdb missing eicar.com
compare_all "missing path and a detection (detection wins)"
compat_run -d sigs.hdb -r missing-dir/sub
compare_all "-r missing directory"
compare_stderr_lines "-r missing directory"

printf '%s\n' clean.txt gone.txt eicar.com > list
echo soon-gone > gone.txt
rm gone.txt
compat_run -d sigs.hdb -f list
compare_all "-f list naming a removed file"
compare_stderr_lines "-f list naming a removed file"

mkfifo fifo
compat_run -d sigs.hdb fifo
compare_rc "FIFO on the command line"
compare_results "FIFO on the command line"
compare_summary "FIFO on the command line"
compare_stderr_lines "FIFO on the command line"
compat_run -d sigs.hdb /dev/null clean.txt
compare_rc "/dev/null on the command line"
compare_results "/dev/null on the command line"
compare_stderr_lines "/dev/null on the command line"

# Permission errors need an unprivileged user.
if command -v setpriv >/dev/null && [ "$(id -u)" = 0 ]; then
    nobody=(--reuid=65534 --regid=65534 --clear-groups)
    chmod 755 "$T"
    mkdir -p p/locked
    cp eicar.com p/eicar.com
    cp eicar.com p/locked/inner
    echo secret > p/secret
    chmod 644 sigs.hdb p/eicar.com clean.txt
    chmod 000 p/secret p/locked
    compat_run_priv "${nobody[@]}" -- -d sigs.hdb p/secret
    compare_all "unreadable file"
    compare_stderr_lines "unreadable file"
    compat_run_priv "${nobody[@]}" -- -d sigs.hdb p/secret clean.txt p/eicar.com
    compare_all "unreadable file, a clean file and a detection"
    compat_run_priv "${nobody[@]}" -- -d sigs.hdb -r p
    compare_all "-r tree with an unreadable file and directory"
    compare_stderr_lines "-r tree with an unreadable file and directory"
    compat_run_priv "${nobody[@]}" -- -d sigs.hdb -r p/locked
    compare_all "-r unreadable directory"
else
    skip "permission cases need root and setpriv to become nobody"
fi

finish
