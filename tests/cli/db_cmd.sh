#!/usr/bin/env bash
# cli/db_cmd: `vigil db info` and `vigil db verify` on ClamAV's signed test
# databases and tampered copies; info's lines match `sigtool --info`'s; a
# tampered .cvd given to `vigil scan -d` is refused with a clear error and
# nothing of it is used; usage errors exit 2.
. "$(dirname "$0")/../lib/common.sh"

CVD=$VIGIL_SHARED/clamav-testdata/cvd
if [ ! -r "$CVD/test-3.cvd" ]; then
    skip "no ClamAV test databases in $CVD"
    finish
fi
SIGTOOL=$(command -v sigtool || true)

# flip SRC OFFSET DST: DST is SRC with the low bit of byte OFFSET flipped.
flip() {
    cp "$1" "$3" && chmod u+w "$3"
    printf "$(printf '\\%03o' $(( $(od -An -tu1 -j "$2" -N1 "$1") ^ 1 )))" |
        dd of="$3" bs=1 seek="$2" conv=notrunc status=none
}

make_eicar eicar.com

for n in 1 2 3 4 5 6; do
    run "$VIGIL" db info "$CVD/test-$n.cvd"
    assert_rc "db info test-$n.cvd" 0
    assert_has_line "db info test-$n.cvd: verified" "$OUT" "Verification OK."
    assert_has_line "db info test-$n.cvd: version" "$OUT" "Version: $n"
    if [ -n "$SIGTOOL" ]; then
        v_out=$OUT
        run "$SIGTOOL" --info "$CVD/test-$n.cvd"
        assert_eq "db info test-$n.cvd prints what sigtool --info prints" "$OUT" "$v_out"
    fi
done

run "$VIGIL" db verify "$CVD"/test-*.cvd
assert_rc "db verify on the six signed test databases" 0
assert_eq "db verify: one OK line each" 6 "$(printf '%s\n' "$OUT" | grep -c 'Verification OK')"

# Tampered copies: header (MD5 field, signature, build time), tar header,
# compressed data, gzip trailer.
size=$(stat -c %s "$CVD/test-3.cvd")
for off in 20 44 100 520 3000 $((size - 1)); do
    flip "$CVD/test-3.cvd" "$off" "t$off.cvd"
    run "$VIGIL" db verify "t$off.cvd"
    assert_rc "db verify, byte $off flipped" 1
    assert_has_line "db verify, byte $off flipped: FAILED" "$OUT" "t$off.cvd: FAILED"
    assert_match "db verify, byte $off flipped: says why" "$ERR" "^vigil db verify: t$off.cvd: "
    run "$VIGIL" db info "t$off.cvd"
    assert_rc "db info, byte $off flipped" 1
    assert_lacks_line "db info, byte $off flipped: not OK" "$OUT" "Verification OK."
done
run "$VIGIL" db verify t3000.cvd
assert_contains "body flip: the MD5 is named" "$ERR" "MD5 of the archive does not match the header"
run "$VIGIL" db verify t100.cvd
assert_contains "signature flip: the signature is named" "$ERR" "digital signature does not verify"
run "$VIGIL" db verify t20.cvd
assert_contains "build time flip: the header is named" "$ERR" "build time differs"

# vigil scan with a tampered .cvd: exit 2, the reason, nothing detected.
vscan --no-builtin -d t3000.cvd eicar.com
assert_rc "scan -d tampered.cvd" 2
assert_match "scan -d tampered.cvd: ERROR line" "$ERR" "^ERROR: t3000.cvd: the MD5 of the archive"
assert_eq "scan -d tampered.cvd: nothing found" "" "$(found_lines "$OUT")"
assert_eq "scan -d tampered.cvd: no signature loaded" 0 "$(summary_value 'Known viruses' "$OUT")"
# ... also inside a directory, beside a good database: the whole -d fails.
mkdir db
cp t3000.cvd db/
hdb_line eicar.com Other.Eicar > db/other.hdb
vscan --no-builtin -d db eicar.com
assert_rc "scan -d dir holding a tampered .cvd" 2
assert_eq "scan -d dir holding a tampered .cvd: nothing found" "" "$(found_lines "$OUT")"

vscan --no-builtin -d "$CVD/test-3.cvd" eicar.com
assert_rc "scan -d test-3.cvd" 1
assert_has_line "scan -d test-3.cvd: official name" "$OUT" "eicar.com: Eicar-Test-Signature FOUND"
# Formats vigil does not read yet (the list shrinks) get one warning each.
assert_match "scan -d test-3.cvd: skipped formats are named" "$ERR" \
    "^WARNING: .*test-3.cvd!test\.[a-z0-9]+: this database format is not supported yet; skipped$"

# Mixed and other files.
run "$VIGIL" db verify "$CVD/test-3.cvd" t44.cvd
assert_rc "db verify good + bad" 1
assert_has_line "db verify good + bad: the good one passes" "$OUT" "$CVD/test-3.cvd: Verification OK (signed by ClamAV)"
run "$VIGIL" db verify db/other.hdb
assert_rc "db verify on a plain .hdb" 0
run "$VIGIL" db verify missing.cvd
assert_rc "db verify on a missing file" 1
run "$VIGIL" db info db/other.hdb
assert_rc "db info on a non-container" 1
run "$VIGIL" db verify -v "$CVD/test-3.cvd"
assert_match "db verify -v shows skipped formats" "$ERR" "test-3.cvd!test\.[a-z0-9]+: this database format is not supported yet"

# A .cld as freshclam writes it (header from the .info, plain tar): sigtool
# prints no MD5 or signature for it, and neither does vigil.
if command -v python3 >/dev/null; then
    python3 - "$CVD/test-3.cvd" x3.cld <<'EOF'
import gzip, io, sys, tarfile
d = open(sys.argv[1], 'rb').read()
body = gzip.decompress(d[512:])
t = tarfile.open(fileobj=io.BytesIO(body))
info = [m for m in t.getmembers() if m.name.endswith('.info')][0]
head = t.extractfile(info).read().split(b'\n')[0]
open(sys.argv[2], 'wb').write(head.ljust(512, b' ') + body)
EOF
    run "$VIGIL" db info x3.cld
    assert_rc "db info x3.cld" 0
    assert_lacks_line "db info x3.cld: no MD5 line" "$OUT" "MD5: X"
    if [ -n "$SIGTOOL" ]; then
        v_out=$OUT
        run "$SIGTOOL" --info x3.cld
        assert_eq "db info x3.cld prints what sigtool --info prints" "$OUT" "$v_out"
    fi
fi

# Usage.
run "$VIGIL" db
assert_rc "db without a subcommand" 2
run "$VIGIL" db frob x.cvd
assert_rc "db with an unknown subcommand" 2
run "$VIGIL" db verify
assert_rc "db verify without FILE" 2
run "$VIGIL" db verify --bogus "$CVD/test-3.cvd"
assert_rc "db verify with an unknown option" 2
run "$VIGIL" db --help
assert_rc "db --help" 0
assert_contains "db --help shows usage" "$OUT" "Usage: vigil db info"

# "vigil help db" is "vigil db --help".
run "$VIGIL" help db
assert_rc "vigil help db" 0
assert_contains "vigil help db shows the db usage" "$OUT" "vigil db info"
run "$VIGIL" help no-such-command
assert_rc "vigil help of an unknown command" 2

finish
