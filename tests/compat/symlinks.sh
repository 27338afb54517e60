#!/usr/bin/env bash
# compat/symlinks: --follow-dir-symlinks and --follow-file-symlinks (0, 1 =
# only those named on the command line, 2 = always) on a tree without loops,
# and --cross-fs=no with a tmpfs mounted inside the tree.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/compat.sh"

make_eicar eicar.com
hdb_line eicar.com Test.Eicar > sigs.hdb
mkdir -p sl/d target
cp eicar.com target/e
echo clean > target/clean
cp eicar.com sl/d/real
ln -s ../target sl/dirlink
ln -s ../eicar.com sl/filelink
ln -s ../nowhere sl/dangling

for o in "" --follow-dir-symlinks=0 --follow-dir-symlinks=1 --follow-dir-symlinks=2 \
    --follow-file-symlinks=0 --follow-file-symlinks=1 --follow-file-symlinks=2 \
    "--follow-dir-symlinks=2 --follow-file-symlinks=2" \
    "--follow-dir-symlinks=0 --follow-file-symlinks=0"; do
    # shellcheck disable=SC2086
    compat_run -d sigs.hdb -r $o sl
    compare_all "-r sl ${o:-(defaults)}"
done

# Symlinks named on the command line.
for o in "" "--follow-dir-symlinks=0 --follow-file-symlinks=0" \
    "--follow-dir-symlinks=2 --follow-file-symlinks=2"; do
    # shellcheck disable=SC2086
    compat_run -d sigs.hdb -r $o sl/dirlink sl/filelink
    compare_all "symlinks on the command line ${o:-(defaults)}"
done
# A directory symlink named with a trailing slash (as shell completion writes
# it) is the directory it points to, whatever the symlink options.
for o in "" -r "-r --follow-dir-symlinks=0" "-r --follow-dir-symlinks=2"; do
    # shellcheck disable=SC2086
    compat_run -d sigs.hdb $o sl/dirlink/
    compare_all "sl/dirlink/ (trailing slash) ${o:-(no -r)}"
done
compat_run -d sigs.hdb -r sl/dirlink//
compare_all "sl/dirlink// (two trailing slashes)"
compat_run -d sigs.hdb -r sl/dirlink/.
compare_all "sl/dirlink/."

compat_run -d sigs.hdb sl/dangling
compare_rc "dangling symlink on the command line"
compare_results "dangling symlink on the command line"

# Another filesystem inside the tree.
mkdir -p cfs/mnt
cp eicar.com cfs/top
if mount -t tmpfs -o size=1m vigiltest cfs/mnt 2>/dev/null; then
    register_mount "$T/cfs/mnt"
    cp eicar.com cfs/mnt/inner
    for o in "" --cross-fs=yes --cross-fs=no; do
        compat_run -d sigs.hdb -r $o cfs
        compare_all "-r cfs ${o:-(defaults)}"
    done
    compat_run -d sigs.hdb -r --cross-fs=no cfs/mnt
    compare_all "--cross-fs=no with the mount point named on the command line"
else
    skip "--cross-fs: cannot mount a tmpfs here (needs root / CAP_SYS_ADMIN)"
fi

finish
