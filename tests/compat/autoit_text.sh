#!/usr/bin/env bash
# compat/autoit_text: the script of an AutoIt EA06 executable is scanned as
# the source text clamscan makes of its tokens. clam.ea06.exe from
# clamav-testfiles and two hand-made scripts (tests/fuzz/corpus/autoit:
# every token kind, a UTF-16 BOM string and a raw one, a 64-bit integer
# with the high bit of its low word set, 1e300, an unknown token that ends
# the text; and a string running past the end): the MD5 of the text
# clamscan writes (--leave-temps) must be found by both, and body
# signatures of target 0 and 7 on words of the text, --allmatch, compared.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/compat.sh"

ea06=$CLAMAV_TESTFILES/clam.ea06.exe
[ -r "$ea06" ] || { fail "clamav-testfiles is not installed"; finish; }
mkdir pkg tmp
cp "$ea06" pkg/
for f in ea06-text ea06-text-cut; do
    { printf 'MZ'; head -c 100 /dev/zero; cat "$VIGIL_SRC/tests/fuzz/corpus/autoit/$f.bin"; } > "pkg/$f.exe"
done
echo 'None:0:*:414141414141414141414141' > none.ndb
: > text.hdb
for f in pkg/*.exe; do
    rm -rf tmp/*
    "$CLAMSCAN" --leave-temps --tempdir=tmp -d none.ndb "$f" > /dev/null 2>&1
    # the script's text: the extracted file that is not an executable
    for t in $(find tmp -name 'autoit.0*'); do
        [ "$(head -c 2 "$t")" = MZ ] && continue
        hdb_line "$t" "Text.$(basename "$f")" >> text.hdb
    done
done
assert_eq "clamscan wrote the three scripts' texts" 3 "$(grep -c . text.hdb)"
w() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
{
    echo "W0.Func:0:*:$(w '_FILELISTTOARRAY( $SPATH')"
    echo "W7.Func:7:*:$(w '_FILELISTTOARRAY( $SPATH')"
    echo "W0.Hello:0:*:$(w '"hello vigil text" , 0x0123456689abcdef')"
    echo "W0.Num:0:*:$(w ' 3.25 , 1e+300 )')"
    echo "W0.Bom:0:*:$(w '"BOM')00$(w '" "raw byt" ENDFUNC')"
    echo "W0.Ops:0:*:$(w ', = > < <> >= <= ( ) + - / * & [ ] == ^ += -= /= *= &= ? : ')"
    echo "W0.Cut:0:*:$(w 'IF $cutvar ')0a"
    echo "W0.Never:0:*:$(w 'ENUM ')0a$(w 'AND ')"
    echo "W0.Directive:0:*:$(w '#include')"
} > words.ndb
compat_run --allmatch -d text.hdb -d words.ndb -r pkg
compare_rc "EA06 script text, --allmatch"
# clamscan reports a signature twice when it matches a line of the text
# that a second, normalised view of the text (a child typed as text, not
# this walker's doing) repeats; the distinct detections must agree.
_cmp "EA06 script text, --allmatch: distinct FOUND lines" \
    "$(found_lines "$C_OUT" | sort -u)" "$(found_lines "$V_OUT" | sort -u)"
for f in clam.ea06.exe ea06-text.exe ea06-text-cut.exe; do
    assert_contains "$f: the text's MD5" "$V_OUT" "pkg/$f: Text.$f"
done
assert_contains "a word of clam.ea06.exe's script" "$V_OUT" "pkg/clam.ea06.exe: W0.Func"
assert_contains "a string, a 64-bit number" "$V_OUT" "pkg/ea06-text.exe: W0.Hello"
assert_contains "doubles as clamscan prints them" "$V_OUT" "pkg/ea06-text.exe: W0.Num"
assert_contains "strings through u2a" "$V_OUT" "pkg/ea06-text.exe: W0.Bom"
assert_contains "the operators" "$V_OUT" "pkg/ea06-text.exe: W0.Ops"
assert_not_contains "an unknown token ends the text" "$V_OUT" "W0.Never"
assert_not_contains "no '#' before a directive" "$V_OUT" "W0.Directive"
compat_run -d text.hdb -r pkg
compare_all "EA06 script text's MD5, first match"
finish
