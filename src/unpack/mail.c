/* mail.c - RFC 822 messages, mbox files and MIME entities (ClamAV's
 * CL_TYPE_MAIL, and CL_TYPE_MHTML for messages found behind other text).
 * Specs: RFC 5322 (message format), RFC 2045/2046 (MIME: multipart
 * bodies section 5.1, message/rfc822 section 5.2), RFC 2231 (parameters),
 * mbox as in ClamAV's libclamav/mbox.c (a message starts at a "From " line
 * after an empty line). Walked without recursion: entities wait on an
 * explicit stack; an attachment goes to unpack_child() with its file name,
 * decoded (base64, quoted-printable, uuencode); an encapsulated message
 * goes unnamed and is typed again by the scan layer.
 * Behaviour measured on clamscan 1.4.6 (tests/compat/mail.sh): layer names,
 * the default names "attachment" and "mixedtextportion", unnamed text
 * bodies and uudecoded files, multipart nesting limited by max-recursion.
 * Limits: MAIL_MAX_ENTITIES entities per object; nesting of multiparts at
 * most the recursion limit (MAIL_MAX_NEST without one); MAILHDR_MAX bytes
 * per header field; MAIL_MAX_UU uuencoded files per part; decoded sizes
 * bounded by unpack_budget(). */
#include <stdlib.h>
#include <string.h>

#include "scan/filetype.h"
#include "unpack/format.h"
#include "unpack/maildec.h"
#include "unpack/mailhdr.h"

#define MAIL_MAX_ENTITIES 100000
#define MAIL_MAX_NEST 64
#define MAIL_MAX_NAME 256
#define MAIL_MAX_BOUNDARY 512
#define MAIL_MAX_UU 1000

struct mail_ent {
    size_t start, end;
    uint32_t level; /* multipart nesting of the entity */
    int top;        /* a message (not a part of a multipart) */
};

struct mail_walk {
    struct unpack *u;
    const uint8_t *b;
    struct mail_ent *stack;
    size_t n, cap, seen;
    uint32_t max_nest;
    struct mailhdr h;
    char type[128];
    char name[MAIL_MAX_NAME];
    char boundary[MAIL_MAX_BOUNDARY];
    vigil_status st;
};

/* ClamAV's magic of mail at offset 0 (libclamav/filetypes_int.h). */
static const char *const mail_magic[] = {
    ">From ",
    "Date: ",
    "Delivered-To: ",
    "Delivery-date: ",
    "Envelope-to: ",
    "For: ",
    "From ",
    "From: ",
    "Hi. This is the qmail-send",
    "Message-ID: ",
    "Message-Id: ",
    "Received: ",
    "Return-Path: ",
    "Return-path: ",
    "Subject: ",
    "To: ",
    "X-Apparently-To: ",
    "X-EVS",
    "X-Envelope-From: ",
    "X-Original-To: ",
    "X-Real-To: ",
    "X-Sieve: ",
    "X-Symantec-",
    "X-UIDL: ",
    "v:\nReceived: ",
    "v:\r\nReceived: ",
    "Received-SPF: ",
};

static int mail_magic_at0(const uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < sizeof mail_magic / sizeof mail_magic[0]; i++) {
        size_t n = strlen(mail_magic[i]);
        if (len >= n && memcmp(buf, mail_magic[i], n) == 0)
            return 1;
    }
    return 0;
}

/* Returns 1 if buf[0..len) starts with name, ASCII case-insensitively. */
static int ci_at(const uint8_t *buf, size_t len, const char *name)
{
    size_t n = strlen(name);

    if (len < n)
        return 0;
    for (size_t k = 0; k < n; k++) {
        int c = buf[k], m = (unsigned char)name[k];
        if (c >= 'A' && c <= 'Z')
            c += 32;
        if (m >= 'A' && m <= 'Z')
            m += 32;
        if (c != m)
            return 0;
    }
    return 1;
}

/* Finds the field `name` at the start of a line beginning in [from, to)
 * of buf[0..len) (a line at 0 counts when at0). Returns the offset just
 * after the name, or 0. */
