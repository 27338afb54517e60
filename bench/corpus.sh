# bench/corpus.sh - the corpus of real binaries the benchmarks share, and
# the finding of the vigil to measure; sourced.
#
# bench_vigil [PATH]: sets VIGIL to PATH (or $VIGIL, or build/vigil, or the
# first build-*/vigil) made absolute; exits 2 with the usage when there is
# none.
bench_vigil() {
    local c here
    here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
    VIGIL=${1:-${VIGIL:-}}
    if [ -z "$VIGIL" ]; then
        for c in "$here"/../build/vigil "$here"/../build-*/vigil; do
            [ -x "$c" ] && { VIGIL=$c; break; }
        done
    fi
    [ -n "$VIGIL" ] && [ -x "$VIGIL" ] || { echo "usage: $0 path/to/vigil" >&2; exit 2; }
    VIGIL=$(cd "$(dirname "$VIGIL")" && pwd)/$(basename "$VIGIL")
}
#
# bench_corpus DIR MB [elf]: copies regular files from /usr/bin and /usr/lib
# (8 KiB to 4 MiB each, in name order, up to MB MiB) into DIR/corpus as
# N.bin, so that both scanners read the same bytes from the same (cached)
# place; with "elf", ELF files only (ClamAV also scans a normalised view of
# text files, such as scripts in /usr/bin, which vigil does not build yet, so
# text files would make detection lists differ for that reason alone).
# Writes DIR/corpus.list and sets CORPUS_FILES and CORPUS_MB.
bench_corpus() {
    local dir=$1 max=$(($2 * 1024 * 1024)) elf=${3:-} f i=0 bytes
    mkdir -p "$dir/corpus"
    find /usr/bin /usr/lib/x86_64-linux-gnu -maxdepth 1 -type f -size +8k -size -4M 2>/dev/null |
        sort | awk -v max="$max" '
        { cmd = "stat -c %s \"" $0 "\""; cmd | getline s; close(cmd);
          if (t + s > max) exit; t += s; print }' > "$dir/list"
    while read -r f; do
        if [ -n "$elf" ] && [ "$(head -c 4 "$f" | od -An -tx1 | tr -d ' ')" != 7f454c46 ]; then
            continue
        fi
        cp "$f" "$dir/corpus/$i.bin"
        i=$((i + 1))
    done < "$dir/list"
    ls "$dir"/corpus/* > "$dir/corpus.list"
    bytes=$(cat "$dir"/corpus/* | wc -c)
    CORPUS_FILES=$i
    CORPUS_MB=$(python3 -c "print('%.1f' % ($bytes / 1048576))")
}

# bench_heldout DIR MB: lists in DIR/heldout.list other ELF binaries of the
# system (/usr/sbin, /usr/libexec and subdirectories of /usr/lib, up to MB
# MiB), which the corpus does not hold: signatures cut from them look like
# signatures of other programs (bench/mixed.py SOURCE heldout:LIST).
bench_heldout() {
    local dir=$1 max=$(($2 * 1024 * 1024)) f t=0 s
    : > "$dir/heldout.list"
    while read -r f; do
        [ "$(head -c 4 "$f" | od -An -tx1 | tr -d ' ')" = 7f454c46 ] || continue
        s=$(stat -c %s "$f")
        [ $((t + s)) -le "$max" ] || break
        t=$((t + s))
        printf '%s\n' "$f" >> "$dir/heldout.list"
    done < <(find /usr/sbin /usr/libexec /usr/lib -mindepth 1 -type f -size +8k -size -4M \
                 -not -path '/usr/lib/x86_64-linux-gnu/*' 2>/dev/null | sort;
             find /usr/lib/x86_64-linux-gnu -mindepth 2 -type f -size +8k -size -4M 2>/dev/null | sort)
}
