#!/usr/bin/env bash
# tests/lib/common.sh - shared helpers for the shell script tests.
#
# Source it first thing in a test script:  . "$(dirname "$0")/../lib/common.sh"
# It gives the script a private temporary directory ($T, removed on exit and
# the current directory from then on), builders for test files and signature
# lines, a runner that keeps stdout, stderr and the exit code apart, and
# assertions that print what was expected next to what happened. A script
# ends with `finish`, which exits non-zero when any assertion failed.
#
# Environment (set by ctest): VIGIL (the built scanner), VIGIL_SRC, VIGIL_SHARED,
# VIGIL_BUILD. No live malware is kept in the repository: EICAR is assembled
# here from two halves at run time.

set -u
export LC_ALL=C

: "${VIGIL:?VIGIL must name the built vigil binary}"
VIGIL_SRC=${VIGIL_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
VIGIL_SHARED=${VIGIL_SHARED:-$VIGIL_SRC/../shared}
CLAMAV_TESTFILES=${CLAMAV_TESTFILES:-/usr/share/clamav-testfiles}

T=$(mktemp -d /tmp/vigil-test.XXXXXXXX)
FAILS=0
CHECKS=0
_MOUNTS=()

_cleanup() {
    local m
    for m in "${_MOUNTS[@]+"${_MOUNTS[@]}"}"; do
        umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
    done
    cd / && chmod -R u+rwX "$T" 2>/dev/null
    rm -rf "$T"
}
trap _cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
cd "$T" || exit 2
# Never read the host's databases by accident: a test that wants the default
# directory sets VIGIL_DATABASE_DIR itself.
export VIGIL_DATABASE_DIR="$T/.no-default-databases"
# Nor write compiled signatures into the user's cache. VIGIL_TEST_CACHE=off
# runs the suite with no cache at all (every engine parsed); =warm prepares
# the engine image of every scan's databases before the scan (see run), so
# that the scans the tests check are all mapped from images.
if [ "${VIGIL_TEST_CACHE:-}" = off ]; then
    export VIGIL_CACHE_DIR="$T/.no-such-dir/cache"
else
    export VIGIL_CACHE_DIR="$T/.cache"
fi
# Nor write the host's audit log: as root, --move/--copy/--remove record
# into $VIGIL_AUDIT_LOG instead of /var/log/vigil/audit.log.
export VIGIL_AUDIT_LOG="$T/.audit.log"

# Registers a mount point to be unmounted at exit.
register_mount() { _MOUNTS+=("$1"); }

# ---- reporting ---------------------------------------------------------

# fail MSG...: records a failed check and prints the message.
fail() {
    FAILS=$((FAILS + 1))
    printf 'FAIL: %s\n' "$*"
}

# ok MSG...: records a passed check.
ok() {
    CHECKS=$((CHECKS + 1))
    printf 'ok: %s\n' "$*"
}

# skip MSG...: says why a check was not run (not a failure).
skip() { printf 'SKIP: %s\n' "$*"; }

# finish: ends the script; exit 1 if any check failed.
finish() {
    if [ "$FAILS" -ne 0 ]; then
        printf '\n%d check(s) FAILED, %d passed\n' "$FAILS" "$CHECKS"
        exit 1
    fi
    printf '\nall %d checks passed\n' "$CHECKS"
    exit 0
}

# show LABEL TEXT: prints a block of captured output, indented.
show() {
    printf '  --- %s ---\n' "$1"
    if [ -n "$2" ]; then printf '%s\n' "$2" | sed 's/^/  | /'; else printf '  (empty)\n'; fi
}

# ---- test files --------------------------------------------------------

# make_eicar FILE: writes the 68-byte EICAR test file (built from two halves
# so no scanner flags this script or the repository).
make_eicar() {
    printf '%s' 'X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIV' > "$1"
    printf '%s' 'IRUS-TEST-FILE!$H+H*' >> "$1"
}

# hdb_line FILE NAME: prints the .hdb line md5:size:name for FILE.
hdb_line() {
    printf '%s:%s:%s\n' "$(md5sum < "$1" | cut -d' ' -f1)" "$(stat -c %s "$1")" "$2"
}

# hsb_line FILE NAME ALGO: prints the .hsb line hash:size:name, ALGO being
# sha1 or sha256 (md5 also works: .hsb takes all three).
hsb_line() {
    printf '%s:%s:%s\n' "$("${3}sum" < "$1" | cut -d' ' -f1)" "$(stat -c %s "$1")" "$2"
}

# line_md5 TEXT: md5 of a signature line without its newline (the .ign2
# "name:md5" form).
line_md5() { printf '%s' "$1" | md5sum | cut -d' ' -f1; }

# tree_state DIR: one line per entry with type, mode, size, mtime (ns) and, for
# regular files, the sha256 - to prove a scan changed nothing.
tree_state() {
    (cd "$1" && find . -printf '%p %y %m %s %T@ %l\n' | sort) || return
    (cd "$1" && find . -type f -print0 | sort -z | xargs -0r sha256sum)
}

# ---- running -----------------------------------------------------------

# run [--in FILE] CMD ARGS...: runs a command with a 20 s timeout, leaving
# its stdout in $OUT, stderr in $ERR (without trailing newlines) and exit
# code in $RC. A hang shows as RC=124.
# VIGIL_TEST_CACHE=warm: `vigil db compile` with a scan's database options.
_warm_cache() {
    local a=()
    while [ $# -gt 0 ]; do
        case $1 in
        -d | --database | --cache-dir | --yara) a+=("$1" "${2:-}"); shift ;;
        --database=* | --cache-dir=* | --yara=* | --no-builtin | -d?*) a+=("$1") ;;
        --no-cache) return ;;
        esac
        shift
    done
    timeout -k 5 60 "$VIGIL" db compile "${a[@]}" < /dev/null > /dev/null 2>&1 || true
}

