#!/usr/bin/env bash
# cli/sandbox: vigil scan's sandboxed workers.
#  - the output is the same with and without --no-sandbox, which warns loudly;
#  - vigil-selftest (vigil with the self-test compiled in, see
#    src/cli/selftest.h): a worker that tries socket(), connect(),
#    open(O_WRONLY|O_CREAT), execve(), ptrace(), unlink() is refused each
#    time, with the reason; a worker that crashes, sends garbage or hangs
#    costs that file one "Scan worker died ERROR" line and the scan goes on
#    in a fresh worker, in order;
#  - /proc/<worker>/status shows Seccomp: 2 and NoNewPrivs: 1;
#  - without Landlock (simulated) workers still run, under seccomp only.
. "$(dirname "$0")/../lib/common.sh"

: "${VIGIL_SELFTEST:?VIGIL_SELFTEST must name the built vigil-selftest}"

make_eicar eicar1.com
cp eicar1.com eicar2.com
echo clean > clean.txt
mkdir tree
for i in $(seq 1 40); do
    case $((i % 4)) in
    0) cp eicar1.com "tree/e$i" ;;
    1) : > "tree/empty$i" ;;
    *) head -c $((i * 997)) /dev/urandom > "tree/r$i" ;;
    esac
done

hdb_line eicar1.com Test.Eicar > sigs.hdb

norm() { printf '%s\n' "$1" | grep -v -E '^(Time|Start Date|End Date): '; }

# ---- same output, sandboxed or not ----------------------------------------
for j in 1 3; do
    vscan -d sigs.hdb -r -j "$j" tree eicar1.com clean.txt
    assert_rc "sandboxed -j $j" 1
    sandboxed=$(norm "$OUT")
    assert_eq "sandboxed -j $j: nothing on stderr" "" "$ERR"
    vscan -d sigs.hdb --no-sandbox -r -j "$j" tree eicar1.com clean.txt
    assert_rc "--no-sandbox -j $j" 1
    assert_eq "-j $j: same stdout with and without the sandbox" "$sandboxed" "$(norm "$OUT")"
    assert_contains "--no-sandbox warns on stderr" "$ERR" \
        "WARNING: --no-sandbox: files are scanned inside this process, without seccomp or Landlock"
done
vscan -d sigs.hdb --debug eicar1.com
assert_match "--debug says how workers are confined" "$ERR" \
    '^sandbox: scan workers run under seccomp (and Landlock ABI [0-9]+ \(no filesystem access\)|only: .*)$'

# ---- self-test: forbidden calls are refused -------------------------------
sel() { # ARGS...: run vigil-selftest scan ARGS
    run "$VIGIL_SELFTEST" scan --no-builtin -d sigs.hdb "$@"
}
echo "VIGIL-SANDBOX-SELFTEST socket connect open:$T/created execve ptrace unlink:$T/clean.txt crash" > probe1
sel -j 1 eicar1.com probe1 eicar2.com clean.txt
assert_rc "self-test scan: found and an error" 1
for what in "socket(AF_INET)" "connect()" "open(O_WRONLY|O_CREAT)" "execve(/bin/true)" \
    "ptrace()" "unlink()"; do
    assert_has_line "$what refused with EPERM" "$ERR" \
        "WARNING: sandbox self-test: $what: refused (Operation not permitted)"
done
assert_not_contains "no attempt was allowed" "$ERR" "ALLOWED"
assert_no_file "open(O_CREAT) created nothing" "$T/created"
assert_file "unlink() removed nothing" "$T/clean.txt"
assert_match "the crash is reported with its cause" "$ERR" \
    '^WARNING: Scan worker [0-9]+ (was killed by signal [0-9]+ \(.*\)|exited with status [0-9]+) while scanning probe1; a new one takes over$'
assert_eq "result lines in order, the crashed file as an error" \
    "eicar1.com: Test.Eicar.UNOFFICIAL FOUND
probe1: Scan worker died ERROR
eicar2.com: Test.Eicar.UNOFFICIAL FOUND
clean.txt: OK" "$(result_lines "$OUT")"
assert_eq "Total errors: 1" 1 "$(summary_value 'Total errors' "$OUT")"
assert_eq "Scanned files: 4" 4 "$(summary_value 'Scanned files' "$OUT")"

# Landlock, where the kernel has it: no path can even be read.
echo "VIGIL-SANDBOX-SELFTEST read:/etc/passwd open:$T/created2" > probe2
run "$VIGIL_SELFTEST" scan --debug --no-builtin -d sigs.hdb -j 1 probe2 eicar1.com
if grep -q '^sandbox: .* Landlock ABI' <<<"$ERR"; then
    assert_has_line "Landlock: read-only open refused" "$ERR" \
        "WARNING: sandbox self-test: open(O_RDONLY): refused (Permission denied)"
