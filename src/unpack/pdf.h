/* pdf.h - the pieces of the PDF walker (pdf.c): the tokenizer and
 * dictionary lookups (pdflex.c), the stream filters (pdfdecode.c) and the
 * standard security handler (pdfcrypt.c). Spec: ISO 32000-1:2008 (PDF 1.7)
 * sections 7.2-7.6; ISO 32000-2 section 7.6.4 for revision 6. */
#ifndef VIGIL_UNPACK_PDF_H
#define VIGIL_UNPACK_PDF_H

#include <stddef.h>
#include <stdint.h>

#include "unpack/outbuf.h"

/* ---- pdflex.c: tokens and values ---------------------------------------- */

enum pdf_tok {
    PDF_T_END,     /* no more input */
    PDF_T_NAME,    /* /Name: the text after the slash */
    PDF_T_NUM,     /* an integer or real */
    PDF_T_STR,     /* (literal): the bytes between the parentheses */
    PDF_T_HEX,     /* <hex>: the bytes between the angle brackets */
    PDF_T_DICT,    /* << */
    PDF_T_DICTEND, /* >> */
    PDF_T_ARR,     /* [ */
    PDF_T_ARREND,  /* ] */
    PDF_T_WORD,    /* a keyword: R, obj, true, null, stream, ... */
};

struct pdf_token {
    enum pdf_tok t;
    const uint8_t *p; /* the token's text (see above) */
    size_t n;
    size_t end; /* offset just after the token */
};

/* Reads the token at or after buf[pos] within buf[0..len). */
void pdflex_next(const uint8_t *buf, size_t len, size_t pos, struct pdf_token *tk);

/* A value found in a dictionary: its kind and the bytes it spans. For a
 * dictionary or an array, p..p+n is the whole value with its brackets; for
 * a reference, num and gen are set. */
struct pdf_val {
    enum pdf_tok t; /* PDF_T_END when absent; PDF_T_WORD "R" for a reference */
    const uint8_t *p;
    size_t n;
    int64_t num;
    uint32_t gen;
    int ref;
};

/* Looks key (without the slash) up in the dictionary that starts at or
 * after buf[0] ("<< ... >>"), at its top level. Returns 1 and fills *v when
 * found. Bounded: one pass over buf, nesting at most PDFLEX_MAX_NEST. */
int pdflex_dict_get(const uint8_t *buf, size_t len, const char *key, struct pdf_val *v);

/* The n-th (from 0) element of an array value, or a non-array value taken
 * as an array of one. Returns 1 when it exists. */
int pdflex_array_get(const struct pdf_val *a, size_t i, struct pdf_val *v);

/* The integer of a number value (0 if not a number). */
int64_t pdflex_int(const struct pdf_val *v);

/* Compares a name value with text. */
int pdflex_name_is(const struct pdf_val *v, const char *name);

/* Decodes a string value (literal escapes or hex digits) into out[0..cap);
 * returns its length (at most cap). */
size_t pdflex_string(const struct pdf_val *v, uint8_t *out, size_t cap);

#define PDFLEX_MAX_NEST 64

/* ---- pdfdecode.c: stream filters ---------------------------------------- */

enum pdf_filter {
    PDF_F_UNKNOWN,
    PDF_F_FLATE,
    PDF_F_AHEX,
    PDF_F_A85,
    PDF_F_LZW,
    PDF_F_RL,
    PDF_F_CRYPT,
};

/* The filter named by a /Filter name (full or abbreviated). */
enum pdf_filter pdfdecode_filter(const struct pdf_val *name);

/* Decode parameters of one filter (defaults for an absent /DecodeParms). */
struct pdf_parms {
    int predictor, colors, bpc, columns, early;
};

void pdfdecode_parms(const struct pdf_val *dict, struct pdf_parms *pp);

enum pdf_dec {
    PDF_DEC_OK,
    PDF_DEC_DAMAGED, /* bad data: out holds what decoded before it */
    PDF_DEC_FULL,    /* out reached its maximum */
    PDF_DEC_NOMEM,
};

/* Decodes in[0..len) with filter f (and its predictor) into out, which
 * keeps its maximum. */
enum pdf_dec pdfdecode_run(enum pdf_filter f, const struct pdf_parms *pp,
                           const uint8_t *in, size_t len, struct outbuf *out);

/* ---- pdfcrypt.c: the standard security handler --------------------------- */

struct pdf_crypt {
    uint8_t key[32];
    size_t keylen;
    int aes;  /* strings and streams: 0 RC4, 1 AES-128, 2 AES-256 */
    int none; /* /Identity crypt filter: nothing is encrypted */
};

/* Computes the file key from the /Encrypt dictionary and the first /ID
 * string, for the empty user password. Returns 1 when that password opens
 * the document (the key is checked against /U), 0 when it does not or the
 * handler is not one vigil knows. */
int pdfcrypt_open(struct pdf_crypt *c, const uint8_t *enc, size_t enclen,
                  const uint8_t *id, size_t idlen);

/* Decrypts in[0..len) of object num gen into out (which keeps its
 * maximum). Returns 0, or -1 for bad data, -2 when out of memory. */
int pdfcrypt_run(const struct pdf_crypt *c, uint32_t num, uint32_t gen, const uint8_t *in,
                 size_t len, struct outbuf *out);

#endif
