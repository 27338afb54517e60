/* lines.h - iterate the lines of a text database, from memory or streamed
 * from a file descriptor through a fixed buffer, as ClamAV's cli_dbgets +
 * cli_chomp see them: trailing CR/LF removed, numbered from 1. */
#ifndef VIGIL_DB_LINES_H
#define VIGIL_DB_LINES_H

#include <stddef.h>
#include <string.h>

#include "vigil/vigil.h"

/* ClamAV reads database lines into an 8 KiB buffer (FILEBUFF); a longer line
 * is malformed for us rather than silently split. */
#define LINES_MAX_LEN 8191

struct lines {
    const char *p, *end;  /* unread part of the current window */
    unsigned long lineno;
    int fd;               /* -1: the window is all there is */
    char *buf;            /* streaming buffer (fd mode) */
    size_t bufsize;
    int eof;
    vigil_status error;   /* set when reading the fd failed */
    int toolong;          /* the last line did not fit the buffer */
};

/* Iterates len bytes at data. */
void lines_init_mem(struct lines *it, const char *data, size_t len);

/* Iterates what fd yields, through buf[bufsize] (bufsize > LINES_MAX_LEN). */
void lines_init_fd(struct lines *it, int fd, char *buf, size_t bufsize);

/* Returns 1 and the next line in *line and *len (without trailing CR/LF), or
 * 0 at the end or on a read error (it->error). A final line without a newline
 * is still a line. A line longer than LINES_MAX_LEN comes back with a length
 * of LINES_MAX_LEN + 1 and it->toolong set, and must be refused by the
 * caller (formats with longer lines, such as .ldb, check it->toolong). */
int lines_next(struct lines *it, const char **line, size_t *len);

/* A field of a line: the bytes between delimiters. */
struct field {
    const char *s;
    size_t n;
};

/* Splits line[0..len) at delim into at most max fields (the last keeps the
 * rest). Returns the field count, which is max when there were max or more
 * fields, as ClamAV's cli_strtokenize counts. */
size_t lines_split(const char *line, size_t len, char delim, struct field *f,
                   size_t max);

#endif
