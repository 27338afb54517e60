#!/usr/bin/env bash
# compat/ndb: extended (.ndb) and legacy (.db) body signatures end to end,
# clamscan and vigil on the same files: offsets (*, n, EOF-n, floating),
# target types (0, *, typed files, unknown types skipped), names and
# .UNOFFICIAL, -z order (body matches by position, then hashes), ignore lists,
# FLEVEL fields, and malformed lines (file:line, exit 2 for both).
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/compat.sh"

hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }

printf 'xxxxHELLOWORLDyyyy' > hw.txt
printf 'some text with HELLO near the end, HELLO' > hw2.txt
printf 'nothing to see in this one at all' > clean.txt
# A tiny ELF-looking file and PDF-looking file, for typed targets.
printf '\177ELF\002\001\001\000ELFBODYMARK and more bytes' > tiny.elf
printf '%%PDF-1.4\nPDFBODYMARK\n%%%%EOF\n' > tiny.pdf

H=$(hex HELLO); W=$(hex WORLD); L=$(hex LLOW)
cat > a.ndb <<NDB
Off.Any:0:*:$H
Off.Abs4:0:4:$H
Off.Abs3:0:3:$H
Off.Float:0:2,2:$H
Off.FloatShort:0:2,1:$H
Off.Eof14:0:EOF-14:$H
Off.Eof13:0:EOF-13:$H
Off.EofFloat:0:EOF-15,1:$H
Tgt.Star:*:*:$W
Tgt.Elf:6:*:$(hex ELFBODYMARK)
Tgt.ElfOnText:6:*:$L
Tgt.Pdf:10:*:$(hex PDFBODYMARK)
Tgt.Pe:1:*:$(hex PDFBODYMARK)
Tgt.Unknown:15:*:$W
FL.TooNew:0:*:$W:217
FL.TooOld:0:*:$W:1:215
FL.Fits:0:*:$W:216:216
Clam.Suffix (Clam):0:*:$L
NDB
files="hw.txt hw2.txt clean.txt tiny.elf tiny.pdf"
compat_run -z -d a.ndb $files
compare_all "-z: offsets, targets, flevels"
# First match: which of several matching signatures clamscan names follows
# its internal matcher order (Boyer-Moore before Aho-Corasick, bucket order),
# which vigil does not reproduce yet: compare verdicts and counts, and the
# name only where one signature matches.
compat_run -d a.ndb $files
compare_rc "first match"
compare_summary "first match"
compat_run -d a.ndb tiny.elf tiny.pdf clean.txt
compare_all "first match, one signature per file"

# Legacy .db: Name=HexSignature.
printf 'Legacy.Hello=%s\nLegacy.World=%s\n' "$H" "$W" > b.db
compat_run -z -d b.db $files
compare_all "legacy .db"

# Body and hash on one file: body first, then hash; first match: body.
hdb_line hw.txt Hash.Hw > h.hdb
compat_run -z -d h.hdb -d a.ndb hw.txt
compare_all "-z body and hash together"
printf 'Only:0:*:%s\n' "$W" > one.ndb
compat_run -d h.hdb -d one.ndb hw.txt
compare_all "body and hash, first match: the body signature wins"

# An allow list clears a body detection too.
hdb_line hw.txt Allow.Hw > hw.fp
compat_run -z -d a.ndb -d hw.fp hw.txt hw2.txt
compare_all "allow list clears body matches"

# Ignore lists by name.
printf 'Off.Any\nTgt.Star\n' > i.ign2
compat_run -z -d i.ign2 -d a.ndb hw.txt
compare_all "ignore list before .ndb"

# Vectorscan 5.4.9 on AVX-512 machines misses literals ending in the last
# ~31 bytes of a buffer longer than 64 bytes (src/match/atoms.c): a match
# just before the end of a file must still be found.
printf 'H.lower:0:*:%s\nW.lower:0:*:%s\n' "$(hex hello)" "$(hex world)" > tail.ndb
for pad in 0 1 3 17 30 40; do
    head -c 100 /dev/zero > tail$pad.bin
    printf 'world' >> tail$pad.bin
    head -c $pad /dev/zero >> tail$pad.bin
done
# (Without -z: with it clamscan reports matches in untyped binary data twice,
# from a second pass, which vigil does not copy.)
compat_run -d tail.ndb tail0.bin tail1.bin tail3.bin tail17.bin tail30.bin tail40.bin
compare_all "a match near the end of a file (Vectorscan tail bug)"

# Malformed lines: both refuse the database (exit 2); vigil names file:line.
for bad in "Bad:0:*:4845" "Bad:0:*:48" "Bad:0:x:48454c4c4f" "Bad:0:*,3:48454c4c4f" \
           "Bad:0:EP+0:48454c4c4f" "Bad:0:*:48454c4c4f:1x" "Bad:0:*" \
           "Bad:0:*:48454c4c4f:1:2:3" "Bad:q:*:48454c4c4f" "Bad:0:*:4845zz4c4f"; do
    printf 'Good:0:*:%s\n%s\n' "$W" "$bad" > bad.ndb
    compat_run -d bad.ndb hw.txt
    compare_rc "malformed '$bad'"
    assert_contains "malformed '$bad': vigil names the line" "$V_ERR" "bad.ndb:2:"
done

# The 3-byte minimum of plain patterns depends on target and offset.
for line in "T:1:*:4142" "T:3:*:4142" "T:1:4:4142" "T:1:4,2:4142" "T:0:4:4142" "T:6:*:4142"; do
    printf '%s\n' "$line" > short.ndb
    compat_run -d short.ndb hw.txt
    compare_rc "2-byte plain pattern '$line'"
done

finish
