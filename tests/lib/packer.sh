# tests/lib/packer.sh - what the packer compat tests (tests/compat/<packer>.sh)
# share: the image clamscan rebuilds, kept with --leave-temps, must be the
# child vigil scans at depth 1. Source after common.sh and compat.sh.

# packer_setup FILE: the clamav-testfiles sample FILE copied here and
# clam.exe's MD5 in clam.hdb; the test ends (failed) when the package is
# missing.
packer_setup() {
    TF=$CLAMAV_TESTFILES
    [ -f "$TF/$1" ] || { fail "clamav-testfiles is not installed"; finish; }
    hdb_line "$TF/clam.exe" ClamExe > clam.hdb
    cp "$TF/$1" .
}

# packer_same_image DB FILE: when clamscan, with database DB, rebuilds an
# image of FILE, vigil scans the same bytes at depth 1 (when it rebuilds
# none, the FOUND comparisons are what is checked). Sets IMG_MADE to 1 when
# clamscan made one.
packer_same_image() {
    local db=$1 f=$2 img
    IMG_MADE=0
    rm -rf "tmp-$f" && mkdir "tmp-$f"
    "$CLAMSCAN" --leave-temps --tempdir="$PWD/tmp-$f" -d "$db" "$f" >/dev/null 2>&1
    img=$(find "tmp-$f" -type f -name 'clamav-*.tmp' -size +0 | head -1)
    if [ -z "$img" ]; then
        ok "$f: clamscan rebuilds no image"
        return 0
    fi
    IMG_MADE=1
    hdb_line "$img" Image > img.hdb
    compat_run -a -d img.hdb "$f"
    compare_all "$f: the image clamscan rebuilt"
    compare_found "$f: the image clamscan rebuilt -a"
    assert_has_line "$f: vigil's image is clamscan's" "$V_OUT" "$f!(1): Image.UNOFFICIAL FOUND"
}

# packer_flip SRC DIR OFFSET...: copies of SRC with the byte at each OFFSET
# changed three ways (xor 0x01, 0x80, 0xff), as DIR/b<offset>-<xor>.exe.
packer_flip() {
    local src=$1 dir=$2
    shift 2
    mkdir -p "$dir"
    python3 - "$src" "$dir" "$@" <<'PY'
import sys
src, dir, offs = sys.argv[1], sys.argv[2], [int(o, 0) for o in sys.argv[3:]]
data = open(src, 'rb').read()
for off in offs:
    for x in (0x01, 0x80, 0xff):
        d = bytearray(data)
        d[off] ^= x
        open('%s/b%x-%02x.exe' % (dir, off, x), 'wb').write(d)
PY
}

# packer_bad NAME DIR: the changed copies in DIR compared with clamscan with
# clam.hdb and image.hdb; then every image clamscan writes at depth 1 for
# them (--leave-temps, with clam.hdb) is hashed, and vigil must report the
# same files by those hashes.
packer_bad() {
    local name=$1 dir=$2 db f t
    for db in clam.hdb image.hdb; do
        compat_run -d $db -a -r "$dir"
        compare_all "$name with bytes changed ($db)"
        compare_found "$name with bytes changed -a ($db)"
    done
    : > images.hdb
    for f in "$dir"/*.exe; do
        t=tmp-$(basename "$f") && rm -rf "$t" && mkdir "$t"
        "$CLAMSCAN" --leave-temps --tempdir="$PWD/$t" -d clam.hdb "$f" >/dev/null 2>&1
        find "$t" -mindepth 3 -maxdepth 3 -type f -name 'clamav-*.tmp' -size +0 | while read -r img; do
            hdb_line "$img" "Img-$(basename "$f" .exe)"
        done >> images.hdb
    done
    sort -u -t: -k1,1 images.hdb -o images.hdb
    [ -s images.hdb ] || fail "clamscan wrote no image for the damaged files"
    printf 'INFO: %s images of damaged files\n' "$(wc -l < images.hdb)"
    compat_run -d images.hdb -a -r "$dir"
    compare_all "the images of the damaged files"
    compare_found "the images of the damaged files -a"
}

# packer_sample FILE CHILD IMAGE: the clamav-testfiles sample FILE (in the
# current directory) with only clam.exe's MD5 (clam.hdb): FOUND and -a
# lines as clamscan's, and CHILD (the -a line of the clam.exe inside) among
# vigil's; the same with --allmatch; IMAGE ("md5:size:Name", the image
# clamscan rebuilds, measured with --leave-temps; written to image.hdb)
# found at depth 1 by both; --scan-pe=no unpacks nothing in either.
packer_sample() {
    local f=$1 child=$2 img=$3 name=${3##*:}
    compat_run -d clam.hdb -a "$f"
    compare_all "$f with the MD5 of clam.exe"
    compare_found "$f -a"
    assert_has_line "$f: the clam.exe inside" "$V_OUT" "$child"
    compat_run -d clam.hdb -a --allmatch "$f"
    compare_found "$f --allmatch -a"
    echo "$img" > image.hdb
    compat_run -d image.hdb -a "$f"
    compare_found "$f: the image"
    assert_has_line "clamscan: $f's image at depth 1" "$C_OUT" "$f!(1): $name.UNOFFICIAL FOUND"
    assert_has_line "vigil: $f's image at depth 1" "$V_OUT" "$f!(1): $name.UNOFFICIAL FOUND"
    compat_run -d clam.hdb --scan-pe=no "$f"
    compare_all "$f --scan-pe=no"
    assert_not_contains "$f --scan-pe=no: nothing unpacked" "$V_OUT" "FOUND"
}