else
    skip "the kernel has no Landlock: read-only opens are refused only by Landlock"
fi
# Without Landlock (as on an older kernel): read-only opens go through, the
# filter still refuses writes, and the scan works.
VIGIL_SELFTEST_NO_LANDLOCK=1 run "$VIGIL_SELFTEST" scan --debug --no-builtin -d sigs.hdb -j 1 probe2 eicar1.com
assert_rc "no-Landlock scan" 1
assert_has_line "no Landlock: said so" "$ERR" \
    "sandbox: scan workers run under seccomp only: the kernel has no Landlock: seccomp only"
assert_has_line "no Landlock: read-only open allowed (the control: the probe can see ALLOWED)" \
    "$ERR" "WARNING: sandbox self-test: open(O_RDONLY): ALLOWED"
assert_has_line "no Landlock: write open still refused" "$ERR" \
    "WARNING: sandbox self-test: open(O_WRONLY|O_CREAT): refused (Operation not permitted)"
assert_has_line "no Landlock: still detects" "$OUT" "eicar1.com: Test.Eicar.UNOFFICIAL FOUND"
assert_no_file "no Landlock: nothing created" "$T/created2"

# ---- crashes, garbage and hangs each cost one file ------------------------
echo "VIGIL-SANDBOX-SELFTEST crash" > crash1
cp crash1 crash2
cp crash1 crash3
echo "VIGIL-SANDBOX-SELFTEST garbage" > garbage
sel -j 2 crash1 eicar1.com crash2 crash3 garbage eicar2.com clean.txt
assert_rc "crashes: found and errors" 1
assert_eq "crashes: every other file scanned, in order" \
    "crash1: Scan worker died ERROR
eicar1.com: Test.Eicar.UNOFFICIAL FOUND
crash2: Scan worker died ERROR
crash3: Scan worker died ERROR
garbage: Scan worker died ERROR
eicar2.com: Test.Eicar.UNOFFICIAL FOUND
clean.txt: OK" "$(result_lines "$OUT")"
assert_eq "crashes: four workers replaced" 4 "$(grep -c 'a new one takes over$' <<<"$ERR")"
assert_match "garbage: the malformed message ends the worker" "$ERR" \
    '^WARNING: Scan worker [0-9]+ sent a malformed message while scanning garbage; a new one takes over$'

echo "VIGIL-SANDBOX-SELFTEST pause:60000" > hang
sel -j 1 --max-scantime=300 hang eicar1.com
assert_match "hang: killed after twice the scan-time limit" "$ERR" \
    '^WARNING: Scan worker [0-9]+ did not answer within twice the scan-time limit while scanning hang; a new one takes over$'
assert_eq "hang: next file scanned" "hang: Scan worker died ERROR
eicar1.com: Test.Eicar.UNOFFICIAL FOUND" "$(result_lines "$OUT")"

# ---- /proc/<worker>/status -------------------------------------------------
echo "VIGIL-SANDBOX-SELFTEST pause:20000" > slow
"$VIGIL_SELFTEST" scan --no-builtin -d sigs.hdb -j 2 slow clean.txt > bg.out 2>&1 &
bg=$!
workers=""
for _ in $(seq 1 100); do
    workers=$(pgrep -P "$bg" -x vigil-worker)
    [ "$(wc -w <<<"$workers")" -ge 2 ] && break
    sleep 0.1
done
if [ -z "$workers" ]; then
    fail "no vigil-worker child of $bg found"
else
    for w in $workers; do
        st=$(cat "/proc/$w/status")
        assert_has_line "worker $w: Seccomp: 2 (filter mode)" "$st" "Seccomp:	2"
        assert_has_line "worker $w: NoNewPrivs: 1" "$st" "NoNewPrivs:	1"
        assert_match "worker $w: at least one filter" "$st" '^Seccomp_filters:	[1-9]'
    done
    assert_eq "two workers for -j 2" 2 "$(wc -w <<<"$workers")"
fi
# The control: vigil itself (the parent) is not confined.
assert_has_line "the parent: Seccomp: 0" "$(cat "/proc/$bg/status")" "Seccomp:	0"
# A worker never outlives vigil, even one busy for 20 s more.
kill -9 "$bg"
wait "$bg" 2> /dev/null
left=""
for _ in $(seq 1 50); do
    left=$(for w in $workers; do [ -d "/proc/$w" ] && echo "$w"; done)
    [ -z "$left" ] && break
    sleep 0.1
done
assert_eq "workers die with vigil (killed -9)" "" "$left"

finish
