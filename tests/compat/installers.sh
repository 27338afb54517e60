#!/usr/bin/env bash
# compat/installers: with a database holding only the MD5 of clam.exe,
# clamscan and vigil find it in the installers of the clamav-testfiles
# package (NSIS, AutoIt EA05 and EA06, InstallShield cab and msi kinds):
# FOUND lines, exit codes, summaries and, where clamscan's text is not
# left over from earlier layers, the -a layer paths. Truncated and
# corrupted copies (made here from the package files) are scanned without
# a crash and reported as clamscan reports them.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/compat.sh"

TF=$CLAMAV_TESTFILES
[ -f "$TF/clam.exe" ] || { fail "clamav-testfiles is not installed"; finish; }
hdb_line "$TF/clam.exe" ClamExe > clam.hdb

mkdir pkg
for f in clam-nsis.exe clam.ea05.exe clam.ea06.exe clam_IScab_ext.exe \
    clam_IScab_int.exe clam_ISmsi_ext.exe; do
    cp "$TF/$f" pkg/
done
cp "$TF/clam_ISmsi_int.exe" .

compat_run -d clam.hdb -r pkg
compare_all "installers of clamav-testfiles"
for f in pkg/*; do
    assert_has_line "$f found by vigil" "$V_OUT" "$f: ClamExe.UNOFFICIAL FOUND"
done
compat_run -d clam.hdb --allmatch -r pkg
compare_all "--allmatch"
# Walked to the end, the intact ones are not damaged (the last record of
# the IScab overlays ends exactly at the end of the file: clamscan does not
# scan it, and it is no damage).
echo "00000000000000000000000000000000:1:Nothing" > none.hdb
vscan --no-builtin --json -d none.hdb pkg/clam-nsis.exe pkg/clam.ea05.exe \
    pkg/clam.ea06.exe pkg/clam_IScab_ext.exe pkg/clam_IScab_int.exe
assert_not_contains "intact installers: no damage note" "$OUT" damaged

# Limits on the children. (--max-files is left out: clamscan counts the
# scanned file itself, vigil does not, for every container.)
for opt in --max-filesize=500 --max-filesize=300000 --max-recursion=1 --max-scansize=600; do
    compat_run -d clam.hdb "$opt" -r pkg
    compare_all "$opt"
done

# A .ftm type-0 entry replaces clamscan's built-in magic table: "MZ" is no
# longer MSEXE and no installer is looked for.
echo "0:0:504b0304:ZIP:CL_TYPE_ANY:CL_TYPE_ZIP" > zip.ftm
compat_run -d clam.hdb -d zip.ftm -r pkg
compare_all "with a type-0 .ftm entry"
assert_not_contains "with a type-0 .ftm entry: nothing found" "$V_OUT" "FOUND"

# -a: clam.exe one layer down, unnamed (NSIS, AutoIt, the msi kind's
# clam.exe409.bmp) or named by its record (MSEXE:clam.exe in the overlay).
# clam_IScab_int.exe is left out: clamscan scans the files of the
# InstallShield cabinets without a layer of their own and prints names and
# depths left over from the cabinets scanned before ("...!(14)MSEXE:
# setup.ini"); vigil prints "(1)". Without allmatch only: with it clamscan
# prints leftovers for IScab_ext and ISmsi_ext too.
for f in clam-nsis.exe clam.ea05.exe clam.ea06.exe clam_IScab_ext.exe clam_ISmsi_ext.exe; do
    compat_run -d clam.hdb -a "pkg/$f"
    compare_found "-a $f"
done
assert_has_line "-a: the msi kind's child unnamed" "$V_OUT" \
    "pkg/clam_ISmsi_ext.exe!(1): ClamExe.UNOFFICIAL FOUND"
compat_run -d clam.hdb -a pkg/clam_IScab_ext.exe
assert_has_line "-a: overlay record named" "$V_OUT" \
    "pkg/clam_IScab_ext.exe!(1)MSEXE:clam.exe: ClamExe.UNOFFICIAL FOUND"

# clam_ISmsi_int.exe: clam.exe is in the cabinet inside clam.msi (OLE2).
# That vigil hands clam.msi over is proven by the msi's own MD5 (taken from
# clamscan's extraction: --leave-temps); finding clam.exe in it is the
# OLE2 walker's part.
mkdir tmp
run "$CLAMSCAN" --no-summary --leave-temps --tempdir="$T/tmp" -d clam.hdb clam_ISmsi_int.exe
msi=$(find tmp -type f -printf '%s %p\n' | sort -rn | while read -r _ x; do
    [ "$(head -c 8 "$x" | od -An -tx1 | tr -d ' ')" = d0cf11e0a1b11ae1 ] && echo "$x"
done | head -n 1)
if [ -n "$msi" ]; then
    hdb_line "$msi" ClamMsi > msi.hdb
    compat_run -d msi.hdb clam_ISmsi_int.exe
    compare_all "clam_ISmsi_int.exe: clam.msi extracted"
    assert_has_line "clam.msi found by vigil" "$V_OUT" \
        "clam_ISmsi_int.exe: ClamMsi.UNOFFICIAL FOUND"
    vscan --no-builtin --no-summary -d clam.hdb "$msi"
    if printf '%s\n' "$OUT" | grep -q 'ClamExe.UNOFFICIAL FOUND'; then
        compat_run -d clam.hdb clam_ISmsi_int.exe
        compare_all "clam_ISmsi_int.exe: clam.exe inside clam.msi"
        # Below an OLE2 file clamscan's "(n)" is not a depth (see
        # compat/ole2.sh): -a lines compared with it masked.
        compat_run -d clam.hdb -a clam_ISmsi_int.exe
        _cmp "-a clam_ISmsi_int.exe, (n) masked" \
            "$(found_lines "$C_OUT" | sed 's/!([0-9]*)/!(n)/')" \
            "$(found_lines "$V_OUT" | sed 's/!([0-9]*)/!(n)/')"
    else
        skip "clam_ISmsi_int.exe: clam.exe is inside clam.msi, an OLE2 file vigil cannot walk yet"
    fi
else
    fail "clamscan left no clam.msi in its temporary directory"
fi

# Damaged copies: cut at 10/50/90% of the installer data and 3 bytes
# before the end, 8 bytes flipped (three seeds), a header field
# overwritten.
mkdir dmg
python3 - "$TF" <<'EOF'
import random, sys
random.seed(7)
tf = sys.argv[1]
data = {"clam-nsis.exe": 0xb400, "clam.ea05.exe": 0x32800, "clam.ea06.exe": 0x3dc00,
        "clam_IScab_ext.exe": 0x1c200, "clam_IScab_int.exe": 0x1c200,
        "clam_ISmsi_ext.exe": 0xdf869}
for f, start in data.items():
    d = open(tf + "/" + f, "rb").read()
    stem = "dmg/" + f[:-4]
    for pct in (10, 50, 90):
        open("%s.cut%d.exe" % (stem, pct), "wb").write(d[:start + (len(d) - start) * pct // 100])
    open(stem + ".cutend.exe", "wb").write(d[:-3])
    for k in range(3):
        b = bytearray(d)
        for _ in range(8):
            b[random.randrange(start, len(b))] ^= 0xff
        open("%s.flip%d.exe" % (stem, k), "wb").write(b)
    b = bytearray(d)
    b[start + 24:start + 28] = b"\xff\xff\xff\x7f"
    open(stem + ".hdr.exe", "wb").write(b)
EOF
compat_run -d clam.hdb -r dmg
compare_all "damaged installers"
compare_found "damaged installers"
compat_run -d clam.hdb --allmatch -r dmg
compare_all "damaged installers, --allmatch"
compare_found "damaged installers, --allmatch"
for f in dmg/clam-nsis.cut50.exe dmg/clam.ea05.cut90.exe dmg/clam.ea06.cut50.exe \
    dmg/clam_IScab_int.cut10.exe; do
    vscan --no-builtin --json -d clam.hdb "$f"
    assert_rc "$f: clean, no crash" 0
    assert_contains "$f: damage reported" "$OUT" '"notes":["damaged"]'
done

# The hand-made fuzz seeds (tests/fuzz/corpus) behind "MZ": NSIS solid
# LZMA, non-solid zlib and LZMA, AutoIt EA05/EA06 with JB matches, the msi
# kind; the payloads' MD5s, found at depth 1 by both.
printf 'hello solid' > p1
printf 'file one, deflated' > p2
printf 'file two, lzma' > p3
printf 'hello autoit world' > p4
printf 'hello autoit worldhello' > p5
printf 'hello msi' > p6
for p in p1 p2 p3 p4 p5 p6; do hdb_line "$p" "Payload.$p"; done > payload.hdb
mkdir synth
for f in nsis/solid.bin nsis/stored-zlib.bin nsis/lzma.bin autoit/ea05.bin \
    autoit/ea06.bin ishield/msi.bin; do
    { printf 'MZ'; head -c 100 /dev/zero; cat "$VIGIL_SRC/tests/fuzz/corpus/$f"; } \
        > "synth/$(echo "$f" | tr / -).exe"
done
compat_run -d payload.hdb --allmatch -r synth
compare_all "synthetic installers, --allmatch"
compare_found "synthetic installers, --allmatch"
assert_eq "synthetic installers: every payload found by vigil" 9 \
    "$(printf '%s\n' "$V_OUT" | grep -c 'Payload.*FOUND')"

# Not behind "MZ": clamscan types an AutoIt script and NSIS data at the
# start of a file by their magic and unpacks them, the msi kind it does
# not; behind other bytes, none.
mkdir bare
for f in nsis/lzma.bin autoit/ea05.bin ishield/msi.bin; do
    b=bare/$(echo "$f" | tr / -)
    cp "$VIGIL_SRC/tests/fuzz/corpus/$f" "$b"
    { printf 'junkjunkjunk'; cat "$b"; } > "$b.junk"
done
compat_run -d payload.hdb --allmatch -r bare
compare_all "installers not in an executable"
compare_found "installers not in an executable"
assert_has_line "the msi kind alone: not unpacked" "$V_OUT" "bare/ishield-msi.bin: OK"

# The setup of a PE32 overlay (the hand-made seed behind a tiny PE32 made
# here): clamscan's PE scanner finds an overlay only after a second section
# (a one-section PE32 keeps its setup unscanned); a record ending exactly
# at the end of the file is not scanned (data1.cab here).
python3 - "$VIGIL_SRC/tests/fuzz/corpus/ishield/overlay.bin" <<'PY'
import struct, sys
def le32(v): return struct.pack('<I', v)
def pe32(nsect, overlay):
    mz = bytearray(0x40); mz[0:2] = b'MZ'; mz[0x3c:0x40] = le32(0x40)
    pe = b'PE\0\0' + struct.pack('<HHIIIHH', 0x14c, nsect, 0, 0, 0, 0xe0, 0x102)
    opt = bytearray(0xe0)
    for fmt, off, v in (('<H', 0, 0x10b), ('<I', 4, 0x200), ('<I', 16, 0x1000),
                        ('<I', 20, 0x1000), ('<I', 28, 0x400000), ('<I', 32, 0x1000),
                        ('<I', 36, 0x200), ('<H', 40, 4), ('<H', 48, 4),
                        ('<I', 56, 0x1000 * (nsect + 1)), ('<I', 60, 0x200),
                        ('<H', 68, 2), ('<I', 92, 16)):
        struct.pack_into(fmt, opt, off, v)
    sects = b''.join((b'.s%d' % i).ljust(8, b'\0') + le32(0x1000) + le32(0x1000 * (i + 1)) +
                     le32(0x200) + le32(0x200 * (i + 1)) + bytes(12) + le32(0x60000020)
                     for i in range(nsect))
    head = (bytes(mz) + pe + bytes(opt) + sects).ljust(0x200, b'\0')
    return head + b''.join(b'\xc3'.ljust(0x200, b'\0') for i in range(nsect)) + overlay
ov = open(sys.argv[1], 'rb').read()
for n in (1, 2, 3):
    open('synth/pe%d-setup.exe' % n, 'wb').write(pe32(n, ov))
    open('synth/pe%d-setup-more.exe' % n, 'wb').write(pe32(n, ov + b'trailing bytes'))
PY
printf '[Setup]\n' > ini
printf 'inside cab' > incab
{ hdb_line ini SetupIni; hdb_line incab InCab; } > setup.hdb
compat_run -d setup.hdb --allmatch synth/pe*-setup*.exe
compare_all "setups in PE32 overlays"
compare_found "setups in PE32 overlays"
assert_has_line "the cabinet's file found by vigil" "$V_OUT" \
    "synth/pe2-setup-more.exe: InCab.UNOFFICIAL FOUND"
assert_has_line "no overlay after one section" "$V_OUT" "synth/pe1-setup.exe: OK"

finish
