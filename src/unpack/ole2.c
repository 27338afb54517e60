/* ole2.c - OLE2 compound files (.doc, .xls, .ppt, .msi, vbaProject.bin;
 * written for vigil: no Debian library reads them for a scanner). Spec:
 * [MS-CFB] 2.2 (header: sector shifts at 30 and 32, FAT sector count at
 * 44, first directory sector at 48, mini stream cutoff at 56, mini FAT at
 * 60/64, DIFAT at 68/72, the first 109 DIFAT entries at 76), 2.3-2.5
 * (DIFAT, FAT, mini FAT chains), 2.6 (128-byte directory entries: UTF-16
 * name, its length at 64, type at 66, left/right/child at 68/72/76, start
 * sector at 116, size at 120). Every stream is scanned as an unnamed
 * child, as ClamAV scans each stream it extracts; VBA projects
 * ([MS-OVBA], vba.c) give their decompressed source as one child per
 * project, and what Office keeps in streams (oledoc.c) gives the objects
 * it embeds.
 * Limits: sector shifts 7..16, mini shift 2..shift; FAT, DIFAT and chains
 * bounded by the sectors the file has (a cycle ends at that count and is
 * damage); the directory tree walked with an explicit stack, each entry
 * once; OLE2_MAX_PROJECTS VBA projects of VBA_MAX_MODULES modules, each
 * module's stream found by a binary search; every stream and source
 * bounded by unpack_budget(). */
#include "unpack/ole2.h"

#include <stdlib.h>
#include <string.h>

#include "scan/filetype.h"
#include "unpack/outbuf.h"
#include "unpack/vba.h"
#include "unpack/xlm.h"

#define OLE2_HEADER 512
#define OLE2_DIFAT_HEAD 109
#define OLE2_MAXREG 0xfffffffau /* larger sector numbers are markers */
#define OLE2_NONE 0xffffffffu
/* Most VBA projects read from one file. */
#define OLE2_MAX_PROJECTS 64
/* Most directory entries read (each is 128 bytes of the file anyway). */
#define OLE2_MAX_ENTRIES ((size_t)1 << 20)

static const uint8_t ole2_magic[8] = {0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1};

