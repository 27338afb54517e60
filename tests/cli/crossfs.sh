#!/usr/bin/env bash
# cli/crossfs: --cross-fs=no stays on the filesystem of each starting path;
# the default and --cross-fs=yes descend into a mount (a tmpfs mounted in the
# tree; skipped with a reason when mounting is not allowed).
. "$(dirname "$0")/../lib/common.sh"

make_eicar eicar.com
hdb_line eicar.com Test.Eicar > sigs.hdb
mkdir -p cfs/mnt cfs/sub
cp eicar.com cfs/top
cp eicar.com cfs/sub/deep
if ! mount -t tmpfs -o size=1m vigiltest cfs/mnt 2>mount.err; then
    skip "--cross-fs: cannot mount a tmpfs: $(cat mount.err)"
    finish
fi
register_mount "$T/cfs/mnt"
mkdir cfs/mnt/in
cp eicar.com cfs/mnt/in/inner

for o in "" --cross-fs=yes --cross-fs; do
    vscan --no-builtin -d sigs.hdb -r $o cfs
    assert_has_line "${o:-default}: inner file scanned" "$OUT" "cfs/mnt/in/inner: Test.Eicar.UNOFFICIAL FOUND"
    assert_eq "${o:-default}: Infected files" 3 "$(summary_value 'Infected files' "$OUT")"
done
for j in 1 4; do
    vscan --no-builtin -d sigs.hdb -r --cross-fs=no -j $j cfs
    assert_rc "--cross-fs=no -j $j" 1
    assert_lacks_line "--cross-fs=no -j $j: inner file not scanned" "$OUT" \
        "cfs/mnt/in/inner: Test.Eicar.UNOFFICIAL FOUND"
    assert_has_line "--cross-fs=no -j $j: same-fs files still scanned" "$OUT" \
        "cfs/sub/deep: Test.Eicar.UNOFFICIAL FOUND"
    assert_eq "--cross-fs=no -j $j: Infected files" 2 "$(summary_value 'Infected files' "$OUT")"
done
vscan --no-builtin -d sigs.hdb -r --cross-fs=no cfs/mnt
assert_has_line "--cross-fs=no starting inside the mount" "$OUT" \
    "cfs/mnt/in/inner: Test.Eicar.UNOFFICIAL FOUND"

finish
