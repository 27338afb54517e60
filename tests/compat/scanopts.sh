#!/usr/bin/env bash
# compat/scanopts: clamscan options vigil used to accept and ignore, now
# with clamscan's semantics, side by side with clamscan 1.4:
# --scan-archive=no on the archives, compressed files and installers of
# clamav-testfiles (and the formats it leaves alone: mail, TNEF, OLE2,
# PDF, HTML, InstallShield cabinets); --max-htmlnormalize,
# --max-htmlnotags and --max-scriptnormalize at the object's size and one
# byte below (measured: an object at most the limit is normalised; 0 is
# no limit).
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/compat.sh"

TF=$CLAMAV_TESTFILES
[ -f "$TF/clam.exe" ] || { fail "clamav-testfiles is not installed"; finish; }
hdb_line "$TF/clam.exe" ClamExe > clam.hdb

files="clam.7z clam.arj clam.bin-be.cpio clam.newc.cpio clam.bz2.zip clam.cab clam.chm
clam.exe.bz2 clam.exe.szdd clam.impl.zip clam.sis clam.tar.gz clam.zip clam.exe.binhex
clam.exe.rtf clam-nsis.exe clam.ea05.exe clam.ea06.exe clam_ISmsi_ext.exe clam_ISmsi_int.exe
clam.exe.html clam.exe.mbox.base64 clam.exe.mbox.uu clam.mail clam.tnef clam.ole.doc clam.ppt
clam.pdf clam_IScab_ext.exe clam_IScab_int.exe clam-upx.exe clam.exe"
mkdir pkg
for f in $files; do cp "$TF/$f" pkg/; done
gzip -c "$TF/clam.exe" > pkg/c.gz
xz -c "$TF/clam.exe" > pkg/c.xz

compat_run -d clam.hdb -r pkg
compare_all "archives, default"
compat_run -d clam.hdb --scan-archive=no -r pkg
compare_all "--scan-archive=no"
for f in clam.zip clam.7z clam.tar.gz c.gz clam.cab clam-nsis.exe clam.exe.rtf; do
    assert_has_line "--scan-archive=no: $f not looked into" "$V_OUT" "pkg/$f: OK"
done
for f in clam.mail clam.ole.doc clam.pdf; do
    assert_has_line "--scan-archive=no: $f still unpacked" "$V_OUT" "pkg/$f: ClamExe.UNOFFICIAL FOUND"
done
compat_run -d clam.hdb --scan-archive=yes pkg/clam.zip
compare_all "--scan-archive=yes"

# Views: an HTML file (2124 bytes) and a text file (2020 bytes) with
# patterns only their normalised forms hold.
python3 - <<'EOF'
pad = "x" * 2000
open("h.html", "w").write("<html><body><p>" + pad + "</p><p>Alpha<!-- c -->Beta</p>"
                          "<p>Gam<b>ma</b>Delta</p><script>var q = 'Sc' + 'riptX';</script></body></html>\n")
open("t.txt", "w").write(pad + "\nHello \t World text\n")
EOF
hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
{
    echo "Norm:3:*:$(hex 'alphabeta')"
    echo "Notags:3:*:$(hex 'gam ma delta')"
    echo "Js:3:*:$(hex '"scriptx"')"
    echo "Txt:7:*:$(hex 'hello world text')"
} > views.ndb
[ "$(stat -c %s h.html)" = 2124 ] && [ "$(stat -c %s t.txt)" = 2020 ] || fail "sample sizes"
for o in "" --max-htmlnormalize=2124 --max-htmlnormalize=2123 --max-htmlnormalize=1K \
    --max-htmlnormalize=0 --max-htmlnotags=2124 --max-htmlnotags=2123 --max-htmlnotags=0 \
    --max-scriptnormalize=2020 --max-scriptnormalize=2019 --max-scriptnormalize=0; do
    compat_run -d views.ndb --allmatch $o h.html t.txt
    compare_all "views ${o:-default}"
done
compat_run -d views.ndb --allmatch --max-htmlnormalize=2123 h.html t.txt
assert_has_line "--max-htmlnormalize below the size: no views" "$V_OUT" "h.html: OK"
compat_run -d views.ndb --allmatch --max-htmlnotags=2123 h.html t.txt
assert_not_contains "--max-htmlnotags below the size: no text view" "$V_OUT" "Notags"
assert_contains "--max-htmlnotags: the other views stay" "$V_OUT" "h.html: Norm.UNOFFICIAL FOUND"
compat_run -d views.ndb --allmatch --max-scriptnormalize=2019 h.html t.txt
assert_has_line "--max-scriptnormalize below the size: no text view" "$V_OUT" "t.txt: OK"
vscan --no-builtin -d views.ndb --max-htmlnotags=1K h.html
assert_not_contains "no 'Ignoring option' warning" "$OUT" "Ignoring option"
finish
