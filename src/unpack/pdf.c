/* pdf.c - PDF documents (ISO 32000-1:2008 section 7: objects 7.3, streams
 * and filters 7.3.8 and 7.4, object streams 7.5.7, encryption 7.6,
 * embedded files 7.11.4, JavaScript 12.6.4.16), walked as ClamAV's
 * libclamav/pdf.c walks them: objects are found by scanning for
 * "num gen obj" (so a missing or wrong cross-reference table does not
 * matter, as in the broken files readers accept); every stream is decoded
 * through its filter chain (decrypted first when the document is encrypted
 * with the empty user password) and handed to the scan layer without a
 * name; the objects of object streams are parsed too; /JS strings are
 * children of their own. A document that cannot be decrypted is reported
 * with unpack_encrypted() (Heuristics.Encrypted.PDF).
 * Limits: PDF_MAX_OBJS objects, PDF_MAX_FILTERS filters per stream,
 * PDF_MAX_OBJSTM_BYTES of decoded object streams kept; every decoded
 * stream bounded by unpack_budget(); the object search is one pass (each
 * byte read a bounded number of times), dictionary lookups one pass over
 * the dictionary. */
#include <stdlib.h>
#include <string.h>

#include "unpack/format.h"
#include "unpack/pdf.h"

#define PDF_MAX_OBJS 200000
#define PDF_MAX_FILTERS 8
#define PDF_MAX_OBJSTM_BYTES ((size_t)64 << 20)
#define PDF_MAX_OBJSTM_OBJS 100000
#define PDF_MAX_JS ((size_t)16 << 20)
#define PDF_DETECT_WITHIN 1024 /* ClamAV types "%PDF-" in the first 1 KiB */

struct pdf_obj {
    uint32_t num, gen;
    const uint8_t *base; /* the file, or a decoded object stream */
    size_t start, end;   /* the object's value: base[start..end) */
    size_t sbeg, slen;   /* stream data, when stream is set */
    int stream, in_objstm;
};

struct pdf_key {
    uint32_t num, idx;
};

struct pdf {
    struct unpack *u;
    struct pdf_obj *objs;
    size_t n, cap;
    struct pdf_crypt crypt;
    int encrypted;  /* 1: decrypt with crypt; 2: cannot be decrypted */
    uint8_t **kept; /* decoded object streams */
    size_t nkept, kept_bytes;
    size_t encrypt_obj;    /* index + 1 of the /Encrypt dictionary object */
    struct pdf_key *index; /* objs sorted by number, then by position */
    size_t nindex;
};

static int pdf_detect(const uint8_t *buf, size_t len)
{
    /* measured: clamscan 1.4.6 types "%PDF-" at offset 1017, not at 1018 */
    for (size_t i = 0; i + 5 <= len && i + 7 <= PDF_DETECT_WITHIN; i++)
        if (buf[i] == '%' && memcmp(buf + i, "%PDF-", 5) == 0)
            return 1;
    return 0;
}

static int pdf_space(uint8_t c)
{
    return c == 0 || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' ';
}

static int pdf_digit(uint8_t c)
{
    return c >= '0' && c <= '9';
}

/* Reads the digits ending just before b[i]; returns where they start, or
 * SIZE_MAX when there are none (or more than 10). */
static size_t digits_before(const uint8_t *b, size_t i, uint32_t *v)
{
    size_t j = i;
    uint64_t x = 0, m = 1;

    while (j > 0 && pdf_digit(b[j - 1]) && i - j < 10) {
        j--;
        x += (uint64_t)(b[j] - '0') * m;
        m *= 10;
    }
    if (j == i || (j > 0 && pdf_digit(b[j - 1])) || x > UINT32_MAX)
        return SIZE_MAX;
    *v = (uint32_t)x;
    return j;
}

/* Is b[h..h+3) == "obj" the keyword of an object header "num gen obj"?
 * Sets *num, *gen and *hdr (where num starts). */
