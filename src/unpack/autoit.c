/* autoit.c - compiled AutoIt v3 scripts (Aut2Exe "AU3!EA05" and
 * "AU3!EA06"), found behind a 16-byte marker in an executable: every
 * embedded file (the script and each FileInstall'ed file) is decrypted,
 * decompressed and handed over as an unnamed child, as ClamAV's
 * cli_scanautoit() (libclamav/autoit.c) does.
 * Layout (after the marker and "AU3!EA0x"): 16 bytes (EA05: their sum
 * seeds the data keystream; EA06: skipped), then records: a 4-byte FILE
 * magic, a keyed length and the encrypted magic string (">>>AUTOIT
 * SCRIPT<<<" for the script), a keyed length and the original name, a
 * compression flag, keyed compressed and uncompressed sizes and a
 * checksum, 16 bytes of times, and the encrypted data ("EA05"/"EA06", a
 * big-endian size, the JB stream; autoitdec.c).
 * The EA06 script (the record named ">>>AUTOIT SCRIPT<<<") is handed over
 * as the source text clamscan makes of its tokens (autoitsrc.c).
 * Limits: every field is checked against the object; a file larger than
 * the budget is skipped (as ClamAV skips one over --max-filesize); at most
 * AUTOIT_MAX_FILES records. */
#include <stdlib.h>
#include <string.h>

#include "unpack/autoitdec.h"
#include "unpack/autoitsrc.h"
#include "unpack/format.h"

#define AUTOIT_MARK 24 /* marker, "AU3!EA0", version */
#define AUTOIT_MAX_FILES 100000

static const uint8_t autoit_magic[AUTOIT_MARK - 1] = {
    0xa3, 0x48, 0x4b, 0xbe, 0x98, 0x6c, 0x4a, 0xa9, 0x99, 0x4c, 0x53, 0x0a,
    0x86, 0xd6, 0x48, 0x7d, 'A',  'U',  '3',  '!',  'E',  'A',  '0'};

/* The keys of one version's records. */
struct autoit_keys {
    uint32_t file_magic, name_key, path_key, size_key;
    unsigned char_size;   /* 1: bytes (EA05); 2: UTF-16 (EA06) */
    uint32_t data_magic;  /* "EA05" / "EA06", little-endian */
    int ea06;
};

static const struct autoit_keys ea05_keys = {0xceb06dff, 0x29bc, 0x29ac, 0x45aa, 1,
                                             0x35304145, 0};
static const struct autoit_keys ea06_keys = {0x52ca436b, 0xadbc, 0xf820, 0x87bc, 2,
                                             0x36304145, 1};

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int autoit_detect(const uint8_t *buf, size_t len)
{
    return len > AUTOIT_MARK && memcmp(buf, autoit_magic, sizeof autoit_magic) == 0 &&
           (buf[AUTOIT_MARK - 1] == '5' || buf[AUTOIT_MARK - 1] == '6');
}

struct autoit_run {
    struct unpack *u;
    const struct autoit_keys *k;
    size_t pos;
    uint32_t seed; /* of the data keystream */
};

/* Whether n more bytes are there at the current position. */
static int have(const struct autoit_run *r, uint64_t n)
{
    return r->pos <= r->u->len && n <= r->u->len - r->pos;
}

/* Skips a keyed-length string; returns -1 when the walk must end. */
static int skip_string(struct autoit_run *r, uint32_t key)
{
    uint64_t n;

    if (!have(r, 4))
        return -1;
    n = (le32(r->u->data + r->pos) ^ key) * (uint64_t)r->k->char_size;
    if (n > INT32_MAX)
        return -1;
    r->pos += 4;
    if (!have(r, n))
        return -1;
    r->pos += (size_t)n;
    return 0;
}

