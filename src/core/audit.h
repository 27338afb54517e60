/* audit.h - the tamper-evident audit log: one JSON line per action that
 * changed the system, each carrying the SHA-256 of the line before it.
 *
 * A line is a flat JSON object written in this key order:
 *   {"seq":N,"prev":"<64 hex>","time":"YYYY-MM-DDTHH:MM:SSZ","user":"root",
 *    "uid":0,"pid":123,"action":"move","path":"...","target":"...",
 *    "signature":"...","detail":"..."}
 * seq counts from 1; prev is the SHA-256 of the previous line's bytes
 * without its newline, and 64 zeros for the first line. Keys whose value is
 * absent are left out. A writer that finds the last line torn (no newline:
 * a crash mid-write) or unreadable ends it with a newline and first appends
 * {"action":"recover","lost":"<sha256 of that line>","lost_bytes":N,...}
 * chained to the last good line, so the damage stays on record and is
 * never chained onto.
 */
#ifndef VIGIL_CORE_AUDIT_H
#define VIGIL_CORE_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vigil/vigil.h"

/* Where vigil (as root) and vigild keep it unless told otherwise. */
#define AUDIT_DEFAULT_PATH "/var/log/vigil/audit.log"
/* The longest line; a longer one is not an entry. */
#define AUDIT_MAX_LINE (64u * 1024)
#define AUDIT_HASH_HEX 64

/* One action. action is required; the others are NULL when they do not
 * apply. action names: "move", "copy", "remove" (vigil scan); "restore",
 * "block", "db-update" are reserved for what comes later. */
struct audit_event {
    const char *action;
    const char *path;      /* what was acted on */
    const char *target;    /* where it went (move, copy, restore) */
    const char *signature; /* the detection behind the action */
    const char *detail;    /* anything else, free text */
};

struct audit_log;

/* Opens (creating it, mode 0600) the log at path for appending. Returns
 * VIGIL_OK and *out, or VIGIL_EOPEN with the reason in err. */
vigil_status audit_open(const char *path, struct audit_log **out, char *err,
                        size_t errlen);

/*
 * Appends one entry under an exclusive flock (other writers wait), chained
 * to the last line, then fsyncs. Handles a torn or unreadable last line as
 * described above. Returns VIGIL_OK, or a failure with the reason in err
 * (VIGIL_EMALFORMED when the tail is too damaged to chain onto: run verify).
 */
vigil_status audit_append(struct audit_log *l, const struct audit_event *ev, char *err,
                          size_t errlen);

/* Closes the log. NULL is allowed. */
void audit_close(struct audit_log *l);

/* ---- reading ------------------------------------------------------------ */

/* The fields verify needs from one line. Strings point into the caller's
 * copy of the line and are not NUL-terminated: see the _len fields. */
struct audit_entry {
    uint64_t seq;
    const char *prev; /* AUDIT_HASH_HEX lowercase hex digits */
    const char *action;
    size_t action_len;
    const char *lost; /* recover entries: AUDIT_HASH_HEX hex digits, or NULL */
};

/* Parses one line (without its newline) as an entry: a flat JSON object of
 * string and unsigned integer values, with seq (>= 1), prev (64 lowercase
 * hex digits), time and action present, no key twice. Returns 0, or -1. */
int audit_parse_line(const char *line, size_t len, struct audit_entry *e);

/* The lowercase hex SHA-256 of len bytes (out: AUDIT_HASH_HEX + 1 bytes). */
void audit_hash(const void *p, size_t len, char *out);

/* What verify found. bad_line is 0 when the chain is intact. */
struct audit_verdict {
    uint64_t entries;   /* lines read as entries */
    uint64_t recovered; /* damaged lines put on record by a recover entry */
    uint64_t bad_line;  /* the first line that is wrong (1-based), or 0 */
    char what[256];     /* what is wrong with it */
    char head[AUDIT_HASH_HEX + 1]; /* SHA-256 of the last line: record it
                                      elsewhere to detect a cut-off tail */
};

/* Checks the whole chain of the log at path under a shared flock. Returns
 * VIGIL_OK with *v filled (v->bad_line says whether it is intact), or
 * VIGIL_EOPEN / VIGIL_EREAD / VIGIL_ENOMEM when it cannot be read. */
vigil_status audit_verify(const char *path, struct audit_verdict *v);

#endif