static size_t find_field(const uint8_t *buf, size_t len, size_t from, size_t to,
                         const char *name, int at0)
{
    size_t i = from;

    if (to > len)
        to = len;
    if (i == 0 && at0 && ci_at(buf, len, name))
        return strlen(name);
    while (i < to) {
        const uint8_t *nl = memchr(buf + i, '\n', to - i);
        if (!nl)
            return 0;
        i = (size_t)(nl - buf) + 1;
        if (ci_at(buf + i, len - i, name))
            return i + strlen(name);
    }
    return 0;
}

/* ClamAV's rule "1:...:field1 {-gap} \nfield2": field1 starting within
 * [0, within], field2 at most gap bytes after it. */
static int field_pair(const uint8_t *buf, size_t len, const char *f1, size_t within,
                      size_t gap, const char *f2, int at0)
{
    size_t from = 0;

    for (int tries = 0; tries < 64; tries++) {
        size_t e = find_field(buf, len, from, within, f1, at0);
        if (!e)
            return 0;
        /* the newline before f2 lies in [e, e + gap] */
        if (find_field(buf, len, e, e + gap + 1, f2, 0))
            return 1;
        from = e;
    }
    return 0;
}

/* Mail found by content: only in objects of no other type (ClamAV retypes
 * only text and data this way). */
static int mail_untyped(const uint8_t *buf, size_t len)
{
    enum target_type t = filetype_target(buf, len);

    return t == TARGET_ANY || t == TARGET_HTML || t == TARGET_TEXT || t == TARGET_MAIL;
}

/* ClamAV's MHTML rule: a MIME-Version field, then within 1024 bytes a
 * Content-Type field, anywhere in the first bytes. */
static int mhtml_rule(const uint8_t *buf, size_t len)
{
    return field_pair(buf, len, "MIME-Version: ", len, 1024, "Content-Type: ", 1);
}

static int mail_detect(const uint8_t *buf, size_t len)
{
    if (mail_magic_at0(buf, len))
        return 1;
    if (!mail_untyped(buf, len) || mhtml_rule(buf, len))
        return 0;
    return field_pair(buf, len, "From: ", 1024, 1024, "MIME-Version: ", 0) ||
           field_pair(buf, len, "From: ", 1024, 2048, "Content-Type: ", 0) ||
           field_pair(buf, len, "MIME-Version: ", 1024, 2048, "Content-Type: ", 0) ||
           field_pair(buf, len, "Message-Id: ", 1024, 1024, "Content-Type: ", 0) ||
           field_pair(buf, len, "Received: ", 2048, 2048, "Content-Type: ", 0);
}

static int mhtml_detect(const uint8_t *buf, size_t len)
{
    return !mail_magic_at0(buf, len) && mail_untyped(buf, len) && mhtml_rule(buf, len);
}

/* Pushes an entity; returns 0 when the entity limit is reached. */
static int push(struct mail_walk *w, size_t start, size_t end, uint32_t level, int top)
{
    if (w->seen >= MAIL_MAX_ENTITIES) {
        unpack_damaged(w->u);
        return 0;
    }
    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 64;
        struct mail_ent *p = realloc(w->stack, cap * sizeof *p);
        if (!p) {
            w->st = VIGIL_ENOMEM;
            return 0;
        }
        w->stack = p;
        w->cap = cap;
    }
    w->stack[w->n++] = (struct mail_ent){start, end, level, top};
    w->seen++;
    return 1;
}

/* Reverses the entities [from, n) of the stack, so that they are popped
 * in the order they were found. */
static void reverse(struct mail_walk *w, size_t from)
{
    for (size_t i = from, j = w->n; i + 1 < j; i++, j--) {
        struct mail_ent t = w->stack[i];
        w->stack[i] = w->stack[j - 1];
        w->stack[j - 1] = t;
    }
}

/* ClamAV's sanitiseName(): what is not a letter, digit, '.' or '_'
 * becomes '_'. */
