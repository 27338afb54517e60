#!/usr/bin/env bash
# daemon/reload_yara: vigild with YARA rules beside ClamAV databases in its
# DatabaseDirectory serves from the engine image of the ClamAV part
# (core/image_engine.h), at start-up and after each RELOAD:
#  - start-up writes the image and the parent maps it (its /proc maps);
#  - an edited .yar file: the reload maps the same image, the new rule
#    detects;
#  - an edited .hdb: the helper writes a new image, which is mapped;
#  - an image prepared by `vigil db compile -d DIR` is mapped as it is;
#  - a bad .yar fails the reload, writes no image, the old engine serves;
#  - the signature count vigild logs is the count of a parse.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/daemon.sh"

daemon_db
F="$T/files"
S() { run python3 "$DAEMON_PY" req "$VIGILD_SOCK" "$1"; }
images() { find "$VIGIL_CACHE_DIR" -name '*.vgi' | wc -l; }
newest() { ls -t "$VIGIL_CACHE_DIR"/*.vgi | head -1; }
# mapped: the engine images the vigild parent maps, one a line.
mapped() { grep -o '[^ ]*\.vgi$' "/proc/$(vigild_pid)/maps" | sort -u; }
# reloaded N: waits for the Nth "Database correctly reloaded".
reloaded() {
    local k
    for k in $(seq 1 300); do
        [ "$(grep -c 'Database correctly reloaded' "$T/vigild.log")" -ge "$1" ] && return 0
        sleep 0.1
    done
    return 1
}
# failed N: waits for the Nth "Database reload failed".
failed() {
    local k
    for k in $(seq 1 300); do
        [ "$(grep -c 'Database reload failed' "$T/vigild.log")" -ge "$1" ] && return 0
        sleep 0.1
    done
    return 1
}
# count_now: the signature count of a parse of the directory, no cache.
count_now() {
    vscan --no-cache --no-builtin -d "$T/db" "$F/clean"
    summary_value 'Known viruses' "$OUT"
}
python3 -c "
import hashlib
with open('$T/db/bulk.hdb', 'w') as f:
    for i in range(20000):
        f.write('%s:%d:Bulk.%d\n' % (hashlib.md5(b'%d' % i).hexdigest(), 1000 + i, i))"
printf 'rule R1 { strings: $a = "vigil-yara-marker" condition: $a }\n' > "$T/db/r.yar"
printf 'L.Marker;Engine:51-255,Target:0;0;766967696c\n' > "$T/db/a.ldb"
printf 'a vigil-yara-marker here\n' > "$F/ymark"
mkdir -p "$VIGIL_CACHE_DIR" && chmod 700 "$VIGIL_CACHE_DIR"
start_vigild "Debug yes"
pid=$(vigild_pid)
assert_eq "start-up wrote the engine image" 1 "$(images)"
img0=$(newest)
assert_eq "the parent maps it" "$img0" "$(mapped)"
S "zSCAN $F/ymark\\0"
assert_eq "the YARA rule detects" "b'$F/ymark: L.Marker.UNOFFICIAL FOUND\\x00'" "$OUT"
S "zALLMATCHSCAN $F/ymark\\0"
assert_contains "and with ALLMATCHSCAN the rule too" "$OUT" "YARA.R1.UNOFFICIAL FOUND"
S "zSCAN $F/eicar\\0"
assert_eq "the hash signatures detect" "b'$F/eicar: Test.Eicar.UNOFFICIAL FOUND\\x00'" "$OUT"

# ---- an edited rule file: the same image ------------------------------------
printf 'rule R2 { strings: $a = "clean text" condition: $a }\n' >> "$T/db/r.yar"
S 'zRELOAD\0'
reloaded 1 && ok "reloaded" || fail "no reload"
S "zSCAN $F/clean\\0"
assert_eq "the new rule detects" "b'$F/clean: YARA.R2.UNOFFICIAL FOUND\\x00'" "$OUT"
assert_eq "no new image" 1 "$(images)"
assert_eq "the same image mapped" "$img0" "$(mapped)"
assert_eq "the same parent serves" "$pid" "$(vigild_pid)"
n=$(count_now)
assert_contains "the count of a parse" "$(grep 'Database correctly reloaded' "$T/vigild.log" | tail -1)" \
    "($n signatures)"

# ---- an edited ClamAV file: a new image -------------------------------------
printf 'not clean at all\n' > "$F/other"
hdb_line "$F/other" Test.Other >> "$T/db/test.hdb"
S 'zRELOAD\0'
reloaded 2 && ok "reloaded" || fail "no reload"
S "zSCAN $F/other\\0"
assert_eq "the new hash detects" "b'$F/other: Test.Other.UNOFFICIAL FOUND\\x00'" "$OUT"
S "zSCAN $F/clean\\0"
assert_eq "the rules still detect" "b'$F/clean: YARA.R2.UNOFFICIAL FOUND\\x00'" "$OUT"
assert_eq "the helper wrote a new image" 2 "$(images)"
img1=$(newest)
assert_eq "which the parent maps" "$img1" "$(mapped)"
n=$(count_now)
assert_contains "the count of a parse" "$(grep 'Database correctly reloaded' "$T/vigild.log" | tail -1)" \
    "($n signatures)"

# ---- an image prepared by vigil db compile ---------------------------------
printf 'yet another\n' > "$F/third"
hdb_line "$F/third" Test.Third >> "$T/db/test.hdb"
run "$VIGIL" db compile --no-builtin -d "$T/db"
assert_rc "vigil db compile" 0
assert_contains "vigil db compile: the rules cached" "$OUT" "YARA rules already compiled in"
assert_eq "vigil db compile wrote an image" 3 "$(images)"
img2=$(newest)
S 'zRELOAD\0'
reloaded 3 && ok "reloaded" || fail "no reload"
S "zSCAN $F/third\\0"
assert_eq "its signatures detect" "b'$F/third: Test.Third.UNOFFICIAL FOUND\\x00'" "$OUT"
assert_eq "vigild wrote no image" 3 "$(images)"
assert_eq "vigild maps vigil's image" "$img2" "$(mapped)"

# ---- a bad rule file: the reload fails, nothing written -----------------------
printf 'rule bad {\n  condition: $x\n}\n' > "$T/db/zz.yar"
hdb_line "$F/ymark" Test.Ymark >> "$T/db/test.hdb"
S 'zRELOAD\0'
failed 1 && ok "the reload failed" || fail "no failed reload"
assert_contains "with the rule file's line" "$(grep 'Database reload failed' "$T/vigild.log")" \
    'zz.yar:3: undefined string "$x"'
assert_eq "no image written" 3 "$(images)"
S "zSCAN $F/third\\0"
assert_eq "the old engine serves" "b'$F/third: Test.Third.UNOFFICIAL FOUND\\x00'" "$OUT"
assert_eq "from the same image" "$img2" "$(mapped)"
finish
