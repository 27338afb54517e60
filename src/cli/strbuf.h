/* strbuf.h - a growable text buffer with a hard maximum, for building output
 * lines and JSON objects before they are written in one piece. */
#ifndef VIGIL_CLI_STRBUF_H
#define VIGIL_CLI_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

/* The largest buffer any caller may ask for: one output record. */
#define STRBUF_MAX_LIMIT (16u * 1024 * 1024)

struct strbuf {
    char *data; /* always NUL-terminated when len > 0 or after init */
    size_t len;
    size_t cap;
    size_t max;    /* growing past this sets overflow instead */
    bool overflow; /* an append did not fit; the text is truncated */
};

/* Prepares an empty buffer that may grow to max bytes (text and NUL).
 * Nothing is allocated until the first append. */
void strbuf_init(struct strbuf *sb, size_t max);

/* Frees the buffer's memory and leaves it empty and reusable. */
void strbuf_free(struct strbuf *sb);

/* Empties the buffer but keeps its memory and its overflow flag cleared. */
void strbuf_reset(struct strbuf *sb);

/* Appends len bytes. Returns false (and sets overflow) when the result
 * would pass the maximum or memory ran out; then nothing is appended. */
bool strbuf_add(struct strbuf *sb, const void *p, size_t len);

/* Appends a NUL-terminated string; as strbuf_add. */
bool strbuf_adds(struct strbuf *sb, const char *s);

/* Appends one byte; as strbuf_add. */
bool strbuf_addc(struct strbuf *sb, char c);

/* Appends printf-formatted text; as strbuf_add. */
bool strbuf_addf(struct strbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Returns the text; "" for a buffer that never grew. The pointer is valid
 * until the next change to the buffer. */
const char *strbuf_str(const struct strbuf *sb);

#endif