static int obj_header(const uint8_t *b, size_t len, size_t h, uint32_t *num,
                      uint32_t *gen, size_t *hdr)
{
    size_t i = h, j;

    if (h + 3 < len && !pdf_space(b[h + 3]) && b[h + 3] != '<' && b[h + 3] != '[' &&
        b[h + 3] != '(' && b[h + 3] != '/' && b[h + 3] != '%')
        return 0;
    for (j = 0; i > 0 && pdf_space(b[i - 1]) && j < 16; j++)
        i--;
    if (j == 0 || (i = digits_before(b, i, gen)) == SIZE_MAX)
        return 0;
    for (j = 0; i > 0 && pdf_space(b[i - 1]) && j < 16; j++)
        i--;
    if (j == 0 || (i = digits_before(b, i, num)) == SIZE_MAX)
        return 0;
    *hdr = i;
    return 1;
}

/* The next object header at or after pos: the offset of its "obj"
 * keyword, or len. */
static size_t next_header(const uint8_t *b, size_t len, size_t pos, uint32_t *num,
                          uint32_t *gen, size_t *hdr)
{
    while (pos + 3 <= len) {
        const uint8_t *p = memchr(b + pos, 'o', len - pos - 2);
        size_t h;
        if (!p)
            break;
        h = (size_t)(p - b);
        if (p[1] == 'b' && p[2] == 'j' && obj_header(b, len, h, num, gen, hdr))
            return h;
        pos = h + 1;
    }
    *hdr = len;
    return len;
}

static const uint8_t *find(const uint8_t *b, size_t from, size_t to, const char *s)
{
    size_t n = strlen(s);

    if (to <= from || to - from < n)
        return NULL;
    return memmem(b + from, to - from, s, n);
}

static vigil_status add_obj(struct pdf *d, const struct pdf_obj *o)
{
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 64;
        struct pdf_obj *v;
        if (cap > PDF_MAX_OBJS)
            cap = PDF_MAX_OBJS;
        if (d->n == cap)
            return VIGIL_OK; /* past the limit: not kept */
        if (!(v = realloc(d->objs, cap * sizeof *v)))
            return VIGIL_ENOMEM;
        d->objs = v;
        d->cap = cap;
    }
    d->objs[d->n++] = *o;
    return VIGIL_OK;
}

/* A direct /Length that ends where "endstream" follows (after an optional
 * end of line): then it is the data's length. */
static int length_fits(const uint8_t *b, size_t len, size_t beg, const struct pdf_val *lv)
{
    int64_t l = pdflex_int(lv);
    size_t e;

    if (lv->t != PDF_T_NUM || l < 0 || (uint64_t)l > len - beg)
        return 0;
    e = beg + (size_t)l;
    while (e < len && pdf_space(b[e]) && e < beg + (size_t)l + 2)
        e++;
    return len - e >= 9 && memcmp(b + e, "endstream", 9) == 0;
}

/* The stream of an object whose value is b[start..lim): sets its data
 * range when the dictionary is followed by "stream". Returns where the
 * search for the next object goes on. */
static size_t find_stream(struct pdf *d, struct pdf_obj *o, size_t lim)
{
    const uint8_t *b = d->u->data;
    size_t len = d->u->len, beg, e;
    const uint8_t *kw = find(b, o->start, lim, "stream");
    const uint8_t *es;
    struct pdf_val lv;

    if (!kw || (kw > b + 3 && memcmp(kw - 3, "end", 3) == 0))
        return lim;
    beg = (size_t)(kw - b) + 6;
    if (beg < len && b[beg] == '\r')
        beg++;
    if (beg < len && b[beg] == '\n')
        beg++;
    o->end = (size_t)(kw - b);
    o->stream = 1;
    o->sbeg = beg;
    if (pdflex_dict_get(b + o->start, o->end - o->start, "Length", &lv) &&
        length_fits(b, len, beg, &lv)) {
        o->slen = (size_t)pdflex_int(&lv);
        return beg + o->slen;
    }
    es = find(b, beg, len, "endstream");
    if (!es) {
        unpack_damaged(d->u);
        o->slen = len - beg;
        return len;
    }
    e = (size_t)(es - b);
    if (e > beg && b[e - 1] == '\n')
        e--;
    if (e > beg && b[e - 1] == '\r')
        e--;
    o->slen = e - beg;
    return (size_t)(es - b) + 9;
}

