/* audit_verify.c - checks the hash chain of an audit log (see audit.h).
 *
 * Reports the first line that is wrong and what is wrong with it:
 *   edited     a line whose SHA-256 is not the prev of the line after it,
 *              or that is no longer a valid entry;
 *   removed    a gap in seq (or a first line that does not start the chain);
 *   inserted   a line the next one skips: its prev is the line before;
 *   reordered  a gap whose missing entry appears further down;
 *   torn       a last line without a newline (a write cut short).
 * A damaged line followed by the recover entry that names its hash is on
 * record and counted, not reported. What a hash chain cannot show alone: a
 * cut-off or rewritten tail; compare the printed head with a copy kept
 * elsewhere for that. Two passes: the first notes where each seq is.
 */
#include "core/audit.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>

static const char zero_hash[AUDIT_HASH_HEX + 1] =
    "0000000000000000000000000000000000000000000000000000000000000000";

struct vstate {
    struct audit_verdict *v;
    uint64_t line, prev_seq;
    char prev[AUDIT_HASH_HEX + 1], prevprev[AUDIT_HASH_HEX + 1];
    uint64_t bad_pending; /* an unreadable line waiting for its recover entry */
    char bad_hash[AUDIT_HASH_HEX + 1];
    uint64_t *seq_line; /* seq -> line, from the first pass (0: absent) */
    uint64_t nseq;
};

static int report(struct vstate *s, uint64_t line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int report(struct vstate *s, uint64_t line, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(s->v->what, sizeof s->v->what, fmt, ap);
    va_end(ap);
    s->v->bad_line = line;
    return -1;
}

/* Where entry seq is, from the first pass; 0 if nowhere. */
static uint64_t line_of(const struct vstate *s, uint64_t seq)
{
    return seq && seq <= s->nseq ? s->seq_line[seq - 1] : 0;
}

/* A seq that does not follow the previous one. */
static int seq_break(struct vstate *s, const struct audit_entry *e)
{
    uint64_t want = s->prev_seq + 1, at = line_of(s, want);

    if (at > s->line)
        return report(s, s->line, "reordered: seq %llu here, but entry %llu is at line %llu",
                      (unsigned long long)e->seq, (unsigned long long)want,
                      (unsigned long long)at);
    if (e->seq > want)
        return report(s, s->line, "removed: entries %llu..%llu are missing before this line",
                      (unsigned long long)want, (unsigned long long)e->seq - 1);
    return report(s, s->line, "inserted or reordered: seq %llu after seq %llu",
                  (unsigned long long)e->seq, (unsigned long long)s->prev_seq);
}

/* Checks one valid entry against the chain so far. */
static int check_entry(struct vstate *s, const struct audit_entry *e)
{
    int recover = e->action_len == 7 && !memcmp(e->action, "recover", 7);

    if (s->bad_pending) {
        if (!recover || !e->lost || memcmp(e->lost, s->bad_hash, AUDIT_HASH_HEX))
            return report(s, s->bad_pending, "edited: not a valid audit entry");
        s->v->recovered++;
        s->bad_pending = 0;
    }
    if (memcmp(e->prev, s->prev, AUDIT_HASH_HEX)) {
        if (s->line > 2 && !memcmp(e->prev, s->prevprev, AUDIT_HASH_HEX))
            return report(s, s->line - 1, "inserted: line %llu chains to the line before this one",
                          (unsigned long long)s->line);
        if (e->seq == s->prev_seq + 1 && s->prev_seq)
            return report(s, s->line - 1, "edited: its SHA-256 is not the prev of line %llu",
                          (unsigned long long)s->line);
        if (e->seq == 1)
            return report(s, s->line, "edited: the first entry's prev is not 64 zeros");
    }
    if (e->seq != s->prev_seq + 1)
        return seq_break(s, e);
    return 0;
}

/* Reads one line into *buf; *nl says whether it ended with a newline.
 * Returns its length, or -1 at the end of the file. */
static ssize_t next_line(FILE *f, char **buf, size_t *cap, int *nl)
{
    ssize_t n = getline(buf, cap, f);

    if (n < 0)
        return -1;
    *nl = n > 0 && (*buf)[n - 1] == '\n';
    if (*nl)
        (*buf)[--n] = '\0';
    return n;
}

static int check_line(struct vstate *s, char *buf, size_t n, int nl)
{
    struct audit_entry e;
    char h[AUDIT_HASH_HEX + 1];

    audit_hash(buf, n, h);
    if (!nl)
        return report(s, s->line, "torn: the last line has no newline (%zu bytes): a write "
                                  "was cut short; the next write puts it on record", n);
    if (audit_parse_line(buf, n, &e)) {
        if (s->bad_pending)
            return report(s, s->bad_pending, "edited: not a valid audit entry");
        s->bad_pending = s->line;
        memcpy(s->bad_hash, h, sizeof h);
        return 0;
    }
    if (check_entry(s, &e))
        return -1;
    s->v->entries++;
    s->prev_seq = e.seq;
    memcpy(s->prevprev, s->prev, sizeof s->prev);
    memcpy(s->prev, h, sizeof h);
    return 0;
}

/* First pass: seq -> line of every valid entry (the first one wins). */
static vigil_status index_seqs(FILE *f, struct vstate *s)
{
    char *buf = NULL;
    size_t cap = 0, size = 0;
    uint64_t line = 0, *t;
    struct audit_entry e;
    ssize_t n;
    int nl;

    while ((n = next_line(f, &buf, &cap, &nl)) >= 0) {
        line++;
        if (audit_parse_line(buf, (size_t)n, &e) || e.seq > line + 1000000)
            continue;
        if (e.seq > size) {
            t = realloc(s->seq_line, (e.seq + 1024) * sizeof *t);
            if (!t) {
                free(buf);
                return VIGIL_ENOMEM;
            }
            memset(t + size, 0, (e.seq + 1024 - size) * sizeof *t);
            s->seq_line = t;
            size = e.seq + 1024;
        }
        if (!s->seq_line[e.seq - 1])
            s->seq_line[e.seq - 1] = line;
    }
    s->nseq = size;
    free(buf);
    return ferror(f) ? VIGIL_EREAD : VIGIL_OK;
}

vigil_status audit_verify(const char *path, struct audit_verdict *v)
{
    struct vstate s = {.v = v};
    char *buf = NULL;
    size_t cap = 0;
    ssize_t n;
    int nl;
    vigil_status st;
    FILE *f = fopen(path, "re");

    memset(v, 0, sizeof *v);
    if (!f)
        return VIGIL_EOPEN;
    flock(fileno(f), LOCK_SH);
    memcpy(s.prev, zero_hash, sizeof s.prev);
    st = index_seqs(f, &s);
    rewind(f);
    while (st == VIGIL_OK && (n = next_line(f, &buf, &cap, &nl)) >= 0) {
        s.line++;
        if (check_line(&s, buf, (size_t)n, nl))
            break;
    }
    if (st == VIGIL_OK && ferror(f))
        st = VIGIL_EREAD;
    if (st == VIGIL_OK && !v->bad_line && s.bad_pending)
        report(&s, s.bad_pending, "edited: not a valid audit entry");
    memcpy(v->head, s.prev, sizeof v->head);
    free(buf);
    free(s.seq_line);
    fclose(f);
    return st;
}
