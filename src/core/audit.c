/* audit.c - appending to the audit log (see audit.h).
 *
 * Each append holds an exclusive flock from reading the tail to the fsync,
 * so concurrent writers (two vigil scans, vigild) chain in turn. All that one
 * append adds goes out in one write() on an O_APPEND descriptor. Limits: a
 * line of AUDIT_MAX_LINE bytes; the tail read is at most two lines long.
 */
#include "core/audit.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct audit_log {
    int fd;
    char user[64];
};

/* What the last lines of the log say. */
struct tail {
    uint64_t seq;                   /* of the last good entry, 0 if none */
    char prev[AUDIT_HASH_HEX + 1];  /* SHA-256 of that entry's line */
    int torn;                       /* the last line has no newline */
    int damaged;                    /* the last line is torn or not an entry */
    char lost[AUDIT_HASH_HEX + 1];  /* SHA-256 of the damaged line */
    size_t lost_bytes;
};

/* A line being built; bounded by AUDIT_MAX_LINE per line. */
struct lbuf {
    char *p;
    size_t len;
    int failed;
};

static void add(struct lbuf *b, const char *s, size_t n)
{
    if (b->failed || n > 3 * AUDIT_MAX_LINE - b->len) {
        b->failed = 1;
        return;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

static void addf(struct lbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void addf(struct lbuf *b, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    add(b, tmp, n < 0 ? 0 : (size_t)n);
}

/* ,"key":"value" with JSON escapes; nothing when value is NULL. */
static void add_str(struct lbuf *b, const char *key, const char *v)
{
    const unsigned char *s = (const unsigned char *)v;

    if (!v)
        return;
    addf(b, ",\"%s\":\"", key);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            addf(b, "\\%c", *s);
        else if (*s < 0x20 || *s == 0x7f)
            addf(b, "\\u%04x", *s);
        else
            add(b, (const char *)s, 1);
    }
    add(b, "\"", 1);
}

/* The user name from /etc/passwd itself: getpwuid() may ask nscd over a
 * socket, and vigil makes no network call but its workers' socketpair. */
static void find_user(uid_t uid, char *out, size_t len)
{
    struct passwd pw, *r = NULL;
    char buf[1024];
    FILE *f = fopen("/etc/passwd", "re");

    snprintf(out, len, "%u", (unsigned)uid);
    while (f && !fgetpwent_r(f, &pw, buf, sizeof buf, &r) && r) {
        if (pw.pw_uid == uid) {
            snprintf(out, len, "%s", pw.pw_name);
            break;
        }
    }
    if (f)
        fclose(f);
}

vigil_status audit_open(const char *path, struct audit_log **out, char *err,
                        size_t errlen)
{
    struct audit_log *l = calloc(1, sizeof *l);

    *out = NULL;
    if (!l) {
        snprintf(err, errlen, "%s", vigil_strerror(VIGIL_ENOMEM));
        return VIGIL_ENOMEM;
    }
    l->fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (l->fd < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        free(l);
        return VIGIL_EOPEN;
    }
    find_user(getuid(), l->user, sizeof l->user);
    *out = l;
    return VIGIL_OK;
}

void audit_close(struct audit_log *l)
{
    if (!l)
        return;
    close(l->fd);
    free(l);
}

/* The line that ends just before end in buf[0, end): its start. */
static size_t line_start(const char *buf, size_t end)
{
    while (end > 0 && buf[end - 1] != '\n')
        end--;
    return end;
}

/* Sets t->seq and t->prev from the good line buf[s, e). */
static int take_good(struct tail *t, const char *buf, size_t s, size_t e)
{
    struct audit_entry ent;

    if (audit_parse_line(buf + s, e - s, &ent))
        return -1;
    t->seq = ent.seq;
    audit_hash(buf + s, e - s, t->prev);
    return 0;
}

/* Reads and judges the last (up to two) lines of the log. */
static vigil_status read_tail(int fd, struct tail *t, char *buf, size_t cap)
{
    off_t size = lseek(fd, 0, SEEK_END);
    size_t n, e, s, off;

    memset(t, 0, sizeof *t);
    memset(t->prev, '0', AUDIT_HASH_HEX);
    if (size <= 0)
        return size < 0 ? VIGIL_EREAD : VIGIL_OK;
    n = (size_t)size < cap ? (size_t)size : cap;
    off = (size_t)size - n;
    if (pread(fd, buf, n, (off_t)off) != (ssize_t)n)
        return VIGIL_EREAD;
    t->torn = buf[n - 1] != '\n';
    e = t->torn ? n : n - 1;
    s = line_start(buf, e);
    if (s == 0 && off)
        return VIGIL_EMALFORMED; /* longer than any entry */
    /* A torn line that is nonetheless a whole entry lost only its newline:
     * it is ended and chained onto, nothing is lost. */
    if (!take_good(t, buf, s, e))
        return VIGIL_OK;
    /* The last line is damaged: chain to the one before it. */
    t->damaged = 1;
    audit_hash(buf + s, e - s, t->lost);
    t->lost_bytes = e - s;
    if (s == 0)
        return VIGIL_OK; /* it was the first line: start the chain afresh */
    e = s - 1;
    s = line_start(buf, e);
    if ((s == 0 && off) || take_good(t, buf, s, e))
        return VIGIL_EMALFORMED;
    return VIGIL_OK;
}

/* The fields every entry starts with. */
static void add_head(struct lbuf *b, const struct audit_log *l, uint64_t seq, const char *prev,
                     const char *action)
{
    char when[32];
    time_t now = time(NULL);
    struct tm tm;

    gmtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    addf(b, "{\"seq\":%llu,\"prev\":\"%s\",\"time\":\"%s\"", (unsigned long long)seq, prev,
         when);
    add_str(b, "user", l->user);
    addf(b, ",\"uid\":%u,\"pid\":%ld", (unsigned)getuid(), (long)getpid());
    add_str(b, "action", action);
}

/* Builds what one append writes: the end of a torn line, a recover entry,
 * then the entry itself. */
static void build(struct lbuf *b, const struct audit_log *l, struct tail *t,
                  const struct audit_event *ev)
{
    size_t start;

    if (t->torn)
        add(b, "\n", 1);
    if (t->damaged) {
        start = b->len;
        add_head(b, l, ++t->seq, t->prev, "recover");
        add_str(b, "lost", t->lost);
        addf(b, ",\"lost_bytes\":%zu", t->lost_bytes);
        add_str(b, "detail", t->torn ? "the last line had no newline: a write was cut short"
                                     : "the last line was not a valid entry");
        add(b, "}", 1);
        if (!b->failed)
            audit_hash(b->p + start, b->len - start, t->prev);
        add(b, "\n", 1);
    }
    add_head(b, l, t->seq + 1, t->prev, ev->action);
    add_str(b, "path", ev->path);
    add_str(b, "target", ev->target);
    add_str(b, "signature", ev->signature);
    add_str(b, "detail", ev->detail);
    add(b, "}\n", 2);
}

vigil_status audit_append(struct audit_log *l, const struct audit_event *ev, char *err,
                          size_t errlen)
{
    struct lbuf b = {0};
    struct tail t;
    size_t cap = 2 * (AUDIT_MAX_LINE + 1);
    char *tailbuf = malloc(cap);
    vigil_status st = VIGIL_ENOMEM;

    b.p = malloc(3 * AUDIT_MAX_LINE);
    if (!ev->action)
        st = VIGIL_EINVAL;
    if (!tailbuf || !b.p || !ev->action)
        goto out;
    if (flock(l->fd, LOCK_EX)) {
        st = VIGIL_EREAD;
        snprintf(err, errlen, "flock: %s", strerror(errno));
        goto out;
    }
    st = read_tail(l->fd, &t, tailbuf, cap);
    if (st == VIGIL_OK) {
        build(&b, l, &t, ev);
        if (b.failed)
            st = VIGIL_ETOOBIG;
    }
    if (st == VIGIL_OK && (write(l->fd, b.p, b.len) != (ssize_t)b.len || fsync(l->fd)))
        st = VIGIL_EREAD;
    if (st != VIGIL_OK)
        snprintf(err, errlen, "%s", st == VIGIL_EMALFORMED
                                        ? "its last lines are damaged; run vigil audit verify"
                                        : st == VIGIL_EREAD ? strerror(errno)
                                                            : vigil_strerror(st));
    flock(l->fd, LOCK_UN);
out:
    if (!tailbuf || !b.p || !ev->action)
        snprintf(err, errlen, "%s", vigil_strerror(st));
    free(tailbuf);
    free(b.p);
    return st;
}