static uint32_t le16(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t le32(const uint8_t *p)
{
    return le16(p) | le16(p + 2) << 16;
}

static int ole2_detect(const uint8_t *buf, size_t len)
{
    return len >= sizeof ole2_magic && memcmp(buf, ole2_magic, sizeof ole2_magic) == 0;
}

/* Sectors of the file after the header sector. */
static size_t ole2_nsect(const struct ole2 *o)
{
    size_t ss = (size_t)1 << o->shift;

    return o->len > ss ? (o->len - ss + ss - 1) / ss : 0;
}

/* The bytes of regular sector s, or NULL when it is past the end; *avail
 * is how many of them the file has (less than a sector when it is cut). */
static const uint8_t *ole2_part(const struct ole2 *o, uint32_t s, size_t *avail)
{
    size_t ss = (size_t)1 << o->shift, at = ((size_t)s + 1) * ss;

    if (s >= ole2_nsect(o) || at >= o->len)
        return NULL;
    *avail = o->len - at < ss ? o->len - at : ss;
    return o->d + at;
}

/* A whole regular sector s, or NULL. */
static const uint8_t *ole2_sector(const struct ole2 *o, uint32_t s)
{
    size_t avail;
    const uint8_t *p = ole2_part(o, s, &avail);

    return p && avail == ((size_t)1 << o->shift) ? p : NULL;
}

/* Reads a chain of the FAT (mini = 0) or of the mini FAT into a new buffer
 * of at most max bytes; with exact, a chain shorter than max is damage. */
static vigil_status ole2_chain(struct ole2 *o, int mini, uint32_t start, size_t max,
                               int exact, uint8_t **out, size_t *got)
{
    const uint32_t *t = mini ? o->mfat : o->fat;
    size_t n = mini ? o->nmfat : o->nfat, unit = (size_t)1 << (mini ? o->mshift : o->shift);
    uint8_t *b, *seen;
    size_t have = 0;
    uint32_t s = start;

    *out = NULL;
    *got = 0;
    if (max == 0)
        return VIGIL_OK;
    if (max > n * unit) { /* a chain never has more sectors than its table */
        o->damaged |= exact;
        max = n * unit;
    }
    b = malloc(max ? max : 1);
    seen = calloc(n / 8 + 1, 1); /* sectors of this chain: a loop is damage */
    if (!b || !seen) {
        free(b);
        free(seen);
        return VIGIL_ENOMEM;
    }
    while (have < max && s < OLE2_MAXREG && s < n) {
        const uint8_t *p = NULL;
        size_t k = max - have < unit ? max - have : unit, avail = 0;
        if (mini && (size_t)s * unit + unit <= o->minilen) {
            p = o->mini + (size_t)s * unit;
            avail = unit;
        }
        else if (!mini)
            p = ole2_part(o, s, &avail);
        if (!p || (seen[s / 8] & (1u << (s % 8)))) {
            o->damaged = 1;
            break;
        }
        seen[s / 8] |= (uint8_t)(1u << (s % 8));
        memcpy(b + have, p, k < avail ? k : avail);
        have += k < avail ? k : avail;
        if (avail < unit)
            break; /* the file ends inside this sector */
        s = t[s];
    }
    if (have < max && exact)
        o->damaged = 1;
    free(seen);
    *out = b;
    *got = have;
    return VIGIL_OK;
}

/* The FAT: sector numbers from the header's DIFAT and the DIFAT chain. */
static vigil_status ole2_fat(struct ole2 *o)
{
    const uint8_t *h = o->d;
    size_t ss = (size_t)1 << o->shift, per = ss / 4, nsect = ole2_nsect(o);
    size_t want = le32(h + 44), maxf = nsect / per + 1, k = 0;
    uint32_t dif = le32(h + 68);

    if (want > maxf) {
        o->damaged = 1;
        want = maxf;
    }
    if (!(o->fat = calloc(want * per + 1, sizeof *o->fat)))
        return VIGIL_ENOMEM;
    for (size_t i = 0; i < OLE2_DIFAT_HEAD && k < want; i++) {
        const uint8_t *p = ole2_sector(o, le32(h + 76 + 4 * i));
        if (!p)
            break;
        for (size_t j = 0; j < per; j++)
            o->fat[k * per + j] = le32(p + 4 * j);
        k++;
    }
    for (size_t steps = 0; k < want && steps < nsect && dif < OLE2_MAXREG; steps++) {
        const uint8_t *d = ole2_sector(o, dif);
        if (!d)
            break;
        for (size_t i = 0; i + 1 < per && k < want; i++) {
            const uint8_t *p = ole2_sector(o, le32(d + 4 * i));
            if (!p)
                break;
            for (size_t j = 0; j < per; j++)
                o->fat[k * per + j] = le32(p + 4 * j);
            k++;
        }
        dif = le32(d + ss - 4);
    }
    if (k < want)
        o->damaged = 1;
    o->nfat = k * per;
    return VIGIL_OK;
}

/* Decodes entry i of the directory bytes. */
static void ole2_entry(const uint8_t *p, struct ole2_entry *e, int v3)
{
    size_t nl = le16(p + 64) / 2;

    if (nl > OLE2_NAME_MAX)
        nl = OLE2_NAME_MAX;
    memset(e, 0, sizeof *e);
    for (size_t i = 0; i + 1 < nl && i + 1 < OLE2_NAME_MAX; i++) {
        uint32_t c = le16(p + 2 * i);
        e->name[i] = c >= 'A' && c <= 'Z' ? (char)(c + 32) : c < 128 && c ? (char)c : '?';
    }
    e->type = p[66];
    e->start = le32(p + 116);
    e->size = le32(p + 120) | (v3 ? 0 : (uint64_t)le32(p + 124) << 32);
    e->parent = OLE2_NONE;
}

/* Reads the directory and walks its trees from the root: each entry
 * reached gets its parent storage; entries not reached are left type 0. */
static vigil_status ole2_dir(struct ole2 *o)
{
    uint8_t *raw = NULL, *seen = NULL;
    uint32_t *stack = NULL;
    size_t len, n, top = 0;
    vigil_status st;

    st = ole2_chain(o, 0, le32(o->d + 48), OLE2_MAX_ENTRIES * 128, 0, &raw, &len);
    n = len / 128;
    if (st != VIGIL_OK || n == 0)
        goto out;
    st = VIGIL_ENOMEM;
    o->ent = calloc(n, sizeof *o->ent);
    seen = calloc(n, 1);
    stack = malloc(n * 2 * sizeof *stack);
    if (!o->ent || !seen || !stack)
        goto out;
    st = VIGIL_OK;
    o->nent = n;
    /* pairs (entry, parent): each entry is pushed at most once */
    stack[top++] = 0;
    stack[top++] = OLE2_NONE;
    seen[0] = 1;
    while (top) {
        uint32_t parent = stack[--top], i = stack[--top];
        const uint8_t *p = raw + (size_t)i * 128;
        uint32_t link[3] = {le32(p + 68), le32(p + 72), le32(p + 76)};
        ole2_entry(p, &o->ent[i], o->shift == 9);
        o->ent[i].parent = parent;
        if (o->ent[i].type != 1 && o->ent[i].type != 2 && o->ent[i].type != 5) {
            o->ent[i].type = 0;
            continue;
        }
        for (int k = 0; k < 3; k++) {
            uint32_t j = link[k];
            if (k == 2 && o->ent[i].type == 2)
                break; /* a stream has no children */
            if (j == OLE2_NONE)
                continue;
            if (j >= n || seen[j]) { /* a link outside, or back: a cycle */
                o->damaged = 1;
                continue;
            }
            seen[j] = 1;
            stack[top++] = j;
            stack[top++] = k == 2 ? i : parent;
        }
    }
out:
    free(raw);
    free(seen);
    free(stack);
    return st;
}

vigil_status ole2_stream(struct ole2 *o, const struct ole2_entry *e, size_t max,
                         uint8_t **out, size_t *got)
{
    size_t n = e->size < max ? (size_t)e->size : max;

    if (e->size < o->cutoff)
        return ole2_chain(o, 1, e->start, n, 1, out, got);
    return ole2_chain(o, 0, e->start, n, 1, out, got);
}

static int ole2_keycmp(const void *a, const void *b)
{
    const struct ole2_key *x = a, *y = b;

    if (x->parent != y->parent)
        return x->parent < y->parent ? -1 : 1;
    return strcmp(x->name, y->name);
}

size_t ole2_find(const struct ole2 *o, uint32_t parent, const char *name)
{
    struct ole2_key k = {parent, 0, name};
    const struct ole2_key *hit;

    if (!o->nkeys)
        return SIZE_MAX;
    hit = bsearch(&k, o->keys, o->nkeys, sizeof *o->keys, ole2_keycmp);
    return hit ? hit->idx : SIZE_MAX;
}

/* The lookup of streams by storage and name. */
static vigil_status ole2_index(struct ole2 *o)
{
    if (!(o->keys = malloc(o->nent * sizeof *o->keys)))
        return VIGIL_ENOMEM;
    for (size_t i = 0; i < o->nent; i++)
        if (o->ent[i].type == 2)
            o->keys[o->nkeys++] = (struct ole2_key){o->ent[i].parent, (uint32_t)i,
                                                    o->ent[i].name};
    qsort(o->keys, o->nkeys, sizeof *o->keys, ole2_keycmp);
    return VIGIL_OK;
}

/* Header, FAT, mini FAT, mini stream and directory. Returns VIGIL_OK with
 * o->nent 0 when the file is not usable. */
static vigil_status ole2_open(struct ole2 *o)
{
    const uint8_t *h = o->d;
    size_t got;
    vigil_status st;

    if (o->len < OLE2_HEADER) {
        o->damaged = 1;
        return VIGIL_OK;
    }
    o->shift = le16(h + 30);
    o->mshift = le16(h + 32);
    o->cutoff = le32(h + 56);
    if (o->shift < 7 || o->shift > 16 || o->mshift < 2 || o->mshift > o->shift) {
        o->damaged = 1;
        return VIGIL_OK;
    }
    if ((st = ole2_fat(o)) != VIGIL_OK)
        return st;
    st = ole2_chain(o, 0, le32(h + 60), (size_t)le32(h + 64) << o->shift, 0, &o->mini, &got);
    if (st != VIGIL_OK)
        return st;
    o->nmfat = got / 4;
    if (o->nmfat && !(o->mfat = malloc(o->nmfat * sizeof *o->mfat)))
        return VIGIL_ENOMEM;
    for (size_t i = 0; i < o->nmfat; i++)
        o->mfat[i] = le32(o->mini + 4 * i);
    free(o->mini);
    o->mini = NULL;
    if ((st = ole2_dir(o)) != VIGIL_OK || o->nent == 0 || (st = ole2_index(o)) != VIGIL_OK)
        return st;
    if (o->ent[0].type != 5)
        return VIGIL_OK;
    return ole2_chain(o, 0, o->ent[0].start, (size_t)o->ent[0].size, 1, &o->mini,
                      &o->minilen);
}

static void ole2_close(struct ole2 *o)
{
    free(o->fat);
    free(o->mfat);
    free(o->mini);
    free(o->ent);
    free(o->keys);
}

/* Decompresses the VBA container in[0..len) onto the end of b, growing b
 * as needed up to its maximum (then *full). */
static vigil_status ole2_unvba(struct outbuf *b, const uint8_t *in, size_t len,
                               int *damaged, int *full)
{
    size_t want = 4096, room, n;
    vigil_status st;

    for (;;) {
        if ((st = outbuf_reserve(b, want, &room)) != VIGIL_OK)
            return st;
        n = vba_decompress(in, len, b->p + b->len, room, damaged, full);
        if (!*full || room < want) {
            b->len += n;
            return VIGIL_OK;
        }
        want = room * 2; /* it did not fit: again, with twice the room */
    }
}

/* The source of the modules m[0..n) of the project in storage `vba`,
 * decompressed and joined in t. */
static vigil_status ole2_sources(struct ole2 *o, uint32_t vba, struct vba_module *m,
                                 size_t n, struct outbuf *t, int *damaged, int *full)
{
    vigil_status st = VIGIL_OK;

    for (size_t i = 0; i < n && !*full && st == VIGIL_OK; i++) {
        uint8_t *src = NULL;
        size_t s, got;
        int d = 0;
        for (char *c = m[i].stream; *c; c++)
            if (*c >= 'A' && *c <= 'Z')
                *c = (char)(*c + 32);
        if ((s = ole2_find(o, vba, m[i].stream)) == SIZE_MAX) {
            *damaged = 1;
            continue;
        }
        st = ole2_stream(o, &o->ent[s], SIZE_MAX, &src, &got);
        if (st == VIGIL_OK && m[i].offset <= got)
            st = ole2_unvba(t, src + m[i].offset, got - m[i].offset, &d, full);
        *damaged |= d || m[i].offset > got;
        free(src);
    }
    return st;
}

/* One VBA project: the storage holding the dir stream `dir`. Its modules'
 * source, decompressed and joined, is scanned as one child (ClamAV scans
 * one file per project). Returns 1 to stop. */
static int ole2_vba(struct unpack *u, struct ole2 *o, size_t dir, vigil_status *st)
{
    struct vba_module *m = NULL;
    struct outbuf d, t;
    uint8_t *raw = NULL;
    size_t len, n = 0, cap;
    int damaged = 0, full = 0, stop = 0;

    cap = unpack_budget(u, 0, 0, &stop);
    if (stop)
        return 1;
    outbuf_init(&d, cap);
    outbuf_init(&t, cap);
    if ((*st = ole2_stream(o, &o->ent[dir], cap, &raw, &len)) != VIGIL_OK)
        goto out;
    if (!(m = malloc(VBA_MAX_MODULES * sizeof *m))) {
        *st = VIGIL_ENOMEM;
        goto out;
    }
    if ((*st = ole2_unvba(&d, raw, len, &damaged, &full)) != VIGIL_OK)
        goto out;
    n = vba_modules(d.p, d.len, m, VBA_MAX_MODULES, &damaged);
    full = 0;
    *st = ole2_sources(o, o->ent[dir].parent, m, n, &t, &damaged, &full);
    if (*st != VIGIL_OK)
        goto out;
    if (damaged)
        unpack_damaged(u);
    if (full)
        unpack_too_big(u, NULL);
    if (n > 0) {
        if (unpack_flags(u) & VIGIL_SCAN_ALERT_MACROS)
            unpack_heuristic_below(u, "Heuristics.OLE2.ContainsMacros.VBA");
        stop = unpack_child(u, t.p ? t.p : (const uint8_t *)"", t.len, NULL, 0, st);
    }
out:
    free(raw);
    free(m);
    outbuf_free(&d);
    outbuf_free(&t);
    return stop || *st != VIGIL_OK;
}

/* A workbook stream of the root, where clamscan looks for XLM macros. */
static int ole2_is_book(const struct ole2_entry *e)
{
    return e->type == 2 && e->parent == 0 &&
           (strcmp(e->name, "workbook") == 0 || strcmp(e->name, "book") == 0);
}

/* Sets o->xlm when a workbook stream of the root declares an Excel 4.0
 * macro sheet. Returns VIGIL_OK or VIGIL_ENOMEM. */
static vigil_status ole2_has_xlm(struct unpack *u, struct ole2 *o)
{
    vigil_status st = VIGIL_OK;
    int stop = 0;

    for (size_t i = 0; i < o->nent && !o->xlm && st == VIGIL_OK; i++) {
        uint8_t *b = NULL;
        size_t got, max;

        if (!ole2_is_book(&o->ent[i]))
            continue;
        max = unpack_budget(u, o->ent[i].size, o->ent[i].size, &stop);
        if ((st = ole2_stream(o, &o->ent[i], max, &b, &got)) == VIGIL_OK)
            o->xlm = oledoc_xlm(b, got);
        free(b);
    }
    return st;
}

/* The text clamscan makes of the root's workbook streams ("book" when
 * there is no "workbook") once one declares an Excel 4.0 macro sheet,
 * each a view of the document; clamscan takes them last first. Returns 1
 * to stop. */
static int ole2_xlm(struct unpack *u, struct ole2 *o, vigil_status *st)
{
    const char *name = ole2_find(o, 0, "workbook") != SIZE_MAX ? "workbook" : "book";
    int stop = 0;

    if ((*st = ole2_has_xlm(u, o)) != VIGIL_OK || !o->xlm)
        return *st != VIGIL_OK;
    for (size_t i = o->nent; i-- > 0 && !stop && *st == VIGIL_OK;) {
        const struct ole2_entry *e = &o->ent[i];
        struct outbuf t;
        uint8_t *b = NULL;
        size_t got, max;
        int scan = 0, full = 0;

        if (!ole2_is_book(e) || strcmp(e->name, name) != 0)
            continue;
        max = unpack_budget(u, 0, 0, &stop);
        if (stop)
            break;
        if ((*st = ole2_stream(o, e, max, &b, &got)) != VIGIL_OK)
            break;
        outbuf_init(&t, max);
        *st = xlm_text(b ? b : (const uint8_t *)"", got, &t, &scan, &full);
        if (*st == VIGIL_OK && full)
            unpack_too_big(u, NULL);
        if (*st == VIGIL_OK && scan)
            stop = unpack_view(u, t.p ? t.p : (const uint8_t *)"", t.len, TARGET_ANY, st);
        outbuf_free(&t);
        free(b);
    }
    return stop || *st != VIGIL_OK;
}

/* Scans one stream, then what it embeds. Returns 1 to stop. */
static int ole2_one(struct unpack *u, struct ole2 *o, const struct ole2_entry *e,
                    vigil_status *st)
{
    uint8_t *b = NULL;
    size_t got, max;
    int stop = 0;

    max = unpack_budget(u, e->size, e->size, &stop); /* read as is: ratio 1 */
    if (stop)
        return 1;
    if ((*st = ole2_stream(o, e, max, &b, &got)) != VIGIL_OK)
        return 1;
    if (e->size > max)
        unpack_too_big(u, NULL);
    stop = unpack_child(u, b ? b : (const uint8_t *)"", got, NULL, got, st);
    if (!stop && strcmp(e->name, "\001ole10native") == 0)
        stop = oledoc_ole10(u, b, got, st);
    else if (!stop && strcmp(e->name, "powerpoint document") == 0)
        stop = oledoc_ppt(u, b, got, st);
    if (!stop && (unpack_flags(u) & VIGIL_SCAN_ALERT_MACROS) && ole2_is_book(e) &&
        oledoc_xlm(b, got))
        unpack_heuristic_below(u, "Heuristics.OLE2.ContainsMacros.XLM");
    if (oledoc_encrypted(e->name, b, got))
        unpack_encrypted(u, NULL);
    free(b);
    return stop;
}

static vigil_status ole2_walk(struct unpack *u)
{
    struct ole2 o = {.d = u->data, .len = u->len};
    vigil_status st;
    int stop = 0;

    u->type = "MSOLE2";
    if (unpack_flags(u) & VIGIL_SCAN_NO_OLE2)
        return VIGIL_OK;
    st = ole2_open(&o);
    /* VBA projects first (ClamAV reads them before the other streams) */
    for (size_t i = 0, n = 0; st == VIGIL_OK && !stop && i < o.nent; i++)
        if (o.ent[i].type == 2 && strcmp(o.ent[i].name, "dir") == 0 &&
            n++ < OLE2_MAX_PROJECTS)
            stop = ole2_vba(u, &o, i, &st);
    /* then the text of Excel 4.0 macros, then the streams */
    if (st == VIGIL_OK && !stop)
        stop = ole2_xlm(u, &o, &st);
    for (size_t i = 0; st == VIGIL_OK && !stop && i < o.nent; i++)
        if (o.ent[i].type == 2)
            stop = ole2_one(u, &o, &o.ent[i], &st);
    if (o.damaged)
        unpack_damaged(u);
    ole2_close(&o);
    return st;
}

const struct vigil_format format_ole2 = {
    .name = "MSOLE2",
    .detect = ole2_detect,
    .walk = ole2_walk,
};
