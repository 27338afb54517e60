#!/usr/bin/env bash
# compat/allowlist: .fp and .sfp allow lists clear a detected file, whatever
# the -d order, and count in "Known viruses" as clamscan counts them.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/compat.sh"

make_eicar eicar.com
# Signed files are text: clamscan -z reports some random binaries twice.
seq 1 700 > other.bin
echo clean > clean.txt
hdb_line eicar.com Test.Eicar > sigs.hdb
hdb_line other.bin Test.Other >> sigs.hdb

hdb_line eicar.com Allowed.Md5 > md5.fp
compat_run -d sigs.hdb -d md5.fp eicar.com other.bin clean.txt
compare_all ".fp md5 after the db"
assert_has_line ".fp md5: vigil reports the allowed file OK" "$V_OUT" "eicar.com: OK"
compat_run -d md5.fp -d sigs.hdb eicar.com other.bin
compare_all ".fp md5 before the db"

hsb_line eicar.com Allowed.Sha256 sha256 > sha256.sfp
compat_run -d sigs.hdb -d sha256.sfp eicar.com other.bin
compare_all ".sfp sha256"
hsb_line eicar.com Allowed.Sha1 sha1 > sha1.sfp
compat_run -d sigs.hdb -d sha1.sfp eicar.com other.bin
compare_all ".sfp sha1"
hsb_line eicar.com Allowed.SfpMd5 md5 > md5.sfp
compat_run -d sigs.hdb -d md5.sfp eicar.com
compare_all ".sfp holding an md5"
hsb_line eicar.com Allowed.FpSha256 sha256 > sha256.fp
compat_run -d sigs.hdb -d sha256.fp eicar.com
compare_all ".fp holding a sha256"

# An allow-list entry clears the file even when it is detected by a sha256 sig.
hsb_line eicar.com Test.Eicar256 sha256 > sigs.hsb
compat_run -d sigs.hsb -d md5.fp eicar.com
compare_all ".fp md5 clears a .hsb sha256 detection"

# Allow-list entry for another size of the same hash does not apply.
printf '%s:67:Allowed.WrongSize\n' "$(md5sum < eicar.com | cut -d' ' -f1)" > wrongsize.fp
compat_run -d sigs.hdb -d wrongsize.fp eicar.com
compare_all ".fp with the wrong size does not clear"

# With allmatch too.
compat_run -z -d sigs.hdb -d sigs.hsb -d md5.fp eicar.com other.bin
compare_all ".fp under --allmatch"

# Empty allow lists: refused like an empty .hdb.
: > empty.fp
compat_run -d empty.fp -d sigs.hdb eicar.com
compare_rc "empty .fp"
compare_found "empty .fp"
: > empty.sfp
compat_run -d empty.sfp -d sigs.hdb eicar.com
compare_rc "empty .sfp"
compare_found "empty .sfp"
# Size "*" in allow lists (flevel 73 required as in .hdb).
printf '%s:*:Allowed.Star:73\n' "$(md5sum < eicar.com | cut -d' ' -f1)" > star.fp
compat_run -d sigs.hdb -d star.fp eicar.com
compare_all ".fp with size * and flevel 73"
printf '%s:*:Allowed.Star256:73\n' "$(sha256sum < eicar.com | cut -d' ' -f1)" > star.sfp
compat_run -d sigs.hdb -d star.sfp eicar.com
compare_all ".sfp with size * and flevel 73"

# An allow list alone: nothing is detected, still a valid database.
compat_run -d md5.fp eicar.com
compare_all ".fp as the only database"

finish
