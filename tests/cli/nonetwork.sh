#!/usr/bin/env bash
# cli/nonetwork: the README's promise, "vigil sends nothing", as a test.
# A whole scan (walk, sandboxed workers, stdin, --copy, the audit log) runs
# under strace -f; the only network system calls it may make are the
# socketpair()s between vigil and its workers and sendmsg()/recvmsg() on
# those AF_UNIX stream sockets. A control run shows the same check catches a
# program that does connect. Then the same scan in a fresh network namespace
# (no interface at all) gives the same report.
. "$(dirname "$0")/../lib/common.sh"

command -v strace > /dev/null || { fail "strace is missing (scripts/install-deps test)"; finish; }

make_eicar eicar.com
hdb_line eicar.com Test.Eicar > sigs.hdb
mkdir -p tree/sub quarantine
cp eicar.com tree/sub/
for i in 1 2 3 4 5; do head -c $((i * 4096)) /dev/urandom > "tree/r$i"; done

# offending TRACE: the traced network calls that are not vigil's own. One
# file per process (strace -ff), so no call is split by another's.
offending() {
    cat "$1".* | grep -v -E '^(\+\+\+|---) ' |
        grep -v -E '^socketpair\(AF_UNIX, SOCK_STREAM\|SOCK_CLOEXEC, 0, \[[0-9]+<UNIX-STREAM:' |
        grep -v -E '^(sendmsg|recvmsg)\([0-9]+<UNIX-STREAM:\[' || true
}

traced() { # TRACE CMD...: trace into TRACE.<pid>
    local out=$1
    shift
    strace -ff -qq -yy -e trace=%network -e signal=none -o "$out" "$@"
}

traced trace.txt "$VIGIL" scan --no-builtin -d sigs.hdb -r -j 2 --copy=quarantine \
    --audit-log="$T/audit.log" tree - < eicar.com > scan.out 2> scan.err
rc=$?
assert_eq "traced scan: exit 1 (found)" 1 "$rc"
assert_eq "traced scan: found in the tree and on stdin" \
    "stdin: Test.Eicar.UNOFFICIAL FOUND
tree/sub/eicar.com: Test.Eicar.UNOFFICIAL FOUND" "$(found_lines "$(cat scan.out)")"
assert_file "traced scan: the copy was made" quarantine/eicar.com
assert_match "the trace saw the workers' socketpairs (it works)" "$(cat trace.txt.*)" \
    '^socketpair\(AF_UNIX, SOCK_STREAM'
assert_match "the trace saw a descriptor passed to a worker" "$(cat trace.txt.*)" \
    'SCM_RIGHTS, cmsg_data=\['
bad=$(offending trace.txt)
assert_eq "no network call but the workers' socketpairs" "" "$bad"

# The control: the same check on a program that connects.
traced control.txt bash -c 'exec 3<>/dev/tcp/127.0.0.1/9' 2> /dev/null
assert_match "control: a connect() is caught by the same check" "$(offending control.txt)" \
    '^(socket|connect)\('

# A fresh network namespace: no interfaces, same report.
if unshare -n true 2> /dev/null; then
    vscan --no-builtin -d sigs.hdb -r -j 2 tree
    base=$(printf '%s\n' "$OUT" | grep -v -E '^(Time|Start Date|End Date): ')
    run unshare -n "$VIGIL" scan --no-builtin -d sigs.hdb -r -j 2 tree
    assert_rc "scan in a network namespace" 1
    assert_eq "same report without any network" "$base" \
        "$(printf '%s\n' "$OUT" | grep -v -E '^(Time|Start Date|End Date): ')"
else
    skip "unshare -n is not permitted here"
fi

finish
