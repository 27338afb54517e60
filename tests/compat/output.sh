#!/usr/bin/env bash
# compat/output: where the lines go. "-" scans stdin as "stdin"; --quiet
# prints nothing on stdout; --stdout moves warnings to stdout; -l FILE appends
# a log (FOUND lines and warnings, then the summary; clamscan leaves OK lines
# out of the log) that is written even with --quiet.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/compat.sh"

make_eicar eicar.com
echo clean > clean.txt
: > empty
hdb_line eicar.com Test.Eicar > sigs.hdb

# compat_run with stdin from a file.
compat_stdin() {
    local in=$1
    shift
    CASE_ARGS="$* < $in"
    CASE_DUMPED=0
    run --in "$in" "$CLAMSCAN" "$@"
    C_OUT=$OUT C_ERR=$ERR C_RC=$RC
    run --in "$in" "$VIGIL" scan --no-builtin "$@"
    V_OUT=$OUT V_ERR=$ERR V_RC=$RC
}
compat_stdin eicar.com -d sigs.hdb -
compare_all "stdin with EICAR"
compat_stdin clean.txt -d sigs.hdb -
compare_all "stdin clean"
compat_stdin empty -d sigs.hdb -
compare_all "stdin empty (clamscan says OK)"
compat_stdin eicar.com -d sigs.hdb --no-summary - clean.txt
compare_all "stdin and a file"
compat_stdin eicar.com -d sigs.hdb - -
compare_all "stdin named twice (the second read is at end of input)"

compat_run -d sigs.hdb --quiet eicar.com clean.txt missing
compare_rc "--quiet"
_cmp "--quiet: stdout" "$C_OUT" "$V_OUT"
compare_stderr_lines "--quiet"

compat_run -d sigs.hdb --stdout eicar.com clean.txt missing
compare_all "--stdout"
_cmp "--stdout: WARNING lines on stdout" \
    "$(printf '%s\n' "$C_OUT" | grep '^WARNING: ' || true)" \
    "$(printf '%s\n' "$V_OUT" | grep '^WARNING: ' || true)"

log_view() {
    [ -f "$1" ] || { echo "(no log file $1)"; return; }
    result_lines "$(cat "$1")" | sort
    grep '^WARNING: ' "$1" || true
    summary_counts "$(cat "$1")"
}
compat_run -d sigs.hdb -l c.log eicar.com clean.txt missing
mv c.log clamscan.log 2>/dev/null
compat_run -d sigs.hdb -l c.log eicar.com clean.txt missing
compare_all "-l"
_cmp "-l: log lines and summary" "$(log_view clamscan.log)" "$(log_view c.log)"

rm -f clamscan.log c.log
run "$CLAMSCAN" -d sigs.hdb --quiet --log=c.log eicar.com missing
mv c.log clamscan.log 2>/dev/null
run "$VIGIL" scan --no-builtin -d sigs.hdb --quiet --log=c.log eicar.com missing
CASE_ARGS="--quiet --log=c.log eicar.com missing"
_cmp "--quiet --log: log lines and summary" "$(log_view clamscan.log)" "$(log_view c.log)"

# -l appends.
rm -f clamscan.log c.log
for i in 1 2; do run "$CLAMSCAN" -d sigs.hdb -l clamscan.log eicar.com; done
for i in 1 2; do run "$VIGIL" scan --no-builtin -d sigs.hdb -l c.log eicar.com; done
CASE_ARGS="-l LOG eicar.com, twice"
_cmp "-l appends" "$(grep -c FOUND clamscan.log)" "$(grep -c FOUND c.log 2>/dev/null)"

finish
