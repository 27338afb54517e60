#!/usr/bin/env bash
# tests/lib/compat.sh - run Debian's clamscan and `vigil scan` side by side.
#
# Source after common.sh. compat_run runs both scanners with the same
# arguments in the same directory ($T); the compare_* helpers check one
# aspect each and, on the first mismatch of a case, print both complete
# outputs so the difference can be read without re-running anything.
#
# vigil runs with --no-builtin so that "Known viruses" counts only the
# databases given with -d, exactly as clamscan does.

CLAMSCAN=${CLAMSCAN:-$(command -v clamscan || true)}
if [ -z "$CLAMSCAN" ]; then
    # `make check` installs clamscan (scripts/install-deps test); without it
    # these tests would prove nothing, so they fail rather than pass.
    printf 'FAIL: clamscan is not installed; the compatibility tests need it\n'
    exit 1
fi

# compat_run ARGS...: sets C_OUT C_ERR C_RC (clamscan) and V_OUT V_ERR V_RC (vigil).
compat_run() {
    CASE_ARGS=$*
    CASE_DUMPED=0
    run "$CLAMSCAN" "$@"
    C_OUT=$OUT C_ERR=$ERR C_RC=$RC
    run "$VIGIL" scan --no-builtin "$@"
    V_OUT=$OUT V_ERR=$ERR V_RC=$RC
    LAST_CMD="vigil scan --no-builtin $CASE_ARGS"
}

# compat_run_as USER_SETPRIV_ARGS -- ARGS...: as compat_run, under setpriv.
compat_run_priv() {
    local priv=()
    while [ "$1" != "--" ]; do priv+=("$1"); shift; done
    shift
    CASE_ARGS=$*
    CASE_DUMPED=0
    run setpriv "${priv[@]}" "$CLAMSCAN" "$@"
    C_OUT=$OUT C_ERR=$ERR C_RC=$RC
    run setpriv "${priv[@]}" "$VIGIL" scan --no-builtin "$@"
    V_OUT=$OUT V_ERR=$ERR V_RC=$RC
    LAST_CMD="vigil scan --no-builtin $CASE_ARGS"
}

_dump_case() {
    [ "$CASE_DUMPED" = 1 ] && return
    CASE_DUMPED=1
    printf '  case: [clamscan|vigil scan --no-builtin] %s   (in %s)\n' "$CASE_ARGS" "$T"
    show "clamscan stdout (exit $C_RC)" "$C_OUT"
    show "clamscan stderr" "$C_ERR"
    show "vigil stdout (exit $V_RC)" "$V_OUT"
    show "vigil stderr" "$V_ERR"
}

# _cmp DESC EXPECTED(clamscan) ACTUAL(vigil)
_cmp() {
    if [ "$2" == "$3" ]; then
        ok "$1"
    else
        fail "$1  [$CASE_ARGS]"
        show "clamscan" "$2"
        show "vigil" "$3"
        if command -v diff >/dev/null; then
            printf '  --- diff clamscan vigil ---\n'
            diff <(printf '%s\n' "$2") <(printf '%s\n' "$3") | sed 's/^/  | /'
        fi
        _dump_case
        return 1
    fi
}

# compare_rc DESC
compare_rc() { _cmp "$1: exit code" "$C_RC" "$V_RC"; }

# compare_found DESC: the sorted FOUND lines.
compare_found() {
    _cmp "$1: FOUND lines" "$(found_lines "$C_OUT")" "$(found_lines "$V_OUT")"
}

# compare_results DESC: every per-file line (FOUND/OK/Empty file/Excluded/...),
# sorted because walk order may differ.
compare_results() {
    _cmp "$1: per-file lines" "$(result_lines "$C_OUT" | sort)" \
        "$(result_lines "$V_OUT" | sort)"
}

# summary_counts TEXT: the summary fields vigil must reproduce exactly.
summary_counts() {
    local f
    for f in "Known viruses" "Scanned directories" "Scanned files" \
        "Infected files" "Total errors"; do
        printf '%s: %s\n' "$f" "$(summary_value "$f" "$1")"
    done
    # "Data read" is the sum of the file sizes; the ratio after it depends on
    # "Data scanned", which counts matcher work vigil does differently.
    printf 'Data read: %s\n' "$(summary_value "Data read" "$1" | sed 's/ (ratio.*//')"
}

# compare_summary DESC: Known viruses, Scanned directories/files, Infected
# files, Total errors (absent in both when there were no errors), Data read.
compare_summary() {
    _cmp "$1: summary counts" "$(summary_counts "$C_OUT")" "$(summary_counts "$V_OUT")"
}

# compare_has_summary DESC: both print a SCAN SUMMARY, or neither does.
compare_has_summary() {
    local c=no v=no
    printf '%s\n' "$C_OUT" | grep -qx -- '----------- SCAN SUMMARY -----------' && c=yes
    printf '%s\n' "$V_OUT" | grep -qx -- '----------- SCAN SUMMARY -----------' && v=yes
    _cmp "$1: SCAN SUMMARY printed" "$c" "$v"
}

# compare_all DESC: exit code, per-file lines, summary presence and counts.
compare_all() {
    compare_rc "$1"
    compare_results "$1"
    compare_has_summary "$1"
    compare_summary "$1"
}

# compare_stderr_lines DESC: the lines clamscan prints on stderr about files
# (not its LibClamAV engine messages) appear in vigil's stderr, in order.
compare_stderr_lines() {
    local c v
    c=$(printf '%s\n' "$C_ERR" | grep -v -E '^(LibClamAV|ERROR: )' || true)
    v=$(printf '%s\n' "$V_ERR" | grep -xF -f <(printf '%s\n' "$c") || true)
    _cmp "$1: file error lines on stderr" "$c" "$v"
}
