/* rtf.c - embedded objects of RTF documents (Microsoft's Rich Text Format
 * Specification 1.9.1, "Objects": the \objdata destination holds an OLE1
 * object as hex digits, or as raw bytes after \binN), as ClamAV's
 * libclamav/rtf.c finds them. The OLE1 header (MS-OLEDS 2.2.4
 * ObjectHeader: version, format, class, topic and item names, native data
 * size) is read, and the native data of a Package (Ole10Native: type,
 * file name, path, 8 bytes, temporary path, data size, data; the layout
 * ClamAV's cli_decode_ole_object() reads) gives the embedded file, which
 * is handed to the scan layer without a name; native data that is an OLE2
 * document or no package, and object data that is no OLE1 object, is
 * handed as it is. Unlike clamscan 1.4.6 (measured), vigil also reads
 * object data given as \binN raw bytes and the names' real lengths.
 * Limits: one pass over the document; groups counted to RTF_MAX_DEPTH
 * (deeper ones are read, never tracked); each object's data bounded by
 * unpack_budget(); \binN bounded by the bytes left. */
#include <string.h>

#include "unpack/format.h"
#include "unpack/outbuf.h"

#define RTF_MAX_DEPTH 4096
#define RTF_MAX_WORD 32
#define RTF_MAX_OBJECTS 4096

struct rtf {
    struct unpack *u;
    struct outbuf obj; /* the object being read */
    size_t obj_depth;  /* group depth of \objdata, 0 when outside */
    size_t in_bytes;   /* document bytes the object came from */
    int hi;            /* a pending high hex digit, or -1 */
    int full;          /* the object was cut at its budget */
    size_t nobj;
    uint8_t pend[4096]; /* decoded hex digits not yet in obj */
    size_t npend;
};