/* Pass 1: every "num gen obj" of the file, in order. */
static vigil_status find_objects(struct pdf *d)
{
    const uint8_t *b = d->u->data;
    size_t len = d->u->len, pos = 0, hdr, h, h2, hdr2, resume;
    uint32_t num, gen, num2, gen2;
    vigil_status st = VIGIL_OK;

    h = next_header(b, len, 0, &num, &gen, &hdr);
    while (h < len && st == VIGIL_OK && d->n < PDF_MAX_OBJS) {
        struct pdf_obj o = {num, gen, b, h + 3, 0, 0, 0, 0, 0};
        h2 = next_header(b, len, h + 3, &num2, &gen2, &hdr2);
        const uint8_t *eo = find(b, h + 3, hdr2, "endobj");
        o.end = eo ? (size_t)(eo - b) : hdr2;
        resume = find_stream(d, &o, o.end);
        st = add_obj(d, &o);
        pos = resume;
        if (resume <= hdr2) {
            h = h2, num = num2, gen = gen2;
        } else {
            h = next_header(b, len, pos, &num, &gen, &hdr);
        }
    }
    return st;
}

static int by_num(const void *a, const void *b)
{
    const struct pdf_key *x = a, *y = b;

    if (x->num != y->num)
        return x->num < y->num ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Sorts the objects by number for lookup(). */
static vigil_status build_index(struct pdf *d)
{
    struct pdf_key *v = realloc(d->index, (d->n ? d->n : 1) * sizeof *v);

    if (!v)
        return VIGIL_ENOMEM;
    d->index = v;
    for (size_t i = 0; i < d->n; i++)
        v[i] = (struct pdf_key){d->objs[i].num, (uint32_t)i};
    qsort(v, d->n, sizeof *v, by_num);
    d->nindex = d->n;
    return VIGIL_OK;
}

/* The object numbered num (its last definition: updates come later), or
 * NULL. */
static struct pdf_obj *lookup(struct pdf *d, int64_t num)
{
    size_t lo = 0, hi = d->nindex;

    if (num < 0 || num > UINT32_MAX)
        return NULL;
    while (lo < hi) { /* the first entry past num */
        size_t mid = lo + (hi - lo) / 2;
        if (d->index[mid].num <= (uint64_t)num)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0 || d->index[lo - 1].num != (uint64_t)num)
        return NULL;
    return &d->objs[d->index[lo - 1].idx];
}

static int dict_get(const struct pdf_obj *o, const char *key, struct pdf_val *v)
{
    return pdflex_dict_get(o->base + o->start, o->end - o->start, key, v);
}

/* Releases a stream buffer that is not one of the file's bytes. */
static void drop(struct pdf *d, struct outbuf *b)
{
    (void)d;
    outbuf_free(b);
}

/* Asks the scan layer how large a decoded stream may be. Returns 1 to stop. */
static int budget(struct pdf *d, struct outbuf *b, size_t in_len)
{
    int stop = 0;
    size_t max = unpack_budget(d->u, b->len, in_len, &stop);

    outbuf_limit(b, max);
    return stop;
}

/* Decodes one stream: decrypts it, then runs its filters. On success *out
 * holds the bytes (owned by the caller). Returns 1 to stop the walk. */
static int decode_stream(struct pdf *d, const struct pdf_obj *o, struct outbuf *out,
                         vigil_status *st)
{
    struct pdf_val fl, parms, f, p, type;
    struct outbuf cur, next;
    struct pdf_parms pp;
    const uint8_t *raw = o->base + o->sbeg;
    size_t rawlen = o->slen;
    int stop = 0, xref;

    outbuf_init(&cur, 0);
    xref = dict_get(o, "Type", &type) && pdflex_name_is(&type, "XRef");
    if (d->encrypted == 1 && !xref && !o->in_objstm) {
        if ((stop = budget(d, &cur, rawlen)) != 0)
            goto out;
        int rc = pdfcrypt_run(&d->crypt, o->num, o->gen, raw, rawlen, &cur);
        if (rc == -2) {
            *st = VIGIL_ENOMEM;
            stop = 1;
            goto out;
        }
        if (rc < 0)
            unpack_damaged(d->u);
    } else {
        if ((stop = budget(d, &cur, rawlen)) != 0)
            goto out;
        size_t room;
        if (outbuf_reserve(&cur, rawlen, &room) != VIGIL_OK) {
            *st = VIGIL_ENOMEM;
            stop = 1;
            goto out;
        }
        if (room > 0)
            memcpy(cur.p, raw, room < rawlen ? room : rawlen);
        cur.len = room < rawlen ? room : rawlen;
        if (room < rawlen)
            unpack_too_big(d->u, NULL);
    }
    if (!dict_get(o, "Filter", &fl) && !dict_get(o, "F", &fl))
        fl.t = PDF_T_END;
    if (!dict_get(o, "DecodeParms", &parms) && !dict_get(o, "DP", &parms))
        parms.t = PDF_T_END;
    for (size_t i = 0; i < PDF_MAX_FILTERS && pdflex_array_get(&fl, i, &f); i++) {
        enum pdf_filter k = pdfdecode_filter(&f);
        if (k == PDF_F_CRYPT)
            continue;
        if (k == PDF_F_UNKNOWN)
            break; /* an image codec: scanned as it is */
        if (!pdflex_array_get(&parms, i, &p))
            p.t = PDF_T_END;
        pdfdecode_parms(&p, &pp);
        outbuf_init(&next, 0);
        if ((stop = budget(d, &next, cur.len)) != 0) {
            outbuf_free(&next);
            goto out;
        }
        enum pdf_dec rc = pdfdecode_run(k, &pp, cur.p, cur.len, &next);
        outbuf_free(&cur);
        cur = next;
        if (rc == PDF_DEC_NOMEM) {
            *st = VIGIL_ENOMEM;
            stop = 1;
            goto out;
        }
        if (rc == PDF_DEC_DAMAGED)
            unpack_damaged(d->u);
        if (rc == PDF_DEC_FULL)
            unpack_too_big(d->u, NULL);
        if (rc != PDF_DEC_OK)
            break;
    }
    int s2 = 0;
    (void)unpack_budget(d->u, cur.len, rawlen, &s2); /* the ratio of the whole chain */
    stop = s2;
out:
    *out = cur;
    return stop;
}

/* Reads the integer at text b[*pos..len), moving *pos past it. */
static int read_uint(const uint8_t *b, size_t len, size_t *pos, uint64_t *v)
{
    struct pdf_token tk;
    uint64_t x = 0;

    pdflex_next(b, len, *pos, &tk);
    if (tk.t != PDF_T_NUM || tk.n == 0 || tk.n > 12)
        return 0;
    for (size_t i = 0; i < tk.n; i++) {
        if (!pdf_digit(tk.p[i]))
            return 0;
        x = x * 10 + (tk.p[i] - '0');
    }
    *v = x;
    *pos = tk.end;
    return 1;
}

/* Adds the objects of a decoded object stream (7.5.7): N pairs "num
 * offset" before /First, each object from First + offset to the next. */
static vigil_status objstm_objects(struct pdf *d, const struct pdf_obj *o,
                                   const uint8_t *b, size_t len)
{
    struct pdf_val nv, fv;
    uint64_t n, first, num, off, num2, off2;
    size_t pos = 0, p2;
    vigil_status st = VIGIL_OK;

    if (!dict_get(o, "N", &nv) || !dict_get(o, "First", &fv))
        return VIGIL_OK;
    n = (uint64_t)pdflex_int(&nv);
    first = (uint64_t)pdflex_int(&fv);
    if (first > len || n > PDF_MAX_OBJSTM_OBJS)
        return VIGIL_OK;
    if (!read_uint(b, first, &pos, &num) || !read_uint(b, first, &pos, &off))
        return VIGIL_OK;
    for (uint64_t i = 0; i < n && st == VIGIL_OK && num <= UINT32_MAX; i++) {
        int more = (p2 = pos,
                    read_uint(b, first, &p2, &num2) && read_uint(b, first, &p2, &off2));
        /* offsets out of order give an empty object: no range may reach
         * past the next one (each byte is read once) */
        uint64_t end = !more                                ? len
                       : off2 >= off && off2 <= len - first ? first + off2
                                                            : first + off;
        if (off <= len - first) {
            struct pdf_obj x = {
                (uint32_t)num, 0, b, (size_t)(first + off), (size_t)end, 0, 0, 0, 1};
            st = add_obj(d, &x);
        }
        if (!more)
            break;
        pos = p2, num = num2, off = off2;
    }
    return st;
}

/* Pass 2: decodes every object stream once, keeps it, and adds its
 * objects. Returns 1 to stop. */
static int load_objstms(struct pdf *d, vigil_status *st)
{
    size_t n = d->n;
    struct pdf_val t;

    for (size_t i = 0; i < n; i++) {
        struct pdf_obj o = d->objs[i];
        struct outbuf b;
        uint8_t **k;
        if (!o.stream || !dict_get(&o, "Type", &t) || !pdflex_name_is(&t, "ObjStm"))
            continue;
        if (decode_stream(d, &o, &b, st)) {
            outbuf_free(&b);
            return 1;
        }
        if (d->kept_bytes + b.len > PDF_MAX_OBJSTM_BYTES ||
            !(k = realloc(d->kept, (d->nkept + 1) * sizeof *k))) {
            outbuf_free(&b);
            if (d->kept_bytes + b.len > PDF_MAX_OBJSTM_BYTES)
                continue;
            *st = VIGIL_ENOMEM;
            return 1;
        }
        d->kept = k;
        d->kept[d->nkept++] = b.p;
        d->kept_bytes += b.len;
        if ((*st = objstm_objects(d, &o, b.p, b.len)) != VIGIL_OK)
            return 1;
    }
    return 0;
}

/* The last "trailer" dictionary of the file, or a cross-reference stream's
 * dictionary, holding key. Returns 1 with *v set. */
static int trailer_get(struct pdf *d, const char *key, struct pdf_val *v)
{
    const uint8_t *b = d->u->data, *t, *last = NULL;
    size_t pos = 0, len = d->u->len;
    struct pdf_val ty;

    while ((t = find(b, pos, len, "trailer")) != NULL) {
        last = t;
        pos = (size_t)(t - b) + 7;
    }
    if (last && pdflex_dict_get(last + 7, len - (size_t)(last - b) - 7, key, v))
        return 1;
    for (size_t i = d->n; i-- > 0;)
        if (!d->objs[i].in_objstm && dict_get(&d->objs[i], "Type", &ty) &&
            pdflex_name_is(&ty, "XRef") && dict_get(&d->objs[i], key, v))
            return 1;
    return 0;
}

/* Sets up decryption from the trailer's /Encrypt and /ID. */
static void open_encryption(struct pdf *d)
{
    struct pdf_val enc, ids, id0;
    const uint8_t *eb;
    size_t en, idlen = 0;
    uint8_t id[64];

    if (!trailer_get(d, "Encrypt", &enc))
        return;
    if (enc.ref) {
        struct pdf_obj *o = lookup(d, enc.num);
        if (!o) {
            d->encrypted = 2;
            return;
        }
        eb = o->base + o->start;
        en = o->end - o->start;
        d->encrypt_obj = (size_t)(o - d->objs) + 1;
    } else if (enc.t == PDF_T_DICT) {
        eb = enc.p;
        en = enc.n;
    } else {
        return;
    }
    if (trailer_get(d, "ID", &ids) && pdflex_array_get(&ids, 0, &id0))
        idlen = pdflex_string(&id0, id, sizeof id);
    d->encrypted = pdfcrypt_open(&d->crypt, eb, en, id, idlen) ? 1 : 2;
}

/* A /JS entry: a string (decrypted with its object's key) or a reference
 * to an object that is a string. Scanned as a child. Returns 1 to stop. */
static int scan_js(struct pdf *d, const struct pdf_obj *o, vigil_status *st)
{
    struct pdf_val js;
    const struct pdf_obj *owner = o;
    struct outbuf raw, dec;
    size_t room;
    int stop = 0;

    if (!dict_get(o, "JS", &js))
        return 0;
    if (js.ref) {
        const struct pdf_obj *t = lookup(d, js.num);
        struct pdf_token tk;
        if (!t || t->stream)
            return 0; /* a stream is scanned as every stream is */
        pdflex_next(t->base, t->end, t->start, &tk);
        js.t = tk.t;
        js.p = tk.p;
        js.n = tk.n;
        owner = t;
    }
    if (js.t != PDF_T_STR && js.t != PDF_T_HEX)
        return 0;
    outbuf_init(&raw, js.n < PDF_MAX_JS ? js.n : PDF_MAX_JS);
    if (outbuf_reserve(&raw, raw.max, &room) != VIGIL_OK) {
        *st = VIGIL_ENOMEM;
        return 1;
    }
    raw.len = pdflex_string(&js, raw.p, room);
    if (d->encrypted == 1 && !owner->in_objstm) {
        outbuf_init(&dec, raw.len);
        if (pdfcrypt_run(&d->crypt, owner->num, owner->gen, raw.p, raw.len, &dec) == -2) {
            *st = VIGIL_ENOMEM;
            stop = 1;
        }
        outbuf_free(&raw);
        raw = dec;
    }
    if (!stop && raw.len > 0)
        stop = unpack_child(d->u, raw.p, raw.len, NULL, js.n, st);
    outbuf_free(&raw);
    return stop;
}

/* Pass 3: every stream decoded and scanned, every /JS string scanned. */
static vigil_status scan_objects(struct pdf *d)
{
    vigil_status st = VIGIL_OK;

    for (size_t i = 0; i < d->n; i++) {
        struct pdf_obj o = d->objs[i];
        struct outbuf b;
        int stop;
        if (i + 1 == d->encrypt_obj)
            continue;
        if (scan_js(d, &o, &st))
            return st;
        if (!o.stream)
            continue;
        stop = decode_stream(d, &o, &b, &st);
        if (!stop && b.len > 0)
            stop = unpack_child(d->u, b.p, b.len, NULL, o.slen, &st);
        drop(d, &b);
        if (stop)
            return st;
    }
    return st;
}

static vigil_status pdf_walk(struct unpack *u)
{
    struct pdf d;
    vigil_status st;

    if (unpack_flags(u) & VIGIL_SCAN_NO_PDF)
        return VIGIL_OK;
    memset(&d, 0, sizeof d);
    d.u = u;
    st = find_objects(&d);
    if (st == VIGIL_OK)
        st = build_index(&d);
    if (st == VIGIL_OK)
        open_encryption(&d);
    if (d.encrypted == 2)
        unpack_encrypted(u, NULL);
    if (st == VIGIL_OK && !load_objstms(&d, &st) && (st = build_index(&d)) == VIGIL_OK)
        st = scan_objects(&d);
    for (size_t i = 0; i < d.nkept; i++)
        free(d.kept[i]);
    free(d.kept);
    free(d.index);
    free(d.objs);
    return st;
}

const struct vigil_format format_pdf = {
    .name = "PDF",
    .detect = pdf_detect,
    .walk = pdf_walk,
    .own_first = 1,
};
