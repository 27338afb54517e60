#!/usr/bin/env bash
# compat/containers: with a database holding only the MD5 of clam.exe,
# clamscan and vigil report the same archives and compressed files of the
# clamav-testfiles package (FOUND lines, exit codes, and the -a layer
# paths), .ign2 suppresses them the same way, and layer paths of nested
# archives (generated here) are shortened with "..." as clamscan does.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/compat.sh"

TF=$CLAMAV_TESTFILES
[ -f "$TF/clam.exe" ] || { fail "clamav-testfiles is not installed"; finish; }
hdb_line "$TF/clam.exe" ClamExe > clam.hdb

# Every archive and compressed file of the package.
files="clam.7z clam.arj clam.bin-be.cpio clam.bin-le.cpio clam.newc.cpio clam.odc.cpio
clam.bz2.zip clam.cab clam.chm clam.d64.zip clam.exe.bz2 clam.exe.szdd clam.impl.zip
clam.sis clam.tar.gz clam.zip clam_cache_emax.tgz"
mkdir pkg
for f in $files; do cp "$TF/$f" pkg/; done

compat_run -d clam.hdb -r pkg
compare_all "archives of clamav-testfiles"
for f in $files; do
    assert_has_line "$f found by vigil" "$V_OUT" "pkg/$f: ClamExe.UNOFFICIAL FOUND"
done

# clam_cache_emax.tgz holds clam01.tgz (a chain too deep for the default
# recursion limit) and clam02.tgz (the same chain one layer shorter, where
# clam.exe is found at depth 16). clamscan's -a line names the ancestors of
# the first chain (its name stack is not unwound after the limit); vigil
# names those of the chain the detection is in. Compared without it:
mkdir pkg-a
for f in $files; do [ "$f" = clam_cache_emax.tgz ] || cp "pkg/$f" pkg-a/; done
compat_run -d clam.hdb -a -r pkg-a
compare_found "-a: FOUND and layer-path lines"
vscan --no-builtin -d clam.hdb -a pkg/clam_cache_emax.tgz
assert_has_line "-a: clam_cache_emax.tgz, the chain the detection is in" "$OUT" \
    "pkg/clam_cache_emax.tgz!POSIX_TAR:clam02.tgz!POSIX_TAR:clam03.tgz!POSIX_TAR:clam04.tgz!POSIX_TAR:clam05.tgz!...!(16)POSIX_TAR:clam.exe: ClamExe.UNOFFICIAL FOUND"

compat_run -d clam.hdb --allmatch -r pkg
compare_all "--allmatch"

echo ClamExe > clam.ign2
compat_run -d clam.ign2 -d clam.hdb -r pkg
compare_all ".ign2 suppresses detections inside archives"
assert_not_contains ".ign2: nothing found" "$V_OUT" "FOUND"

# Nested tars with long names: the -a path keeps ancestors while the text
# (file name included) fits clamscan's width, then "...".
cp "$TF/clam.exe" clam.exe
prev=clam.exe
for i in 1 2 3 4 5 6; do
    name=layer${i}_$(head -c $((i * 3)) /dev/zero | tr '\0' x).tar
    tar cf "$name" "$prev"
    prev=$name
done
tar cf s1.tar clam.exe
for i in 2 3 4 5 6 7 8; do tar cf s$i.tar s$((i - 1)).tar; done
for n in 1 2 3 4 5 6; do
    cp s8.tar "$(head -c "$n" /dev/zero | tr '\0' p).tar"
done
compat_run -d clam.hdb -a "$prev" s8.tar p.tar pp.tar ppp.tar pppp.tar ppppp.tar pppppp.tar
compare_found "-a: long layer paths shortened as clamscan does"
compare_rc "-a: long layer paths"

# Recursion limit: found at depth 16 with the default 17, a limit with 16.
for r in 16 17; do
    compat_run -d clam.hdb --alert-exceeds-max --max-recursion=$r pkg/clam_cache_emax.tgz
    compare_all "--max-recursion=$r --alert-exceeds-max"
done
compat_run -d clam.hdb -a --alert-exceeds-max --max-recursion=1 pkg/clam.zip pkg/clam.tar.gz
compare_found "-a --max-recursion=1: the refused child named one layer up"
compat_run -d clam.hdb --max-recursion=16 pkg/clam_cache_emax.tgz
compare_all "--max-recursion=16: not found"
assert_eq "MaxRecursion counted in vigil's summary" 1 \
    "$(summary_value 'Limits exceeded' "$V_OUT")"

# A file refused whole by --max-filesize gets no -a line.
compat_run -d clam.hdb -a --max-filesize=100 --alert-exceeds-max pkg/clam.zip "$TF/clam.exe"
compare_found "-a with a whole file over --max-filesize"

# Streams clamscan also reads, and a zip holding a gzip holding clam.exe.
gzip -c clam.exe > clam.exe.gz
xz -c clam.exe > clam.exe.xz
zip -q inner.zip clam.exe.gz
compat_run -d clam.hdb -a clam.exe.gz clam.exe.xz inner.zip
compare_found "gzip, xz, zip of gzip"

# Streams clamscan does not read: vigil finds clam.exe in them too.
zstd -q -c clam.exe > clam.exe.zst
xz --format=lzma -c clam.exe > clam.exe.lzma
cat clam.exe.gz clam.exe.gz > two.gz
{ head -c 100 /dev/urandom | gzip -c; cat clam.exe.gz; } > second-member.gz
vscan --no-builtin -d clam.hdb -a clam.exe.zst clam.exe.lzma two.gz second-member.gz
assert_has_line "zstd" "$OUT" "clam.exe.zst!(1): ClamExe.UNOFFICIAL FOUND"
assert_has_line "lzma" "$OUT" "clam.exe.lzma!(1): ClamExe.UNOFFICIAL FOUND"
# two.gz inflates to clam.exe twice: the second copy is an embedded PE
# of the first; second-member.gz to 100 bytes and clam.exe, which clamscan
# retypes as a PE holding one: both found at depth 2 by both (measured).
compat_run -d clam.hdb -a two.gz second-member.gz
compare_found "concatenated gzip: clam.exe as an embedded PE"

# Formats written by bsdtar: both find clam.exe (clamscan in the ar archive
# as an embedded executable), with the same layer paths (ISO 9660 members
# by their plain ISO names, CLAM.EXE, without directories, as clamscan).
mkdir -p isotree/sub
cp clam.exe isotree/sub/LongMixedName.exe
bsdtar --format iso9660 -cf t-dir.iso9660 -C isotree .
for fmt in iso9660 xar ar 7zip ustar cpio pax gnutar; do
    bsdtar --format $fmt -cf "t.$fmt" clam.exe
done
compat_run -d clam.hdb t.iso9660 t.xar t.ar t.7zip t.ustar t.cpio t.pax t.gnutar
compare_all "bsdtar-written archives"
compat_run -d clam.hdb -a t.iso9660 t-dir.iso9660 t.xar t.7zip t.ustar t.cpio t.pax t.gnutar
compare_found "bsdtar-written archives, -a"

# Encrypted members: Heuristics.Encrypted.Zip under --alert-encrypted (one
# per file, about the last encrypted member), after signature matches.
echo hello > h.txt
zip -q -P secret enc.zip clam.exe h.txt
zip -q -P pw mix.zip h.txt
zip -q mix.zip clam.exe
for o in "" --alert-encrypted "--alert-encrypted-archive --allmatch"; do
    compat_run -d clam.hdb -a $o enc.zip mix.zip
    compare_found "encrypted zip members ${o:-(no option)}"
    compare_rc "encrypted zip members ${o:-(no option)}"
done

finish