static int rtf_detect(const uint8_t *buf, size_t len)
{
    return len >= 5 && memcmp(buf, "{\\rtf", 5) == 0;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

/* Skips a NUL-terminated string at p[*i..n); 0 when it has no NUL. */
static int skip_cstr(const uint8_t *p, size_t n, size_t *i)
{
    const uint8_t *z = *i < n ? memchr(p + *i, 0, n - *i) : NULL;

    if (!z)
        return 0;
    *i = (size_t)(z - p) + 1;
    return 1;
}

/* The embedded file of Ole10Native package data, when it is one. */
static int package_file(const uint8_t *p, size_t n, const uint8_t **f, size_t *fn)
{
    size_t i = 2;
    uint32_t size;

    if (n < 2 || !skip_cstr(p, n, &i) || !skip_cstr(p, n, &i) || n - i < 8)
        return 0;
    i += 8;
    if (!skip_cstr(p, n, &i) || n - i < 4)
        return 0;
    size = le32(p + i);
    i += 4;
    *f = p + i;
    *fn = size < n - i ? size : n - i;
    return 1;
}

/* Reads a length-prefixed string of the OLE1 header; 0 past the end. */
static int skip_lpstr(const uint8_t *p, size_t n, size_t *i)
{
    uint32_t l;

    if (n - *i < 4)
        return 0;
    l = le32(p + *i);
    *i += 4;
    if (l > n - *i)
        return 0;
    *i += l;
    return 1;
}

/* Scans one object's data: the OLE1 native data (or its package file), or
 * the bytes as they are. Returns 1 to stop. */
static int rtf_object(struct rtf *r, vigil_status *st)
{
    const uint8_t *p = r->obj.p, *f;
    size_t n = r->obj.len, i = 8, fn;
    uint32_t size;

    *st = VIGIL_OK;
    if (n == 0)
        return 0;
    if (r->nobj++ >= RTF_MAX_OBJECTS)
        return 0;
    if (r->full)
        unpack_too_big(r->u, NULL);
    if (n < 8 || le32(p) > 0xffff || !skip_lpstr(p, n, &i) || !skip_lpstr(p, n, &i) ||
        !skip_lpstr(p, n, &i) || n - i < 4)
        return unpack_child(r->u, p, n, NULL, r->in_bytes, st);
    size = le32(p + i);
    i += 4;
    if (size > n - i) {
        unpack_damaged(r->u);
        size = (uint32_t)(n - i);
    }
    if (size >= 2 && p[i] == 0xd0 && p[i + 1] == 0xcf) /* an OLE2 document */
        return unpack_child(r->u, p + i, size, NULL, r->in_bytes, st);
    if (package_file(p + i, size, &f, &fn))
        return unpack_child(r->u, f, fn, NULL, r->in_bytes, st);
    return unpack_child(r->u, p + i, size, NULL, r->in_bytes, st);
}

static int rtf_put(struct rtf *r, const uint8_t *p, size_t n, vigil_status *st);

/* Moves the pending decoded bytes into the object. Returns 1 to stop. */
static int rtf_flush(struct rtf *r, vigil_status *st)
{
    size_t n = r->npend;

    r->npend = 0;
    return rtf_put(r, r->pend, n, st);
}

/* Ends the object being read, if any. Returns 1 to stop. */
static int rtf_end_object(struct rtf *r, vigil_status *st)
{
    int stop = rtf_flush(r, st);

    if (r->obj_depth && !stop)
        stop = rtf_object(r, st);
    r->obj_depth = 0;
    r->obj.len = 0;
    r->hi = -1;
    r->full = 0;
    r->in_bytes = 0;
    return stop;
}

/* Adds object bytes within the scan layer's budget. Returns 1 to stop. */
static int rtf_put(struct rtf *r, const uint8_t *p, size_t n, vigil_status *st)
{
    size_t room;
    int stop = 0;

    if (r->full || n == 0)
        return 0;
    outbuf_limit(&r->obj, unpack_budget(r->u, r->obj.len + n, r->in_bytes, &stop));
    if (stop)
        return 1;
    if (outbuf_reserve(&r->obj, n, &room) != VIGIL_OK) {
        *st = VIGIL_ENOMEM;
        return 1;
    }
    if (room < n) {
        r->full = 1;
        n = room;
    }
    memcpy(r->obj.p + r->obj.len, p, n);
    r->obj.len += n;
    return 0;
}

static int hexval(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static int is_alpha(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Reads the control word at b[i] == '\\'; returns the index after it and
 * sets its name and parameter (has_num when it has one). */
static size_t control(const uint8_t *b, size_t len, size_t i, char *word, long long *num,
                      int *has_num)
{
    size_t w = 0;

    i++;
    *has_num = 0;
    *num = 0;
    word[0] = '\0';
    if (i >= len)
        return i;
    if (!is_alpha(b[i])) /* a control symbol: \*, \', \\, \{ ... */
        return b[i] == '\'' ? (i + 3 < len ? i + 3 : len) : i + 1;
    while (i < len && is_alpha(b[i])) {
        if (w < RTF_MAX_WORD)
            word[w++] = (char)b[i];
        i++;
    }
    word[w] = '\0';
    int neg = i < len && b[i] == '-';
    if (neg)
        i++;
    while (i < len && b[i] >= '0' && b[i] <= '9') {
        if (*num < 1000000000000LL)
            *num = *num * 10 + (b[i] - '0');
        *has_num = 1;
        i++;
    }
    if (neg)
        *num = -*num;
    if (i < len && b[i] == ' ')
        i++;
    return i;
}

static vigil_status rtf_walk(struct unpack *u)
{
    const uint8_t *b = u->data;
    size_t len = u->len, i = 0, depth = 0, over = 0;
    struct rtf r = {.u = u, .hi = -1};
    vigil_status st = VIGIL_OK;
    char word[RTF_MAX_WORD + 1];
    long long num;
    int has_num, d, stop = 0;

    outbuf_init(&r.obj, 0);
    while (i < len && !stop) {
        uint8_t c = b[i];
        if (c == '{') {
            if (depth < RTF_MAX_DEPTH)
                depth++;
            else
                over++;
            i++;
        } else if (c == '}') {
            if (over)
                over--;
            else if (depth)
                depth--;
            if (r.obj_depth && depth < r.obj_depth)
                stop = rtf_end_object(&r, &st);
            i++;
        } else if (c == '\\') {
            i = control(b, len, i, word, &num, &has_num);
            if (strcmp(word, "objdata") == 0) {
                stop = rtf_end_object(&r, &st);
                r.obj_depth = depth ? depth : 1;
            } else if (strcmp(word, "bin") == 0 && has_num) {
                size_t n = num < 0 ? 0 : (size_t)num;
                if (n > len - i) {
                    n = len - i;
                    unpack_damaged(u);
                }
                if (r.obj_depth) {
                    r.in_bytes += n;
                    stop = rtf_flush(&r, &st) || rtf_put(&r, b + i, n, &st);
                }
                i += n;
            }
        } else {
            if (r.obj_depth && (d = hexval(c)) >= 0) {
                r.in_bytes++;
                if (r.hi < 0) {
                    r.hi = d;
                } else {
                    r.pend[r.npend++] = (uint8_t)(r.hi << 4 | d);
                    r.hi = -1;
                    if (r.npend == sizeof r.pend)
                        stop = rtf_flush(&r, &st);
                }
            }
            i++;
        }
    }
    if (!stop)
        (void)rtf_end_object(&r, &st);
    if (depth || over)
        unpack_damaged(u);
    outbuf_free(&r.obj);
    return st;
}

const struct vigil_format format_rtf = {
    .name = "RTF",
    .detect = rtf_detect,
    .walk = rtf_walk,
};