/* Decodes one file's data into a fresh buffer; *out NULL when skipped. */
static vigil_status autoit_data(struct autoit_run *r, const uint8_t *enc, uint32_t csize,
                                int comp, uint8_t **out, size_t *len)
{
    struct unpack *u = r->u;
    uint8_t *in = malloc(csize), *dst = NULL;
    size_t usize, made = 0, max;
    int stop = 0;

    *out = NULL;
    *len = 0;
    if (!in)
        return VIGIL_ENOMEM;
    memcpy(in, enc, csize);
    if (r->k->ea06)
        autoit_lame_decrypt(in, csize, 0x2477);
    else
        autoit_mt_decrypt(in, csize, r->seed);
    if (comp != 1) {
        *out = in;
        *len = csize;
        return VIGIL_OK;
    }
    if (csize < 8 || le32(in) != r->k->data_magic) {
        free(in);
        unpack_damaged(u);
        return VIGIL_OK;
    }
    usize = be32(in + 4) ? be32(in + 4) : csize;
    max = unpack_budget(u, 0, csize, &stop);
    if (stop || usize > max) {
        if (!stop)
            unpack_too_big(u, NULL);
        free(in);
        return VIGIL_OK;
    }
    dst = calloc(1, usize);
    if (!dst) {
        free(in);
        return VIGIL_ENOMEM;
    }
    if (autoit_jb_decode(in + 8, csize - 8, dst, usize, r->k->ea06, &made) != 0)
        unpack_damaged(u); /* partial output is scanned, as ClamAV does */
    free(in);
    *out = dst;
    *len = made;
    return VIGIL_OK;
}

/* One record; returns 1 when the walk ends. */
static int autoit_record(struct autoit_run *r, vigil_status *st)
{
    struct unpack *u = r->u;
    const uint8_t *p;
    uint8_t *data = NULL;
    uint32_t csize;
    size_t len;
    int comp, done = 0, script;

    if (!have(r, 8) || le32(u->data + r->pos) != r->k->file_magic)
        return 1; /* no more records */
    r->pos += 4;
    script = r->k->ea06 && have(r, 4 + 38) &&
             (le32(u->data + r->pos) ^ r->k->name_key) == 19 &&
             autoit_ea06_is_script(u->data + r->pos + 4, 19);
    if (skip_string(r, r->k->name_key) || skip_string(r, r->k->path_key) || !have(r, 29)) {
        unpack_damaged(u);
        return 1;
    }
    p = u->data + r->pos;
    comp = p[0];
    csize = le32(p + 1) ^ r->k->size_key;
    if (csize > INT32_MAX) {
        unpack_damaged(u);
        return 1;
    }
    r->pos += 29;
    if (csize == 0)
        return 0;
    if (comp == 1 && csize < 4)
        return 0; /* ClamAV skips it, without moving past its data */
    if (!have(r, csize)) {
        unpack_damaged(u);
        return 1;
    }
    p = u->data + r->pos;
    r->pos += csize;
    if ((*st = autoit_data(r, p, csize, comp, &data, &len)) != VIGIL_OK)
        return 1;
    if (data && len >= 4 && script) {
        uint8_t *text = NULL;
        size_t tlen = 0;
        int damaged = 0, cut = 0, stop = 0;
        size_t max = unpack_budget(u, 0, csize, &stop);
        if (!stop && (*st = autoit_ea06_text(data, len, max, &text, &tlen, &damaged, &cut)) !=
                         VIGIL_OK) {
            free(data);
            return 1;
        }
        if (damaged)
            unpack_damaged(u);
        if (cut)
            unpack_too_big(u, NULL);
        free(data);
        data = text;
        len = tlen;
        if (stop || len == 0) {
            free(data);
            return stop;
        }
    } else if (!data || len < 4) {
        free(data);
        return 0;
    }
    done = unpack_child(u, data, len, NULL, csize, st);
    free(data);
    return done;
}

static vigil_status autoit_walk(struct unpack *u)
{
    struct autoit_run r = {u, NULL, AUTOIT_MARK, 0};
    vigil_status st = VIGIL_OK;

    if (!autoit_detect(u->data, u->len))
        return VIGIL_OK;
    if (!have(&r, 16))
        return VIGIL_OK;
    if (u->data[AUTOIT_MARK - 1] == '5') {
        uint32_t sum = 0;
        for (int i = 0; i < 16; i++)
            sum += u->data[r.pos + (size_t)i];
        r.k = &ea05_keys;
        r.seed = 0x22af + sum;
    } else {
        r.k = &ea06_keys;
    }
    r.pos += 16;
    for (unsigned n = 0; n < AUTOIT_MAX_FILES && !autoit_record(&r, &st); n++)
        ;
    return st;
}

const struct vigil_format format_autoit = {
    .name = "AUTOIT",
    .detect = autoit_detect,
    .walk = autoit_walk,
};
