/* mailhdr.h - the header fields of an RFC 822 message or MIME entity that
 * the mail walker uses, and their parameters (RFC 2045 section 5.1,
 * RFC 2231 for encoded and continued parameters). */
#ifndef VIGIL_UNPACK_MAILHDR_H
#define VIGIL_UNPACK_MAILHDR_H

#include <stddef.h>
#include <stdint.h>

/* Bytes kept of one unfolded header field; the rest of a longer (hostile)
 * field is dropped. */
#define MAILHDR_MAX 8192

struct mailhdr {
    char ctype[MAILHDR_MAX];     /* the last Content-Type */
    char multipart[MAILHDR_MAX]; /* the last Content-Type naming multipart/ */
    char disp[MAILHDR_MAX];      /* Content-Disposition */
    char cte[128];               /* Content-Transfer-Encoding */
    size_t body;                 /* where the body starts */
};

/* Reads the header of the entity at b[start..end): fields until an empty
 * line (or a line that is no header field, which then starts the body);
 * continuation lines are unfolded, comments in field names ignored, an mbox
 * "From " line at the start skipped. Never reads outside [start, end). */
void mailhdr_parse(const uint8_t *b, size_t start, size_t end, struct mailhdr *h);

/* Copies the parameter `key` of a field value (after its first ';') into
 * out[0..cap) as a C string: quoted strings unquoted, RFC 2231 forms
 * (key*=charset'lang'%XX, key*0=, key*1*= ...) decoded and joined.
 * Returns 1 when the parameter was there. */
int mailhdr_param(const char *value, const char *key, char *out, size_t cap);

/* Decodes the RFC 2047 encoded words ("=?charset?B?...?=", "=?charset?Q?...?=")
 * of the C string s in place (the text only gets shorter). */
void mailhdr_words(char *s);

/* Copies the media type of a field value ("multipart/mixed"), lowercased,
 * into out[0..cap). */
void mailhdr_type(const char *value, char *out, size_t cap);

/* Returns 1 if s starts with prefix, ASCII case-insensitively. */
int mailhdr_prefix(const char *s, const char *prefix);

/* Finds the next line of b[pos..end): returns its length without its line
 * end and sets *next to where the following line starts. */
size_t mailhdr_line(const uint8_t *b, size_t pos, size_t end, size_t *next);

#endif
