#!/usr/bin/env bash
# bench/yara_cpu.sh - YARA rules in CPU time, for a shared machine: user CPU
# seconds (getrusage of the whole process tree, start-up included) of
# `yara -r -p 1` and `vigil scan -j 1` on the same rules and clean corpus,
# vigil with its cache directory cold (`--no-cache`: libyara compiles the
# rules, Vectorscan the pre-filter) and warm (what `vigil db compile`
# leaves: compiled rules, pre-filter, body-signature atoms), with only the
# YARA rules and with BENCH_YARA_BODY ClamAV body signatures besides. The
# rules are tests/lib/yaragen.py's bench rules (two literal strings each,
# found nowhere in the corpus); the (file, rule) pairs are compared.
#
#   bench/yara_cpu.sh path/to/vigil
# Env: BENCH_YARA_RULES ("1000 10000"), BENCH_YARA_BODY (100000),
#      BENCH_CORPUS_MB (64).
set -euo pipefail
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)
VIGIL=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
YARA=${YARA:-yara}
COUNTS=${BENCH_YARA_RULES:-1000 10000}
BODY=${BENCH_YARA_BODY:-100000}
MB=${BENCH_CORPUS_MB:-64}

W=$(mktemp -d /tmp/vigil-bench-yaracpu.XXXXXX)
trap 'rm -rf "$W"' EXIT
. "$here/corpus.sh"
bench_corpus "$W" "$MB"
echo "corpus: $CORPUS_FILES files, $CORPUS_MB MiB; user CPU s, start-up included"
echo tiny-file > "$W/tiny"
python3 - "$W/b.ndb" "$BODY" <<'PY'
import random, sys
rnd = random.Random(7)
with open(sys.argv[1], "w") as f:
    for i in range(int(sys.argv[2])):
        h = [("%02x" % rnd.randrange(256)) for _ in range(rnd.randint(16, 32))]
        if rnd.random() < 0.2:
            h[rnd.randrange(8, len(h) - 1)] = "??"
        f.write("Bench.Body.%d:0:*:%s\n" % (i, "".join(h)))
PY
mkdir -m 700 "$W/cache"

# cpu LABEL CMD...: one run; prints user and system CPU seconds, peak RSS.
cpu() {
    python3 - "$@" <<'PY'
import resource, subprocess, sys
subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print("%-52s user %6.2f  sys %5.2f  peak RSS %5d MiB" % (sys.argv[1], r.ru_utime, r.ru_stime,
                                                        r.ru_maxrss // 1024))
PY
}
pairs() { sed -n 's/^\(.*\): YARA\.\(.*\)\.UNOFFICIAL FOUND$/\1 \2/p' | sort; }

V=("$VIGIL" scan --no-builtin --no-summary -i -j 1)
for n in $COUNTS; do
    python3 "$here/../tests/lib/yaragen.py" bench "$W/r$n" 1 "$n"
    R=$W/r$n/bench.yar
    echo "== $n rules"
    cpu "yara -r -p 1" "$YARA" -r -p 1 "$R" "$W/corpus"
    cpu "vigil, cold (--no-cache)" "${V[@]}" --no-cache --yara "$R" -r "$W/corpus"
    "$VIGIL" db compile --no-builtin --cache-dir "$W/cache" --yara "$R" > /dev/null
    cpu "vigil, warm" "${V[@]}" --cache-dir "$W/cache" --yara "$R" -r "$W/corpus"
    cpu "vigil, warm, start-up only (one tiny file)" "${V[@]}" --cache-dir "$W/cache" \
        --yara "$R" "$W/tiny"
    "$VIGIL" db compile --no-builtin --cache-dir "$W/cache" --yara "$R" -d "$W/b.ndb" > /dev/null
    cpu "vigil + $BODY body sigs, warm" "${V[@]}" --cache-dir "$W/cache" --yara "$R" \
        -d "$W/b.ndb" -r "$W/corpus"
    cpu "vigil + $BODY body sigs, warm, start-up only" "${V[@]}" --cache-dir "$W/cache" \
        --yara "$R" -d "$W/b.ndb" "$W/tiny"
    "$YARA" -r -p 1 "$R" "$W/corpus" | awk '{print $2, $1}' | sort > "$W/y.pairs"
    "${V[@]}" -z --cache-dir "$W/cache" --yara "$R" -r "$W/corpus" | pairs > "$W/v.pairs" || true
    cmp -s "$W/y.pairs" "$W/v.pairs" && echo "same (file, rule) pairs ($(wc -l < "$W/y.pairs"))" ||
        echo "PAIRS DIFFER: yara $(wc -l < "$W/y.pairs"), vigil $(wc -l < "$W/v.pairs")"
done
echo "== no YARA rules"
"$VIGIL" db compile --no-builtin --cache-dir "$W/cache" -d "$W/b.ndb" > /dev/null
cpu "vigil, $BODY body sigs only, warm" "${V[@]}" --cache-dir "$W/cache" -d "$W/b.ndb" \
    -r "$W/corpus"
cpu "vigil, $BODY body sigs only, warm, start-up only" "${V[@]}" --cache-dir "$W/cache" \
    -d "$W/b.ndb" "$W/tiny"
