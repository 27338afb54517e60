#!/usr/bin/env bash
# compat/hashlines: one .hdb line per case, the odd corners of ClamAV's hash
# line parser: functionality-level fields (a signature outside the running
# level is skipped, not an error), extra fields, spaces, number forms, zero
# size, names with spaces and tabs. clamscan and vigil must agree on the
# exit code, the lines and "Known viruses".
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/compat.sh"

make_eicar eicar.com
m=$(md5sum < eicar.com | cut -d' ' -f1)
s1=$(sha1sum < eicar.com | cut -d' ' -f1)

i=0
while IFS= read -r line; do
    i=$((i + 1))
    line=${line//@MD5@/$m}
    line=${line//@SHA1@/$s1}
    printf '%s\n' "$line" > "l$i.hdb"
    compat_run -d "l$i.hdb" eicar.com
    compare_all "line [$line]"
done <<'CASES'
@MD5@:68:Fl.Range:0:255
@MD5@:68:Fl.MinTooHigh:300
@MD5@:68:Fl.MaxTooLow:0:50
@MD5@:68:Fl.WindowBelow:51:100
@MD5@:68:Fl.NotNumber:abc
@MD5@:68:Fl.EmptyMax:73:
@MD5@:68:Fl.BothEmpty::
@MD5@:68:Six.Fields:1:2:3
@MD5@:68:Name With Spaces
@MD5@:68:Trailing.Space 
 @MD5@:68:Leading.Space
@MD5@: 68:Space.In.Size
@MD5@:068:Zero.Padded.Size
@MD5@:+68:Plus.Size
@MD5@:0:Zero.Size
@MD5@:68:Tab	Name
@MD5@::Empty.Size
:68:Empty.Hash
@SHA1@:68:Sha1.In.Hdb:0:255
@MD5@:*:Star.Fl73:73:255
@MD5@:*:Star.Fl73.Max72:73:72
CASES

finish
