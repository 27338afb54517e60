#!/usr/bin/env bash
# tests/lib/yara.sh - run the `yara` command (Debian's 4.2.3) and `vigil
# scan` on the same rules and files, as sets of "path rule" pairs.
#
# Source after common.sh. Without `yara` these tests would prove nothing, so
# they fail rather than pass (`make check` installs it).

YARA=${YARA:-$(command -v yara || true)}
if [ -z "$YARA" ]; then
    printf 'FAIL: the yara command is not installed; the YARA parity tests need it\n'
    exit 1
fi

# yara_pairs RULEFILES... -- PATHS...: sets YPAIRS to the "path rule" lines,
# sorted, of `yara -w -r RULEFILES... PATH` for each PATH (one rule set, as
# vigil loads them: one namespace), and YFIRST to each file's first rule
# (yara prints a file's rules in rule order, even when threads interleave
# files).
yara_pairs() {
    _yara_raw "$@" > "$T/.ypairs"
    YFIRST=$(awk '!seen[substr($0, 1, length($0) - length($NF) - 1)]++' "$T/.ypairs" | sort)
    YPAIRS=$(sort "$T/.ypairs")
}

_yara_raw() {
    local rules=() p
    while [ "$1" != "--" ]; do rules+=("$1"); shift; done
    shift
    for p in "$@"; do
        timeout -k 5 "${RUN_TIMEOUT:-60}" "$YARA" -w -r "${rules[@]}" "$p" 2> "$T/.yerr"
        Y_RC=$?
        [ -s "$T/.yerr" ] && sed 's/^/  yara: /' "$T/.yerr" | head -5
    done | awk '{ r = $1; $1 = ""; sub(/^ /, ""); print $0 " " r }'
}

# vigil_pairs ARGS...: sets PAIRS to the "path rule" lines, sorted, of the
# YARA detections of `vigil scan --no-builtin --no-summary ARGS...`; $OUT,
# $ERR and $RC as run sets them.
vigil_pairs() {
    RUN_TIMEOUT=${RUN_TIMEOUT:-60} run "$VIGIL" scan --no-builtin --no-summary "$@"
    PAIRS=$(printf '%s\n' "$OUT" | sed -n 's/^\(.*\): YARA\.\(.*\)\.UNOFFICIAL FOUND$/\1 \2/p' | sort)
}

# make_pe DIR: small PE files built with MinGW (stripped, so they stay small):
# DIR/p64.exe, DIR/p64.dll (exports vigil_export), DIR/p32.exe.
make_pe() {
    mkdir -p "$1"
    cat > "$1/p.c" <<'C'
#include <stdio.h>
__declspec(dllexport) int vigil_export(int x) { return x + 1; }
int main(int argc, char **argv) { printf("hello %d\n", vigil_export(argc)); return 0; }
C
    x86_64-w64-mingw32-gcc -O1 -s -o "$1/p64.exe" "$1/p.c" &&
        x86_64-w64-mingw32-gcc -O1 -s -shared -o "$1/p64.dll" "$1/p.c" &&
        i686-w64-mingw32-gcc -O1 -s -o "$1/p32.exe" "$1/p.c" && rm -f "$1/p.c"
}
