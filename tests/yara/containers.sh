#!/usr/bin/env bash
# yara/containers: YARA rules run on every layer of every container, which
# the yara command cannot do: a rule that matches a file inside a zip, a
# tar.gz and a gzip inside a zip is reported for the archive, with the
# layer path (-a, --json "layer" and "depth"), and the rule sees the
# layer's depth in its `depth` external variable.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/yara.sh"

# The marker is written backwards in the shell and reversed here, so the
# compressed archives cannot hold it literally by accident of this script.
marker=$(printf 'DRAEH-ARAY-DELLATSNI' | rev)
mkdir in
{ head -c 20000 /dev/urandom | base64; echo "$marker"; } > in/payload.txt
(cd in && zip -q -9 ../a.zip payload.txt)
tar -czf b.tar.gz -C in payload.txt
gzip -9 -c in/payload.txt > in/payload.txt.gz
(cd in && zip -q -0 ../c.zip payload.txt.gz)
cat > r.yar <<R
rule Marker { strings: \$m = "$marker" condition: \$m }
rule Deep { strings: \$m = "$marker" condition: \$m and depth >= 2 }
R

for f in a.zip b.tar.gz; do
    if grep -qF "$marker" "$f"; then fail "$f holds the marker literally"; fi
done
run yara -r r.yar a.zip b.tar.gz
assert_eq "yara itself does not see inside the archives" "$OUT" ""

vscan --no-builtin --no-summary -z -a --yara r.yar a.zip b.tar.gz c.zip in/payload.txt
assert_rc "found" 1
assert_has_line "inside a zip" "$OUT" "a.zip: YARA.Marker.UNOFFICIAL FOUND"
assert_has_line "inside a tar.gz" "$OUT" "b.tar.gz: YARA.Marker.UNOFFICIAL FOUND"
assert_has_line "gzip inside a zip" "$OUT" "c.zip: YARA.Marker.UNOFFICIAL FOUND"
assert_has_line "depth 2 is seen as such" "$OUT" "c.zip: YARA.Deep.UNOFFICIAL FOUND"
assert_lacks_line "depth 1 is not depth 2" "$OUT" "a.zip: YARA.Deep.UNOFFICIAL FOUND"
assert_lacks_line "the plain file is depth 0" "$OUT" "in/payload.txt: YARA.Deep.UNOFFICIAL FOUND"
assert_contains "-a names the layer" "$OUT" "a.zip!(1)ZIP:payload.txt"

vscan --no-builtin --json --yara r.yar a.zip
line=$(printf '%s\n' "$OUT" | grep '"YARA.Marker.UNOFFICIAL"' || true)
assert_contains "--json: the layer" "$line" '"layer":"(1)ZIP:payload.txt"'
assert_contains "--json: the depth" "$line" '"depth":1'
assert_contains "--json: the rule data" "$line" '"yara":{"rule":"Marker"'
finish
