/* json.h - vigil scan --json: one JSON object per line (JSON Lines).
 *
 * Paths on Linux are bytes, JSON strings are Unicode. A byte that is not
 * part of valid UTF-8 is written as U+FFFD, and then the object also carries
 * "path_hex", the path's exact bytes in hex, so that a program can still act
 * on the file. Control characters are escaped (\n, \t, ..., \u00XX), as is
 * DEL, so that a hostile file name cannot drive a terminal.
 */
#ifndef VIGIL_CLI_JSON_H
#define VIGIL_CLI_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/output.h"
#include "cli/strbuf.h"

enum json_result { JR_OK, JR_FOUND, JR_EMPTY, JR_ERROR, JR_SKIPPED };

struct json_detection {
    const char *name;
    const char *layer; /* "" for the scanned object itself */
    const char *yara;  /* json_yara() text of a YARA detection, or NULL */
    uint32_t depth;    /* 0 for the scanned object itself */
};

/* Everything one line of --json output says about one path. */
struct json_file {
    const char *path;
    enum json_result result;
    const char *text; /* ERROR: "error"; SKIPPED: "reason"; else NULL */
    const struct json_detection *det;
    size_t ndet;
    bool scanned; /* size, bytes_read and limits are meaningful */
    uint64_t size, bytes_read;
    unsigned limits;           /* VIGIL_LIMIT_* bits */
    unsigned notes;            /* VIGIL_NOTE_* bits */
    const char *action;        /* "move", "copy", "remove" or NULL */
    const char *action_target; /* where the file went, or NULL */
    const char *action_error;  /* why the action failed, or NULL */
};

/* Appends s as a quoted JSON string. Returns true when s held bytes that are
 * not valid UTF-8 (each was written as U+FFFD). */
bool json_string(struct strbuf *sb, const char *s);

/* Appends the object for one path and a newline: always "path", "result"
 * and "detections" (a list, empty unless FOUND); "size", "bytes_read" and
 * "limits" for a file that was scanned; "error" or "reason", "path_hex" and
 * "action" when they apply. */
void json_file(struct strbuf *sb, const struct json_file *f);

/* Appends a YARA detection's data as one object: "rule", "namespace",
 * "tags", "meta" (an object; booleans as true/false), "strings" (each match
 * as "identifier", "offset", "length" and "data", the first bytes in hex)
 * and "strings_total" (matches found; more than listed when cut). When sb
 * would overflow, the text is cut and not valid JSON: callers size sb for
 * the limits of struct vigil_yara_match. */
struct vigil_yara_match;
void json_yara(struct strbuf *sb, const struct vigil_yara_match *m);

/* Appends {"summary":{...}} and a newline. */
void json_summary(struct strbuf *sb, const struct summary *s);

#endif