static void sanitise(char *s)
{
    for (; *s; s++)
        if (!(*s == '.' || *s == '_' || (*s >= '0' && *s <= '9') ||
              (*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')))
            *s = '_';
}

/* Hands data[0..len) to the scan layer; returns 1 to stop. */
static int child(struct mail_walk *w, const uint8_t *data, size_t len, const char *name,
                 size_t in_bytes)
{
    vigil_status st;
    int stop = unpack_child(w->u, data, len, name, in_bytes, &st);

    if (st != VIGIL_OK)
        w->st = st;
    return stop;
}

/* Decodes and scans the uuencoded files in text[0..len) (unnamed, as
 * clamscan). Returns 1 to stop. */
static int uu_files(struct mail_walk *w, const uint8_t *text, size_t len)
{
    size_t pos = 0, next, files = 0;

    while (pos < len && files < MAIL_MAX_UU) {
        size_t n = mailhdr_line(text, pos, len, &next), used, max, made;
        int damaged, stop = 0;
        uint8_t *out;
        if (!maildec_uu_begin(text + pos, n)) {
            pos = next;
            continue;
        }
        files++;
        max = unpack_budget(w->u, len - next, len - next, &stop);
        if (stop)
            return 1;
        max = max < len - next ? max : len - next;
        if (!(out = malloc(max ? max : 1))) {
            w->st = VIGIL_ENOMEM;
            return 1;
        }
        made = maildec_uu(text + next, len - next, out, max, &used, &damaged);
        if (damaged)
            unpack_damaged(w->u);
        if (made == max && max < len - next)
            unpack_too_big(w->u, NULL);
        stop = child(w, out, made, NULL, used);
        free(out);
        if (stop)
            return 1;
        pos = next + used;
    }
    return 0;
}

enum mail_cte { CTE_RAW, CTE_BASE64, CTE_QP, CTE_UU };

static enum mail_cte cte_of(const char *v)
{
    char t[64];

    mailhdr_type(v, t, sizeof t);
    if (strcmp(t, "base64") == 0)
        return CTE_BASE64;
    if (strcmp(t, "quoted-printable") == 0)
        return CTE_QP;
    if (strcmp(t, "x-uuencode") == 0 || strcmp(t, "uuencode") == 0 ||
        strcmp(t, "x-uue") == 0 || strcmp(t, "x-uu") == 0)
        return CTE_UU;
    return CTE_RAW;
}

/* The name a leaf part is scanned under (NULL: unnamed), as clamscan 1.4.6
 * names them (measured): the file name of Content-Disposition or
 * Content-Type; else a message's text body is unnamed, a text part of a
 * multipart is "mixedtextportion" when encoded or HTML, and anything else
 * "attachment". */
static const char *leaf_name(struct mail_walk *w, int top, enum mail_cte cte)
{
    struct mailhdr *h = &w->h;
    int text = w->type[0] == '\0' || mailhdr_prefix(w->type, "text/");

    if ((mailhdr_param(h->disp, "filename", w->name, sizeof w->name) ||
         mailhdr_param(h->ctype, "name", w->name, sizeof w->name)) &&
        w->name[0]) {
        mailhdr_words(w->name); /* RFC 2047, as clamscan decodes them */
        sanitise(w->name);
        return w->name;
    }
    if (text && top)
        return NULL;
    if (text && (cte != CTE_RAW || strcmp(w->type, "text/html") == 0))
        return "mixedtextportion";
    return "attachment";
}

/* Decodes the body of a leaf part, in[0..n), into a buffer of at most the
 * budget and scans it. Returns 1 to stop. */
static int leaf(struct mail_walk *w, const struct mail_ent *e)
{
    const uint8_t *in = w->b + w->h.body;
    size_t n = e->end > w->h.body ? e->end - w->h.body : 0, max, made;
    enum mail_cte cte = cte_of(w->h.cte);
    const char *name = leaf_name(w, e->top, cte);
    int stop = 0,
        text = name == NULL || w->type[0] == '\0' || mailhdr_prefix(w->type, "text/");
    uint8_t *out = NULL;

    if (cte == CTE_UU)
        return uu_files(w, in, n);
    max = unpack_budget(w->u, n, n, &stop);
    if (stop)
        return 1;
    if (cte == CTE_RAW) {
        if (n > max)
            unpack_too_big(w->u, name);
        made = n < max ? n : max;
        /* uuencoded files first: clamscan reports them before the text
         * that holds them (which the scan layer may type as uuencoded) */
        if (text && uu_files(w, in, made))
            return 1;
        /* clamscan does not scan the body of a message without any
         * Content-Type apart (measured); the uuencoded files in it it does */
        return (!e->top || w->h.ctype[0]) && child(w, in, made, name, made);
    }
    max = max < n ? max : n;
    if (!(out = malloc(max + 1))) {
        w->st = VIGIL_ENOMEM;
        return 1;
    }
    made =
        cte == CTE_BASE64 ? maildec_base64(in, n, out, max) : maildec_qp(in, n, out, max);
    if (made == max && max < n && max < n / 4 * 3)
        unpack_too_big(w->u, name);
    /* clamscan decodes quoted-printable line by line and ends the last line
     * with a newline too (measured: clam.exe sent as quoted-printable
     * matches the hash of clam.exe plus "\n"); vigil does the same, so that
     * hash signatures agree. */
    if (cte == CTE_QP && n && in[n - 1] != '=' && made < max + 1)
        out[made++] = '\n';
    stop = text && uu_files(w, out, made);
    if (!stop)
        stop = child(w, out, made, name, n);
    free(out);
    return stop;
}

/* Whether line l[0..n) is a delimiter of boundary; *close is set for the
 * closing one ("--boundary--"). */
static int delimiter(const uint8_t *l, size_t n, const char *boundary, size_t blen,
                     int *close)
{
    size_t i;

    if (n < blen + 2 || l[0] != '-' || l[1] != '-' || memcmp(l + 2, boundary, blen) != 0)
        return 0;
    *close = n >= blen + 4 && l[blen + 2] == '-' && l[blen + 3] == '-';
    /* only blanks may follow (RFC 2046 5.1.1): "--b1" does not end "--b10" */
    for (i = blen + 2 + (*close ? 2 : 0); i < n; i++)
        if (l[i] != ' ' && l[i] != '\t')
            return 0;
    return 1;
}

/* The end of a part whose delimiter line starts at pos: the line break
 * before the delimiter belongs to it (RFC 2046 5.1.1). */
static size_t part_end(const uint8_t *b, size_t start, size_t pos)
{
    if (pos > start && b[pos - 1] == '\n')
        pos--;
    if (pos > start && b[pos - 1] == '\r')
        pos--;
    return pos;
}

/* Pushes the parts of the multipart body [w->h.body, e->end) delimited by
 * w->boundary. Returns 0 when there was no delimiter at all. */
static int parts(struct mail_walk *w, const struct mail_ent *e)
{
    size_t blen = strlen(w->boundary), pos = w->h.body, next, start = 0, mark = w->n;
    int open = 0, found = 0, close = 0;

    while (pos < e->end) {
        size_t n = mailhdr_line(w->b, pos, e->end, &next);
        if (delimiter(w->b + pos, n, w->boundary, blen, &close)) {
            found = 1;
            if (open && !push(w, start, part_end(w->b, start, pos), e->level + 1, 0))
                break;
            open = !close;
            start = next;
            if (close)
                break;
        }
        pos = next;
    }
    if (open && pos >= e->end) { /* no closing delimiter: the part runs to the end */
        unpack_damaged(w->u);    /* a cut message looks like this */
        (void)push(w, start, e->end, e->level + 1, 0);
    }
    reverse(w, mark);
    return found;
}

/* Where the header of a message starts: lines before its first field
 * (text before a message found by content, MHTML) are passed over, as
 * clamscan does (measured); the whole object when there is no field. */
static size_t first_field(const uint8_t *b, size_t start, size_t end)
{
    size_t pos = start, next;

    while (pos < end) {
        size_t n = mailhdr_line(b, pos, end, &next), k = 0;
        while (k < n && b[pos + k] > ' ' && b[pos + k] < 127 && b[pos + k] != ':')
            k++;
        if ((k > 0 && k < n && b[pos + k] == ':') ||
            (n >= 5 && memcmp(b + pos, "From ", 5) == 0))
            return pos;
        pos = next;
    }
    return start;
}

/* A message/rfc822 entity, as clamscan 1.4.6 treats it (measured): the
 * whole message's content is read in place, as the message itself; a part
 * goes to the scan layer, decoded when encoded (then named by its file
 * name), else unnamed, or "attachment" when it is an attachment with a file
 * name. Returns 1 to stop. */
static int encapsulated(struct mail_walk *w, const struct mail_ent *e)
{
    struct mailhdr *h = &w->h;
    size_t n = e->end > h->body ? e->end - h->body : 0;
    const char *name = NULL;
    char disp[16];

    if (e->top) {
        if (e->level < w->max_nest)
            (void)push(w, h->body, e->end, e->level + 1, 1);
        return 0;
    }
    if (cte_of(h->cte) != CTE_RAW)
        return leaf(w, e);
    mailhdr_type(h->disp, disp, sizeof disp);
    if (strcmp(disp, "attachment") == 0 &&
        mailhdr_param(h->disp, "filename", w->name, sizeof w->name))
        name = "attachment";
    return child(w, w->b + h->body, n, name, n);
}

/* Reads one entity: its header, then its parts or its body. Returns 1 to
 * stop. */
static int entity(struct mail_walk *w, const struct mail_ent *e)
{
    struct mailhdr *h = &w->h;
    const char *ct;

    mailhdr_parse(w->b, e->top ? first_field(w->b, e->start, e->end) : e->start, e->end,
                  h);
    /* Duplicate Content-Type fields: clamscan takes the last; a multipart
     * one earlier still counts here, or its parts would go unseen. */
    ct = h->ctype;
    mailhdr_type(ct, w->type, sizeof w->type);
    if (!mailhdr_prefix(w->type, "multipart/") && h->multipart[0]) {
        ct = h->multipart;
        mailhdr_type(ct, w->type, sizeof w->type);
    }
    if (mailhdr_prefix(w->type, "multipart/")) {
        if (e->level > w->max_nest)
            return 0; /* clamscan skips multiparts nested deeper */
        /* the boundary may be given in Content-Disposition (seen in the wild) */
        if ((mailhdr_param(ct, "boundary", w->boundary, sizeof w->boundary) ||
             mailhdr_param(h->disp, "boundary", w->boundary, sizeof w->boundary)) &&
            w->boundary[0] && parts(w, e))
            return 0;
        w->type[0] = '\0'; /* no parts: its body is text */
    }
    if (strcmp(w->type, "message/rfc822") == 0)
        return encapsulated(w, e);
    return leaf(w, e);
}

/* Pushes the messages of the object: several in an mbox (a "From " line
 * after an empty line starts one), else one. */
static void messages(struct mail_walk *w)
{
    const uint8_t *b = w->b;
    size_t len = w->u->len, pos = 0, next, start = 0;
    int empty = 0;

    if (len < 5 || memcmp(b, "From ", 5) != 0) {
        (void)push(w, 0, len, 0, 1);
        return;
    }
    while (pos < len) {
        size_t n = mailhdr_line(b, pos, len, &next);
        if (pos > start && empty && n >= 5 && memcmp(b + pos, "From ", 5) == 0) {
            if (!push(w, start, pos, 0, 1))
                return;
            start = pos;
        }
        empty = n == 0;
        pos = next;
    }
    (void)push(w, start, len, 0, 1);
    reverse(w, 0);
}

static vigil_status mail_walk(struct unpack *u)
{
    const struct vigil_scan_options *o = unpack_options(u);
    struct mail_walk *w;
    vigil_status st;

    if (o->flags & VIGIL_SCAN_NO_MAIL)
        return VIGIL_OK;
    if (!(w = calloc(1, sizeof *w)))
        return VIGIL_ENOMEM;
    w->u = u;
    w->b = u->data;
    w->max_nest = o->limits.max_recursion ? o->limits.max_recursion : MAIL_MAX_NEST;
    if (w->max_nest > MAIL_MAX_NEST)
        w->max_nest = MAIL_MAX_NEST;
    messages(w);
    while (w->n && w->st == VIGIL_OK) {
        struct mail_ent e = w->stack[--w->n];
        if (entity(w, &e))
            break;
    }
    st = w->st;
    free(w->stack);
    free(w);
    return st;
}

const struct vigil_format format_mail = {
    .name = "MAIL",
    .detect = mail_detect,
    .walk = mail_walk,
};

const struct vigil_format format_mhtml = {
    .name = "MHTML",
    .detect = mhtml_detect,
    .walk = mail_walk,
};
