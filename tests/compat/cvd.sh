#!/usr/bin/env bash
# compat/cvd: ClamAV database containers, clamscan vs vigil scan.
# ClamAV's signed test databases (shared/clamav-testdata/cvd, read in place),
# copies with one flipped byte in the header, the signature and the body,
# .cld files made from them as freshclam makes them, an unsigned .cud, and
# directories: the .cvd/.cld twin rule and daily's place in the load order.
# Compared: exit codes and FOUND lines (the test databases' hash signatures
# detect EICAR and clam.exe). "Known viruses" is not compared: vigil does not
# read the .mdb/.msb/.ndb/.ldb files inside yet, and says so.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/compat.sh"

CVD=$VIGIL_SHARED/clamav-testdata/cvd
if [ ! -r "$CVD/test-3.cvd" ]; then
    skip "no ClamAV test databases in $CVD"
    finish
fi

make_eicar eicar.com
echo "just some clean text" > clean.txt
files=(eicar.com clean.txt)
if [ -r "$CLAMAV_TESTFILES/clam.exe" ]; then
    cp "$CLAMAV_TESTFILES/clam.exe" clam.exe
    files+=(clam.exe)
fi

# flip SRC OFFSET DST: DST is SRC with the low bit of byte OFFSET flipped.
flip() {
    cp "$1" "$3" && chmod u+w "$3"
    printf "$(printf '\\%03o' $(( $(od -An -tu1 -j "$2" -N1 "$1") ^ 1 )))" |
        dd of="$3" bs=1 seek="$2" conv=notrunc status=none
}

# make_cld SRC.cvd DST.cld: as freshclam writes a .cld: the header is the
# .info's first line padded with spaces, the body the uncompressed tar.
make_cld() {
    python3 - "$1" "$2" <<'EOF'
import gzip, io, sys, tarfile
d = open(sys.argv[1], 'rb').read()
body = gzip.decompress(d[512:])
t = tarfile.open(fileobj=io.BytesIO(body))
info = [m for m in t.getmembers() if m.name.endswith('.info')][0]
head = t.extractfile(info).read().split(b'\n')[0]
open(sys.argv[2], 'wb').write(head.ljust(512, b' ') + body)
EOF
}

for n in 1 2 3 4 5 6; do
    compat_run -d "$CVD/test-$n.cvd" "${files[@]}"
    compare_rc "test-$n.cvd"
    compare_found "test-$n.cvd"
done
assert_has_line "test-6.cvd: official name, no .UNOFFICIAL" "$V_OUT" \
    "eicar.com: Eicar-Test-Signature FOUND"

# One flipped byte: in the MD5 field, in the signature, in the tar header,
# in test.info, in the data, in the gzip trailer. Both refuse the database.
size=$(stat -c %s "$CVD/test-3.cvd")
for off in 44 60 100 200 512 520 1000 4000 7000 $((size - 5)) $((size - 1)); do
    flip "$CVD/test-3.cvd" "$off" "t$off.cvd"
    compat_run -d "t$off.cvd" "${files[@]}"
    compare_rc "test-3.cvd with byte $off flipped"
    compare_found "test-3.cvd with byte $off flipped"
done

# ClamAV 1.4 never checks a .cvd header's build time, builder or padding
# (clamscan loads these copies); vigil compares the first two with the signed
# test.info and wants spaces only after the line, so it refuses them all.
for off in 20 250 300 511; do
    flip "$CVD/test-3.cvd" "$off" "s$off.cvd"
    compat_run -d "s$off.cvd" eicar.com
    LAST_CMD="vigil scan --no-builtin -d s$off.cvd eicar.com (clamscan exits $C_RC)"
    RC=$V_RC OUT=$V_OUT ERR=$V_ERR
    assert_rc "byte $off (unchecked by ClamAV) flipped: vigil refuses" 2
    assert_eq "byte $off flipped: nothing detected" "" "$(found_lines "$OUT")"
done

if ! command -v python3 >/dev/null; then
    skip "python3 not installed: no .cld/.cud cases"
    finish
fi

make_cld "$CVD/test-3.cvd" x3.cld
make_cld "$CVD/test-6.cvd" x6.cld
compat_run -d x3.cld "${files[@]}"
compare_rc ".cld made from test-3"
compare_found ".cld made from test-3"

# A .cld's data is checked against the signed manifest.
off=$(grep -abo 'Eicar-Test-Signature' x3.cld | head -n 1 | cut -d: -f1)
flip x3.cld "$off" x3flip.cld
compat_run -d x3flip.cld "${files[@]}"
compare_rc ".cld with a signature name changed"
compare_found ".cld with a signature name changed"

# An unsigned .cud: loaded, with .UNOFFICIAL names.
python3 - <<'EOF'
import gzip, hashlib, io, tarfile
head = "ClamAV-VDB:21 Nov 2026 20-05 +0000:7:1:216:X:X:vigil:1795291553"
hdb = b"44d88612fea8a8f36de82e1278abb02f:68:Cud.Eicar\n"
info = (head + "\n").encode() + b"x.hdb:%d:%s\n" % (len(hdb), hashlib.sha256(hdb).hexdigest().encode())
bio = io.BytesIO()
with tarfile.open(fileobj=bio, mode='w', format=tarfile.USTAR_FORMAT) as t:
    for name, data in (("COPYING", b"GPL\n"), ("x.info", info), ("x.hdb", hdb)):
        ti = tarfile.TarInfo(name); ti.size = len(data)
        t.addfile(ti, io.BytesIO(data))
open("x.cud", "wb").write(head.encode().ljust(512, b' ') + gzip.compress(bio.getvalue()))
EOF
compat_run -d x.cud "${files[@]}"
compare_rc ".cud"
compare_found ".cud"
assert_has_line ".cud: .UNOFFICIAL name" "$V_OUT" "eicar.com: Cud.Eicar.UNOFFICIAL FOUND"

# Directories: of x.cvd and x.cld the newer loads, the .cld on a tie.
mkdir twins
cp "$CVD/test-3.cvd" twins/x.cvd
cp x6.cld twins/x.cld
compat_run -d twins "${files[@]}"
compare_rc "x.cvd v3 + x.cld v6"
compare_found "x.cvd v3 + x.cld v6"
cp x3.cld twins/x.cld
compat_run -d twins "${files[@]}"
compare_rc "x.cvd v3 + x.cld v3"
compare_found "x.cvd v3 + x.cld v3"

# daily.cld loads before a.hdb although its name sorts after: the duplicate
# hash loaded last gives its name, in both scanners.
mkdir order
cp x3.cld order/daily.cld
hdb_line eicar.com A.Eicar > order/a.hdb
compat_run -d order eicar.com
compare_rc "daily.cld before a.hdb"
compare_found "daily.cld before a.hdb"
assert_has_line "daily.cld first: a.hdb's name wins" "$V_OUT" "eicar.com: A.Eicar.UNOFFICIAL FOUND"

finish