run() {
    local in=/dev/null
    if [ "${1:-}" = "--in" ]; then in=$2; shift 2; fi
    if [ "${VIGIL_TEST_CACHE:-}" = warm ] && [ "$1" = "$VIGIL" ] && [ "${2:-}" = scan ]; then
        _warm_cache "${@:3}"
    fi
    timeout -k 5 "${RUN_TIMEOUT:-20}" "$@" < "$in" > "$T/.out" 2> "$T/.err"
    RC=$?
    OUT=$(cat "$T/.out")
    ERR=$(cat "$T/.err")
    LAST_CMD=$*
}

# vscan ARGS...: run "$VIGIL scan ARGS..." through run.
vscan() { run "$VIGIL" scan "$@"; }

# ---- output parsing ----------------------------------------------------

# summary_value NAME TEXT: the value after "NAME: " in a SCAN SUMMARY, or
# "(none)" when the line is missing.
summary_value() {
    local v
    v=$(printf '%s\n' "$2" | sed -n "s/^$1: //p" | head -n 1)
    printf '%s' "${v:-(none)}"
}

# result_lines TEXT: the per-file result lines (FOUND, OK, Empty file,
# Excluded, Symbolic link, Access denied, ...), i.e. everything before the
# summary that looks like "path: something" and is not a warning.
result_lines() {
    printf '%s\n' "$1" | sed '/^----------- SCAN SUMMARY/,$d' |
        grep -E '^.+: .+$' | grep -v -E '^(WARNING|ERROR|LibClamAV [A-Za-z]+): ' || true
}

# found_lines TEXT: the "path: Name FOUND" lines, sorted.
found_lines() { printf '%s\n' "$1" | grep -E ': .+ FOUND$' | sort || true; }

# ---- assertions (each prints expected vs actual on failure) ------------

# show_diff EXPECTED ACTUAL: both texts when short, else a unified diff.
show_diff() {
    local n1 n2
    n1=$(printf '%s\n' "$1" | wc -l)
    n2=$(printf '%s\n' "$2" | wc -l)
    if [ "$n1" -le 20 ] && [ "$n2" -le 20 ]; then
        show expected "$1"
        show actual "$2"
    else
        printf '  --- diff expected actual (%d vs %d lines, first 60 diff lines) ---\n' "$n1" "$n2"
        diff -u <(printf '%s\n' "$1") <(printf '%s\n' "$2") | tail -n +3 | head -n 60 | sed 's/^/  | /'
    fi
}

# assert_eq DESC EXPECTED ACTUAL
assert_eq() {
    if [ "$2" == "$3" ]; then
        ok "$1"
    else
        fail "$1"
        show_diff "$2" "$3"
        return 1
    fi
}

# assert_rc DESC EXPECTED: checks $RC of the last run.
assert_rc() {
    if [ "$RC" = "$2" ]; then
        ok "$1 (exit $RC)"
    else
        fail "$1: exit code expected $2, got $RC  [$LAST_CMD]"
        show stdout "$OUT"
        show stderr "$ERR"
        return 1
    fi
}

# assert_contains DESC TEXT NEEDLE: TEXT has NEEDLE as a whole line.
assert_has_line() {
    if printf '%s\n' "$2" | grep -qxF -- "$3"; then
        ok "$1"
    else
        fail "$1: expected a line '$3'  [$LAST_CMD]"
        show "text searched" "$2"
        return 1
    fi
}

# assert_lacks_line DESC TEXT NEEDLE: TEXT has no line NEEDLE.
assert_lacks_line() {
    if printf '%s\n' "$2" | grep -qxF -- "$3"; then
        fail "$1: did not expect a line '$3'  [$LAST_CMD]"
        show "text searched" "$2"
        return 1
    else
        ok "$1"
    fi
}

# assert_contains DESC TEXT NEEDLE: NEEDLE occurs somewhere in TEXT.
assert_contains() {
    if printf '%s' "$2" | grep -qF -- "$3"; then
        ok "$1"
    else
        fail "$1: expected to find '$3'  [$LAST_CMD]"
        show "text searched" "$2"
        return 1
    fi
}

# assert_not_contains DESC TEXT NEEDLE
assert_not_contains() {
    if printf '%s' "$2" | grep -qF -- "$3"; then
        fail "$1: did not expect '$3'  [$LAST_CMD]"
        show "text searched" "$2"
        return 1
    else
        ok "$1"
    fi
}

# assert_match DESC TEXT ERE: some line of TEXT matches the extended regex.
assert_match() {
    if printf '%s\n' "$2" | grep -qE -- "$3"; then
        ok "$1"
    else
        fail "$1: expected a line matching /$3/  [$LAST_CMD]"
        show "text searched" "$2"
        return 1
    fi
}

# assert_file DESC PATH / assert_no_file DESC PATH
assert_file() {
    if [ -e "$2" ]; then ok "$1"; else fail "$1: $2 does not exist"; return 1; fi
}
assert_no_file() {
    if [ -e "$2" ] || [ -L "$2" ]; then fail "$1: $2 still exists"; return 1; else ok "$1"; fi
}
